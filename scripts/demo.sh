#!/usr/bin/env bash
# Sets up FinClip Desktop and runs the main job on an example mini-app:
# create a signing key, pack and sign the example, verify it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/finclip ] || scripts/setup.sh
app=${1:-resources/examples/tabbed}
mkdir -p out
[ -f out/demo.key ] || .venv/bin/finclip keygen --out out/demo.key
.venv/bin/finclip pack "$app" --key out/demo.key -o out/demo.fcpkg
.venv/bin/finclip verify out/demo.fcpkg --trust out/demo.key.pub
