#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, and run every test
# (Check unit tests and the MPI/end-to-end integration tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
bash scripts/build.sh
meson test -C build --print-errorlogs "$@"
