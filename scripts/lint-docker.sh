#!/usr/bin/env bash
# Lints the docker/ deployment without a Docker engine: hadolint on docker/Dockerfile
# (docker/.hadolint.yaml), yamllint on the YAML files (docker/.yamllint.yaml), promtool
# check rules and check config, then scripts/check-docker.py, the project's own
# cross-checks (compose, rules, Prometheus and Grafana wiring, the dashboard, the
# variables compose passes to contact-sync; it lists them). scripts/setup.sh installs
# the tools into .deps/.
#
# Usage: scripts/lint-docker.sh [path/to/contact-sync]   (default: the debug build's)
# Prints one line per check and ends with "lint: N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit
PATH="$ROOT/.deps/lint-venv/bin:$ROOT/.deps/bin:$PATH"
BINARY=${1:-.build/debug/contact-sync}

check() {  # name, command...: "ok" or "FAIL" and what the command said (hadolint's notes even when ok)
  local name=$1 out status=ok; shift
  out=$("$@" 2>&1) || status=FAIL
  [ "$status" = FAIL ] || out=$(grep -vE '^Checking |SUCCESS|^$' <<<"$out")
  printf '%-6s%s\n' "$status" "$name"
  [ -z "$out" ] || sed 's/^/      /' <<<"$out"
}

{
  check "hadolint docker/Dockerfile" hadolint --no-color --config docker/.hadolint.yaml docker/Dockerfile
  for file in docker/compose.yaml docker/prometheus-rules.yaml docker/prometheus/prometheus.yml \
    docker/grafana/provisioning/*/*.yaml; do
    check "yamllint $file" yamllint --format parsable --config-file docker/.yamllint.yaml "$file"
  done
  check "promtool check rules docker/prometheus-rules.yaml" promtool check rules docker/prometheus-rules.yaml
  # rule_files is relative to prometheus.yml, which resolves the same on the host and in the container.
  check "promtool check config docker/prometheus/prometheus.yml" promtool check config docker/prometheus/prometheus.yml
  python3 scripts/check-docker.py "$BINARY"
} | awk '{ print } /^ok /{ p++ } /^FAIL /{ f++ } END { printf "lint: %d passed, %d failed\n", p, f; exit f > 0 }'
