#!/usr/bin/env bash
# Profiles on the benchmark workload (release build):
#  1. perf: contact-sync consuming EVENTS events, sampled with call graphs;
#     prints the top frames by self time and by inclusive time.
#  2. callgrind: the pure core (core-bench on CORE_EVENTS events), whose
#     instruction counts stay stable on a noisy machine; prints the top functions.
# Output goes to .run/profile-*.txt. Installs linux-perf and valgrind if missing.
# SYNC_BINARY=/path/to/contact-sync profiles another build in step 1 (before/after).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
trap stop_all EXIT
if ! command -v perf >/dev/null || ! command -v valgrind >/dev/null; then
  apt-get update -qq && apt-get install -y -qq linux-perf valgrind >/dev/null
fi
bash scripts/setup.sh
build_release
EVENTS=${EVENTS:-200000}
CUSTOMERS=${CUSTOMERS:-50000}
CORE_EVENTS=${CORE_EVENTS:-20000}
SYNC_BINARY=${SYNC_BINARY:-$BIN/contact-sync}

start_tansu
KEY="oc_prof_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
start_sim "$BIN/bookbag-sim" "$KEY"
"$BIN/store-traffic" produce --brokers "$BROKERS" --events "$EVENTS" --customers "$CUSTOMERS" --create-topics 3 \
  --also-create bookbag.contact-sync.results,bookbag.contact-sync.dead-letter \
  --also-create-compacted bookbag.contact-sync.field-clocks --bad-share 0 >/dev/null

echo "[profile] perf record of contact-sync on $EVENTS events"
start_contact_sync "$RUN_DIR/profile-sync.log" CLOCK_STORE_PATH="$RUN_DIR/profile-field-clocks.sqlite" \
  -- perf record -F 999 -g -o "$RUN_DIR/perf.data" -- "$SYNC_BINARY"
PERF_PID=$SYNC_PID
"$BIN/store-traffic" watch --brokers "$BROKERS" --expect "$EVENTS" --timeout 600 | grep -v progress
# Stop contact-sync itself (perf's child), gracefully; perf then writes its data.
SYNC_PID=$(pgrep -P "$PERF_PID" || true)
[ -n "$SYNC_PID" ] && kill -INT "$SYNC_PID"
wait "$PERF_PID" || true
set +o pipefail  # `head` ends the reports early on purpose
{
  echo "## perf: self time (top 25)"
  perf report -i "$RUN_DIR/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null \
    | grep '%' | head -25 | swift demangle --simplified
  echo
  echo "## perf: inclusive time (top 40)"
  perf report -i "$RUN_DIR/perf.data" --children --sort symbol --stdio -g none 2>/dev/null \
    | grep '%' | head -40 | swift demangle --simplified
} >"$RUN_DIR/profile-perf.txt"
cut -c1-200 "$RUN_DIR/profile-perf.txt"

echo "[profile] callgrind of the core on $CORE_EVENTS events"
valgrind --tool=callgrind --callgrind-out-file="$RUN_DIR/callgrind.out" "$BIN/core-bench" "$CORE_EVENTS" 5000 \
  >"$RUN_DIR/profile-core-bench.log" 2>&1
callgrind_annotate --inclusive=no "$RUN_DIR/callgrind.out" 2>/dev/null | head -45 | swift demangle --simplified \
  >"$RUN_DIR/profile-callgrind.txt"
cut -c1-200 "$RUN_DIR/profile-callgrind.txt"
