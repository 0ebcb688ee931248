#!/usr/bin/env python3
"""The project's own cross-checks of docker/, which hadolint, yamllint and promtool cannot
make (scripts/lint-docker.sh runs those first, then this):

  compose references   services, secrets and Dockerfile targets the services name exist
  compose mounts       every file or folder a service bind-mounts exists
  rule conventions     alerts in CamelCase, unique, with severity, summary and description
  rule metrics         every contact_sync_* metric a rule uses is one the service exports
  monitoring wiring    prometheus.yml scrapes compose services under the job names the rules
                       use and loads the mounted rules; Grafana's datasource is the compose
                       Prometheus; its dashboard provider reads the folder the dashboard is in
  dashboard structure  panels with unique ids, targets[].expr, the provisioned datasource uid,
                       the job/instance variables, queries that select job=~"$job"
  dashboard metrics    every contact_sync_* name a panel queries is exported by the service or
                       the intake, histograms only as _bucket/_sum/_count
                       (DashboardMetricsTests checks the same against a real scrape)
  dashboard queries    every panel query, template variables filled in, parsed by promtool
  compose environment  every variable passed to contact-sync is one `contact-sync --help`
                       lists, or a KAFKA_* pass-through

Usage: scripts/check-docker.py path/to/contact-sync
Needs PyYAML and promtool (scripts/setup.sh installs both into .deps/). Prints
"ok    <check> (<what was checked>)" or "FAIL  <check>" and the problems, indented;
exits 1 when a check failed.
"""
import json, os, posixpath, re, shutil, subprocess, sys, tempfile
try:
    import yaml
except ImportError:
    print("FAIL  check-docker.py: no PyYAML for this python3 (scripts/setup.sh puts it into .deps/lint-venv)")
    sys.exit(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCKER = os.path.join(ROOT, "docker")
COMPOSE = os.path.join(DOCKER, "compose.yaml")
DOCKERFILE = os.path.join(DOCKER, "Dockerfile")
RULES = os.path.join(DOCKER, "prometheus-rules.yaml")
PROM_CONFIG = os.path.join(DOCKER, "prometheus", "prometheus.yml")
DASHBOARD = os.path.join(DOCKER, "grafana", "contact-sync.json")
DATASOURCES = os.path.join(DOCKER, "grafana", "provisioning", "datasources", "prometheus.yaml")
PROVIDERS = os.path.join(DOCKER, "grafana", "provisioning", "dashboards", "contact-sync.yaml")
SERVICE_METRICS = os.path.join(ROOT, "Sources", "ContactSync", "Ops", "ServiceMetrics.swift")
INTAKE_METRICS = os.path.join(ROOT, "Sources", "ContactSync", "Intake", "IntakeMetrics.swift")
METRIC = re.compile(r"\bcontact_sync_[a-z0-9_]+")


def load(path):
    with open(path) as f:
        return (json.load(f) if path.endswith(".json") else yaml.safe_load(f)) or {}


def exported(*sources):
    """The metric names the Swift sources register, and those that are histograms
    (Recorders and Timers are histograms in swift-prometheus)."""
    names, histograms = set(), set()
    for path in sources:
        with open(path) as f:
            text = f.read()
        names |= set(re.findall(r'"(contact_sync_[a-z0-9_]+)"', text))
        histograms |= set(re.findall(r'(?:Recorder|Timer)\(\s*label:\s*"(contact_sync_[a-z0-9_]+)"', text))
    return names, histograms


def panels(items):
    for panel in items:
        yield panel
        yield from panels(panel.get("panels") or [])


def services():
    return load(COMPOSE).get("services") or {}


def compose_references(problems):
    with open(DOCKERFILE) as f:
        stages = set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", f.read(), re.IGNORECASE | re.MULTILINE))
    all_services, secrets = services(), set(load(COMPOSE).get("secrets") or {})
    for name, service in all_services.items():
        deps = service.get("depends_on") or {}
        problems += [f"{name}: depends_on unknown service {d!r}" for d in deps if d not in all_services]
        mode = str(service.get("network_mode", ""))
        if mode.startswith("service:") and mode[len("service:"):] not in all_services:
            problems.append(f"{name}: network_mode names unknown service {mode!r}")
        for secret in service.get("secrets") or []:
            source = secret if isinstance(secret, str) else secret.get("source")
            if source not in secrets:
                problems.append(f"{name}: secret {source!r} is not defined at the top level")
        target = (service.get("build") or {}).get("target") if isinstance(service.get("build"), dict) else None
        if target and target not in stages:
            problems.append(f"{name}: build target {target!r} is not a stage of the Dockerfile {sorted(stages)}")
    for required in ("kafka", "topics", "bookbag-sim", "contact-sync", "store-traffic", "prometheus", "grafana"):
        if required not in all_services:
            problems.append(f"service {required!r} is missing")
    return f"{len(all_services)} services, their secrets, dependencies and build targets exist"


def compose_mounts(problems):
    named, mounts = set(load(COMPOSE).get("volumes") or {}), 0
    for name, service in services().items():
        for volume in service.get("volumes") or []:
            if isinstance(volume, dict):
                kind, source = volume.get("type", "volume"), str(volume.get("source", ""))
            else:
                source = str(volume).split(":", 1)[0]
                kind = "bind" if source.startswith((".", "/", "~")) else "volume"
            if kind == "bind":
                mounts += 1
                if not os.path.exists(os.path.join(DOCKER, source)):
                    problems.append(f"{name}: mounts {source}, which does not exist (relative to docker/)")
            elif kind == "volume" and source and source not in named:
                problems.append(f"{name}: volume {source!r} is not defined at the top level")
    return f"{mounts} bind mounts, every file and folder exists"


def rule_conventions(problems):
    # promtool check rules has checked the structure, the expressions and the durations.
    groups, alerts = load(RULES).get("groups") or [], set()
    for group in groups:
        if not group.get("rules"):
            problems.append(f"group {group.get('name')!r}: no rules")
        for rule in group.get("rules") or []:
            if "record" in rule:
                continue
            name = rule.get("alert", "")
            if not re.match(r"^[A-Z][A-Za-z0-9]+$", name):
                problems.append(f"{group['name']}: alert {name!r} is not in CamelCase")
            if name in alerts:
                problems.append(f"{name}: duplicate alert name")
            alerts.add(name)
            if (rule.get("labels") or {}).get("severity") not in ("info", "warning", "critical"):
                problems.append(f"{name}: labels.severity must be info, warning or critical")
            for key in ("summary", "description"):
                if not str((rule.get("annotations") or {}).get(key, "")).strip():
                    problems.append(f"{name}: needs annotations.{key}")
    if not alerts:
        problems.append("no alerts")
    return f"{len(groups)} group(s), {len(alerts)} alerts, each with severity, summary, description"


def rule_metrics(problems):
    names, _ = exported(SERVICE_METRICS)
    used = set()
    for group in load(RULES).get("groups") or []:
        for rule in group.get("rules") or []:
            for metric in METRIC.findall(str(rule.get("expr", ""))):
                used.add(metric)
                base = re.sub(r"_(bucket|sum|count)$", "", metric)
                if metric not in names and base not in names:
                    problems.append(f"{rule.get('alert', rule.get('record'))}: {metric} is not exported by the service")
    if not names:
        problems.append("found no metric names in the service source")
    return f"{len(used)} metrics used, all among the {len(names)} exported"


def monitoring_wiring(problems):
    all_services, prom = services(), load(PROM_CONFIG)

    def container_path(service, host_path):
        """Where a host file is inside a compose service, through its bind mounts."""
        host_path = os.path.realpath(host_path)
        for volume in (all_services.get(service) or {}).get("volumes") or []:
            parts = ([volume.get("source", ""), volume.get("target", "")] if isinstance(volume, dict)
                     else str(volume).split(":"))
            if len(parts) < 2 or not parts[0].startswith("."):
                continue
            source = os.path.realpath(os.path.join(DOCKER, parts[0]))
            if host_path == source:
                return parts[1]
            if host_path.startswith(source + os.sep):
                return posixpath.join(parts[1], os.path.relpath(host_path, source))
        return None

    # Prometheus: its config and the rules are mounted, the rules path resolves in both places
    # (promtool check config has resolved it on the host).
    config_in_container = container_path("prometheus", PROM_CONFIG)
    if config_in_container is None:
        problems.append("prometheus: prometheus.yml is not mounted into the prometheus service")
    command = " ".join(str(c) for c in (all_services.get("prometheus") or {}).get("command") or [])
    if config_in_container and f"--config.file={config_in_container}" not in command:
        problems.append(f"prometheus: the command does not pass --config.file={config_in_container}")
    rules_in_container = container_path("prometheus", RULES)
    if not prom.get("rule_files"):
        problems.append("prometheus.yml: no rule_files")
    for rule_file in prom.get("rule_files") or []:
        if os.path.realpath(os.path.join(os.path.dirname(PROM_CONFIG), rule_file)) != os.path.realpath(RULES):
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
            problems += [f"prometheus.yml: target {t} is not a compose service"
                         for t in sc.get("targets") or [] if t.split(":")[0] not in all_services]
    network_mode = (all_services.get("contact-sync") or {}).get("network_mode", "")
    if network_mode != "service:bookbag-sim":
        problems.append(f"contact-sync's network_mode is {network_mode!r}: the contact-sync scrape target "
                        "bookbag-sim:8080 assumes service:bookbag-sim")

    # Grafana: provisioning mounted where Grafana reads it, the datasource is the compose
    # Prometheus, the provider reads the folder the dashboard is mounted in.
    for folder in ("datasources", "dashboards"):
        where = container_path("grafana", os.path.join(os.path.dirname(DATASOURCES), "..", folder))
        if where != f"/etc/grafana/provisioning/{folder}":
            problems.append(f"grafana: provisioning/{folder} is mounted at {where}, not /etc/grafana/provisioning/{folder}")
    sources = [d for d in load(DATASOURCES).get("datasources") or [] if d.get("type") == "prometheus"]
    if len(sources) != 1 or not sources[0].get("uid"):
        problems.append("datasources: need exactly one prometheus datasource with a uid")
    elif sources[0].get("url") != "http://prometheus:9090":
        problems.append(f"datasources: url {sources[0].get('url')!r} is not the compose Prometheus (http://prometheus:9090)")
    dashboard_in_container = container_path("grafana", DASHBOARD)
    if dashboard_in_container is None:
        problems.append("grafana: contact-sync.json is not mounted into the grafana service")
    elif not any(p.get("type") == "file" and posixpath.dirname(dashboard_in_container) ==
                 posixpath.normpath(str((p.get("options") or {}).get("path", "")))
                 for p in load(PROVIDERS).get("providers") or []):
        problems.append(f"dashboards: no file provider reads {posixpath.dirname(dashboard_in_container)}")
    grafana_env = (all_services.get("grafana") or {}).get("environment") or {}
    home = str(grafana_env.get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", ""))
    if home and home != dashboard_in_container:
        problems.append(f"grafana: GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH {home} is not where the dashboard is mounted")
    uid = sources[0].get("uid") if len(sources) == 1 else None
    return (f"jobs {', '.join(sorted(ops_host))}; rules at {rules_in_container}; datasource uid {uid!r}; "
            f"dashboard at {dashboard_in_container}")


def dashboard_structure(problems):
    dashboard = load(DASHBOARD)
    uids = sorted(d.get("uid") for d in load(DATASOURCES).get("datasources") or [] if d.get("uid"))
    for key, kind in (("uid", str), ("title", str), ("schemaVersion", int), ("panels", list), ("templating", dict)):
        if not isinstance(dashboard.get(key), kind):
            problems.append(f"top level: needs {key!r} ({kind.__name__})")
    if "${DS_" in json.dumps(dashboard) or "__inputs" in dashboard:
        problems.append("an exported-for-sharing dashboard (${DS_...} inputs): provisioning cannot fill those in")

    def datasource_ok(where, datasource):
        if not isinstance(datasource, dict) or datasource.get("type") != "prometheus" or datasource.get("uid") not in uids:
            problems.append(f"{where}: datasource must be {{type: prometheus, uid: one of {uids}}}, is {datasource!r}")

    variables = {v.get("name"): v for v in (dashboard.get("templating") or {}).get("list") or []}
    for name in ("job", "instance"):
        if name not in variables:
            problems.append(f"templating: no {name!r} variable")
        else:
            datasource_ok(f"variable {name}", variables[name].get("datasource"))
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
        if not all(isinstance(grid.get(k), int) for k in "hwxy") or grid["x"] + grid["w"] > 24:
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
            if "contact_sync_" in expr and not re.search(r'job=~"\$job"', expr):
                problems.append(f"{where}: query does not select job=~\"$job\": {expr}")
    if count == 0:
        problems.append("no panels")
    return f"{count} panels, {queries} queries, unique ids, datasource uid {uids}"


def dashboard_metrics(problems):
    names, histograms = exported(SERVICE_METRICS, INTAKE_METRICS)
    used = set()
    for panel in panels(load(DASHBOARD).get("panels") or []):
        for target in panel.get("targets") or []:
            for metric in METRIC.findall(str(target.get("expr", ""))):
                used.add(metric)
                where = f"panel {panel.get('id')} {panel.get('title')!r}"
                base = re.sub(r"_(bucket|sum|count)$", "", metric)
                if base in histograms:
                    if base == metric:
                        problems.append(f"{where}: {metric} is a histogram: query {metric}_bucket, _sum or _count")
                elif metric not in names:
                    problems.append(f"{where}: {metric} is not exported by the service or the intake")
    if not names or not histograms:
        problems.append("found no metric names (or no histograms) in the service sources")
    return f"{len(used)} series names used, all among the {len(names)} exported ({len(histograms)} histograms)"


def dashboard_queries(problems):
    # Each query, with the template variables filled in, as a recording rule: promtool parses it.
    rules = [{"record": f"panel_{panel.get('id')}_{target.get('refId')}",
              "expr": str(target.get("expr", "")).replace("$job", ".*").replace("$instance", ".*")}
             for panel in panels(load(DASHBOARD).get("panels") or []) for target in panel.get("targets") or []]
    promtool = shutil.which("promtool", path=os.pathsep.join([os.path.join(ROOT, ".deps", "bin"), os.environ.get("PATH", "")]))
    if promtool is None:
        problems.append("promtool is not installed (scripts/setup.sh puts it into .deps/bin)")
        return ""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
        json.dump({"groups": [{"name": "dashboard-panels", "rules": rules}]}, f)  # JSON is YAML
        f.flush()
        run = subprocess.run([promtool, "check", "rules", f.name], capture_output=True, text=True)
    if run.returncode != 0:
        problems += [line for line in (run.stdout + run.stderr).splitlines()
                     if line.strip() and not line.startswith("Checking")]
    return f"promtool parsed all {len(rules)}"


def compose_environment(problems, binary):
    run = subprocess.run([binary, "--help"], capture_output=True, text=True)
    if run.returncode != 0:
        problems.append(f"{binary} --help failed: {run.stdout}{run.stderr}")
        return ""
    # The settings are the indented upper-case names on lines of their own in --help.
    known = set(re.findall(r"^\s+([A-Z][A-Z0-9_]+)\s*$", run.stdout + run.stderr, re.MULTILINE))
    if len(known) < 10:
        problems.append(f"could not read the variable list from --help (found {sorted(known)})")
        return ""
    service = services().get("contact-sync")
    if service is None:
        problems.append("compose.yaml has no contact-sync service")
        return ""
    env = service.get("environment") or {}
    names = list(env) if isinstance(env, dict) else [item.split("=", 1)[0] for item in env]
    env_files = service.get("env_file") or []
    for entry in [env_files] if isinstance(env_files, (str, dict)) else env_files:
        with open(os.path.join(DOCKER, entry if isinstance(entry, str) else entry.get("path"))) as f:
            names += [line.strip().removeprefix("export ").split("=", 1)[0].strip()
                      for line in f if line.strip() and not line.strip().startswith("#")]
    unknown = [n for n in names if n not in known and not n.startswith("KAFKA_")]
    if unknown:
        problems.append("not settings of contact-sync (see contact-sync --help): " + ", ".join(unknown))
    passthrough = [n for n in names if n not in known]
    extra = f", {len(passthrough)} KAFKA_* pass-through" if passthrough else ""
    return f"{len(names)} variables, all among the {len(known)} the service knows{extra}"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    checks = [
        ("compose.yaml references", compose_references),
        ("compose.yaml mounts", compose_mounts),
        ("prometheus-rules.yaml conventions", rule_conventions),
        ("prometheus-rules.yaml metric names", rule_metrics),
        ("monitoring wiring", monitoring_wiring),
        ("dashboard structure", dashboard_structure),
        ("dashboard metric names", dashboard_metrics),
        ("dashboard queries parse", dashboard_queries),
        ("compose environment of contact-sync", lambda problems: compose_environment(problems, sys.argv[1])),
    ]
    failed = 0
    for name, check in checks:
        problems = []
        try:
            detail = check(problems)
        except Exception as error:  # an unreadable or oddly shaped file fails its check, not the run
            problems.append(f"{type(error).__name__}: {error}")
        if problems:
            failed += 1
            print(f"FAIL  {name}")
            print("\n".join("      " + line for line in dict.fromkeys(problems)))
        else:
            print(f"ok    {name} ({detail})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
