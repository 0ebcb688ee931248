#!/usr/bin/env bash
# The memory soak (SOAK_MODE=memory scripts/soak.sh): a release contact-sync with
# its default settings works through a backlog of SOAK_EVENTS events (default
# 6,000,000 over SOAK_CUSTOMERS=500,000 customers, the bench's 10x workload three
# times over; a few minutes) while its RSS is sampled once a second; fails when
# RSS keeps rising after the warm-up by more than SOAK_RSS_GROWTH_PERCENT (10) or
# ever exceeds SOAK_RSS_LIMIT_MB (150; about 115 MB is normal: 50,000 remembered
# contacts, 10,000 outstanding records, librdkafka's prefetch). scripts/rss-trend.py.
# SOAK_SYNC_ENV adds settings to contact-sync alone, e.g. "MALLOC_CONF=dirty_decay_ms:0";
# SOAK_SYNC_BIN runs another contact-sync binary (to compare builds).
# SOAK_HEAPTRACK=1 also records its heap with heaptrack (Debian package) into
# .run/soak-memory/heaptrack.gz; read it with `heaptrack_print -f FILE`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
trap stop_all EXIT
EVENTS=${SOAK_EVENTS:-6000000}
CUSTOMERS=${SOAK_CUSTOMERS:-500000}
SOAK_DIR="$RUN_DIR/soak-memory"
mkdir -p "$SOAK_DIR"

bash scripts/setup.sh
echo "[soak-memory] release build of contact-sync, bookbag-sim, store-traffic…"
for product in contact-sync bookbag-sim store-traffic; do
  swift build -c release --product "$product" >"$SOAK_DIR/build.log" 2>&1 || { tail -n 40 "$SOAK_DIR/build.log"; exit 1; }
done
BIN=$(swift build -c release --show-bin-path)
SYNC_BIN=${SOAK_SYNC_BIN:-$BIN/contact-sync}  # another build of it, to compare

start_tansu
KEY="oc_soak_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
start_sim "$BIN/bookbag-sim" "$KEY"
echo "[soak-memory] producing $EVENTS events over $CUSTOMERS customers"
"$BIN/store-traffic" produce --brokers "$BROKERS" --events "$EVENTS" --customers "$CUSTOMERS" --seed 7 --create-topics 3 \
  --also-create bookbag.contact-sync.results,bookbag.contact-sync.dead-letter \
  --also-create-compacted bookbag.contact-sync.field-clocks --bad-share 0 | tee "$SOAK_DIR/produce.log"

PRELOAD=()
if [ -n "${SOAK_HEAPTRACK:-}" ]; then
  if [ ! -x /usr/lib/heaptrack/libexec/heaptrack_interpret ]; then
    echo "[soak-memory] installing heaptrack (Debian package)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends heaptrack >/dev/null
  fi
  # What the heaptrack script does, without a shell between us and contact-sync (its pid is sampled and signalled).
  fifo="$SOAK_DIR/heaptrack.fifo"
  rm -f "$fifo" && mkfifo "$fifo"
  /usr/lib/heaptrack/libexec/heaptrack_interpret <"$fifo" | gzip -c >"$SOAK_DIR/heaptrack.gz" &
  HEAPTRACK_PID=$!
  PIDS+=("$HEAPTRACK_PID")
  PRELOAD=(LD_PRELOAD=/usr/lib/heaptrack/libheaptrack_preload.so DUMP_HEAPTRACK_OUTPUT="$fifo")
fi
echo "[soak-memory] contact-sync with default settings${SOAK_SYNC_ENV:+ and $SOAK_SYNC_ENV}; RSS once a second"
# The service's own session timeout, not the 6 s the benchmarks use.
# shellcheck disable=SC2086 # SOAK_SYNC_ENV is a list of NAME=value words
start_contact_sync "$SOAK_DIR/contact-sync.log" CLOCK_STORE_PATH="$SOAK_DIR/field-clocks.sqlite" KAFKA_SESSION_TIMEOUT_MS= \
  ${SOAK_SYNC_ENV:-} "${PRELOAD[@]}" -- "$SYNC_BIN"
( while kill -0 "$SYNC_PID" 2>/dev/null; do
    awk '/VmRSS/ {print $2}' "/proc/$SYNC_PID/status" 2>/dev/null; sleep 1
  done ) >"$SOAK_DIR/rss.txt" &
SAMPLER=$!
"$BIN/store-traffic" watch --brokers "$BROKERS" --expect "$EVENTS" --timeout "${SOAK_TIMEOUT_SECONDS:-1800}" \
  | grep -v progress | tee "$SOAK_DIR/watch.log"
kill -TERM "$SYNC_PID"
wait "$SYNC_PID" || true
wait "$SAMPLER" 2>/dev/null || true
[ -z "${HEAPTRACK_PID:-}" ] || { wait "$HEAPTRACK_PID" || true; echo "[soak-memory] heap profile: $SOAK_DIR/heaptrack.gz"; }
python3 scripts/rss-trend.py "$SOAK_DIR/rss.txt" "${SOAK_RSS_GROWTH_PERCENT:-10}" "${SOAK_RSS_LIMIT_MB:-150}"
