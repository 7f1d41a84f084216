#!/usr/bin/env bash
# Creates .venv and installs FinClip Desktop with its server and dev extras.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[server,dev]"
