#!/usr/bin/env bash
# The unit tests under AddressSanitizer + UndefinedBehaviorSanitizer:
#   bash tests/sanitize/run.sh SOURCE_ROOT BUILD_DIR
# Configures BUILD_DIR once (debug, -Db_sanitize=address,undefined, UBSan
# errors fatal), builds the unit tests and runs meson's 'unit' suite there.
# Any ASan report, leak or UBSan "runtime error" fails the test.
set -euo pipefail
src=$(cd "$1" && pwd)
dir=$2
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "$src" -Dtests=enabled -Dbuildtype=debug -Db_sanitize=address,undefined \
    -Db_lundef=false -Dc_args=-fno-sanitize-recover=undefined >"$dir.setup.log" 2>&1 ||
    { tail -20 "$dir.setup.log"; exit 1; }
fi
# Only the unit tests and what they link: the MPI program is not needed.
targets=$(cd "$dir" && meson introspect --targets | /usr/bin/python3 -c \
  'import json,sys; print(" ".join(__import__("os").path.relpath(t["filename"][0], sys.argv[1]) for t in json.load(sys.stdin) if t["name"].startswith("test_")))' "$(cd "$dir" && pwd)")
ninja -C "$dir" $targets >"$dir.build.log" 2>&1 || { tail -40 "$dir.build.log"; exit 1; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export LSAN_OPTIONS=suppressions=$src/tests/sanitize/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Sanitized code runs 2-5x slower (the slowest ot test takes ~50 s here):
# stretch Check's per-test timeouts as meson's are stretched below.
export CK_TIMEOUT_MULTIPLIER=3
# Check forks each test; sanitizer reports in a child fail that test.
meson test -C "$dir" --suite unit --no-rebuild --print-errorlogs --timeout-multiplier 3
