#!/usr/bin/env bash
# Build the libFuzzer harnesses and fuzz each parser for SECONDS (CI: 30).
#   bash tests/fuzz/run.sh SOURCE_ROOT BUILD_DIR [SECONDS]
# The io and core libraries are built by meson with clang, ASan+UBSan and
# -fsanitize=fuzzer-no-link in BUILD_DIR/lib (so the parsers are
# instrumented); the harnesses link them with -fsanitize=fuzzer.  Every file
# in tests/fuzz/regress/<parser>/ (past crashes) is replayed first.  A new
# crash leaves BUILD_DIR/crash-<parser>-* and fails.  Exit 77: no clang.
set -euo pipefail
src=$(cd "$1" && pwd)
dir=$(mkdir -p "$2" && cd "$2" && pwd)
seconds=${3:-30}
if ! command -v clang >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends clang >/dev/null ||
      { echo "skipped: apt-get install clang failed"; exit 77; }
  else
    echo "skipped: clang (Debian package clang) is needed for libFuzzer and is not installed"; exit 77
  fi
fi
if [ ! -f "$dir/lib/build.ninja" ]; then
  CC=clang meson setup "$dir/lib" "$src" -Dtests=disabled -Dbuildtype=debug \
    -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link >"$dir/setup.log" 2>&1 ||
    { tail -20 "$dir/setup.log"; exit 1; }
fi
ninja -C "$dir/lib" libwasp_io.a libwasp_core.a >"$dir/build.log" 2>&1 || { tail -30 "$dir/build.log"; exit 1; }
flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$src/include")
deps=$(pkg-config --cflags --libs hdf5-openmpi fftw3 PETSc ompi-c)
export WASP_FUZZ_TMP=${WASP_FUZZ_TMP:-/dev/shm}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
status=0
for parser in csv mrc opts; do
  exe="$dir/fuzz_$parser"
  # shellcheck disable=SC2086
  clang "${flags[@]}" "$src/tests/fuzz/fuzz_$parser.c" "$dir/lib/libwasp_io.a" "$dir/lib/libwasp_core.a" \
    $deps -lm -o "$exe"
  # PETSc's options-file parser leaks its line buffer on some malformed
  # files (PetscOptionsInsertFile, PETSc 3.18) and MPI_Init keeps its
  # allocations: not our code, so leak checks stay on for csv and mrc only.
  leaks=1
  [ "$parser" = opts ] && leaks=0
  regress=("$src/tests/fuzz/regress/$parser"/*)
  if [ -e "${regress[0]}" ]; then
    ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=$leaks" "$exe" "${regress[@]}" >"$dir/regress-$parser.log" 2>&1 ||
      { echo "FAIL $parser: a past crash is back"; tail -30 "$dir/regress-$parser.log"; status=1; continue; }
  fi
  mkdir -p "$dir/corpus-$parser"
  if ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=$leaks" "$exe" "$dir/corpus-$parser" "$src/tests/fuzz/seeds/$parser" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=4096 -artifact_prefix="$dir/crash-$parser-" >"$dir/fuzz-$parser.log" 2>&1; then
    echo "ok   $parser: $(grep -E '^#[0-9]+.*(DONE|pulse|NEW)' "$dir/fuzz-$parser.log" | tail -1)"
  else
    echo "FAIL $parser: see $dir/fuzz-$parser.log and $dir/crash-$parser-*"
    grep -E "ERROR|SUMMARY|runtime error|#[0-9]+ 0x" "$dir/fuzz-$parser.log" | head -25
    status=1
  fi
done
exit $status
