#!/usr/bin/env bash
# The demo: a Tansu broker, bookbag-sim, a burst of store traffic (10,000 events
# over 2,000 customers, a few bad records) into Kafka, 2,000 more events over 500
# other customers delivered as signed webhooks to the intake (run inside
# contact-sync with INTAKE_ENABLED), and contact-sync syncing both, with progress
# and a summary. Nothing is left running afterwards.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
trap stop_all EXIT
EVENTS=${EVENTS:-10000}
CUSTOMERS=${CUSTOMERS:-2000}
WEBHOOK_EVENTS=${WEBHOOK_EVENTS:-2000}

bash scripts/setup.sh
echo "[demo] building (debug)…"
swift build --product contact-sync >/dev/null 2>&1 && swift build --product bookbag-sim >/dev/null 2>&1 &&
  swift build --product store-traffic >/dev/null 2>&1 || { echo "build failed; run swift build to see why"; exit 1; }
BIN=$(swift build --show-bin-path)

start_tansu
KEY="oc_demo_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
start_sim "$BIN/bookbag-sim" "$KEY"
echo "[demo] Tansu at $BROKERS, bookbag-sim at $SIM_URL"

"$BIN/store-traffic" produce --brokers "$BROKERS" --events "$EVENTS" --customers "$CUSTOMERS" --create-topics 3 \
  --also-create bookbag.contact-sync.results,bookbag.contact-sync.dead-letter \
  --also-create-compacted bookbag.contact-sync.field-clocks

KEY_FILE="$RUN_DIR/demo-api-key"
(umask 077 && printf '%s' "$KEY" >"$KEY_FILE")
INTAKE_PORT=$(free_port)
SECRETS_FILE="$RUN_DIR/demo-intake-secrets"
(umask 077 && printf 'whsec_%s\n' "$(python3 -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(24)).decode())')" >"$SECRETS_FILE")
# A new broker each run: its clock store starts empty too. The key from a file, the log at info.
started=$(date +%s.%N)
start_contact_sync "$RUN_DIR/contact-sync.log" CLOCK_STORE_PATH="$RUN_DIR/demo-field-clocks.sqlite" \
  BOOKBAG_API_KEY= BOOKBAG_API_KEY_FILE="$KEY_FILE" LOG_LEVEL= \
  INTAKE_ENABLED=true INTAKE_PORT="$INTAKE_PORT" INTAKE_SIGNING_SECRETS_FILE="$SECRETS_FILE"
echo "[demo] contact-sync started (ops on http://127.0.0.1:$OPS_PORT, webhook intake on http://127.0.0.1:$INTAKE_PORT/v1/events, log in .run/contact-sync.log)"

# The second way in: signed webhook deliveries (batches of 50), retried until accepted.
"$BIN/store-traffic" webhook --url "http://127.0.0.1:$INTAKE_PORT/v1/events" --secret-file "$SECRETS_FILE" \
  --events "$WEBHOOK_EVENTS" --customers 500 | sed 's/^/[demo] /' &
WEBHOOK_PID=$!

"$BIN/store-traffic" watch --brokers "$BROKERS" --expect "$((EVENTS + WEBHOOK_EVENTS))" --timeout 300
wait "$WEBHOOK_PID"
finished=$(date +%s.%N)
kill -TERM "$SYNC_PID"
wait "$SYNC_PID" && echo "[demo] contact-sync exited 0 after SIGTERM"

python3 - "$SIM_URL" "$started" "$finished" <<'PY'
import json, sys, urllib.request
stats = json.load(urllib.request.urlopen(sys.argv[1] + "/_sim/stats"))
print(f"  HTTP requests to Bookbag:  {stats['requests']} ({stats['upsert_requests']} upserts carrying {stats['users_received']} users, {stats['attribute_creates']} attribute definitions)")
print(f"  contacts stored in Bookbag: {stats['contacts']}")
print(f"  time taken:                {float(sys.argv[3]) - float(sys.argv[2]):.1f} s (contact-sync start to last result)")
PY
