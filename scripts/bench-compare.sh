#!/usr/bin/env bash
# Side by side, in one run on one broker and one bookbag-sim: this build's
# contact-sync against another binary (say, one built from the commit before a
# change), both with default settings, on the same 200,000 events over 50,000
# customers, alternating new, other, new, other... so drift on a noisy machine
# hits both. Prints each run's steady events/s, users sent to Bookbag per
# event, peak RSS and CPU, and the ratio of the medians. Then, unless
# RATE_LIMIT=0, the same side by side against a bookbag-sim limited to
# RATE_LIMIT requests/s (default 5, `Retry-After: 1`) on 30,000 login events
# over 30,000 customers: contacts/s.
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
RATE_LIMIT=${RATE_LIMIT:-5}
LIMITED_EVENTS=30000

bash scripts/setup.sh
build_release
start_tansu
KEY="oc_cmp_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
start_sim "$BIN/bookbag-sim" "$KEY"

sides=(new other)
names=()
for round in $(seq 1 "$ROUNDS"); do for side in "${sides[@]}"; do names+=("cmp-$side-$round"); done; done
if [ "$RATE_LIMIT" != 0 ]; then for side in "${sides[@]}"; do names+=("lim-$side"); done; fi
results=$(for name in "${names[@]}"; do printf '%s.results,%s.dead,' "$name" "$name"; done)
clocks=$(for name in "${names[@]}"; do printf '%s.clocks,' "$name"; done)
"$BIN/store-traffic" produce --brokers "$BROKERS" --events "$EVENTS" --customers "$CUSTOMERS" --create-topics 3 \
  --also-create "${results%,}" --also-create-compacted "${clocks%,}" --bad-share 0 \
  | tee "$RUN_DIR/cmp-produce.log"
if [ "$RATE_LIMIT" != 0 ]; then
  "$BIN/store-traffic" produce --brokers "$BROKERS" --events "$LIMITED_EVENTS" --customers "$LIMITED_EVENTS" --zipf 0 \
    --login-share 1 --create-topics 3 --profile-topic lim.profile --login-topic lim.login --id-prefix lim- --bad-share 0 \
    | tee "$RUN_DIR/cmp-produce-limited.log"
fi

sim_post() {  # path [json body]
  local body='{}'
  [ $# -ge 2 ] && body=$2
  curl -sf -X POST -H 'Content-Type: application/json' --data "$body" "$SIM_URL$1" >/dev/null
}

# One run: name, binary, events, extra env... Appends "name rate rss_kb cpu_s users requests" to $RUN_DIR/cmp-rates.txt.
run_one() {
  local name=$1 binary=$2 events=$3; shift 3
  start_contact_sync "$RUN_DIR/$name.log" KAFKA_GROUP_ID="$name" RESULT_TOPIC="$name.results" \
    DEAD_LETTER_TOPIC="$name.dead" CLOCK_TOPIC="$name.clocks" "$@" -- "$binary"
  local pid=$SYNC_PID rate hwm cpu stats
  rate=$("$BIN/store-traffic" watch --brokers "$BROKERS" --result-topic "$name.results" --expect "$events" --timeout 900 \
    | sed -n 's/.*steady_events_per_second=\([0-9]*\).*/\1/p')
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  # CPU seconds (user + system) the service used for the whole run.
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$pid/stat")
  kill -TERM "$pid"; wait "$pid" || true
  stats=$(curl -sf "$SIM_URL/_sim/stats" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["users_received"], s["upsert_requests"])')
  echo "$name $rate $hwm $cpu $stats" | tee -a "$RUN_DIR/cmp-rates.txt"
}

: >"$RUN_DIR/cmp-rates.txt"
for round in $(seq 1 "$ROUNDS"); do
  for side in "${sides[@]}"; do
    binary="$BIN/contact-sync"; [ "$side" = other ] && binary="$OTHER"
    sim_post /_sim/reset  # each run starts from an empty Bookbag and zeroed counters
    run_one "cmp-$side-$round" "$binary" "$EVENTS"
  done
done
if [ "$RATE_LIMIT" != 0 ]; then
  for side in "${sides[@]}"; do
    binary="$BIN/contact-sync"; [ "$side" = other ] && binary="$OTHER"
    sim_post /_sim/reset
    sim_post /_sim/faults "{\"rate_limit_per_second\": $RATE_LIMIT, \"retry_after_seconds\": 1}"
    run_one "lim-$side" "$binary" "$LIMITED_EVENTS" KAFKA_TOPICS=lim.profile,lim.login
  done
  sim_post /_sim/reset
fi

python3 - "$RUN_DIR/cmp-rates.txt" "$OTHER" "$EVENTS" "$RATE_LIMIT" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
events = int(sys.argv[3])
def runs(prefix, side):
    return [r for r in rows if r[0].startswith(f"{prefix}-{side}")]
labels = (("new", "this build"), ("other", sys.argv[2]))
print("| binary | steady events/s per run | median | users sent per event (median) | requests (median) | peak RSS (MB) | CPU s per run (median) |")
print("| --- | --- | --- | --- | --- | --- | --- |")
medians = {}
for side, label in labels:
    mine = runs("cmp", side)
    rates = [int(r[1]) for r in mine]
    medians[side] = statistics.median(rates)
    users = statistics.median(int(r[4]) / events for r in mine)
    requests = statistics.median(int(r[5]) for r in mine)
    rss = max(int(r[2]) / 1024 for r in mine)
    cpu = statistics.median(float(r[3]) for r in mine)
    print(f"| {label} | {', '.join(f'{r:,}' for r in rates)} | {medians[side]:,.0f} | {users:.2f} | {requests:,.0f} | {rss:.1f} | {cpu:.2f} |")
print(f"\nratio this build / other (medians): {medians['new'] / medians['other']:.2f}")
limited = {side: runs("lim", side) for side, _ in labels}
if all(limited.values()):
    print(f"\nBookbag limited to {sys.argv[4]} requests/s (Retry-After: 1), 30,000 logins over 30,000 customers:\n")
    print("| binary | steady contacts/s | upsert requests | peak RSS (MB) |")
    print("| --- | --- | --- | --- |")
    for side, label in labels:
        r = limited[side][0]
        print(f"| {label} | {int(r[1]):,} | {int(r[5]):,} | {int(r[2]) / 1024:.1f} |")
    print(f"\nratio this build / other (contacts/s under the limit): {int(limited['new'][0][1]) / max(int(limited['other'][0][1]), 1):.2f}")
PY
