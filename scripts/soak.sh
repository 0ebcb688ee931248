#!/usr/bin/env bash
# The fault-tolerance suite plus the broker restart (CONTACT_SYNC_SOAK=1), against a fresh Tansu.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
trap stop_all EXIT
bash scripts/setup.sh
start_tansu
export CONTACT_SYNC_TEST_BROKERS="$BROKERS" CONTACT_SYNC_SOAK=1
swift build --build-tests >"$RUN_DIR/swift-build.log" 2>&1 || { tail -n 40 "$RUN_DIR/swift-build.log"; exit 1; }
swift test --skip-build --no-parallel --filter "FaultToleranceTests" 2>&1 | tee "$RUN_DIR/soak.log"
exit "${PIPESTATUS[0]}"
