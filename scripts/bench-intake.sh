#!/usr/bin/env bash
# The webhook intake benchmark: release build; Tansu; `contact-sync intake` with
# its default settings; wrk replays pre-signed Standard Webhooks deliveries
# (scripts/intake-requests.py signs with the PyPI standardwebhooks package,
# scripts/intake-wrk.lua sends each exactly once over keep-alive connections):
#   (a) batches of 100 events, wrk -t2 -c16 for 20 s
#   (b) single-event requests,  wrk -t2 -c32 for 20 s
# Each run gets a fresh intake process (its own peak RSS and counters). Afterwards
# the intake's counters must match wrk's 2xx count and the topics must hold every
# accepted event. The broker's own produce rate (store-traffic, the same kind of
# idempotent acks=all producer, as fast as it goes) is measured in the same run.
# Prints one markdown table, appends it to .run/bench-intake.log and writes it to
# .run/bench-intake.md (scripts/bench.sh puts it into BENCHMARKS.md).
# Targets (2 cores, broker on the same machine): >= 20,000 events/s in (a);
# >= 3,000 requests/s with p99 <= 50 ms in (b); peak RSS <= 100 MB.
# INTAKE_BENCH_SECONDS (20); INTAKE_BENCH_PERF=1: perf record -g the intake for 10 s in (b);
# INTAKE_BENCH_BUILT=1: skip the release build (scripts/bench.sh has just done it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
trap stop_all EXIT

SECONDS_PER_RUN=${INTAKE_BENCH_SECONDS:-20}
CUSTOMERS=50000
# Every request is sent once, so there must be enough for the whole run: 6,000
# batches/s (600,000 events/s, about the broker's own produce rate on a fast
# machine, which the intake cannot beat) and 25,000 single-event requests/s.
# A machine of the same size ran through the earlier 2,500 and 12,000 (246,086
# events/s in batches, 10,190 single requests/s, the broker at 628,742 events/s).
# A thread that runs out stops, says so, and the run is marked not clean.
BATCH_REQUESTS=$((SECONDS_PER_RUN * 6000))
SINGLE_REQUESTS=$((SECONDS_PER_RUN * 25000))
LOG="$RUN_DIR/bench-intake.log"
TABLE="$RUN_DIR/bench-intake.md"
WORK="$RUN_DIR/bench-intake"
mkdir -p "$WORK"
: >"$LOG"
log() { echo "[bench-intake] $*" | tee -a "$LOG"; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
if ! command -v wrk >/dev/null; then
  log "installing wrk"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
if ! python3 -c 'import standardwebhooks' 2>/dev/null; then
  log "installing python standardwebhooks"
  python3 -m pip install -q standardwebhooks || python3 -m pip install -q --break-system-packages standardwebhooks
fi
bash scripts/setup.sh

# Never two builds in one .build at once: wait for anyone else's to finish.
while pgrep -f swift-build >/dev/null; do
  log "another swift build is running; waiting"
  sleep 10
done
if [ "${INTAKE_BENCH_BUILT:-0}" = 1 ]; then  # scripts/bench.sh has just built it
  BIN=$(swift build -c release --show-bin-path)
else
  build_release
fi

start_tansu
# The intake's topics and the scratch topics of the broker's own produce rate, 3 partitions each.
"$BIN/store-traffic" produce --brokers "$BROKERS" --events 0 --create-topics 3 \
  --also-create intake-bench.raw.profile,intake-bench.raw.login >>"$LOG" 2>&1

SECRETS="$WORK/secrets"
( umask 077; python3 -c 'import base64, secrets; print("whsec_" + base64.b64encode(secrets.token_bytes(32)).decode())' >"$SECRETS" )

usage_of() {  # pid: peak RSS (kB), read before it exits
  awk '/VmHWM/ {print $2}' "/proc/$1/status"
}

metric() {  # metrics file, series name with labels: its value (0 when absent)
  awk -v name="$2" '$1 == name {v = $2} END {printf "%d\n", v + 0}' "$1"
}

start_intake() {  # log file; sets INTAKE_PID INTAKE_URL OPS_PORT
  local port; port=$(free_port)
  OPS_PORT=$(free_port)
  env KAFKA_BROKERS="$BROKERS" INTAKE_HOST=127.0.0.1 INTAKE_PORT="$port" INTAKE_SIGNING_SECRETS_FILE="$SECRETS" \
    HTTP_HOST=127.0.0.1 HTTP_PORT="$OPS_PORT" LOG_LEVEL=warning \
    "$BIN/contact-sync" intake >"$RUN_DIR/$1" 2>&1 &
  INTAKE_PID=$!
  PIDS+=("$INTAKE_PID")
  INTAKE_URL="http://127.0.0.1:$port"
  local deadline=$((SECONDS + 30))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$OPS_PORT/readyz")" = 200 ]; do
    kill -0 "$INTAKE_PID" 2>/dev/null || { cat "$RUN_DIR/$1"; echo "contact-sync intake exited" >&2; return 1; }
    [ $SECONDS -lt $deadline ] || { echo "contact-sync intake not ready after 30 s" >&2; return 1; }
    sleep 0.2
  done
}

ACCEPTED_TOTAL=0
run_load() {  # name, events per request, requests, connections
  local name=$1 per=$2 requests=$3 connections=$4
  log "run $name: $requests pre-signed requests of $per event(s); wrk -t2 -c$connections -d${SECONDS_PER_RUN}s"
  rm -f "$WORK/$name".req.*
  local signed_at=$SECONDS
  python3 scripts/intake-requests.py --secret-file "$SECRETS" --out "$WORK/$name.req" --requests "$requests" \
    --events-per-request "$per" --shards 2 --customers "$CUSTOMERS" --run "$name-$(date +%s)" 2>&1 | tee -a "$LOG"
  start_intake "bench-intake-$name-service.log"
  local perf_pid=""
  if [ "${INTAKE_BENCH_PERF:-0}" = 1 ] && [ "$name" = single ]; then
    (sleep 5; perf record -g -o "$WORK/perf-$name.data" -p "$INTAKE_PID" -- sleep 10 >/dev/null 2>&1) &
    perf_pid=$!
  fi
  wrk -t2 -c"$connections" -d"${SECONDS_PER_RUN}s" --timeout 10s --latency -s scripts/intake-wrk.lua \
    "$INTAKE_URL/v1/events" -- "$WORK/$name.req" >"$WORK/wrk-$name.txt" 2>&1 || { cat "$WORK/wrk-$name.txt"; return 1; }
  [ -z "$perf_pid" ] || wait "$perf_pid" || true
  # The intake takes timestamps up to 5 minutes old; a slower machine would see 401s.
  [ $((SECONDS - signed_at)) -lt 300 ] || log "run $name: WARNING: the last requests were sent more than 5 minutes after signing"
  tee -a "$LOG" <"$WORK/wrk-$name.txt"
  curl -fsS "http://127.0.0.1:$OPS_PORT/metrics" >"$WORK/metrics-$name.txt"
  local rss_kb; rss_kb=$(usage_of "$INTAKE_PID")
  kill -TERM "$INTAKE_PID"; wait "$INTAKE_PID" || true
  local pid kept=()
  for pid in "${PIDS[@]}"; do [ "$pid" = "$INTAKE_PID" ] || kept+=("$pid"); done
  PIDS=("${kept[@]}")  # gone: stop_all must not signal its number again
  rm -f "$WORK/$name".req.*

  local line; line=$(grep '^intake-wrk:' "$WORK/wrk-$name.txt")
  field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
  echo "$line name=$name per_request=$per rss_kb=$rss_kb" >"$WORK/result-$name.txt"
  local m="$WORK/metrics-$name.txt"
  local m202 mevents mdup mfail
  m202=$(metric "$m" 'contact_sync_intake_requests_total{status="202"}')
  mevents=$(( $(metric "$m" 'contact_sync_intake_events_total{type="login"}') \
    + $(metric "$m" 'contact_sync_intake_events_total{type="profile_changed"}') ))
  mdup=$(metric "$m" contact_sync_intake_duplicates_total)
  mfail=$(awk '/^contact_sync_intake_signature_failures_total/ {s += $2} END {printf "%d\n", s}' "$m")
  log "run $name: intake counted $m202 answers 202, $mevents events accepted, $mdup duplicates, $mfail signature failures"
  # wrk cuts the connections at the end: a request the intake answered after that is
  # counted by the intake but not by wrk, so the intake may count a few more.
  local ok; ok=$(field status_2xx)
  if [ "$m202" -lt "$ok" ] || [ "$m202" -gt "$(field sent)" ] || [ "$mevents" -lt $((ok * per)) ] || [ "$mdup" != 0 ] || [ "$(field duplicates)" != 0 ]; then
    log "run $name: MISMATCH between wrk (sent=$(field sent), 2xx=$ok, duplicates=$(field duplicates)) and the intake's counters"
    return 1
  fi
  ACCEPTED_TOTAL=$((ACCEPTED_TOTAL + mevents))
  log "run $name: checking that the topics hold all $ACCEPTED_TOTAL events accepted so far"
  "$BIN/store-traffic" consume --brokers "$BROKERS" --expect "$ACCEPTED_TOTAL" | tee -a "$LOG"
}

run_load batch 100 "$BATCH_REQUESTS" 16
run_load single 1 "$SINGLE_REQUESTS" 32

# The broker's own produce rate, same broker, same run: as many events as (a) accepted.
RAW_EVENTS=$(sed -n 's/.* status_2xx=\([0-9]*\) .*/\1/p' "$WORK/result-batch.txt")
RAW_EVENTS=$((RAW_EVENTS * 100))
[ "$RAW_EVENTS" -ge 100000 ] || RAW_EVENTS=100000
log "broker baseline: store-traffic produce of $RAW_EVENTS events (idempotent, acks=all)"
"$BIN/store-traffic" produce --brokers "$BROKERS" --events "$RAW_EVENTS" --customers "$CUSTOMERS" --bad-share 0 \
  --profile-topic intake-bench.raw.profile --login-topic intake-bench.raw.login --id-prefix raw- \
  | tee "$WORK/raw-produce.txt" | tee -a "$LOG"

python3 - "$WORK" "$SECONDS_PER_RUN" <<'PY' | tee "$TABLE" | tee -a "$LOG"
import os, re, sys
work, seconds = sys.argv[1], sys.argv[2]
raw = re.search(r"produced (\d+) records \(0 bad\) in ([\d.]+) s; 0 undelivered", open(os.path.join(work, "raw-produce.txt")).read())
raw_events, raw_rate = int(raw.group(1)), int(raw.group(1)) / float(raw.group(2))
rows, verdicts = [], []
for name, label in (("batch", "(a) batches of 100 events, -c16"), ("single", "(b) single events, -c32")):
    r = dict(kv.split("=", 1) for kv in open(os.path.join(work, f"result-{name}.txt")).read().split()[1:])
    ok, per, non2xx, errors = int(r["status_2xx"]), int(r["per_request"]), int(r["non_2xx"]), int(r["socket_errors"])
    # From the first request sent to the last answer received: wrk's own duration leaves
    # out the time its first thread ran while the second was still loading its requests.
    span = float(r["span_s"])
    rps, eps = ok / span, ok * per / span
    p50, p99, rss = float(r["p50_ms"]), float(r["p99_ms"]), int(r["rss_kb"]) / 1024
    problems = ([f"{non2xx} non-2xx ({r['statuses']})"] if non2xx else []) + (
        [f"{errors} socket errors or timeouts"] if errors else []) + (
        ["wrk ran out of pre-signed requests"] if r["exhausted"] != "0" else [])
    note = f"; NOT CLEAN: {', '.join(problems)}" if problems else ""
    rows.append(f"| {label} | {rps:,.0f} | {eps:,.0f} | {p50:.1f} | {p99:.1f} | {non2xx} | {rss:.1f} | {eps / raw_rate:.2f} |")
    if name == "batch":
        met = eps >= 20000 and not problems
        verdicts.append(f"{'met' if met else 'MISSED'}: >= 20,000 events/s with batches of 100 ({eps:,.0f}{note})")
    else:
        met = rps >= 3000 and p99 <= 50 and not problems
        verdicts.append(f"{'met' if met else 'MISSED'}: >= 3,000 single-event requests/s with p99 <= 50 ms ({rps:,.0f}, p99 {p99:.1f} ms{note})")
    verdicts.append(f"{'met' if rss <= 100 else 'MISSED'}: peak RSS <= 100 MB in {label[:3]} ({rss:.1f} MB)")
print(f"""| intake run ({seconds} s each, wrk -t2, keep-alive) | requests/s | events/s | p50 ms | p99 ms | non-2xx | peak RSS MB | ratio to broker produce |
| --- | --- | --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}

The broker's own produce rate in the same run (store-traffic, idempotent, acks=all, {raw_events:,} events): {raw_rate:,.0f} events/s.
After each run the intake's own counters matched wrk's 2xx count, with no duplicates, and the topics held every accepted event.

{chr(10).join("- " + v for v in verdicts)}""")
PY
