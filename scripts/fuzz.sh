#!/usr/bin/env bash
# Fuzzes ContactSyncCore's decode -> validate -> fold -> encode path with libFuzzer
# (Fuzz/DecodeFoldFuzzer.swift and friends, built with ASan).
#
#   scripts/fuzz.sh                   fuzz for FUZZ_SECONDS (default 30)
#   FUZZ_SECONDS=600 scripts/fuzz.sh  a longer run
#   scripts/fuzz.sh FILE...           run the target once on each FILE (reproduce a crash)
#
# Everything it writes goes to .build-fuzz/ (git-ignored). The committed seeds in
# Fuzz/corpus/ are copied into .build-fuzz/corpus/, which keeps what earlier runs
# found (FUZZ_FRESH=1 starts it again from the seeds only); new inputs are never
# written into Fuzz/corpus/. Exits non-zero when the fuzzer finds a crash.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.build-fuzz"
BIN="$OUT/decode-fold-fuzzer"
SECONDS_TO_RUN="${FUZZ_SECONDS:-30}"
SWIFT_TOOLCHAIN_BIN="$(dirname "$(command -v swiftc)")"
mkdir -p "$OUT"

# Swift's own crash backtracer would catch the fuzzer's crashes first (and
# stalls here under ASan); libFuzzer and ASan report them instead.
export SWIFT_BACKTRACE=enable=no
# The toolchain's symbolizer demangles Swift names in stack traces.
if [ -x "$SWIFT_TOOLCHAIN_BIN/llvm-symbolizer" ]; then
  export ASAN_SYMBOLIZER_PATH="$SWIFT_TOOLCHAIN_BIN/llvm-symbolizer"
fi

build() {
  local sources=()
  mapfile -t sources < <(find "$ROOT/Sources/ContactSyncCore" "$ROOT/Fuzz" -name '*.swift' | sort)
  # Rebuild only when a source is newer than the binary.
  if [ -x "$BIN" ] && [ -z "$(find "${sources[@]}" -newer "$BIN" -print -quit)" ]; then
    return
  fi
  echo "fuzz: building $BIN (${#sources[@]} sources)"
  # One module holding the core and the target, so `swift build` never sees the
  # fuzzer and every core function is instrumented for coverage. Run from $OUT:
  # with -g the driver leaves the module's debug files in the working directory.
  if ! (cd "$OUT" && swiftc -sanitize=fuzzer,address -parse-as-library -O -g -wmo -swift-version 6 \
      -use-ld=lld -module-name ContactSyncCore "${sources[@]}" -o "$BIN") >"$OUT/build.log" 2>&1; then
    cat "$OUT/build.log" >&2
    echo "fuzz: build failed" >&2
    exit 2
  fi
  grep -E "(error|warning):" "$OUT/build.log" >&2 || true
}

build

if [ $# -gt 0 ]; then
  exec "$BIN" -runs=1 "$@"
fi

CORPUS="$OUT/corpus"
if [ "${FUZZ_FRESH:-0}" = 1 ]; then rm -rf "$CORPUS"; fi
mkdir -p "$CORPUS"
cp "$ROOT"/Fuzz/corpus/* "$CORPUS"/

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
ARTIFACTS="$OUT/artifacts/$STAMP"
LOG="$OUT/fuzz-$STAMP.log"
mkdir -p "$ARTIFACTS"
echo "fuzz: running for ${SECONDS_TO_RUN}s on $(find "$CORPUS" -type f | wc -l) inputs; log in $LOG"

set +e
"$BIN" "$CORPUS" \
  -dict="$ROOT/Fuzz/fuzz.dict" \
  -max_len=4096 -timeout=5 -rss_limit_mb=2048 \
  -max_total_time="$SECONDS_TO_RUN" \
  -print_final_stats=1 \
  -artifact_prefix="$ARTIFACTS/" >"$LOG" 2>&1
status=$?
set -e

executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -n 1)"
speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$LOG" | tail -n 1)"
progress="$(grep -E '^#[0-9]+.*cov: ' "$LOG" | tail -n 1 || true)"
coverage="$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$progress")"
features="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$progress")"
units="$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$progress")"
echo "fuzz: ${speed:-?} exec/s, coverage ${coverage:-?} edges, ${features:-?} features, corpus ${units:-?}"

mapfile -t found < <(find "$ARTIFACTS" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
if [ "${#found[@]}" -gt 0 ] || [ "$status" -ne 0 ]; then
  # The report: from the first error line to the end of the log.
  sed -n '/Fatal error\|==ERROR\|ERROR: libFuzzer\|==WARNING: libFuzzer/,$p' "$LOG" | head -n 80 >&2
  for file in "${found[@]}"; do echo "fuzz: found $file" >&2; done
  echo "fuzz: reproduce with scripts/fuzz.sh <file>; libFuzzer exited with $status" >&2
fi
echo "fuzz: ${executions:-0} executions, ${#found[@]} crashes"
if [ "${#found[@]}" -gt 0 ] || [ "$status" -ne 0 ]; then exit 1; fi
