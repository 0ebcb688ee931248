#!/usr/bin/env bash
# libFuzzer targets (ASan) over the service's pure code. A target is a folder
# Fuzz/<name>/ holding its Swift files, a corpus/ of seeds, an optional
# fuzz.dict, and an optional target.conf (bash) that may set
#   EXTRA_SOURCES=(...)  files or folders, relative to the repo root, compiled
#                        in beside Sources/ContactSyncCore
#   LINK_CURL=1          the sources use libcurl (through Sources/CCurl)
#   MAX_LEN=N            libFuzzer's -max_len (default 4096)
# Fuzz/Shared/ is not a target: it holds what every target uses, and the list of
# targets (FuzzTargets.swift, where a new target adds its entry function).
#
# All targets go into ONE fuzzer binary, .build-fuzz/_build/fuzzer: one swiftc
# (-O, -wmo; LLVM's code generation on one thread per core) of
# Sources/ContactSyncCore, the union of every target's EXTRA_SOURCES (each file
# once), Fuzz/Shared/ and every target's files, as one module named
# ContactSyncCore, so `swift build` never sees the fuzzers and every function is
# instrumented for coverage; libcurl is linked when any target needs it. It is
# rebuilt only when a source, or anything in a folder of Fuzz/, is newer than it.
# The environment variable FUZZ_TARGET=<name>, read once at start, picks the
# target a run fuzzes; an unset or unknown name exits with status 2. By hand:
#   FUZZ_TARGET=config .build-fuzz/_build/fuzzer -runs=1 FILE
#
#   scripts/fuzz.sh                              every target for FUZZ_SECONDS each (default 30)
#   FUZZ_TARGETS="config response" scripts/fuzz.sh   only these
#   scripts/fuzz.sh --target NAME                one target
#   scripts/fuzz.sh --target NAME FILE...        run NAME once on each FILE (reproduce a crash)
#
# Everything it writes goes to .build-fuzz/ (git-ignored): the binary and its
# build log to .build-fuzz/_build/, the rest per target to .build-fuzz/<name>/.
# The seeds are copied into .build-fuzz/<name>/corpus/, which keeps what earlier
# runs found (FUZZ_FRESH=1 starts again from the seeds only); new inputs are
# never written into Fuzz/. Artifacts go to .build-fuzz/<name>/artifacts/<time>/,
# logs to .build-fuzz/<name>/fuzz-<time>.log. Exits non-zero when any fuzzer
# finds a crash.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_TO_RUN="${FUZZ_SECONDS:-30}"
SWIFT_TOOLCHAIN_BIN="$(dirname "$(command -v swiftc)")"

# Swift's own crash backtracer would catch the fuzzer's crashes first (and
# stalls here under ASan); libFuzzer and ASan report them instead.
export SWIFT_BACKTRACE=enable=no
# The toolchain's symbolizer demangles Swift names in stack traces.
if [ -x "$SWIFT_TOOLCHAIN_BIN/llvm-symbolizer" ]; then
  export ASAN_SYMBOLIZER_PATH="$SWIFT_TOOLCHAIN_BIN/llvm-symbolizer"
fi

targets=()
files=()
if [ "${1:-}" = "--target" ]; then
  [ $# -ge 2 ] || { echo "usage: scripts/fuzz.sh [--target NAME [FILE...]]" >&2; exit 2; }
  targets=("$2")
  shift 2
  files=("$@")
elif [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
fi
# Every target: the folders of Fuzz/ but Shared/.
all_targets=()
for dir in "$ROOT"/Fuzz/*/; do
  name="$(basename "$dir")"
  if [ "$name" != Shared ]; then all_targets+=("$name"); fi
done
if [ "${#targets[@]}" -eq 0 ]; then targets=("${all_targets[@]}"); fi
for name in "${targets[@]}"; do
  if [ "$name" = Shared ] || [ ! -d "$ROOT/Fuzz/$name" ]; then
    echo "fuzz: no target folder Fuzz/$name" >&2
    exit 2
  fi
done

BUILD_DIR="$ROOT/.build-fuzz/_build"
BIN="$BUILD_DIR/fuzzer"

# Sets EXTRA_SOURCES, LINK_CURL and MAX_LEN from target $1's target.conf.
load_conf() {
  EXTRA_SOURCES=(); LINK_CURL=0; MAX_LEN=4096
  # shellcheck source=/dev/null
  if [ -f "$ROOT/Fuzz/$1/target.conf" ]; then source "$ROOT/Fuzz/$1/target.conf"; fi
}

# Builds the one binary for every target when anything it is built from is newer than it.
build() {
  local roots=("$ROOT/Sources/ContactSyncCore" "$ROOT/Fuzz/Shared") link_curl=0 name extra
  for name in "${all_targets[@]}"; do
    load_conf "$name"
    roots+=("$ROOT/Fuzz/$name")
    for extra in "${EXTRA_SOURCES[@]}"; do roots+=("$ROOT/$extra"); done
    if [ "$LINK_CURL" = 1 ]; then link_curl=1; fi
  done
  local sources=()
  mapfile -t sources < <(find "${roots[@]}" -name '*.swift' | sort -u)
  # The folders of Fuzz/ too (recursively), as before: a file added, removed or changed in one rebuilds.
  if [ -x "$BIN" ] && [ -z "$(find "${sources[@]}" "$ROOT"/Fuzz/*/ -newer "$BIN" -print -quit)" ]; then
    return
  fi
  local flags=()
  if [ "$link_curl" = 1 ]; then flags+=(-I "$ROOT/Sources/CCurl" -lcurl); fi
  mkdir -p "$BUILD_DIR"
  echo "fuzz: building the fuzzer for ${#all_targets[@]} targets (${#sources[@]} sources)"
  # Run from $BUILD_DIR: with -g the driver leaves the module's debug files in the working directory.
  # Linked beside the binary, then moved: an interrupted build leaves no binary that looks current.
  if ! (cd "$BUILD_DIR" && swiftc -sanitize=fuzzer,address -parse-as-library -O -g -wmo -num-threads "$(nproc)" -swift-version 6 \
      -use-ld=lld -module-name ContactSyncCore "${flags[@]}" "${sources[@]}" -o "$BIN.new") >"$BUILD_DIR/build.log" 2>&1; then
    cat "$BUILD_DIR/build.log" >&2
    echo "fuzz: build failed" >&2
    exit 2
  fi
  mv -f "$BIN.new" "$BIN"
  # A self-import of the one module is expected when service files come along.
  grep -E "(error|warning):" "$BUILD_DIR/build.log" | grep -v "is part of module 'ContactSyncCore'; ignoring import" >&2 || true
}

# Runs target $1 for SECONDS_TO_RUN; returns non-zero when it found something.
run() {
  local name=$1 dir="$ROOT/Fuzz/$1" out="$ROOT/.build-fuzz/$1"
  load_conf "$name"
  local corpus="$out/corpus"
  if [ "${FUZZ_FRESH:-0}" = 1 ]; then rm -rf "$corpus"; fi
  mkdir -p "$corpus"
  if [ -d "$dir/corpus" ]; then cp "$dir"/corpus/* "$corpus"/; fi
  local stamp; stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  local artifacts="$out/artifacts/$stamp" log="$out/fuzz-$stamp.log"
  mkdir -p "$artifacts"
  local dict=()
  if [ -f "$dir/fuzz.dict" ]; then dict=(-dict="$dir/fuzz.dict"); fi
  echo "fuzz: $name: running for ${SECONDS_TO_RUN}s on $(find "$corpus" -type f | wc -l) inputs; log in $log"

  set +e
  FUZZ_TARGET="$name" "$BIN" "$corpus" "${dict[@]}" \
    -max_len="$MAX_LEN" -timeout=5 -rss_limit_mb=2048 \
    -max_total_time="$SECONDS_TO_RUN" \
    -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$log" 2>&1
  local status=$?
  set -e

  local executions speed progress coverage features units
  executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  progress="$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1 || true)"
  coverage="$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$progress")"
  features="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$progress")"
  units="$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$progress")"
  echo "fuzz: $name: ${speed:-?} exec/s, coverage ${coverage:-?} edges, ${features:-?} features, corpus ${units:-?}"

  local found=()
  mapfile -t found < <(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
  if [ "${#found[@]}" -gt 0 ] || [ "$status" -ne 0 ]; then
    # The report: from the first error line to the end of the log.
    sed -n '/Fatal error\|==ERROR\|ERROR: libFuzzer\|==WARNING: libFuzzer\|^fuzz: FUZZ_TARGET/,$p' "$log" | head -n 80 >&2
    local file
    for file in "${found[@]}"; do echo "fuzz: $name: found $file" >&2; done
    echo "fuzz: reproduce with scripts/fuzz.sh --target $name <file>; libFuzzer exited with $status" >&2
  fi
  echo "fuzz: $name: ${executions:-0} executions, ${#found[@]} crashes"
  [ "${#found[@]}" -eq 0 ] && [ "$status" -eq 0 ]
}

build
if [ "${#files[@]}" -gt 0 ]; then
  FUZZ_TARGET="${targets[0]}" exec "$BIN" -runs=1 "${files[@]}"
fi

failed=()
for name in "${targets[@]}"; do
  run "$name" || failed+=("$name")
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: crashes found in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s), 0 crashes"
