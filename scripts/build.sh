#!/usr/bin/env bash
# Configure (once) and build WASP in ./build with its tests enabled.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  meson setup build -Dtests=enabled --buildtype=release
fi
ninja -C build
