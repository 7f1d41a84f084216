#!/usr/bin/env bash
# Build the Linux one-folder bundle and a .deb from it, then smoke-test both.
#
#   packaging/linux/build.sh            # -> dist/finclip/ and dist/finclip-desktop_VERSION_ARCH.deb
#
# Environment: VENV (default .venv, created by scripts/setup.sh), DEB_COMPRESSION
# (gzip | xz | zstd, default gzip: xz makes a ~30% smaller file but takes minutes),
# SKIP_SMOKE=1 to skip the smoke test. Needs dpkg-deb (Debian/Ubuntu: dpkg).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
VENV=${VENV:-.venv}
PY=$VENV/bin/python
start=$(date +%s)

if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "== installing PyInstaller (the [bundle] extra)"
  "$VENV/bin/pip" install -q -e ".[bundle]"
fi
VERSION=$("$PY" -c "import finclip_desktop; print(finclip_desktop.__version__)")
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)

echo "== bundle: PyInstaller one-folder build"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/pyinstaller/finclip.spec
BUNDLE=dist/finclip
test -x "$BUNDLE/finclip"
echo "   $(du -sh "$BUNDLE" | cut -f1) in $BUNDLE"

echo "== .deb"
STAGE=build/deb/finclip-desktop
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/icons/hicolor/256x256/apps" "$STAGE/etc/apparmor.d" \
  "$STAGE/usr/share/doc/finclip-desktop" "$STAGE/usr/share/mime/packages"
cp -a "$BUNDLE" "$STAGE/opt/finclip-desktop"
ln -s /opt/finclip-desktop/finclip "$STAGE/usr/bin/finclip"
cp packaging/linux/finclip-desktop.desktop "$STAGE/usr/share/applications/"
cp packaging/linux/finclip-desktop.png "$STAGE/usr/share/icons/hicolor/256x256/apps/"
cp packaging/linux/finclip-desktop-mime.xml "$STAGE/usr/share/mime/packages/finclip-desktop.xml"
cp packaging/linux/apparmor-finclip-desktop "$STAGE/etc/apparmor.d/finclip-desktop"
cp docs/policy.md docs/deployment.md "$STAGE/usr/share/doc/finclip-desktop/"
cp -r packaging/policy-examples "$STAGE/usr/share/doc/finclip-desktop/policy-examples"
SIZE_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE_KB/" \
  packaging/linux/control.in > "$STAGE/DEBIAN/control"
install -m 0755 packaging/linux/postinst packaging/linux/postrm "$STAGE/DEBIAN/"
echo "/etc/apparmor.d/finclip-desktop" > "$STAGE/DEBIAN/conffiles"
DEB=dist/finclip-desktop_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-gzip}" --build "$STAGE" "$DEB" >/dev/null
echo "   $(du -h "$DEB" | cut -f1) in $DEB"

if [ -z "${SKIP_SMOKE:-}" ]; then
  echo "== smoke test (the .deb's files, unpacked, run offscreen)"
  packaging/linux/smoke-test.sh "$DEB" build/smoke
fi
echo "== done in $(( $(date +%s) - start )) s"
