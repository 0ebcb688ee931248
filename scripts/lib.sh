# Shared by scripts/test.sh, demo.sh and bench.sh: start and stop local parts.
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
