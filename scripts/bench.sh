#!/usr/bin/env bash
# The benchmark: release build; Tansu + bookbag-sim; 200,000 events over 50,000
# customers (Zipf-skewed, 80% logins, 3 partitions); contact-sync until every
# event has a result; the raw librdkafka consume rate of the same records as a
# baseline in the same run; then a latency run at 5,000 events/s for 30 s, a run
# against a bookbag-sim limited to 5 requests/s, and a run with 10x the input.
# Prints one table and writes it to the top of BENCHMARKS.md, above the history
# sections that follow "## Intake" (kept as they are).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
trap stop_all EXIT
EVENTS=${EVENTS:-200000}
CUSTOMERS=${CUSTOMERS:-50000}
# Default settings unless BATCH_MAX_EVENTS is set (a tuned run is an extra line, not the headline).
BATCH=${BATCH_MAX_EVENTS:-}
BATCH_ENV=()
[ -n "$BATCH" ] && BATCH_ENV=(BATCH_MAX_EVENTS="$BATCH")

bash scripts/setup.sh
build_release

echo "[bench] the pure core alone (no I/O)"
"$BIN/core-bench" "$EVENTS" "$CUSTOMERS" | tee "$RUN_DIR/bench-core.log"

start_tansu
KEY="oc_bench_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
start_sim "$BIN/bookbag-sim" "$KEY"
"$BIN/store-traffic" produce --brokers "$BROKERS" --events "$EVENTS" --customers "$CUSTOMERS" --create-topics 3 \
  --also-create bookbag.contact-sync.results,bookbag.contact-sync.dead-letter,lat.profile,lat.login,lat.results,lat.dead \
  --also-create-compacted bookbag.contact-sync.field-clocks,lat.clocks \
  --bad-share 0 | tee "$RUN_DIR/bench-produce.log"

echo "[bench] baseline: librdkafka consume only"
"$BIN/store-traffic" consume --brokers "$BROKERS" --expect "$EVENTS" | tee "$RUN_DIR/bench-consume.log"

usage_of() {  # pid: peak RSS (kB) and CPU seconds, read before it exits
  local hwm ticks
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$1/status")
  ticks=$(awk '{print $14 + $15}' "/proc/$1/stat")
  echo "time: rss_kb=$hwm cpu_s=$(python3 -c "print($ticks / $(getconf CLK_TCK))")+0"
}

echo "[bench] contact-sync on $EVENTS events (BATCH_MAX_EVENTS=${BATCH:-default})"
start_contact_sync "$RUN_DIR/bench-sync.log" "${BATCH_ENV[@]}"
"$BIN/store-traffic" watch --brokers "$BROKERS" --expect "$EVENTS" --timeout 600 | tee "$RUN_DIR/bench-watch.log" | grep -v progress
python3 scripts/latency-quantiles.py "$OPS_PORT" >"$RUN_DIR/bench-latency-main.txt"
usage_of "$SYNC_PID" >"$RUN_DIR/bench-usage.txt"
kill -TERM "$SYNC_PID"; wait "$SYNC_PID" || true
SIM_STATS=$(python3 -c "import json,urllib.request; print(json.dumps(json.load(urllib.request.urlopen('$SIM_URL/_sim/stats'))))")

echo "[bench] latency run: 5,000 events/s for 30 s"
start_contact_sync "$RUN_DIR/bench-latency.log" KAFKA_TOPICS=lat.profile,lat.login RESULT_TOPIC=lat.results DEAD_LETTER_TOPIC=lat.dead KAFKA_GROUP_ID=bench-latency \
  CLOCK_TOPIC=lat.clocks
sleep 5
"$BIN/store-traffic" produce --brokers "$BROKERS" --events 150000 --customers "$CUSTOMERS" --rate 5000 --seed 99 \
  --profile-topic lat.profile --login-topic lat.login --id-prefix lat- --bad-share 0 >/dev/null
"$BIN/store-traffic" watch --brokers "$BROKERS" --result-topic lat.results --expect 150000 --timeout 120 >/dev/null
LAT_PORT=$OPS_PORT
python3 scripts/latency-quantiles.py "$LAT_PORT" >"$RUN_DIR/bench-latency-steady.txt"
kill -TERM "$SYNC_PID"; wait "$SYNC_PID" || true

LIMITED=30000
echo "[bench] Bookbag limited to 5 requests/s (Retry-After: 1): $LIMITED logins over $LIMITED customers"
"$BIN/store-traffic" produce --brokers "$BROKERS" --events "$LIMITED" --customers "$LIMITED" --zipf 0 --login-share 1 \
  --seed 5 --create-topics 3 --profile-topic lim.profile --login-topic lim.login --id-prefix lim- --bad-share 0 \
  --also-create lim.results,lim.dead --also-create-compacted lim.clocks >/dev/null
curl -sf -X POST "$SIM_URL/_sim/reset" >/dev/null
curl -sf -X POST -H 'Content-Type: application/json' --data '{"rate_limit_per_second": 5, "retry_after_seconds": 1}' \
  "$SIM_URL/_sim/faults" >/dev/null
start_contact_sync "$RUN_DIR/bench-limited.log" KAFKA_TOPICS=lim.profile,lim.login RESULT_TOPIC=lim.results DEAD_LETTER_TOPIC=lim.dead \
  KAFKA_GROUP_ID=bench-limited CLOCK_TOPIC=lim.clocks
"$BIN/store-traffic" watch --brokers "$BROKERS" --result-topic lim.results --expect "$LIMITED" --timeout 900 \
  | grep -v progress >"$RUN_DIR/bench-limited-watch.log"
LIMITED_STATS=$(python3 -c "import json,urllib.request; print(json.dumps(json.load(urllib.request.urlopen('$SIM_URL/_sim/stats'))))")
kill -TERM "$SYNC_PID"; wait "$SYNC_PID" || true
curl -sf -X POST "$SIM_URL/_sim/reset" >/dev/null

BIG=$((EVENTS * 10)); BIG_CUSTOMERS=$((CUSTOMERS * 10))
echo "[bench] memory with 10x the input: $BIG events over $BIG_CUSTOMERS customers"
"$BIN/store-traffic" produce --brokers "$BROKERS" --events "$BIG" --customers "$BIG_CUSTOMERS" --seed 7 --create-topics 3 \
  --profile-topic x10.profile --login-topic x10.login --id-prefix x10- --bad-share 0 \
  --also-create x10.results,x10.dead --also-create-compacted x10.clocks >/dev/null
start_contact_sync "$RUN_DIR/bench-x10.log" "${BATCH_ENV[@]}" KAFKA_TOPICS=x10.profile,x10.login RESULT_TOPIC=x10.results \
  DEAD_LETTER_TOPIC=x10.dead KAFKA_GROUP_ID=bench-x10 CLOCK_TOPIC=x10.clocks
# RSS once a second while it works: flat means it levels off while the input keeps coming.
( while kill -0 "$SYNC_PID" 2>/dev/null; do
    awk '/VmRSS/ {print $2}' "/proc/$SYNC_PID/status" 2>/dev/null; sleep 1
  done ) >"$RUN_DIR/bench-x10-rss.txt" &
SAMPLER=$!
"$BIN/store-traffic" watch --brokers "$BROKERS" --result-topic x10.results --expect "$BIG" --timeout 900 \
  | grep -v progress >"$RUN_DIR/bench-x10-watch.log"
usage_of "$SYNC_PID" >"$RUN_DIR/bench-x10-usage.txt"
kill -TERM "$SYNC_PID"; wait "$SYNC_PID" || true
wait "$SAMPLER" 2>/dev/null || true

# The webhook intake, with nothing of the runs above still running: its own broker;
# its table goes into the "Intake" section below (the release build is the one above).
stop_all
INTAKE_BENCH_BUILT=1 bash scripts/bench-intake.sh

python3 - "$EVENTS" "$CUSTOMERS" "${BATCH:-default}" "$SIM_STATS" "$BIG" "$LIMITED_STATS" <<'PY'
import json, re, sys, datetime, platform, subprocess, os
events, customers, batch = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
stats = json.loads(sys.argv[4])
big = int(sys.argv[5])
limited_stats = json.loads(sys.argv[6])
run = os.environ.get("RUN_DIR", ".run")
read = lambda f: open(os.path.join(".run", f)).read()
consume = re.search(r"= (\d+) records/s", read("bench-consume.log"))
watch = read("bench-watch.log")
steady = re.search(r"steady_events_per_second=(\d+) total_seconds=([\d.]+)", watch)
sync_time = re.search(r"time: rss_kb=(\d+) cpu_s=([\d.]+)\+([\d.]+)", read("bench-usage.txt"))
big_time = re.search(r"time: rss_kb=(\d+) cpu_s=([\d.]+)\+([\d.]+)", read("bench-x10-usage.txt"))
big_steady = re.search(r"steady_events_per_second=(\d+) total_seconds=([\d.]+)", read("bench-x10-watch.log"))
limited = re.search(r"steady_events_per_second=(\d+) total_seconds=([\d.]+)", read("bench-limited-watch.log"))
core = read("bench-core.log")
core_table = core.split("\n\n")[0].strip()
intake = read("bench-intake.md").strip()
core_rate = re.search(r"core_events_per_second=(\d+)", core)
rss = [int(line) for line in read("bench-x10-rss.txt").split() if line.isdigit()]
quarters = " / ".join(f"{rss[min(len(rss) - 1, len(rss) * q // 4)] / 1024:.0f}" for q in (1, 2, 3, 4)) if rss else "?"
busy = max(stats.get("last_request_at", 0) - stats.get("first_request_at", 0), 1e-9)
p50, p99 = read("bench-latency-main.txt").split()
lp50, lp99 = read("bench-latency-steady.txt").split()
baseline = int(consume.group(1)) if consume else 0
rate = int(steady.group(1)) if steady else 0
upserts = stats.get("upsert_requests", 0); users = stats.get("users_received", 0)
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
table = f"""# Benchmarks

Run by `scripts/bench.sh` on {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores ({cpu}), release build,
Tansu (in-memory) and bookbag-sim (release) on the same machine. Workload: {events:,} events over {customers:,}
customers, Zipf-skewed, 80% logins, 20% profile changes with 1-5 custom attributes, 3 partitions.
contact-sync ran with {"its default settings" if batch == "default" else f"BATCH_MAX_EVENTS={batch}, otherwise its defaults"}.

| figure | value |
| --- | --- |
| steady-state events/s (10% to 90% of results) | {rate:,} |
| total time to the last result | {steady.group(2) if steady else '?'} s |
| raw librdkafka consume rate, same records, same run | {baseline:,} records/s |
| ratio contact-sync / raw consume | {rate / baseline if baseline else float('nan'):.2f} |
| p50 / p99 consume→acknowledged result (200k run, histogram bucket bound) | {p50} s / {p99} s |
| p50 / p99 consume→acknowledged result at 5,000 events/s for 30 s | {lp50} s / {lp99} s |
| HTTP upsert requests | {upserts:,} |
| average users per request | {users / upserts if upserts else 0:.1f} |
| events folded per upserted contact | {events / users if users else 0:.2f} |
| peak RSS of contact-sync | {int(sync_time.group(1)) / 1024 if sync_time else 0:.1f} MB |
| CPU seconds of contact-sync (user+system) | {float(sync_time.group(2)) + float(sync_time.group(3)) if sync_time else 0:.1f} |
| bookbag-sim: requests served, and its rate while busy | {stats.get('requests', 0):,} ({stats.get('requests', 0) / busy:,.0f} requests/s, up to {stats.get('max_in_flight', 0)} at once) |
| Bookbag limited to 5 requests/s (Retry-After: 1), 30,000 logins over 30,000 customers: steady contacts/s, upsert requests, 429s | {limited.group(1) if limited else '?'}, {limited_stats.get('upsert_requests', 0):,}, {limited_stats.get('rate_limited', 0):,} |
| peak RSS with 10x the input ({big:,} events over {customers * 10:,} customers) | {int(big_time.group(1)) / 1024 if big_time else 0:.1f} MB ({big_steady.group(1) if big_steady else '?'} events/s steady) |
| RSS during that run at 1/4, 2/4, 3/4 and the end of its time | {quarters} MB |

## The pure core alone

`core-bench` (release, one thread, no I/O) on the same {events:,} events; the pure stages of the
record's way, best of three runs. The service decodes and encodes results over both cores
(`SplitWork`), folds over both by contact (`ContactFolders`) and reconciles on one, beside librdkafka,
libcurl, bookbag-sim and Tansu.

{core_table}

Core alone: {int(core_rate.group(1)) if core_rate else 0:,} events/s on one core.

## Intake

`scripts/bench-intake.sh`: `contact-sync intake` (release, default settings) and Tansu on the same
machine, wrk on keep-alive connections replaying deliveries pre-signed with the PyPI
`standardwebhooks` package, each sent once (unique webhook-ids and event_ids, 80% logins, external_ids
over 50,000 customers); a 202 only after the broker acknowledged every record. p50/p99 are wrk's,
per request; the ratio compares events/s with the broker's own produce rate measured in the same run.

{intake}
"""
# The sections after "## Intake" are the history of earlier sessions: keep them.
try:
    previous = open("BENCHMARKS.md").read()
except FileNotFoundError:
    previous = ""
intake_at = previous.find("\n## Intake")
history_at = previous.find("\n## ", intake_at + 1) if intake_at >= 0 else -1
history = previous[history_at + 1:] if history_at >= 0 else ""
print(table)
with open("BENCHMARKS.md", "w") as out:
    out.write(table + ("\n" + history if history else ""))
PY
