#!/usr/bin/env bash
# Smoke-test a built FinClip: a one-folder bundle (dist/finclip) or a .deb (unpacked with
# dpkg-deb -x, not installed). Runs offscreen, as the bundle alone, without the venv:
#   1. `finclip --version`, and Qt WebEngine starts from the bundle (doctor's probe);
#   2. every template scaffolds, packs and verifies with the bundled resources;
#   3. the bundled example app is packed, signed, verified and run; its first painted page
#      is written to OUT/hello.png (a 375x667 PNG);
#   4. the bundle's entry takes what the desktop passes (`finclip file:///x.fcpkg`).
#
#   packaging/linux/smoke-test.sh dist/finclip-desktop_0.1.0_amd64.deb [OUT]
set -euo pipefail
TARGET=${1:?usage: smoke-test.sh BUNDLE_DIR|PACKAGE.deb [OUT_DIR]}
OUT=$(mkdir -p "${2:-build/smoke}" && cd "${2:-build/smoke}" && pwd)
rm -rf "$OUT"/*

if [ -d "$TARGET" ]; then
  FINCLIP=$(cd "$TARGET" && pwd)/finclip
else
  dpkg-deb -x "$TARGET" "$OUT/root"
  FINCLIP=$OUT/root/opt/finclip-desktop/finclip
  test -L "$OUT/root/usr/bin/finclip"
  test -f "$OUT/root/usr/share/applications/finclip-desktop.desktop"
fi
test -x "$FINCLIP"

# A clean user: own home, no policy, offscreen, no venv on PATH.
export HOME=$OUT/home XDG_CONFIG_HOME=$OUT/home/.config XDG_DATA_HOME=$OUT/home/.local/share
export XDG_CACHE_HOME=$OUT/home/.cache XDG_RUNTIME_DIR=$OUT/run
export FINCLIP_POLICY_FILE=$OUT/no-policy.json QT_QPA_PLATFORM=offscreen
export PATH=/usr/bin:/bin
unset PYTHONPATH VIRTUAL_ENV
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
if [ "$(id -u)" = 0 ]; then
  export QTWEBENGINE_DISABLE_SANDBOX=1  # Chromium cannot sandbox as root (CI containers)
fi
cd "$OUT"

step() { echo "-- $*"; }

step "version"
"$FINCLIP" --version

step "Qt WebEngine starts from the bundle"
"$FINCLIP" doctor --probe-webengine 2>"$OUT/probe.log" | tee "$OUT/probe.json" | grep -q '"ok": true'

step "templates scaffold, pack and verify"
"$FINCLIP" keygen --out "$OUT/smoke.key" >/dev/null
for template in blank tabbed form dashboard; do
  "$FINCLIP" new "$OUT/apps/$template" --template "$template" >/dev/null
  "$FINCLIP" pack "$OUT/apps/$template" --key "$OUT/smoke.key" -o "$OUT/$template.fcpkg" >/dev/null
  "$FINCLIP" verify "$OUT/$template.fcpkg" --trust "$OUT/smoke.key.pub" >/dev/null
done

step "an example app, packed and signed, runs and paints"
EXAMPLE=$(dirname "$FINCLIP")/_internal/resources/examples/tabbed
"$FINCLIP" pack "$EXAMPLE" --key "$OUT/smoke.key" -o "$OUT/example.fcpkg" >/dev/null
timeout 120 "$FINCLIP" run "$OUT/example.fcpkg" --trust "$OUT/smoke.key.pub" \
  --screenshot "$OUT/hello.png" >"$OUT/run.log" 2>&1 || { tail -20 "$OUT/run.log"; exit 1; }
# a PNG of the app's 375x667 view (signature, then IHDR width and height), not an empty one
test "$(head -c 8 "$OUT/hello.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a
test "$(od -An -tu1 -j16 -N8 "$OUT/hello.png" | tr -s ' ' | sed 's/^ //')" = "0 0 1 119 0 0 2 155"
test "$(stat -c %s "$OUT/hello.png")" -gt 2000
echo "   screenshot: $OUT/hello.png"

step "the desktop entry's command: a package opened from the file manager runs it"
"$FINCLIP" "file://$OUT/missing.fcpkg" 2>"$OUT/open.log" && exit 1
grep -q "missing.fcpkg: no such file" "$OUT/open.log" || { cat "$OUT/open.log"; exit 1; }
echo "smoke test passed"
