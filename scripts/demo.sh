#!/usr/bin/env bash
# Sets up FinClip Desktop and runs the main job on an example mini-app: create a signing
# key, pack and sign the example, verify it, then run the signed package in the shell and
# save a screenshot and the visible text of its first page (out/demo.png, out/demo.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/finclip ] || scripts/setup.sh
app=${1:-resources/examples/tabbed}
mkdir -p out
[ -f out/demo.key ] || .venv/bin/finclip keygen --out out/demo.key
.venv/bin/finclip pack "$app" --key out/demo.key -o out/demo.fcpkg
.venv/bin/finclip verify out/demo.fcpkg --trust out/demo.key.pub
# Chromium's sandbox cannot run as root: only then is it disabled, explicitly.
sandbox=()
if [ "$(id -u)" = 0 ]; then
  echo "running as root: passing --no-sandbox (the web engine's sandbox is off)" >&2
  sandbox=(--no-sandbox)
fi
.venv/bin/finclip run out/demo.fcpkg --trust out/demo.key.pub "${sandbox[@]}" \
  --screenshot out/demo.png --dump-text out/demo.txt
echo "first page painted: out/demo.png; its text:"
cat out/demo.txt
