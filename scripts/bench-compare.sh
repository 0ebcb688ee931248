#!/usr/bin/env bash
# Side by side, in one run on one broker and one bookbag-sim: this build's
# contact-sync against another binary (say, one built from the commit before a
# change), both with default settings, on the same 200,000 events over 50,000
# customers, alternating new, other, new, other... so drift on a noisy machine
# hits both. Prints each run's steady events/s and the ratio of the medians.
#
#   scripts/bench-compare.sh /path/to/other/contact-sync [rounds]
#
# An older binary that knows no CLOCK_* settings ignores them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
trap stop_all EXIT
OTHER=${1:?usage: scripts/bench-compare.sh OTHER_CONTACT_SYNC_BINARY [rounds]}
ROUNDS=${2:-3}
EVENTS=${EVENTS:-200000}
CUSTOMERS=${CUSTOMERS:-50000}

bash scripts/setup.sh
build_release
start_tansu
KEY="oc_cmp_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
start_sim "$BIN/bookbag-sim" "$KEY"

extra=()
for round in $(seq 1 "$ROUNDS"); do
  for side in new other; do extra+=("cmp-$side-$round.results" "cmp-$side-$round.dead"); done
done
clocks=$(for round in $(seq 1 "$ROUNDS"); do for side in new other; do printf 'cmp-%s-%s.clocks,' "$side" "$round"; done; done)
"$BIN/store-traffic" produce --brokers "$BROKERS" --events "$EVENTS" --customers "$CUSTOMERS" --create-topics 3 \
  --also-create "$(IFS=,; echo "${extra[*]}")" --also-create-compacted "${clocks%,}" --bad-share 0 \
  | tee "$RUN_DIR/cmp-produce.log"

: >"$RUN_DIR/cmp-rates.txt"
for round in $(seq 1 "$ROUNDS"); do
  for side in new other; do
    binary="$BIN/contact-sync"; [ "$side" = other ] && binary="$OTHER"
    name="cmp-$side-$round"
    store="$RUN_DIR/$name-field-clocks.sqlite"
    rm -f "$store" "$store"-wal "$store"-shm "$store".lock
    env BOOKBAG_API_KEY="$KEY" BOOKBAG_BASE_URL="$SIM_URL" BOOKBAG_CHATBOT_ID=123 KAFKA_BROKERS="$BROKERS" \
      HTTP_HOST=127.0.0.1 HTTP_PORT="$(free_port)" KAFKA_SESSION_TIMEOUT_MS=6000 LOG_LEVEL=warning \
      KAFKA_GROUP_ID="$name" RESULT_TOPIC="$name.results" DEAD_LETTER_TOPIC="$name.dead" \
      CLOCK_TOPIC="$name.clocks" CLOCK_STORE_PATH="$store" \
      "$binary" >"$RUN_DIR/$name.log" 2>&1 &
    pid=$!
    PIDS+=($pid)
    rate=$("$BIN/store-traffic" watch --brokers "$BROKERS" --result-topic "$name.results" --expect "$EVENTS" --timeout 600 \
      | sed -n 's/.*steady_events_per_second=\([0-9]*\).*/\1/p')
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    # CPU seconds (user + system) the service used for the whole run.
    cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$pid/stat")
    kill -TERM "$pid"; wait "$pid" || true
    echo "$side $round $rate $hwm $cpu" | tee -a "$RUN_DIR/cmp-rates.txt"
  done
done

python3 - "$RUN_DIR/cmp-rates.txt" "$OTHER" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
rates = {side: [int(r[2]) for r in rows if r[0] == side] for side in ("new", "other")}
rss = {side: [int(r[3]) / 1024 for r in rows if r[0] == side] for side in ("new", "other")}
cpu = {side: [float(r[4]) for r in rows if r[0] == side] for side in ("new", "other")}
print(f"| binary | steady events/s per run | median | peak RSS (MB) | CPU s per run (median) |")
print(f"| --- | --- | --- | --- | --- |")
for side, label in (("new", "this build"), ("other", sys.argv[2])):
    print(f"| {label} | {', '.join(f'{r:,}' for r in rates[side])} | {statistics.median(rates[side]):,.0f} | {max(rss[side]):.1f} | {statistics.median(cpu[side]):.2f} |")
print(f"\nratio this build / other (medians): {statistics.median(rates['new']) / statistics.median(rates['other']):.2f}")
PY
