#!/usr/bin/env python3
"""Semantic checks of the deployment files, called by deploy/check.sh (one check per call).

    python3 deploy/check_deploy.py compose CONFIG_OUTPUT.yml distributed|single
    python3 deploy/check_deploy.py dockerfile
    python3 deploy/check_deploy.py k8s RENDERED.yaml base|single-node|production
    python3 deploy/check_deploy.py systemd
    python3 deploy/check_deploy.py render
    python3 deploy/check_deploy.py env-names

Each prints what is wrong and exits 1, or exits 0 silently. The schema checks (compose-spec,
Kubernetes 1.30 OpenAPI) are done by the tools check.sh runs; these checks hold the files to
the deployment contract: ports, health paths, commands, env names, security settings.
"""

import os
import re
import sys

import yaml

DEPLOY = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(DEPLOY)

SERVICES = {"auth": 3001, "rooms": 3002, "router": 3003, "uploads": 3004}
BINARIES = ["agentim-server", "agentim-edge", "agentim-auth", "agentim-rooms", "agentim-router", "agentim-uploads"]

# Every variable the hub's processes read (spec data-config-security §2.2 plus the edge's).
APP_ENV = set("""
NODE_ENV PORT HOST DATABASE_URL DB_POOL_SIZE REDIS_URL JWT_SECRET JWT_SECRET_PREVIOUS
JWT_ACCESS_EXPIRY JWT_REFRESH_EXPIRY CORS_ORIGIN ADMIN_USERNAME ADMIN_PASSWORD ENCRYPTION_KEY
SENTRY_DSN STORAGE_PROVIDER S3_BUCKET S3_REGION S3_ENDPOINT S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY
UPLOAD_DIR MAX_FILE_SIZE ROUTER_LLM_BASE_URL ROUTER_LLM_API_KEY ROUTER_LLM_MODEL
ROUTER_LLM_TIMEOUT_MS ROUTER_LLM_MAX_AGENTS MAX_AGENT_CHAIN_DEPTH AGENT_RATE_LIMIT_WINDOW
AGENT_RATE_LIMIT_MAX CLIENT_RATE_LIMIT_WINDOW CLIENT_RATE_LIMIT_MAX MAX_WS_CONNECTIONS_PER_USER
MAX_TOTAL_WS_CONNECTIONS MAX_GATEWAYS_PER_USER MAX_WS_MESSAGE_SIZE MAX_GATEWAY_MESSAGE_SIZE
ORPHAN_FILE_CHECK_INTERVAL TOKEN_CLEANUP_INTERVAL GATEWAY_CLEANUP_INTERVAL
GATEWAY_MAX_OFFLINE_DAYS AUDIT_LOG_RETENTION_DAYS AUDIT_LOG_CLEANUP_INTERVAL TRUST_PROXY
LOG_LEVEL RUN_MIGRATIONS METRICS_AUTH_ENABLED TOTP_ISSUER
AUTH_URL ROOMS_URL ROUTER_URL UPLOADS_URL WEB_DIR TLS_CERT_FILE TLS_KEY_FILE UPSTREAM_TIMEOUT_SECONDS
ROUTER_ALLOW_PRIVATE_URLS BUS_RECLAIM_IDLE_MS
""".split())
# Variables of the deployment files themselves (compose interpolation, image health check).
DEPLOY_ENV = {"POSTGRES_PASSWORD", "COMPOSE_PROJECT_NAME", "AGENTIM_IMAGE", "HEALTH_PATH"}
# What every process needs in production (each validates the whole configuration).
PRODUCTION_REQUIRED = {"NODE_ENV", "DATABASE_URL", "JWT_SECRET", "ENCRYPTION_KEY", "ADMIN_PASSWORD", "CORS_ORIGIN"}
DISTRIBUTED_REQUIRED = PRODUCTION_REQUIRED | {"REDIS_URL", "AUTH_URL", "ROOMS_URL", "ROUTER_URL", "UPLOADS_URL"}

problems = []


def need(cond, message):
    if not cond:
        problems.append(message)
    return cond


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def seconds(value):
    m = re.fullmatch(r"(\d+)(s|m)?", str(value))
    if not m:
        return 0
    return int(m.group(1)) * (60 if m.group(2) == "m" else 1)


def env_file_keys(path):
    keys = []
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*#?\s*([A-Z][A-Z0-9_]*)=", line)
            if m:
                keys.append(m.group(1))
    return keys


# ------------------------------------------------------------------------------- compose

def compose_common(name, svc):
    need(svc.get("restart") == "unless-stopped", f"{name}: restart must be unless-stopped")
    log = svc.get("logging", {})
    need(log.get("driver") == "json-file" and "max-size" in log.get("options", {})
         and "max-file" in log.get("options", {}), f"{name}: json-file logging with rotation")
    limits = svc.get("deploy", {}).get("resources", {}).get("limits", {})
    need("cpus" in limits and "memory" in limits, f"{name}: deploy.resources.limits cpus+memory")
    need(list(svc.get("networks", {})) == ["internal"], f"{name}: must be on the internal network only")


def compose_app_env(name, svc, port):
    env = svc.get("environment", {})
    need(env.get("NODE_ENV") == "production", f"{name}: NODE_ENV=production")
    need(str(env.get("PORT")) == str(port), f"{name}: PORT={port}")
    for key in env:
        need(key in APP_ENV, f"{name}: unknown environment variable {key}")
    return env


def health_test(svc):
    return " ".join(svc.get("healthcheck", {}).get("test", []))


def check_compose(path, mode):
    cfg = load(path)
    services = cfg.get("services", {})
    need(list(cfg.get("networks", {})) == ["internal"], "exactly one network, `internal`")
    published = {n for n, s in services.items() if s.get("ports")}
    if mode == "distributed":
        need(set(services) == {"postgres", "redis", "migrate", "auth", "rooms", "router", "uploads", "edge"},
             f"services: {sorted(services)}")
        need(published == {"edge"}, f"only edge may publish a port, not {sorted(published)}")
        for name, svc in services.items():
            if name != "migrate":
                compose_common(name, svc)
                need(svc.get("healthcheck"), f"{name}: healthcheck")
        pg, redis = services["postgres"], services["redis"]
        need(pg.get("image") == "postgres:16-alpine", "postgres: image postgres:16-alpine")
        need(any(str(v).startswith("pgdata:/var/lib/postgresql/data") for v in pg.get("volumes", [])), "postgres: pgdata volume")
        need("pg_isready" in health_test(pg), "postgres: pg_isready healthcheck")
        need(redis.get("image") == "redis:7-alpine", "redis: image redis:7-alpine")
        need("--appendonly" in redis.get("command", []), "redis: --appendonly yes")
        need(any(str(v).startswith("redisdata:/data") for v in redis.get("volumes", [])), "redis: redisdata volume")
        need("redis-cli ping" in health_test(redis), "redis: redis-cli ping healthcheck")
        mig = services["migrate"]
        need(mig.get("command") == ["agentim-server", "migrate"], "migrate: command agentim-server migrate")
        need(mig.get("restart") == "no", "migrate: restart no (one-shot)")
        need(mig.get("depends_on", {}).get("postgres", {}).get("condition") == "service_healthy", "migrate: after postgres healthy")
        for name, port in SERVICES.items():
            svc = services[name]
            env = compose_app_env(name, svc, port)
            need(svc.get("command") == [f"agentim-{name}"], f"{name}: command agentim-{name}")
            need(env.get("RUN_MIGRATIONS") == "false", f"{name}: RUN_MIGRATIONS=false")
            need(DISTRIBUTED_REQUIRED <= set(env), f"{name}: missing {sorted(DISTRIBUTED_REQUIRED - set(env))}")
            need(health_test(svc).endswith(f" http://127.0.0.1:{port}/internal/health"), f"{name}: healthcheck /internal/health on {port}")
            deps = svc.get("depends_on", {})
            need(deps.get("migrate", {}).get("condition") == "service_completed_successfully", f"{name}: after migrate completed")
            need(deps.get("postgres", {}).get("condition") == "service_healthy", f"{name}: after postgres healthy")
            need(deps.get("redis", {}).get("condition") == "service_healthy", f"{name}: after redis healthy")
            need(seconds(svc.get("stop_grace_period")) > 10, f"{name}: stop_grace_period > 10s")
        need(any(str(v).startswith("uploads_data:/app/uploads") for v in services["uploads"].get("volumes", [])),
             "uploads: uploads_data at /app/uploads")
        edge = services["edge"]
        env = compose_app_env("edge", edge, 3000)
        need(edge.get("command") == ["agentim-edge"], "edge: command agentim-edge")
        need(DISTRIBUTED_REQUIRED <= set(env), f"edge: missing {sorted(DISTRIBUTED_REQUIRED - set(env))}")
        need(health_test(edge).endswith(" http://127.0.0.1:3000/api/health"), "edge: healthcheck /api/health")
        need(all(edge.get("depends_on", {}).get(s, {}).get("condition") == "service_healthy" for s in SERVICES),
             "edge: after the four services are healthy")
        need(seconds(edge.get("stop_grace_period")) > 10, "edge: stop_grace_period > 10s")
        ports = edge.get("ports", [])
        need(len(ports) == 1 and (ports[0] in ("3000:3000",) or (isinstance(ports[0], dict) and ports[0].get("target") == 3000)),
             f"edge: publishes container port 3000, got {ports}")
    else:
        need(set(services) == {"postgres", "hub"}, f"services: {sorted(services)}")
        need(published == {"hub"}, f"only hub may publish a port, not {sorted(published)}")
        for name, svc in services.items():
            compose_common(name, svc)
            need(svc.get("healthcheck"), f"{name}: healthcheck")
        hub = services["hub"]
        env = compose_app_env("hub", hub, 3000)
        need(hub.get("command") == ["agentim-server"], "hub: command agentim-server")
        need("REDIS_URL" not in env, "hub: no REDIS_URL in the single-process topology")
        need(env.get("RUN_MIGRATIONS", "true") == "true", "hub: runs its own migrations")
        need(PRODUCTION_REQUIRED <= set(env), f"hub: missing {sorted(PRODUCTION_REQUIRED - set(env))}")
        need(health_test(hub).endswith(" http://127.0.0.1:3000/api/health"), "hub: healthcheck /api/health")
        need(hub.get("depends_on", {}).get("postgres", {}).get("condition") == "service_healthy", "hub: after postgres healthy")
        need(any(str(v).startswith("uploads_data:/app/uploads") for v in hub.get("volumes", [])), "hub: uploads_data at /app/uploads")
        need(seconds(hub.get("stop_grace_period")) > 10, "hub: stop_grace_period > 10s")


# ---------------------------------------------------------------------------- Dockerfile

def check_dockerfile():
    with open(os.path.join(DEPLOY, "Dockerfile")) as f:
        text = f.read()
    # Join continuation lines, drop comments.
    logical = re.sub(r"\\\n", " ", "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#")))
    lines = [l.strip() for l in logical.splitlines() if l.strip()]
    instr = [(l.split(None, 1)[0].upper(), l.split(None, 1)[1] if " " in l else "") for l in lines]
    froms = [a for i, a in instr if i == "FROM"]
    need(len(froms) >= 2, "multi-stage build (two FROM)")
    need(any(" AS builder" in f for f in froms), "a stage named builder")
    args = dict(re.findall(r"ARG (\w+)=(\S+)", logical))
    need(re.fullmatch(r"swift:6\.\d+(\.\d+)?-bookworm", args.get("SWIFT_IMAGE", "")), "builder swift:6.x-bookworm")
    need(args.get("RUNTIME_IMAGE") == "debian:bookworm-slim", "runtime debian:bookworm-slim")
    runs = " ".join(a for i, a in instr if i == "RUN")
    need("swift build -c release --static-swift-stdlib" in runs, "swift build -c release --static-swift-stdlib")
    for pkg in ["libhiredis-dev", "libargon2-dev", "libssl-dev"]:
        need(pkg in runs, f"builder installs {pkg}")
    for pkg in ["libhiredis0.14", "libargon2-1", "libssl3", "libcurl4", "libxml2", "ca-certificates", "tzdata", "curl", "tini"]:
        need(re.search(rf"(^|\s){re.escape(pkg)}(\s|$)", runs), f"runtime installs {pkg}")
    for exe in BINARIES:
        need(exe in runs, f"{exe} is collected")
    need("/usr/local/bin/" in " ".join(a for i, a in instr if i == "COPY"), "binaries copied to /usr/local/bin")
    need(re.search(r"--uid 10001", runs) and "agentim" in runs, "user agentim with uid 10001")
    need("/app/uploads" in runs and "chown 10001:10001 /app/uploads" in runs, "/app/uploads owned by agentim")
    users = [a for i, a in instr if i == "USER"]
    need(users and users[-1].split(":")[0] in ("10001", "agentim"), "runs as agentim (10001)")
    need(("EXPOSE", "3000") in instr, "EXPOSE 3000")
    health = [a for i, a in instr if i == "HEALTHCHECK"]
    need(health and "curl -fsS" in health[0] and "/api/health" in health[0], "HEALTHCHECK curl -fsS .../api/health")
    need(("CMD", '["agentim-server"]') in instr, 'CMD ["agentim-server"]')
    need(any(i == "ENTRYPOINT" for i, _ in instr), "ENTRYPOINT (tini)")
    with open(os.path.join(REPO, ".dockerignore")) as f:
        ignore = {l.strip().lstrip("/") for l in f if l.strip() and not l.startswith("#")}
    for entry in [".build", ".build-*", ".git", ".local", "uploads", "Package.resolved"]:
        need(entry in ignore, f".dockerignore excludes {entry}")
    for entry in ignore:
        need(not re.fullmatch(r"(\*\*/)?(services|shared|Tests|Sources)(/.*)?|\*\*/uploads|Package\.swift", entry),
             f".dockerignore must not exclude sources: {entry}")


# ----------------------------------------------------------------------------- Kubernetes

def pod_spec(res):
    return res["spec"]["template"]["spec"]


def check_k8s(path, name):
    docs = load_all(path)
    by = {}
    for d in docs:
        by.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    deployments = by.get("Deployment", {})
    need(set(deployments) == set(SERVICES) | {"edge"}, f"Deployments: {sorted(deployments)}")
    config = by.get("ConfigMap", {}).get("agentim-config", {}).get("data", {})
    secret_keys = set(by.get("Secret", {}).get("agentim-secrets", {}).get("stringData", {}))
    if name == "production":
        need(not by.get("Secret"), "production: no Secret in the rendered output (created out of band)")
        secret_keys = set(load(os.path.join(DEPLOY, "k8s", "base", "secret.yaml"))["stringData"])
    need(DISTRIBUTED_REQUIRED <= set(config) | secret_keys,
         f"ConfigMap+Secret lack {sorted(DISTRIBUTED_REQUIRED - set(config) - secret_keys)}")
    for key in set(config) | secret_keys:
        need(key in APP_ENV | {"POSTGRES_PASSWORD"}, f"unknown setting {key}")
    need(config.get("RUN_MIGRATIONS") == "false", "ConfigMap RUN_MIGRATIONS=false")
    for dname, dep in deployments.items():
        spec = pod_spec(dep)
        port = SERVICES.get(dname, 3000)
        need(spec.get("terminationGracePeriodSeconds", 0) >= 30, f"{dname}: terminationGracePeriodSeconds >= 30")
        psc = spec.get("securityContext", {})
        need(psc.get("runAsNonRoot") is True and psc.get("runAsUser") == 10001, f"{dname}: runAsNonRoot, runAsUser 10001")
        (c,) = spec["containers"]
        need(c.get("args") == [f"agentim-{dname}"], f"{dname}: args [agentim-{dname}]")
        sc = c.get("securityContext", {})
        need(sc.get("allowPrivilegeEscalation") is False, f"{dname}: allowPrivilegeEscalation false")
        need(sc.get("readOnlyRootFilesystem") is True, f"{dname}: readOnlyRootFilesystem")
        need(sc.get("capabilities", {}).get("drop") == ["ALL"], f"{dname}: drop ALL capabilities")
        res = c.get("resources", {})
        need({"cpu", "memory"} <= set(res.get("requests", {})) and {"cpu", "memory"} <= set(res.get("limits", {})),
             f"{dname}: resource requests and limits")
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        need(env.get("PORT") == str(port), f"{dname}: PORT={port}")
        need(env.get("RUN_MIGRATIONS") == "false", f"{dname}: RUN_MIGRATIONS=false")
        refs = [(k, v["name"]) for e in c.get("envFrom", []) for k, v in e.items()]
        need(("configMapRef", "agentim-config") in refs and ("secretRef", "agentim-secrets") in refs,
             f"{dname}: env from agentim-config and agentim-secrets")
        need([p["containerPort"] for p in c.get("ports", [])] == [port], f"{dname}: containerPort {port}")
        ready = c.get("readinessProbe", {}).get("httpGet", {})
        live = c.get("livenessProbe", {})
        if dname == "edge":
            need(ready.get("path") == "/api/health", "edge: readiness /api/health")
            need("tcpSocket" in live or live.get("httpGet", {}).get("path") == "/api/health", "edge: liveness")
        else:
            need(ready.get("path") == "/internal/health", f"{dname}: readiness /internal/health")
            need(live.get("httpGet", {}).get("path") == "/internal/live", f"{dname}: liveness /internal/live")
        svc = by.get("Service", {}).get(dname)
        if need(svc is not None, f"{dname}: Service"):
            need(svc["spec"]["selector"].items() <= dep["spec"]["template"]["metadata"]["labels"].items(),
                 f"{dname}: Service selects the pods")
            need(svc["spec"]["ports"][0]["targetPort"] in ("http", port), f"{dname}: Service targets the container port")
            if dname != "edge":
                need(svc["spec"]["ports"][0]["port"] == port, f"{dname}: Service port {port} (as in {dname.upper()}_URL)")
        need(dname in by.get("PodDisruptionBudget", {}), f"{dname}: PodDisruptionBudget")
    uploads = pod_spec(deployments["uploads"])
    need(any(v.get("persistentVolumeClaim", {}).get("claimName") == "uploads-data" for v in uploads.get("volumes", [])),
         "uploads: the uploads-data volume")
    need(any(m["mountPath"] == "/app/uploads" for m in uploads["containers"][0].get("volumeMounts", [])),
         "uploads: mounted at /app/uploads")
    job = by.get("Job", {}).get("agentim-migrate")
    if need(job is not None, "migrations Job agentim-migrate"):
        need(pod_spec(job)["containers"][0].get("args") == ["agentim-server", "migrate"], "Job: agentim-server migrate")
    hpas = by.get("HorizontalPodAutoscaler", {})
    sts = by.get("StatefulSet", {})
    replicas = {n: d["spec"].get("replicas", 1) for n, d in deployments.items()}
    if name == "single-node":
        need(all(r == 1 for r in replicas.values()), f"single-node: replicas 1, got {replicas}")
        need(all(h["spec"].get("minReplicas", 1) <= 1 for h in hpas.values()), "single-node: no HPA with minReplicas > 1")
    else:
        need(set(hpas) == {"router", "edge"}, f"HPAs for router and edge, got {sorted(hpas)}")
        for h in hpas.values():
            need(h["apiVersion"] == "autoscaling/v2", "HPA autoscaling/v2")
    if name == "production":
        need(not sts, f"production: no StatefulSets, got {sorted(sts)}")
        for ext in ("postgres", "redis"):
            need(by.get("Service", {}).get(ext, {}).get("spec", {}).get("type") == "ExternalName",
                 f"production: {ext} is an ExternalName Service")
        need(replicas["uploads"] == 1 or by["PersistentVolumeClaim"]["uploads-data"]["spec"]["accessModes"] == ["ReadWriteMany"],
             "production: several uploads replicas need a ReadWriteMany claim")
        need(all(r >= 2 for r in replicas.values()), f"production: at least 2 replicas each, got {replicas}")
    else:
        need(set(sts) == {"postgres", "redis"}, f"StatefulSets postgres and redis, got {sorted(sts)}")
        for sname, s in sts.items():
            need(s["spec"].get("volumeClaimTemplates"), f"{sname}: volumeClaimTemplates")
            svc = by.get("Service", {}).get(s["spec"]["serviceName"], {})
            need(svc.get("spec", {}).get("clusterIP") == "None", f"{sname}: headless Service")
        if name != "production" and by.get("Secret"):
            # The placeholder must fail the production refusals, so it can never go live.
            data = by["Secret"]["agentim-secrets"]["stringData"]
            need(len(data["JWT_SECRET"]) < 32 and len(data["ENCRYPTION_KEY"]) < 32,
                 "placeholder secrets must be too short to start")
    if name != "base":
        need(all(d["metadata"].get("namespace") == "agentim" for d in docs if d["kind"] != "Namespace"),
             "everything in namespace agentim")
        need("agentim" in by.get("Namespace", {}), "Namespace agentim")


# -------------------------------------------------------------------------------- systemd

def parse_unit(path):
    sections, current = {}, None
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("[") and line.endswith("]"):
                current = line[1:-1]
                sections.setdefault(current, {})
                continue
            key, _, value = line.partition("=")
            sections.setdefault(current, {}).setdefault(key.strip(), []).append(value.strip())
    return sections


def check_systemd():
    sysd = os.path.join(DEPLOY, "systemd")
    units = {n: parse_unit(os.path.join(sysd, f"agentim-{n}.service"))
             for n in list(SERVICES) + ["edge", "server", "migrate"]}
    target = parse_unit(os.path.join(sysd, "agentim.target"))
    wants = " ".join(target.get("Unit", {}).get("Wants", [])).split()
    for n in list(SERVICES) + ["edge"]:
        need(f"agentim-{n}.service" in wants, f"agentim.target wants agentim-{n}.service")
        need(units[n].get("Install", {}).get("WantedBy") == ["agentim.target"], f"agentim-{n}: WantedBy agentim.target")
    for n, u in units.items():
        s = u.get("Service", {})
        one = lambda k: (s.get(k) or [""])[-1]
        need(one("User") == "agentim", f"agentim-{n}: User=agentim")
        need("/etc/agentim/agentim.env" in s.get("EnvironmentFile", []), f"agentim-{n}: EnvironmentFile=/etc/agentim/agentim.env")
        need(one("NoNewPrivileges") == "yes", f"agentim-{n}: NoNewPrivileges")
        need(one("ProtectSystem") == "strict", f"agentim-{n}: ProtectSystem=strict")
        need(int(one("LimitNOFILE") or 0) >= 65536, f"agentim-{n}: LimitNOFILE >= 65536")
        exe = one("ExecStart").split()
        if n == "migrate":
            need(exe == ["/usr/local/bin/agentim-server", "migrate"], "agentim-migrate: agentim-server migrate")
            need(one("Type") == "oneshot", "agentim-migrate: Type=oneshot")
            continue
        need(exe == [f"/usr/local/bin/agentim-{n}"], f"agentim-{n}: ExecStart")
        need(one("Restart") == "on-failure" and one("RestartSec"), f"agentim-{n}: Restart=on-failure, RestartSec")
        need(seconds(one("TimeoutStopSec")) > 10, f"agentim-{n}: TimeoutStopSec > 10s")
        need(f"-/etc/agentim/agentim-{n}.env" in s.get("EnvironmentFile", []), f"agentim-{n}: per-unit override file")
        env = dict(e.split("=", 1) for e in s.get("Environment", []))
        need(env.get("PORT") == str(SERVICES.get(n, 3000)), f"agentim-{n}: PORT={SERVICES.get(n, 3000)}")
        if n in SERVICES:
            need(env.get("RUN_MIGRATIONS") == "false", f"agentim-{n}: RUN_MIGRATIONS=false")
            need("agentim-migrate.service" in " ".join(u["Unit"].get("Requires", [])), f"agentim-{n}: requires agentim-migrate")
        if n in ("uploads", "server"):
            need(env.get("UPLOAD_DIR") == "/var/lib/agentim/uploads", f"agentim-{n}: UPLOAD_DIR")
            need("/var/lib/agentim/uploads" in s.get("ReadWritePaths", []), f"agentim-{n}: ReadWritePaths upload dir")
    keys = env_file_keys(os.path.join(sysd, "agentim.env.example"))
    for key in keys:
        need(key in APP_ENV, f"agentim.env.example: unknown variable {key}")
        need(key not in ("PORT", "HOST", "RUN_MIGRATIONS", "UPLOAD_DIR"), f"agentim.env.example must not set {key}")
    need(DISTRIBUTED_REQUIRED <= set(keys), f"agentim.env.example lacks {sorted(DISTRIBUTED_REQUIRED - set(keys))}")


# --------------------------------------------------------------------------------- Render

def check_render():
    bp = load(os.path.join(DEPLOY, "render.yaml"))
    (svc,) = bp["services"]
    need(svc.get("type") == "web" and svc.get("runtime") == "docker", "web service with runtime docker")
    need(os.path.normpath(os.path.join(REPO, svc.get("dockerfilePath", ""))) == os.path.join(DEPLOY, "Dockerfile"),
         "dockerfilePath is deploy/Dockerfile (from the repository root)")
    need(os.path.normpath(os.path.join(REPO, svc.get("dockerContext", ""))) == REPO, "dockerContext is the repository root")
    need(svc.get("healthCheckPath") == "/api/health", "healthCheckPath /api/health")
    need(svc.get("numInstances", 1) == 1, "one instance (no Redis: in-memory bus)")
    env = {e["key"]: e for e in svc["envVars"]}
    for key in env:
        need(key in APP_ENV, f"unknown variable {key}")
    need(env.get("NODE_ENV", {}).get("value") == "production", "NODE_ENV=production")
    need(str(env.get("TRUST_PROXY", {}).get("value")) == "true", "TRUST_PROXY=true")
    for key in ("JWT_SECRET", "ENCRYPTION_KEY", "ADMIN_PASSWORD"):
        need(env.get(key, {}).get("generateValue") is True, f"{key} generated")
    need(env.get("CORS_ORIGIN", {}).get("sync") is False, "CORS_ORIGIN asked from the user (sync: false)")
    need("REDIS_URL" not in env, "no REDIS_URL (single process)")
    dbs = {d["name"]: d for d in bp.get("databases", [])}
    ref = env.get("DATABASE_URL", {}).get("fromDatabase", {})
    need(ref.get("name") in dbs and ref.get("property") == "connectionString", "DATABASE_URL from the managed database")


# ------------------------------------------------------------------------------ env names

def check_env_names():
    compose_env = os.path.join(DEPLOY, "compose", ".env.example")
    for key in env_file_keys(compose_env):
        need(key in APP_ENV | DEPLOY_ENV, f"compose/.env.example: unknown variable {key}")
    example = set(env_file_keys(compose_env))
    for fname in ("docker-compose.yml", "docker-compose.single.yml"):
        with open(os.path.join(DEPLOY, "compose", fname)) as f:
            text = f.read()
        used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
        need(used <= example, f"{fname}: variables missing from .env.example: {sorted(used - example)}")
        for key in used:
            need(key in APP_ENV | DEPLOY_ENV, f"{fname}: unknown variable {key}")


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "compose" and len(argv) == 4:
        check_compose(argv[2], argv[3])
    elif cmd == "dockerfile":
        check_dockerfile()
    elif cmd == "k8s" and len(argv) == 4:
        check_k8s(argv[2], argv[3])
    elif cmd == "systemd":
        check_systemd()
    elif cmd == "render":
        check_render()
    elif cmd == "env-names":
        check_env_names()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        print(f"unexpected structure: {type(err).__name__}: {err}")
        sys.exit(1)
