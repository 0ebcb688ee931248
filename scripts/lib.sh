# Shared by the scripts: start and stop local parts (nothing is stopped by name, only by pid).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$ROOT/.run"
mkdir -p "$RUN_DIR"
PIDS=()

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for_port() {  # port, seconds
  local port=$1 deadline=$((SECONDS + ${2:-20}))
  while ! (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "nothing listens on port $port" >&2; return 1; }
    sleep 0.1
  done
}

start_tansu() {  # sets BROKERS
  local port; port=$(free_port)
  "$ROOT/.deps/tansu/tansu" broker --listener-url "tcp://127.0.0.1:$port" \
    --advertised-listener-url "tcp://127.0.0.1:$port" >"$RUN_DIR/tansu.log" 2>&1 &
  PIDS+=($!)
  TANSU_PID=$!
  wait_for_port "$port" 20
  BROKERS="127.0.0.1:$port"
}

start_sim() {  # binary, api key; sets SIM_URL
  local port; port=$(free_port)
  BOOKBAG_SIM_API_KEY="$2" "$1" --port "$port" >"$RUN_DIR/bookbag-sim.log" 2>&1 &
  PIDS+=($!)
  SIM_PID=$!
  wait_for_port "$port" 20
  SIM_URL="http://127.0.0.1:$port"
}

# contact-sync against the local Tansu ($BROKERS) and bookbag-sim ($SIM_URL, key $KEY),
# ops on a free loopback port, LOG_LEVEL=warning, and a new, empty clock store beside its log:
#   start_contact_sync LOG [NAME=value...] [-- COMMAND...]
# A setting given replaces the default of that name; NAME= (empty) leaves NAME unset.
# COMMAND is $BIN/contact-sync unless given (another build; perf record -- BINARY).
# Sets SYNC_PID (also in PIDS) and OPS_PORT.
start_contact_sync() {
  local log=$1 setting settings=() command=("$BIN/contact-sync"); shift
  local -A last=()
  OPS_PORT=$(free_port)
  local all=(BOOKBAG_API_KEY="$KEY" BOOKBAG_BASE_URL="$SIM_URL" BOOKBAG_CHATBOT_ID=123 KAFKA_BROKERS="$BROKERS"
    HTTP_HOST=127.0.0.1 HTTP_PORT="$OPS_PORT" KAFKA_SESSION_TIMEOUT_MS=6000 LOG_LEVEL=warning
    CLOCK_STORE_PATH="${log%.log}-field-clocks.sqlite")
  while [ $# -gt 0 ] && [ "$1" != -- ]; do all+=("$1"); shift; done
  [ $# -eq 0 ] || { shift; command=("$@"); }
  for setting in "${all[@]}"; do last[${setting%%=*}]=${setting#*=}; done
  for setting in "${all[@]}"; do [ -z "${last[${setting%%=*}]}" ] || settings+=("$setting"); done
  local store=${last[CLOCK_STORE_PATH]}
  [ -z "$store" ] || rm -f -- "$store" "$store"-wal "$store"-shm "$store".lock
  env "${settings[@]}" "${command[@]}" >"$log" 2>&1 &
  SYNC_PID=$!
  PIDS+=("$SYNC_PID")
}

stop_all() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}

build_release() {  # the four release products; sets BIN
  echo "[release] building contact-sync, bookbag-sim, store-traffic, core-bench…"
  : >"$RUN_DIR/release-build.log"
  for product in contact-sync bookbag-sim store-traffic core-bench; do
    swift build -c release --product "$product" >>"$RUN_DIR/release-build.log" 2>&1 \
      || { tail -n 40 "$RUN_DIR/release-build.log"; return 1; }
  done
  BIN=$(swift build -c release --show-bin-path)
}
