#!/usr/bin/env bash
# The whole test suite: installs what is missing, starts a Tansu broker, runs
# the schema checks, the docker/ lints (compose, alert rules, Prometheus and Grafana
# provisioning, the dashboard JSON), the unit tests and the integration tests, then stops it all.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
trap stop_all EXIT

bash scripts/setup.sh
python3 scripts/check-schemas.py examples

start_tansu
export CONTACT_SYNC_TEST_BROKERS="$BROKERS"
echo "[test] Tansu broker at $BROKERS"

set +e
swift build --build-tests >"$RUN_DIR/swift-build.log" 2>&1
status=$?
set -e
grep -E "error|warning: " "$RUN_DIR/swift-build.log" | grep -vE "swift-distributed-tracing|CMakeLists.txt" || true
if [ $status -ne 0 ]; then tail -n 50 "$RUN_DIR/swift-build.log"; exit $status; fi

# Suites run one at a time: several start servers and brokers clients, and this
# machine has 2 cores; in parallel they would measure each other rather than the code.
bash scripts/lint-docker.sh "$(swift build --show-bin-path)/contact-sync"
FUZZ_SECONDS=${FUZZ_SECONDS:-15} FUZZ_FRESH=1 bash scripts/fuzz.sh

SWIFT_BACKTRACE=enable=yes,interactive=no swift test --skip-build --no-parallel 2>&1 | tee "$RUN_DIR/swift-test.log"
exit "${PIPESTATUS[0]}"
