#!/usr/bin/env bash
# The fault-tolerance suite, SOAK_RUNS times (default 5) in one test process each,
# against a fresh Tansu. Stops at the first failure; a crash leaves a core file in
# .run/soak/ (open it with gdb and the test binary named in the log).
# SOAK_MODE=memory runs the memory soak instead (scripts/soak-memory.sh).
set -euo pipefail
if [ "${SOAK_MODE:-faults}" = memory ]; then exec bash "$(dirname "${BASH_SOURCE[0]}")/soak-memory.sh"; fi
[ "${SOAK_MODE:-faults}" = faults ] || { echo "SOAK_MODE is faults (default) or memory, not '$SOAK_MODE'" >&2; exit 2; }
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
trap stop_all EXIT
bash scripts/setup.sh
start_tansu
export CONTACT_SYNC_TEST_BROKERS="$BROKERS"
export SWIFT_BACKTRACE=enable=yes,interactive=no
# The fault suite's rate and throughput assertions (the default suite only prints those figures).
export CONTACT_SYNC_SOAK=1
swift build --build-tests >"$RUN_DIR/swift-build.log" 2>&1 || { tail -n 40 "$RUN_DIR/swift-build.log"; exit 1; }
tests="$(swift build --show-bin-path)/contact-syncPackageTests.xctest"
mkdir -p "$RUN_DIR/soak"
ulimit -c unlimited 2>/dev/null || true
runs=${SOAK_RUNS:-5}
for run in $(seq 1 "$runs"); do
  log="$RUN_DIR/soak/run-$run.log"
  echo "[soak] run $run of $runs ($(date +%T)), log: $log"
  # The test binary directly, so that a crash's report reaches the log and its core lands here.
  set +e
  (cd "$RUN_DIR/soak" && "$tests" --testing-library swift-testing --filter FaultToleranceTests >"$log" 2>&1)
  status=$?
  set -e
  grep -E "^(crash|outage|rate-limit|slow) test:|broker restart: second event synced|Test run with" "$log" | cut -c1-240 || true
  if [ "$status" -ne 0 ]; then
    echo "[soak] run $run failed with status $status (a core file, if any, is in $RUN_DIR/soak)"
    exit "$status"
  fi
done
echo "[soak] $runs of $runs runs passed"
