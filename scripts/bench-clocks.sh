#!/usr/bin/env bash
# The field clocks at scale (issue 12's figures), default settings: 2,000,000
# events over 1,000,000 customers (uniform, so most customers appear), until
# every event has a result; peak RSS; the clock store's contacts and bytes on
# disk; then `contact-sync clocks rebuild` into a new store from the changelog,
# which is the restore a replica on a new disk does before joining the group.
# SYNC_BINARY=/path/to/contact-sync measures another build the same way.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
trap stop_all EXIT
EVENTS=${EVENTS:-2000000}
CUSTOMERS=${CUSTOMERS:-1000000}

bash scripts/setup.sh
build_release
SYNC_BINARY=${SYNC_BINARY:-$BIN/contact-sync}
start_tansu
KEY="oc_clk_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
start_sim "$BIN/bookbag-sim" "$KEY"
echo "[bench-clocks] producing $EVENTS events over $CUSTOMERS customers"
"$BIN/store-traffic" produce --brokers "$BROKERS" --events "$EVENTS" --customers "$CUSTOMERS" --zipf 0 --seed 12 \
  --create-topics 3 --also-create bookbag.contact-sync.results,bookbag.contact-sync.dead-letter \
  --also-create-compacted bookbag.contact-sync.field-clocks --bad-share 0 | tee "$RUN_DIR/clk-produce.log"

STORE="$RUN_DIR/clk-field-clocks.sqlite"
start_contact_sync "$RUN_DIR/clk-sync.log" CLOCK_STORE_PATH="$STORE" -- "$SYNC_BINARY"
( while kill -0 "$SYNC_PID" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$SYNC_PID/status" 2>/dev/null; sleep 1; done ) \
  >"$RUN_DIR/clk-rss.txt" &
"$BIN/store-traffic" watch --brokers "$BROKERS" --expect "$EVENTS" --timeout 1800 | grep -v progress | tee "$RUN_DIR/clk-watch.log"
sleep 6  # one more statistics round of the store gauges
curl -fsS "http://127.0.0.1:$OPS_PORT/metrics" | grep -E '^contact_sync_clock_(store|restore)' | tee "$RUN_DIR/clk-metrics.txt"
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$SYNC_PID/status")
kill -TERM "$SYNC_PID"; wait "$SYNC_PID" || true
contacts=$(awk '/^contact_sync_clock_store_contacts/ {print $2}' "$RUN_DIR/clk-metrics.txt")
bytes=$(du -b "$STORE" | cut -f1)
echo "[bench-clocks] peak RSS ${hwm} kB; store: ${contacts} contacts, ${bytes} bytes (main file after a clean stop)"

echo "[bench-clocks] restore: contact-sync clocks rebuild into an empty store"
TIMER=(); [ -x /usr/bin/time ] && TIMER=(/usr/bin/time -f "rebuild: rss_kb=%M wall_s=%e")
start_contact_sync "$RUN_DIR/clk-rebuild-full.log" CLOCK_STORE_PATH="$RUN_DIR/clk-rebuilt.sqlite" \
  -- "${TIMER[@]}" "$BIN/contact-sync" clocks rebuild
wait "$SYNC_PID"
tail -n 3 "$RUN_DIR/clk-rebuild-full.log" | tee "$RUN_DIR/clk-rebuild.log"

python3 - "$hwm" "$contacts" "$bytes" "$RUN_DIR" "$EVENTS" "$CUSTOMERS" <<'PY'
import re, sys
hwm, contacts, size, run, events, customers = sys.argv[1:7]
contacts = int(float(contacts)); size = int(size)
watch = open(f"{run}/clk-watch.log").read()
rate = re.search(r"steady_events_per_second=(\d+) total_seconds=([\d.]+)", watch)
rebuild = open(f"{run}/clk-rebuild.log").read()
took = re.search(r"in ([\d.]+) seconds", rebuild)
rss = re.search(r"rss_kb=(\d+) wall_s=([\d.]+)", rebuild)
print(f"| figure ({int(events):,} events over {int(customers):,} customers, uniform; default settings) | value |")
print("| --- | --- |")
print(f"| steady events/s, time to the last result | {int(rate.group(1)):,}, {rate.group(2)} s |" if rate else "| steady events/s | ? |")
print(f"| peak RSS of contact-sync | {int(hwm) / 1024:.1f} MB |")
print(f"| contacts in the clock store | {contacts:,} |")
print(f"| store size on disk, bytes per contact | {size / 1e6:.1f} MB, {size / max(contacts, 1):.0f} |")
print(f"| restore of those contacts from the changelog (`clocks rebuild`) | {took.group(1) if took else '?'} s (process wall {rss.group(2) if rss else '?'} s, peak RSS {int(rss.group(1)) / 1024 if rss else 0:.1f} MB) |")
PY
