#!/usr/bin/env python3
"""Deterministic synthetic monorepo of CI pipelines, compose files, Dockerfiles
and shell scripts for bench/lint.sh (issue: `hostward lint`, 10,000 files).

    python3 bench/gen_ci_repo.py FILES SEED OUT [MISTAKES]

Writes exactly FILES files (default 10,000 in bench/lint.sh) under OUT, which
must not exist or be empty, in about FILES/10 service folders
services/svc-0001/ ... The same FILES and SEED always give the same bytes.

Every file is one `hostward lint OUT` reads, found by its name or by a
reference from another file, so its file count must equal FILES:
  * docker-compose.yml (2-6 services: the app, databases, caches, brokers,
    proxies; ports in short and long form, env maps and lists, anchors and
    `<<:` merge keys in some), docker-compose.override.yml, compose.test.yml;
  * Dockerfile (multi-stage) and Dockerfile.dev;
  * .github/workflows/ci.yml, release.yml, lint.yml (jobs on GitHub-hosted
    and self-hosted runners, service containers, multi-line `run: |` bash with
    docker run, curl, npm/pip/go/mvn) and .github/actions/setup/action.yml (a
    composite action the CI workflow uses);
  * azure-pipelines.yml (stages, jobs, deployment jobs, Bash@3 filePath) with
    `- template:` references to ci/templates/*.yml, which exist;
  * .gitlab-ci.yml with `include: local:` ci/gitlab/jobs.yml (and remote
    includes, which are not files here);
  * scripts/build.sh, test.sh, deploy.sh, each run by a CI step.
Sizes are those of real files, 0.5-6 KB. Scripts are referenced by their path
from the repository root, as CI steps run there.

About 5% of the files carry one planted mistake that `hostward lint` reports
(a port published on all interfaces, POSTGRES_HOST_AUTH_METHOD=trust and its
kin, a self-hosted job without a timeout, a privileged container, a
docker.sock mount, host networking, curl | sh, a hardcoded secret); the rest
are written so as to give no finding (ports bound to 127.0.0.1, secrets
from the CI's secret store, timeouts on self-hosted jobs, downloads checked
with sha256sum). MISTAKES, when given, receives the paths (relative to OUT)
of the files with a planted mistake, one a line, sorted.

Prints one line on stdout:
    files N bytes N yaml_files N yaml_bytes N mistakes N
(yaml_* counts the .yml files, the ones a YAML-only tool reads).
"""

import os
import random
import string
import sys

MISTAKE_RATE = 0.05

STACKS = {
    "node": {
        "build_image": "node:20-bookworm-slim",
        "run_image": "node:20-bookworm-slim",
        "port": 3000,
        "install": "npm ci --no-audit --no-fund",
        "build": "npm run build",
        "test": "npm test -- --ci --reporters=default --reporters=jest-junit",
        "lint": "npm run lint",
        "setup_action": "actions/setup-node@v4",
        "setup_with": ("node-version", "20"),
        "cache": "npm",
        "azure_tool": ("NodeTool@0", "versionSpec", "20.x"),
        "gitlab_image": "node:20-bookworm",
        "artifact": "dist/",
    },
    "python": {
        "build_image": "python:3.12-slim",
        "run_image": "python:3.12-slim",
        "port": 8000,
        "install": "python -m pip install --no-cache-dir -r requirements.txt",
        "build": "python -m build --wheel",
        "test": "python -m pytest -q --junitxml=reports/junit.xml",
        "lint": "ruff check . && mypy src",
        "setup_action": "actions/setup-python@v5",
        "setup_with": ("python-version", "3.12"),
        "cache": "pip",
        "azure_tool": ("UsePythonVersion@0", "versionSpec", "3.12"),
        "gitlab_image": "python:3.12",
        "artifact": "dist/*.whl",
    },
    "go": {
        "build_image": "golang:1.22-bookworm",
        "run_image": "gcr.io/distroless/static-debian12:nonroot",
        "port": 8080,
        "install": "go mod download",
        "build": "CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o bin/server ./cmd/server",
        "test": "go test -race -count=1 ./...",
        "lint": "go vet ./... && staticcheck ./...",
        "setup_action": "actions/setup-go@v5",
        "setup_with": ("go-version", "1.22"),
        "cache": "",
        "azure_tool": ("GoTool@0", "version", "1.22.5"),
        "gitlab_image": "golang:1.22",
        "artifact": "bin/server",
    },
    "java": {
        "build_image": "eclipse-temurin:21-jdk-jammy",
        "run_image": "eclipse-temurin:21-jre-jammy",
        "port": 8080,
        "install": "./mvnw -B -q dependency:go-offline",
        "build": "./mvnw -B -DskipTests package",
        "test": "./mvnw -B verify",
        "lint": "./mvnw -B spotless:check checkstyle:check",
        "setup_action": "actions/setup-java@v4",
        "setup_with": ("java-version", "21"),
        "cache": "maven",
        "azure_tool": ("JavaToolInstaller@0", "versionSpec", "21"),
        "gitlab_image": "maven:3.9-eclipse-temurin-21",
        "artifact": "target/*.jar",
    },
}

# Backing services for compose files: name, image, container port, kind.
BACKING = [
    ("db", "postgres:16-alpine", 5432, "postgres"),
    ("cache", "redis:7-alpine", 6379, "redis"),
    ("mysql", "mysql:8.4", 3306, "mysql"),
    ("mongo", "mongo:7", 27017, "mongo"),
    ("broker", "rabbitmq:3.13-management", 5672, "rabbitmq"),
    ("search", "docker.elastic.co/elasticsearch/elasticsearch:8.14.1", 9200, "elastic"),
    ("proxy", "nginx:1.27-alpine", 80, "nginx"),
    ("minio", "minio/minio:RELEASE.2024-06-13T22-53-53Z", 9000, "minio"),
    ("mail", "axllent/mailpit:v1.18", 8025, "mail"),
    ("metrics", "prom/prometheus:v2.53.0", 9090, "prometheus"),
    ("grafana", "grafana/grafana:11.1.0", 3000, "grafana"),
    ("worker", None, None, "worker"),
]

# What each kind of file can get wrong, each reported by hostward lint.
MISTAKES = {
    "compose": ["port_all", "long_port_all", "trust", "privileged", "docker_sock",
                "host_network", "secret", "mysql_empty"],
    "compose_extra": ["port_all", "privileged", "docker_sock", "host_network", "secret"],
    "dockerfile": ["curl_pipe", "env_secret", "arg_token"],
    "workflow": ["no_timeout", "curl_pipe", "docker_port", "secret", "service_port",
                 "privileged"],
    "workflow_simple": ["curl_pipe", "docker_port", "secret", "docker_sock"],
    "action": ["curl_pipe", "docker_sock"],
    "azure": ["no_timeout", "trust", "curl_pipe", "secret"],
    "azure_template": ["curl_pipe", "privileged", "docker_sock"],
    "gitlab": ["no_timeout", "trust", "curl_pipe", "secret"],
    "gitlab_include": ["curl_pipe", "privileged", "docker_port"],
    "shell": ["curl_pipe", "docker_sock", "privileged", "host_network", "trust_run"],
}

# Files a service may have or not without breaking a reference; the generator
# adds or drops them to hit FILES exactly.
OPTIONAL = ["release", "lint", "override", "compose_test", "dockerfile_dev", "action"]


def token(rng, n, alphabet=string.ascii_letters + string.digits):
    return "".join(rng.choice(alphabet) for _ in range(n))


def hexs(rng, n):
    return token(rng, n, "0123456789abcdef")


class Service:
    def __init__(self, rng, index):
        self.rng = rng
        self.index = index
        self.name = f"svc-{index:04d}"
        self.dir = f"services/{self.name}"
        self.stack_name = rng.choice(list(STACKS))
        self.stack = STACKS[self.stack_name]
        self.team = rng.choice(["payments", "identity", "search", "platform", "growth",
                                "catalog", "ledger", "notify", "edge", "data"])
        n_backing = rng.randint(1, 5)
        pool = BACKING[:]
        rng.shuffle(pool)
        self.backing = sorted(pool[:n_backing], key=lambda b: BACKING.index(b))
        self.port = self.stack["port"]
        self.host_port = rng.choice([3000, 5000, 8000, 8080, 8081, 9000]) + index % 50
        self.github = rng.random() < 0.85
        self.azure = rng.random() < 0.4 or not self.github
        self.gitlab = rng.random() < 0.3
        self.azure_jobs_template = self.azure and rng.random() < 0.5
        self.self_hosted = rng.random() < 0.5
        self.optional = {o: rng.random() < 0.45 for o in OPTIONAL}
        if not self.github:
            self.optional["release"] = self.optional["lint"] = self.optional["action"] = False

    def kinds(self):
        """rel path -> kind, for the files this service has."""
        d = self.dir
        out = {f"{d}/docker-compose.yml": "compose", f"{d}/Dockerfile": "dockerfile",
               f"{d}/scripts/build.sh": "shell", f"{d}/scripts/test.sh": "shell"}
        if self.github:
            out[f"{d}/.github/workflows/ci.yml"] = "workflow"
        if self.azure:
            out[f"{d}/azure-pipelines.yml"] = "azure"
            out[f"{d}/ci/templates/build-steps.yml"] = "azure_template"
            out[f"{d}/ci/templates/test-steps.yml"] = "azure_template"
            if self.azure_jobs_template:
                out[f"{d}/ci/templates/deploy-job.yml"] = "azure_template"
            out[f"{d}/scripts/deploy.sh"] = "shell"
        if self.gitlab:
            out[f"{d}/.gitlab-ci.yml"] = "gitlab"
            out[f"{d}/ci/gitlab/jobs.yml"] = "gitlab_include"
        o = self.optional
        if o["release"]:
            out[f"{d}/.github/workflows/release.yml"] = "workflow_simple"
        if o["lint"]:
            out[f"{d}/.github/workflows/lint.yml"] = "workflow_simple"
        if o["action"]:
            out[f"{d}/.github/actions/setup/action.yml"] = "action"
        if o["override"]:
            out[f"{d}/docker-compose.override.yml"] = "compose_extra"
        if o["compose_test"]:
            out[f"{d}/compose.test.yml"] = "compose_extra"
        if o["dockerfile_dev"]:
            out[f"{d}/Dockerfile.dev"] = "dockerfile"
        return out


# ---------------------------------------------------------------- compose

def compose_backing(svc, rng, name, image, port, kind, mistake, anchors):
    """Lines of one backing service; `mistake` (or None) applies to it."""
    L = [f"  {name}:"]
    if anchors:
        L.append("    <<: *defaults")
    if kind == "worker":
        L.append(f"    image: registry.example.com/{svc.team}/{svc.name}:${{TAG:-latest}}")
        cmd = {"node": '["node", "dist/worker.js"]', "python": '["python", "-m", "app.worker"]',
               "go": '["/app/server", "worker"]', "java": '["java", "-jar", "/app/app.jar", "--worker"]'}
        L.append(f"    command: {cmd[svc.stack_name]}")
    else:
        L.append(f"    image: {image}")
    env = []
    if kind == "postgres":
        env = [("POSTGRES_DB", svc.name.replace("-", "_")), ("POSTGRES_USER", "app"),
               ("POSTGRES_PASSWORD", "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}")]
        if mistake == "trust":
            env.append(("POSTGRES_HOST_AUTH_METHOD", "trust"))
        if mistake == "secret":
            env[2] = ("POSTGRES_PASSWORD", "devpass-" + token(rng, 6))
    elif kind == "mysql":
        env = [("MYSQL_DATABASE", "app"), ("MYSQL_USER", "app"),
               ("MYSQL_PASSWORD", "${MYSQL_PASSWORD}"),
               ("MYSQL_ROOT_PASSWORD", "${MYSQL_ROOT_PASSWORD}")]
        if mistake == "mysql_empty":
            env = [("MYSQL_DATABASE", "app"), ("MYSQL_ALLOW_EMPTY_PASSWORD", "\"yes\"")]
    elif kind == "mongo":
        env = [("MONGO_INITDB_ROOT_USERNAME", "root"),
               ("MONGO_INITDB_ROOT_PASSWORD", "${MONGO_ROOT_PASSWORD}")]
    elif kind == "rabbitmq":
        env = [("RABBITMQ_DEFAULT_USER", "app"), ("RABBITMQ_DEFAULT_PASS", "${RABBITMQ_PASSWORD}")]
    elif kind == "elastic":
        env = [("discovery.type", "single-node"), ("ES_JAVA_OPTS", "-Xms512m -Xmx512m"),
               ("ELASTIC_PASSWORD", "${ELASTIC_PASSWORD}")]
    elif kind == "minio":
        env = [("MINIO_ROOT_USER", "minio"), ("MINIO_ROOT_PASSWORD", "${MINIO_ROOT_PASSWORD}")]
        L.append('    command: server /data --console-address ":9001"')
    elif kind == "grafana":
        env = [("GF_SECURITY_ADMIN_USER", "admin"),
               ("GF_SECURITY_ADMIN_PASSWORD", "${GRAFANA_ADMIN_PASSWORD}"),
               ("GF_USERS_ALLOW_SIGN_UP", "\"false\"")]
    elif kind == "redis":
        L.append("    command: redis-server --requirepass ${REDIS_PASSWORD} --appendonly yes")
    elif kind == "worker":
        env = [("QUEUE", f"{svc.name}-jobs"), ("LOG_LEVEL", "info"),
               ("DATABASE_URL", "postgres://app:${POSTGRES_PASSWORD}@db:5432/app")]
    if mistake == "secret" and kind != "postgres":
        env.append(("API_TOKEN", "ghp_" + token(rng, 36)))
    if env:
        if rng.random() < 0.5:
            L.append("    environment:")
            L += [f"      {k}: {v}" for k, v in env]
        else:
            L.append("    environment:")
            L += [f"      - {k}={v.strip(chr(34))}" for k, v in env]
    if port:
        host = port if rng.random() < 0.7 else port + 10000
        if mistake == "port_all":
            L += ["    ports:", f'      - "{host}:{port}"']
        elif mistake == "long_port_all":
            L += ["    ports:", f"      - target: {port}", f"        published: {host}",
                  "        protocol: tcp"]
        elif mistake == "host_network":
            L.append("    network_mode: host")
        elif rng.random() < 0.6:
            if rng.random() < 0.7:
                L += ["    ports:", f'      - "127.0.0.1:{host}:{port}"']
            else:
                L += ["    ports:", f"      - target: {port}", f"        published: {host}",
                      "        host_ip: 127.0.0.1", "        protocol: tcp"]
        else:
            L += ["    expose:", f'      - "{port}"']
    if mistake == "privileged":
        L.append("    privileged: true")
    vols = {"postgres": "pgdata:/var/lib/postgresql/data", "mysql": "mysqldata:/var/lib/mysql",
            "mongo": "mongodata:/data/db", "redis": "redisdata:/data",
            "elastic": "esdata:/usr/share/elasticsearch/data", "minio": "miniodata:/data",
            "nginx": "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro",
            "prometheus": "./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
            "grafana": "grafana:/var/lib/grafana"}
    v = [vols[kind]] if kind in vols else []
    if mistake == "docker_sock":
        v.append("/var/run/docker.sock:/var/run/docker.sock:ro")
    if v:
        L.append("    volumes:")
        L += [f"      - {x}" for x in v]
    checks = {"postgres": '["CMD-SHELL", "pg_isready -U app"]',
              "mysql": '["CMD", "mysqladmin", "ping", "-h", "localhost"]',
              "redis": '["CMD-SHELL", "redis-cli -a \\"$$REDIS_PASSWORD\\" ping | grep PONG"]',
              "mongo": '["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand(\'ping\')"]',
              "rabbitmq": '["CMD", "rabbitmq-diagnostics", "-q", "ping"]'}
    if kind in checks:
        L += ["    healthcheck:", f"      test: {checks[kind]}", "      interval: 10s",
              "      timeout: 5s", f"      retries: {rng.randint(3, 10)}"]
    if not anchors:
        L.append("    restart: unless-stopped")
    return L


def gen_compose(svc, rng, mistake):
    anchors = rng.random() < 0.4
    L = [f"# {svc.name} ({svc.team}): local development and integration stack.",
         "# Copy .env.example to .env and fill in the passwords before `docker compose up`.",
         ""]
    if anchors:
        L += ["x-defaults: &defaults", "  restart: unless-stopped", "  logging: &default-logging",
              "    driver: json-file", "    options:", '      max-size: "10m"',
              '      max-file: "3"', "  networks:", "    - backend", "",
              "x-app-env: &app-env", "  LOG_LEVEL: info", "  LOG_FORMAT: json",
              f"  SERVICE_NAME: {svc.name}", "  OTEL_EXPORTER_OTLP_ENDPOINT: http://otel:4317", ""]
    L.append("services:")
    # Which service carries the mistake: the app or one backing service.
    targets = ["app"] + [b[0] for b in svc.backing]
    if mistake == "trust":
        if not any(b[3] == "postgres" for b in svc.backing):
            svc.backing = [BACKING[0]] + svc.backing
        target = "db"
    elif mistake == "mysql_empty":
        if not any(b[3] == "mysql" for b in svc.backing):
            svc.backing = svc.backing + [BACKING[2]]
        target = "mysql"
    elif mistake in ("port_all", "long_port_all", "host_network"):
        target = rng.choice([b[0] for b in svc.backing if b[2]] or ["app"])
    else:
        target = rng.choice(targets) if mistake else None
    # The app
    L += ["  app:"]
    if anchors:
        L.append("    <<: *defaults")
    L += ["    build:", "      context: .", "      dockerfile: Dockerfile", "      args:",
          "        APP_VERSION: ${APP_VERSION:-0.0.0-dev}",
          f"    image: registry.example.com/{svc.team}/{svc.name}:${{TAG:-latest}}"]
    am = mistake if target == "app" else None
    if am == "host_network":
        L.append("    network_mode: host")
    elif am in ("port_all", "long_port_all"):
        L += ["    ports:", f'      - "{svc.host_port}:{svc.port}"']
    elif rng.random() < 0.5:
        L += ["    ports:", f'      - "127.0.0.1:{svc.host_port}:{svc.port}"']
    else:
        L += ["    ports:", f"      - target: {svc.port}", f"        published: {svc.host_port}",
              "        host_ip: 127.0.0.1"]
    env = [("PORT", str(svc.port)), ("NODE_ENV" if svc.stack_name == "node" else "APP_ENV", "development")]
    for b in svc.backing:
        if b[3] == "postgres":
            env.append(("DATABASE_URL", "postgres://app:${POSTGRES_PASSWORD}@db:5432/app"))
        elif b[3] == "redis":
            env.append(("REDIS_URL", "redis://:${REDIS_PASSWORD}@cache:6379/0"))
        elif b[3] == "rabbitmq":
            env.append(("AMQP_URL", "amqp://app:${RABBITMQ_PASSWORD}@broker:5672/"))
        elif b[3] == "mongo":
            env.append(("MONGO_URL", "mongodb://root:${MONGO_ROOT_PASSWORD}@mongo:27017"))
    if am == "secret":
        env.append(("STRIPE_SECRET_KEY", "sk_live_" + token(rng, 24)))
    L.append("    environment:")
    if anchors:
        L.append("      <<: *app-env")
        L += [f"      {k}: {v}" for k, v in env]
    elif rng.random() < 0.5:
        L += [f"      {k}: {v}" for k, v in env]
    else:
        L += [f"      - {k}={v}" for k, v in env]
    if am == "privileged":
        L.append("    privileged: true")
    L += ["    volumes:", "      - ./src:/app/src:ro", "      - ./config:/app/config:ro"]
    if am == "docker_sock":
        L.append("      - /var/run/docker.sock:/var/run/docker.sock")
    if svc.backing:
        L.append("    depends_on:")
        for b in svc.backing:
            if b[3] in ("postgres", "mysql", "redis", "mongo", "rabbitmq"):
                L += [f"      {b[0]}:", "        condition: service_healthy"]
            else:
                L += [f"      {b[0]}:", "        condition: service_started"]
    if rng.random() < 0.5:
        L += ["    labels:", "      traefik.enable: \"true\"",
              f"      traefik.http.routers.{svc.name}.rule: Host(`{svc.name}.localhost`)",
              f"      traefik.http.services.{svc.name}.loadbalancer.server.port: \"{svc.port}\"",
              f"      com.example.team: {svc.team}"]
    if rng.random() < 0.5:
        L += ["    deploy:", "      resources:", "        limits:", f"          cpus: \"{rng.choice(['0.5', '1', '2'])}\"",
              f"          memory: {rng.choice([256, 512, 1024])}M", "        reservations:", "          memory: 128M"]
    L += ["    healthcheck:",
          f'      test: ["CMD", "wget", "-qO-", "http://127.0.0.1:{svc.port}/healthz"]',
          "      interval: 15s", "      timeout: 3s", "      start_period: 20s"]
    if not anchors:
        L.append("    restart: unless-stopped")
    for b in svc.backing:
        L.append("")
        L += compose_backing(svc, rng, *b, mistake if target == b[0] else None, anchors)
    named = [v for b in svc.backing for v in
             {"postgres": ["pgdata"], "mysql": ["mysqldata"], "mongo": ["mongodata"],
              "redis": ["redisdata"], "elastic": ["esdata"], "minio": ["miniodata"],
              "grafana": ["grafana"]}.get(b[3], [])]
    if named:
        L += ["", "volumes:"] + [f"  {v}: {{}}" for v in named]
    if anchors:
        L += ["", "networks:", "  backend:", "    driver: bridge"]
    return "\n".join(L) + "\n"


def gen_compose_extra(svc, rng, mistake, test):
    st = svc.stack
    L = []
    if test:
        password = "test-" + token(rng, 8) if mistake == "secret" else "${TEST_DB_PASSWORD:?}"
        L += [f"# {svc.name}: throwaway stack for integration tests (docker compose -f compose.test.yml up).",
              "name: " + svc.name + "-test", "", "services:", "  db:", "    image: postgres:16-alpine",
              "    environment:", "      POSTGRES_DB: test", "      POSTGRES_USER: test",
              f"      POSTGRES_PASSWORD: {password}", "    tmpfs:", "      - /var/lib/postgresql/data",
              "    healthcheck:", '      test: ["CMD-SHELL", "pg_isready -U test"]', "      interval: 2s",
              "      retries: 30"]
        if mistake == "port_all":
            L += ["    ports:", '      - "5432:5432"']
        elif mistake == "host_network":
            L += ["    network_mode: host"]
        else:
            L += ["    ports:", '      - "127.0.0.1:55432:5432"']
        L += ["", "  tests:", "    build:", "      context: .", "      dockerfile: Dockerfile",
              "      target: build", f"    command: sh -c \"{st['test']}\"", "    environment:",
              "      - DATABASE_URL=postgres://test:${TEST_DB_PASSWORD}@db:5432/test",
              "      - CI=true", "    depends_on:", "      db:", "        condition: service_healthy",
              "    volumes:", "      - ./reports:/app/reports"]
        if mistake == "docker_sock":
            L.append("      - /var/run/docker.sock:/var/run/docker.sock")
        if mistake == "privileged":
            L.append("    privileged: true")
    else:
        L += [f"# {svc.name}: developer overrides, picked up by `docker compose up` automatically.",
              "# Hot reload, source mounts and debug ports; never used in CI.", "services:",
              "  app:", "    build:", "      target: dev" if rng.random() < 0.5 else "      target: build"]
        cmd = {"node": "npm run dev", "python": f"uvicorn app.main:app --reload --host 0.0.0.0 --port {svc.port}",
               "go": "air -c .air.toml", "java": "./mvnw spring-boot:run"}
        L.append(f"    command: {cmd[svc.stack_name]}")
        L += ["    environment:", "      LOG_LEVEL: debug", "      FEATURE_FLAGS: all"]
        if mistake == "secret":
            L.append("      SLACK_BOT_TOKEN: xoxb-" + token(rng, 12) + "-" + token(rng, 24))
        L += ["    volumes:", "      - .:/app:cached", "      - /app/node_modules"
              if svc.stack_name == "node" else "      - build-cache:/root/.cache"]
        if mistake == "docker_sock":
            L.append("      - /var/run/docker.sock:/var/run/docker.sock")
        dbg = {"node": 9229, "python": 5678, "go": 2345, "java": 5005}[svc.stack_name]
        if mistake == "port_all":
            L += ["    ports:", f'      - "{dbg}:{dbg}"']
        elif mistake == "host_network":
            L.append("    network_mode: host")
        else:
            L += ["    ports:", f'      - "127.0.0.1:{dbg}:{dbg}"']
        if mistake == "privileged":
            L.append("    privileged: true")
        L += ["", "  mail:", "    image: axllent/mailpit:v1.18", "    ports:",
              '      - "127.0.0.1:8025:8025"', '      - "127.0.0.1:1025:1025"']
        if svc.stack_name != "node":
            L += ["", "volumes:", "  build-cache: {}"]
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- Dockerfile

def gen_dockerfile(svc, rng, mistake, dev):
    st = svc.stack
    L = ["# syntax=docker/dockerfile:1.7",
         f"# {svc.name}: {'development image with hot reload' if dev else 'production image'}",
         "ARG APP_VERSION=0.0.0", ""]
    if mistake == "arg_token":
        L.insert(3, "ARG NPM_TOKEN=npm_" + token(rng, 36))
    L += [f"FROM {st['build_image']} AS build", "WORKDIR /app",
          "RUN apt-get update \\", "    && apt-get install -y --no-install-recommends ca-certificates git curl \\",
          "    && rm -rf /var/lib/apt/lists/*"]
    if mistake == "curl_pipe":
        url = rng.choice(["https://deb.nodesource.com/setup_20.x", "https://sh.rustup.rs",
                          "https://install.python-poetry.org", "https://get.example-cli.dev/install.sh"])
        L += [f"RUN curl -fsSL {url} | bash -"]
    else:
        v = f"{rng.randint(1, 3)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
        L += [f"ARG TOOL_VERSION={v}", f"ARG TOOL_SHA256={hexs(rng, 64)}",
              'RUN curl -fsSLo /tmp/tool.tar.gz "https://downloads.example.com/tool/v${TOOL_VERSION}/tool-linux-amd64.tar.gz" \\',
              '    && echo "${TOOL_SHA256}  /tmp/tool.tar.gz" | sha256sum -c - \\',
              "    && tar -xzf /tmp/tool.tar.gz -C /usr/local/bin tool \\",
              "    && rm /tmp/tool.tar.gz"]
    deps = {"node": ["COPY package.json package-lock.json ./"],
            "python": ["COPY requirements.txt requirements-dev.txt ./"],
            "go": ["COPY go.mod go.sum ./"],
            "java": ["COPY mvnw pom.xml ./", "COPY .mvn .mvn"]}[svc.stack_name]
    L += deps
    L += [f"RUN --mount=type=cache,target=/root/.cache {st['install']}", "COPY . .",
          f"RUN {st['build']}", ""]
    if mistake == "env_secret":
        L += [f"ENV DB_PASSWORD={token(rng, 12)}"]
    if rng.random() < 0.5:
        L += ["FROM build AS test", f"RUN {st['test']}", ""]
    if dev:
        L += ["FROM build AS dev", "ENV APP_ENV=development", f"EXPOSE {svc.port}"]
        cmd = {"node": '["npm", "run", "dev"]', "python": '["python", "-m", "app", "--reload"]',
               "go": '["air", "-c", ".air.toml"]', "java": '["./mvnw", "spring-boot:run"]'}
        L += [f"CMD {cmd[svc.stack_name]}"]
        return "\n".join(L) + "\n"
    L += [f"FROM {st['run_image']} AS runtime", "ARG APP_VERSION",
          'LABEL org.opencontainers.image.source="https://git.example.com/monorepo" \\',
          f'      org.opencontainers.image.title="{svc.name}" \\',
          '      org.opencontainers.image.version="${APP_VERSION}"', "WORKDIR /app"]
    copy = {"node": ["COPY --from=build /app/dist ./dist", "COPY --from=build /app/node_modules ./node_modules",
                     "COPY package.json ./"],
            "python": ["COPY --from=build /app/dist/*.whl /tmp/", "RUN pip install --no-cache-dir /tmp/*.whl && rm /tmp/*.whl"],
            "go": ["COPY --from=build /app/bin/server /app/server"],
            "java": ["COPY --from=build /app/target/*.jar /app/app.jar"]}[svc.stack_name]
    L += copy
    L += [f"ENV PORT={svc.port} \\", "    LOG_FORMAT=json", f"EXPOSE {svc.port}", "USER 10001"]
    cmd = {"node": '["node", "dist/server.js"]', "python": '["python", "-m", "app"]',
           "go": '["/app/server"]', "java": '["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]'}
    if svc.stack_name != "go":
        L += [f'HEALTHCHECK --interval=30s --timeout=3s CMD ["wget", "-qO-", "http://127.0.0.1:{svc.port}/healthz"]']
    L += [f"ENTRYPOINT {cmd[svc.stack_name]}"]
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- shell

def gen_shell(svc, rng, mistake, which):
    st = svc.stack
    L = ["#!/usr/bin/env bash", f"# {svc.name}: {which} step, run by CI from the repository root.",
         "set -euo pipefail", "", f'SERVICE_DIR="services/{svc.name}"',
         f'IMAGE="${{REGISTRY:-registry.example.com}}/{svc.team}/{svc.name}"',
         'TAG="${TAG:-$(git rev-parse --short HEAD)}"', "",
         "log() { printf '%s %s\\n' \"$(date -u +%H:%M:%S)\" \"$*\" >&2; }", ""]
    if rng.random() < 0.5:
        L += ["usage() {", "  cat <<EOF", "Usage: $0 [--dry-run] [--verbose]", "",
              f"{which.capitalize()} {svc.name}. Reads REGISTRY, TAG and the *_PASSWORD variables",
              "from the environment; CI sets them from its secret store.", "EOF", "}", "",
              "DRY_RUN=false", "while [[ $# -gt 0 ]]; do", '  case "$1" in', "    --dry-run) DRY_RUN=true ;;",
              "    --verbose) set -x ;;", "    -h|--help) usage; exit 0 ;;", "    --) shift; break ;;",
              "    -*) usage >&2; exit 2 ;;", "    *) break ;;", "  esac", "  shift", "done", "",
              "run() {", '  if [[ "$DRY_RUN" == "true" ]]; then', '    log "dry run: $*"', "  else", '    "$@"', "  fi", "}", ""]
    if rng.random() < 0.5:
        L += ["# retry N CMD...: run CMD up to N times, backing off 2, 4, 8 ... seconds.", "retry() {",
              '  local n=$1 i=1 delay=2', "  shift", '  until "$@"; do', '    if (( i >= n )); then',
              '      log "failed after $n attempts: $*"', "      return 1", "    fi",
              '    log "attempt $i failed, retrying in ${delay}s"', '    sleep "$delay"',
              "    i=$((i + 1)) delay=$((delay * 2))", "  done", "}", ""]
    bad = []
    if mistake == "curl_pipe":
        bad = ["curl -fsSL https://raw.githubusercontent.com/example/tools/main/install.sh | bash"]
    elif mistake == "docker_sock":
        bad = ['docker run --rm -v /var/run/docker.sock:/var/run/docker.sock aquasec/trivy:0.53.0 image "$IMAGE:$TAG"']
    elif mistake == "privileged":
        bad = ['docker run --rm --privileged -v "$PWD:/src" -w /src moby/buildkit:v0.14.1 buildctl-daemonless.sh build']
    elif mistake == "host_network":
        bad = ['docker run -d --name "ci-db-$TAG" --network host -e POSTGRES_PASSWORD="$CI_DB_PASSWORD" postgres:16-alpine']
    elif mistake == "trust_run":
        bad = ['docker run -d --name "ci-db-$TAG" -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16-alpine']
    if which == "build":
        L += ["build_app() {", '  log "building $SERVICE_DIR"', '  (cd "$SERVICE_DIR" && ' + st["install"] + ")",
              f'  (cd "$SERVICE_DIR" && {st["build"]})', "}", "",
              "build_image() {", '  docker build \\', '    --pull \\', '    --build-arg APP_VERSION="$TAG" \\',
              '    --label org.opencontainers.image.revision="$(git rev-parse HEAD)" \\',
              '    -t "$IMAGE:$TAG" \\', '    "$SERVICE_DIR"', "}", "",
              "push_image() {", '  if [[ "${PUSH:-false}" != "true" ]]; then', '    log "PUSH is not true: not pushing"',
              "    return 0", "  fi", '  echo "$REGISTRY_PASSWORD" | docker login "${REGISTRY:-registry.example.com}" -u "$REGISTRY_USER" --password-stdin',
              '  docker push "$IMAGE:$TAG"', "}", ""]
        L += bad
        L += ["build_app", "build_image", "push_image", 'log "done: $IMAGE:$TAG"']
    elif which == "test":
        dbport = 15432 + svc.index % 1000
        L += ["cleanup() {", '  docker rm -f "test-db-$TAG" >/dev/null 2>&1 || true', "}", "trap cleanup EXIT", "",
              'log "starting a throwaway database"',
              f'docker run -d --name "test-db-$TAG" -p 127.0.0.1:{dbport}:5432 \\',
              '  -e POSTGRES_PASSWORD="$TEST_DB_PASSWORD" -e POSTGRES_DB=test \\',
              "  postgres:16-alpine >/dev/null", "for _ in $(seq 1 30); do",
              '  docker exec "test-db-$TAG" pg_isready -U postgres >/dev/null 2>&1 && break', "  sleep 1", "done", "",
              f'export DATABASE_URL="postgres://postgres:$TEST_DB_PASSWORD@127.0.0.1:{dbport}/test"']
        L += bad
        L += ['cd "$SERVICE_DIR"', st["install"], st["test"], "",
              'if [[ -n "${COVERAGE_UPLOAD:-}" ]]; then',
              '  curl -fsS --retry 3 -H "Authorization: Bearer $COVERAGE_TOKEN" \\',
              '    -F "file=@coverage/lcov.info" "https://coverage.example.com/upload?service=' + svc.name + '"',
              "fi"]
    else:
        L += ['ENVIRONMENT="${1:-staging}"', 'case "$ENVIRONMENT" in', "  staging|production) ;;",
              '  *) echo "unknown environment: $ENVIRONMENT" >&2; exit 2 ;;', "esac", "",
              'log "deploying $IMAGE:$TAG to $ENVIRONMENT"', 'kubectl config use-context "$ENVIRONMENT"',
              f'kubectl -n {svc.team} set image deployment/{svc.name} app="$IMAGE:$TAG"',
              f'kubectl -n {svc.team} rollout status deployment/{svc.name} --timeout=300s']
        L += bad
        L += ["", 'if ! curl -fsS --max-time 10 "https://' + svc.name + '.$ENVIRONMENT.example.com/healthz"; then',
              '  log "health check failed, rolling back"', f'  kubectl -n {svc.team} rollout undo deployment/{svc.name}',
              "  exit 1", "fi"]
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- GitHub

def run_block(lines, indent):
    pad = " " * indent
    return [f"{pad}run: |"] + [f"{pad}  {l}" if l else "" for l in lines]


def gen_workflow_ci(svc, rng, mistake):
    st = svc.stack
    d = svc.dir
    key, ver = st["setup_with"]
    L = [f"name: {svc.name} CI", "", "on:", "  push:", "    branches: [main]", "    paths:",
         f'      - "{d}/**"', "  pull_request:", "    paths:", f'      - "{d}/**"', "  workflow_dispatch:", "",
         "permissions:", "  contents: read", "  packages: write", "", "concurrency:",
         f"  group: {svc.name}-${{{{ github.ref }}}}", "  cancel-in-progress: true", "", "env:",
         f"  SERVICE: {svc.name}", "  REGISTRY: registry.example.com", f"  IMAGE: registry.example.com/{svc.team}/{svc.name}"]
    if mistake == "secret":
        L.append("  NPM_TOKEN: npm_" + token(rng, 36))
    L += ["", "jobs:"]
    setup = []
    if svc.optional["action"]:
        setup = [f"      - uses: ./{d}/.github/actions/setup", "        with:", f"          {key}: \"{ver}\""]
    else:
        setup = [f"      - uses: {st['setup_action']}", "        with:", f"          {key}: \"{ver}\""]
        if st["cache"]:
            setup.append(f"          cache: {st['cache']}")
    # lint job, hosted
    L += ["  lint:", "    runs-on: ubuntu-22.04", "    timeout-minutes: 10", "    steps:",
          "      - uses: actions/checkout@v4"] + setup
    L += ["      - name: Lint"] + run_block([f"cd {d}", st["install"], st["lint"]], 8)
    if rng.random() < 0.5:
        L += ["      - name: Check formatting and generated files"] + run_block([
            "set -euo pipefail", f"cd {d}", "git diff --exit-code -- . ':!**/*.lock'",
            "if [ -n \"$(git status --porcelain)\" ]; then",
            "  echo \"::error::generated files are out of date; run make generate\"", "  git status --short",
            "  exit 1", "fi"], 8)
    # test job
    hosted_test = rng.random() < 0.6
    L += ["", "  test:", "    needs: lint"]
    L += ["    runs-on: ubuntu-22.04"] if hosted_test else ["    runs-on: [self-hosted, linux, x64, docker]"]
    L.append(f"    timeout-minutes: {rng.choice([15, 20, 30])}")
    if rng.random() < 0.4:
        L += ["    strategy:", "      fail-fast: false", "      matrix:", f"        {key}:"]
        L += [f'          - "{v}"' for v in {"node": ["18", "20", "22"], "python": ["3.10", "3.11", "3.12"],
                                               "go": ["1.21", "1.22"], "java": ["17", "21"]}[svc.stack_name]]
        L += ["        shard: [1, 2, 3]"]
    if rng.random() < 0.5 or mistake in ("service_port", "privileged"):
        L += ["    services:", "      postgres:", "        image: postgres:16", "        env:",
              "          POSTGRES_DB: test", "          POSTGRES_USER: test",
              "          POSTGRES_PASSWORD: ${{ secrets.CI_DB_PASSWORD }}"]
        if mistake == "service_port":
            L += ["        ports:", '          - "5432:5432"']
        else:
            L += ["        ports:", '          - "127.0.0.1:5432:5432"']
        opts = "--health-cmd pg_isready --health-interval 5s --health-timeout 5s --health-retries 10"
        if mistake == "privileged":
            opts = "--privileged " + opts
        L += ["        options: >-", f"          {opts}"]
        if rng.random() < 0.5:
            L += ["      redis:", "        image: redis:7-alpine", "        ports:", '          - "127.0.0.1:6379:6379"',
                  "        options: --health-cmd \"redis-cli ping\" --health-interval 5s"]
    L += ["    env:", "      TEST_DB_PASSWORD: ${{ secrets.CI_DB_PASSWORD }}", "    steps:",
          "      - uses: actions/checkout@v4", "        with:", "          fetch-depth: 0"] + setup
    lines = ["set -euo pipefail",
             f"docker run -d --name wiremock -p 127.0.0.1:{8090 + svc.index % 100}:8080 wiremock/wiremock:3.5.4",
             f"bash {d}/scripts/test.sh"]
    if mistake == "docker_port":
        lines.insert(1, "docker run -d --name cache -p 6379:6379 redis:7-alpine")
    if mistake == "curl_pipe":
        lines.insert(1, "curl -sSfL https://raw.githubusercontent.com/example/ci-tools/main/setup.sh | sh -s -- -b /usr/local/bin")
    L += ["      - name: Unit and integration tests"] + run_block(lines, 8)
    L += ["      - uses: actions/upload-artifact@v4", "        if: always()", "        with:",
          f"          name: {svc.name}-test-reports", f"          path: {d}/reports/", "          retention-days: 7"]
    # build job, self-hosted or hosted
    L += ["", "  build:", "    needs: test", "    if: github.event_name == 'push'"]
    if svc.self_hosted or mistake == "no_timeout":
        L.append("    runs-on: [self-hosted, linux, docker]")
        if mistake != "no_timeout":
            L.append(f"    timeout-minutes: {rng.choice([30, 45, 60])}")
    else:
        L += ["    runs-on: ubuntu-22.04", "    timeout-minutes: 30"]
    L += ["    env:", "      PUSH: \"true\"", "      TAG: ${{ github.sha }}", "    steps:",
          "      - uses: actions/checkout@v4",
          "      - uses: docker/login-action@v3", "        with:", "          registry: ${{ env.REGISTRY }}",
          "          username: ${{ secrets.REGISTRY_USER }}", "          password: ${{ secrets.REGISTRY_PASSWORD }}",
          "      - name: Build and push", "        env:",
          "          REGISTRY_USER: ${{ secrets.REGISTRY_USER }}",
          "          REGISTRY_PASSWORD: ${{ secrets.REGISTRY_PASSWORD }}"]
    L += run_block([f"bash {d}/scripts/build.sh",
                    'echo "image=$IMAGE:$TAG" >> "$GITHUB_OUTPUT"'], 8)
    L += ["      - name: Scan image"] + run_block([
        "docker run --rm -v \"$HOME/.cache/trivy:/root/.cache/\" aquasec/trivy:0.53.0 \\",
        "  image --exit-code 1 --severity CRITICAL --ignore-unfixed \"$IMAGE:$TAG\""], 8)
    if rng.random() < 0.5:
        L += ["", "  e2e:", "    needs: build", "    runs-on: ubuntu-22.04", "    timeout-minutes: 25",
              "    env:", "      TAG: ${{ github.sha }}", "      POSTGRES_PASSWORD: ${{ secrets.CI_DB_PASSWORD }}",
              "    steps:", "      - uses: actions/checkout@v4", "      - name: Start the stack"]
        L += run_block(["set -euo pipefail", f"cd {d}", "docker compose pull --quiet",
                        "docker compose up -d --wait --wait-timeout 120", "docker compose ps"], 8)
        L += ["      - uses: actions/setup-node@v4", "        with:", '          node-version: "20"',
              "      - name: Playwright"]
        L += run_block(["set -euo pipefail", "cd e2e", "npm ci --no-audit --no-fund",
                        "npx playwright install --with-deps chromium",
                        f"BASE_URL=http://127.0.0.1:{svc.host_port} npx playwright test --project=chromium --grep @{svc.name}"], 8)
        L += ["      - name: Logs on failure", "        if: failure()"]
        L += run_block([f"docker compose -f {d}/docker-compose.yml logs --no-color --tail=500"], 8)
        L += ["      - name: Stop", "        if: always()"]
        L += run_block([f"docker compose -f {d}/docker-compose.yml down -v --remove-orphans"], 8)
    if rng.random() < 0.4:
        L += ["", "  codeql:", "    runs-on: ubuntu-22.04", "    timeout-minutes: 30", "    permissions:",
              "      security-events: write", "      contents: read", "    steps:", "      - uses: actions/checkout@v4",
              "      - uses: github/codeql-action/init@v3", "        with:",
              "          languages: " + {"node": "javascript-typescript", "python": "python", "go": "go",
                                          "java": "java-kotlin"}[svc.stack_name],
              f"          source-root: {d}", "      - uses: github/codeql-action/autobuild@v3",
              "      - uses: github/codeql-action/analyze@v3", "        with:",
              f'          category: "/{svc.name}"']
    if rng.random() < 0.3:
        L += ["", "  notify:", "    needs: [build]", "    if: failure() && github.ref == 'refs/heads/main'",
              "    runs-on: ubuntu-22.04", "    timeout-minutes: 5", "    steps:", "      - name: Tell the channel"]
        L += ["        env:", "          WEBHOOK_URL: ${{ secrets.CHAT_WEBHOOK_URL }}"]
        L += run_block(["set -euo pipefail",
                        'payload=$(jq -n --arg text "' + svc.name + ' build failed on main: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID" \'{text: $text}\')',
                        'curl -fsS -X POST -H "Content-Type: application/json" -d "$payload" "$WEBHOOK_URL"'], 8)
    return "\n".join(L) + "\n"


def gen_workflow_simple(svc, rng, mistake, kind):
    st = svc.stack
    d = svc.dir
    if kind == "release":
        L = [f"name: {svc.name} release", "", "on:", "  push:", "    tags:", f'      - "{svc.name}/v*"', "",
             "permissions:", "  contents: write", "  id-token: write", "", "env:", f"  SERVICE: {svc.name}"]
        if mistake == "secret":
            L.append("  SLACK_TOKEN: xoxb-" + token(rng, 12) + "-" + token(rng, 20))
        L += ["", "jobs:", "  release:", "    runs-on: ubuntu-22.04", "    timeout-minutes: 30", "    steps:",
              "      - uses: actions/checkout@v4", "      - id: version"]
        L += run_block(['echo "version=${GITHUB_REF_NAME#*/v}" >> "$GITHUB_OUTPUT"'], 8)
        lines = ["set -euo pipefail", f"TAG=${{{{ steps.version.outputs.version }}}} PUSH=true bash {d}/scripts/build.sh"]
        if mistake == "curl_pipe":
            lines.insert(1, "curl -L https://github.com/example/releaser/releases/latest/download/install.sh | bash")
        if mistake == "docker_port":
            lines.insert(1, "docker run -d -p 5000:5000 --name registry registry:2")
        if mistake == "docker_sock":
            lines.insert(1, "docker run --rm -v /var/run/docker.sock:/var/run/docker.sock goodwithtech/dockle:v0.4.14 \"$IMAGE\"")
        L += ["      - name: Build release image", "        env:",
              "          REGISTRY_USER: ${{ secrets.REGISTRY_USER }}",
              "          REGISTRY_PASSWORD: ${{ secrets.REGISTRY_PASSWORD }}"] + run_block(lines, 8)
        L += ["      - uses: softprops/action-gh-release@v2", "        with:",
              f"          name: {svc.name} ${{{{ steps.version.outputs.version }}}}",
              "          generate_release_notes: true"]
    else:
        L = [f"name: {svc.name} lint", "", "on:", "  pull_request:", "    paths:",
             f'      - "{d}/**"', "", "permissions:", "  contents: read", "  pull-requests: write", ""]
        if mistake == "secret":
            L += ["env:", "  REVIEWDOG_GITHUB_API_TOKEN: ghp_" + token(rng, 36), ""]
        L += ["jobs:", "  hadolint:", "    runs-on: ubuntu-22.04", "    timeout-minutes: 5", "    steps:",
              "      - uses: actions/checkout@v4", "      - name: hadolint"]
        lines = [f"docker run --rm -i hadolint/hadolint:v2.12.0 < {d}/Dockerfile"]
        if mistake == "docker_sock":
            lines = [f"docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v \"$PWD:/src\" hadolint/hadolint:v2.12.0 hadolint /src/{d}/Dockerfile"]
        L += run_block(lines, 8)
        L += ["  shellcheck:", "    runs-on: ubuntu-22.04", "    timeout-minutes: 5", "    steps:",
              "      - uses: actions/checkout@v4", "      - name: shellcheck"]
        lines = ["sudo apt-get install -y shellcheck", f"shellcheck {d}/scripts/*.sh"]
        if mistake == "curl_pipe":
            lines = ["wget -qO- https://example.com/tools/shellcheck-install.sh | bash", f"shellcheck {d}/scripts/*.sh"]
        if mistake == "docker_port":
            lines.append("docker run -d -p 8080:8080 --name preview " + f"registry.example.com/{svc.team}/{svc.name}:pr")
        L += run_block(lines, 8)
        key, ver = st["setup_with"]
        L += ["  code:", "    runs-on: ubuntu-22.04", "    timeout-minutes: 15", "    steps:",
              "      - uses: actions/checkout@v4", f"      - uses: {st['setup_action']}", "        with:",
              f'          {key}: "{ver}"', "      - name: Lint"]
        L += run_block([f"cd {d}", st["install"], st["lint"]], 8)
    return "\n".join(L) + "\n"


def gen_action(svc, rng, mistake):
    st = svc.stack
    key, ver = st["setup_with"]
    L = [f"name: Set up {svc.name}", f"description: Toolchain, caches and generated code for {svc.name}",
         "inputs:", f"  {key}:", "    description: Toolchain version", f'    default: "{ver}"', "runs:",
         "  using: composite", "  steps:", f"    - uses: {st['setup_action']}", "      with:",
         f"        {key}: ${{{{ inputs.{key} }}}}", "    - uses: actions/cache@v4", "      with:",
         "        path: ~/.cache", f"        key: {svc.name}-${{{{ runner.os }}}}-${{{{ hashFiles('{svc.dir}/**/*.lock') }}}}",
         "    - shell: bash"]
    lines = ["set -euo pipefail", f"cd {svc.dir}", st["install"]]
    if mistake == "curl_pipe":
        lines.insert(1, "curl -fsSL https://get.example-protoc.dev | bash")
    if mistake == "docker_sock":
        lines.append("docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v \"$PWD:/w\" -w /w bufbuild/buf:1.34.0 generate")
    L += run_block(lines, 6)
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- Azure

def gen_azure(svc, rng, mistake):
    d = svc.dir
    L = [f"# {svc.name} pipeline", "trigger:", "  branches:", "    include:", "      - main", "  paths:",
         "    include:", f"      - {d}/*", "", "pr:", "  paths:", "    include:", f"      - {d}/*", "",
         "variables:", "  - group: " + svc.name + "-secrets", "  - name: service", f"    value: {svc.name}",
         "  - name: imageRepository", f"    value: {svc.team}/{svc.name}", "  - name: tag",
         "    value: $(Build.BuildId)"]
    if mistake == "trust":
        L += ["  - name: POSTGRES_HOST_AUTH_METHOD", "    value: trust"]
    if mistake == "secret":
        L += ["  - name: registryPassword", f"    value: {token(rng, 16)}"]
    L += ["", "stages:", "  - stage: Build", "    jobs:", "      - job: build", "        displayName: Build and unit test",
          "        pool:", "          vmImage: ubuntu-22.04", "        steps:", "          - checkout: self",
          "            fetchDepth: 1", "          - template: ci/templates/build-steps.yml", "            parameters:",
          f"              service: {svc.name}", "          - task: PublishTestResults@2", "            condition: always()",
          "            inputs:", "              testResultsFormat: JUnit", f"              testResultsFiles: {d}/reports/*.xml", "",
          "  - stage: Integration", "    dependsOn: Build", "    jobs:", "      - job: integration"]
    if svc.self_hosted or mistake == "no_timeout":
        L += ["        pool:", "          name: selfhosted-linux", "          demands:", "            - docker"]
        if mistake != "no_timeout":
            L.append(f"        timeoutInMinutes: {rng.choice([30, 40, 60])}")
    else:
        L += ["        pool:", "          vmImage: ubuntu-22.04", "        timeoutInMinutes: 30"]
    L += ["        variables:", "          TEST_DB_PASSWORD: $(ciDbPassword)", "        steps:",
          "          - template: ci/templates/test-steps.yml"]
    if mistake == "curl_pipe":
        L += ["          - script: curl -fsSL https://aka.example.com/install-tools.sh | sudo bash",
              "            displayName: Install tools"]
    if rng.random() < 0.5:
        L += ["", "  - stage: Security", "    dependsOn: Build", "    jobs:", "      - job: scan", "        pool:",
              "          vmImage: ubuntu-22.04", "        timeoutInMinutes: 20", "        steps:",
              "          - task: CredScan@3", "          - task: ComponentGovernanceComponentDetection@0",
              "            inputs:", f"              sourceScanPath: {d}", "              failOnAlert: true",
              "          - script: |", "              set -euo pipefail",
              "              docker run --rm -v \"$(Build.SourcesDirectory)/" + d + ":/src:ro\" aquasec/trivy:0.53.0 fs --exit-code 1 --severity HIGH,CRITICAL /src",
              "            displayName: Dependency scan"]
    L += ["", "  - stage: Deploy", "    dependsOn: Integration",
          "    condition: and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'))", "    jobs:"]
    if svc.azure_jobs_template:
        L += ["      - template: ci/templates/deploy-job.yml", "        parameters:", "          environment: staging"]
    else:
        L += ["      - deployment: deploy", "        environment: " + svc.name + "-staging", "        pool:",
              "          vmImage: ubuntu-22.04", "        strategy:", "          runOnce:", "            deploy:",
              "              steps:", "                - checkout: self", "                - task: Bash@3",
              "                  inputs:", f"                    filePath: {d}/scripts/deploy.sh",
              "                    arguments: staging", "                  env:",
              "                    TAG: $(tag)"]
    if rng.random() < 0.4:
        L += ["", "  - stage: Production", "    dependsOn: Deploy",
              "    condition: and(succeeded(), startsWith(variables['Build.SourceBranch'], 'refs/tags/'))",
              "    jobs:", "      - deployment: production", f"        environment: {svc.name}-production",
              "        pool:", "          vmImage: ubuntu-22.04", "        strategy:", "          runOnce:",
              "            deploy:", "              steps:", "                - checkout: self",
              "                - task: Bash@3", "                  inputs:",
              f"                    filePath: {d}/scripts/deploy.sh", "                    arguments: production",
              "                  env:", "                    TAG: $(tag)",
              "                - task: AzureCLI@2", "                  inputs:",
              "                    azureSubscription: prod-service-connection", "                    scriptType: bash",
              "                    scriptLocation: inlineScript", "                    inlineScript: |",
              f"                      az monitor metrics alert update -g {svc.team}-prod -n {svc.name}-5xx --enabled true"]
    return "\n".join(L) + "\n"


def gen_azure_template(svc, rng, mistake, which):
    st = svc.stack
    d = svc.dir
    tool, tkey, tver = st["azure_tool"]
    if which == "build-steps":
        L = ["parameters:", "  - name: service", "    type: string", "  - name: publish", "    type: boolean",
             "    default: false", "", "steps:", f"  - task: {tool}", "    inputs:", f"      {tkey}: '{tver}'",
             "  - task: Cache@2", "    inputs:", f"      key: '{svc.name} | \"$(Agent.OS)\" | {d}/**/*.lock'",
             "      path: $(Pipeline.Workspace)/.cache", "  - script: |", "      set -euo pipefail",
             f"      cd {d}", f"      {st['install']}", f"      {st['test'].split(' -- ')[0]}", "    displayName: Unit tests",
             f"  - script: bash {d}/scripts/build.sh", "    displayName: Build image", "    env:",
             "      REGISTRY_USER: $(registryUser)", "      REGISTRY_PASSWORD: $(registryPassword)",
             "      PUSH: ${{ parameters.publish }}"]
        if mistake == "curl_pipe":
            L += ["  - script: curl -sL https://get.example-sbom.dev/install.sh | sh", "    displayName: SBOM tool"]
        if mistake == "privileged":
            L += ["  - script: docker run --rm --privileged -v $(Build.SourcesDirectory):/src moby/buildkit:v0.14.1",
                  "    displayName: Rootful build"]
        if mistake == "docker_sock":
            L += ["  - script: docker run --rm -v /var/run/docker.sock:/var/run/docker.sock wagoodman/dive:v0.12 $(imageRepository):$(tag)",
                  "    displayName: Image efficiency"]
    elif which == "test-steps":
        L = ["steps:", "  - checkout: self", "  - task: Bash@3", "    displayName: Integration tests", "    inputs:",
             "      targetType: filePath", f"      filePath: {d}/scripts/test.sh", "    env:",
             "      TEST_DB_PASSWORD: $(TEST_DB_PASSWORD)", "  - script: |", "      set -euo pipefail",
             f"      docker run -d --name smoke -p 127.0.0.1:{18080 + svc.index % 1000}:{svc.port} $(imageRepository):$(tag)",
             f"      curl -fsS --retry 10 --retry-connrefused http://127.0.0.1:{18080 + svc.index % 1000}/healthz",
             "      docker rm -f smoke", "    displayName: Smoke test"]
        if mistake == "curl_pipe":
            L += ["  - bash: curl -fsSL https://get.example-k6.dev | bash", "    displayName: Install k6"]
        if mistake == "privileged":
            L += ["  - script: docker run --rm --privileged -v $(Build.SourcesDirectory):/w -w /w loadimpact/k6 run load.js",
                  "    displayName: Load test"]
        if mistake == "docker_sock":
            L += ["  - script: docker run --rm -v /var/run/docker.sock:/var/run/docker.sock testcontainers/ryuk:0.7.0",
                  "    displayName: Reaper"]
        L += ["  - task: PublishPipelineArtifact@1", "    condition: always()", "    inputs:",
              f"      targetPath: {d}/reports", "      artifact: integration-reports"]
    else:
        L = ["parameters:", "  - name: environment", "    type: string", "    default: staging", "",
             "jobs:", "  - deployment: deploy_${{ parameters.environment }}",
             f"    environment: {svc.name}-${{{{ parameters.environment }}}}", "    pool:",
             "      name: selfhosted-deploy", "    timeoutInMinutes: 20", "    strategy:", "      runOnce:",
             "        deploy:", "          steps:", "            - checkout: self", "            - task: Bash@3",
             "              inputs:", f"                filePath: {d}/scripts/deploy.sh",
             "                arguments: ${{ parameters.environment }}", "              env:", "                TAG: $(tag)"]
        if mistake == "curl_pipe":
            L += ["            - script: curl -sSL https://get.example-helm.sh | bash", "              displayName: Install helm"]
        if mistake == "privileged":
            L += ["            - script: docker run --rm --privileged alpine:3.20 sysctl -w vm.max_map_count=262144",
                  "              displayName: Tune host"]
        if mistake == "docker_sock":
            L += ["            - script: docker run --rm -v /var/run/docker.sock:/var/run/docker.sock containrrr/watchtower --run-once",
                  "              displayName: Refresh"]
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- GitLab

def gen_gitlab(svc, rng, mistake):
    st = svc.stack
    d = svc.dir
    L = ["include:", f"  - local: /{d}/ci/gitlab/jobs.yml", "  - project: platform/ci-templates", "    ref: v3.4.1",
         "    file: /templates/docker-build.yml", "  - template: Security/SAST.gitlab-ci.yml", "",
         "stages: [lint, test, build, deploy]", "", "variables:", f"  SERVICE: {svc.name}",
         '  DOCKER_TLS_CERTDIR: "/certs"', f"  IMAGE: $CI_REGISTRY_IMAGE/{svc.name}"]
    if mistake == "trust":
        L.append("  POSTGRES_HOST_AUTH_METHOD: trust")
    if mistake == "secret":
        L.append("  DEPLOY_TOKEN: glpat-" + token(rng, 20))
    L += ["", "workflow:", "  rules:", "    - changes:", f"        - {d}/**/*", "", "default:",
          f"  image: {st['gitlab_image']}", "  interruptible: true", "", "test:", "  stage: test",
          "  services:", "    - name: postgres:16-alpine", "      alias: db", "  variables:",
          "    POSTGRES_DB: test", "    POSTGRES_USER: test", "    POSTGRES_PASSWORD: $CI_DB_PASSWORD",
          "    TEST_DB_PASSWORD: $CI_DB_PASSWORD", "  script:", f"    - bash {d}/scripts/test.sh"]
    if mistake == "curl_pipe":
        L.insert(L.index("  script:") + 1, "    - curl -fsSL https://get.example-tools.io/ci.sh | bash")
    L += ["  artifacts:", "    when: always", "    reports:", f"      junit: {d}/reports/*.xml", "",
          "build:", "  stage: build", "  image: docker:26", "  services:", "    - docker:26-dind"]
    if svc.self_hosted or mistake == "no_timeout":
        L += ["  tags: [docker, linux]"]
        if mistake != "no_timeout":
            L.append(f"  timeout: {rng.choice([30, 45, 60])}m")
    L += ["  before_script:", '    - echo "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"',
          "  script:", f"    - PUSH=true TAG=$CI_COMMIT_SHORT_SHA bash {d}/scripts/build.sh", "  rules:",
          "    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"]
    if rng.random() < 0.5:
        L += ["", "e2e:", "  stage: test", "  needs: [build]", "  image: mcr.microsoft.com/playwright:v1.45.0-jammy",
              "  variables:", f"    BASE_URL: https://{svc.name}.review.example.com", "  script:", "    - cd e2e",
              "    - npm ci --no-audit --no-fund", f"    - npx playwright test --grep @{svc.name}", "  artifacts:",
              "    when: on_failure", "    paths:", "      - e2e/test-results/", "    expire_in: 1 week"]
    if rng.random() < 0.4:
        L += ["", "release:", "  stage: deploy", "  image: registry.gitlab.com/gitlab-org/release-cli:v0.18.0",
              "  rules:", "    - if: $CI_COMMIT_TAG =~ /^" + svc.name + "\\/v/", "  script:",
              '    - echo "releasing $CI_COMMIT_TAG"', "  release:", "    tag_name: $CI_COMMIT_TAG",
              f"    name: {svc.name} $CI_COMMIT_TAG", "    description: ./CHANGELOG.md"]
    return "\n".join(L) + "\n"


def gen_gitlab_include(svc, rng, mistake):
    st = svc.stack
    d = svc.dir
    L = [f"# Jobs shared by {svc.name}'s pipeline.", ".node-cache: &cache", "  cache:",
         f"    key: {svc.name}-$CI_COMMIT_REF_SLUG", "    paths:", "      - .cache/", "",
         "lint:", "  stage: lint", "  <<: *cache", "  script:", f"    - cd {d}", f"    - {st['install']}",
         f"    - {st['lint']}", "", "container-scan:", "  stage: test", "  image:",
         "    name: aquasec/trivy:0.53.0", '    entrypoint: [""]', "  script:"]
    if mistake == "privileged":
        L += ["    - docker run --rm --privileged aquasec/trivy:0.53.0 rootfs /"]
    L += ['    - trivy image --exit-code 1 --severity CRITICAL "$IMAGE:$CI_COMMIT_SHORT_SHA"']
    if mistake == "docker_port":
        L += ["    - docker run -d -p 27017:27017 mongo:7"]
    L += ["  allow_failure: true", "", "deploy-staging:", "  stage: deploy", "  image: bitnami/kubectl:1.30",
          "  environment:", "    name: staging", f"    url: https://{svc.name}.staging.example.com", "  script:"]
    if mistake == "curl_pipe":
        L += ["    - curl -sfL https://get.example-k3s.io | sh -"]
    L += [f"    - kubectl -n {svc.team} set image deployment/{svc.name} app=$IMAGE:$CI_COMMIT_SHORT_SHA",
          f"    - kubectl -n {svc.team} rollout status deployment/{svc.name} --timeout=300s",
          "  rules:", "    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", "      when: manual"]
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- main

def render(svc, rng, rel, kind, mistake):
    name = rel.rsplit("/", 1)[1]
    if kind == "compose":
        return gen_compose(svc, rng, mistake)
    if kind == "compose_extra":
        return gen_compose_extra(svc, rng, mistake, test=name.startswith("compose.test"))
    if kind == "dockerfile":
        return gen_dockerfile(svc, rng, mistake, dev=name.endswith(".dev"))
    if kind == "shell":
        return gen_shell(svc, rng, mistake, name[:-3])
    if kind == "workflow":
        return gen_workflow_ci(svc, rng, mistake)
    if kind == "workflow_simple":
        return gen_workflow_simple(svc, rng, mistake, name[:-4])
    if kind == "action":
        return gen_action(svc, rng, mistake)
    if kind == "azure":
        return gen_azure(svc, rng, mistake)
    if kind == "azure_template":
        return gen_azure_template(svc, rng, mistake, name[:-4])
    if kind == "gitlab":
        return gen_gitlab(svc, rng, mistake)
    if kind == "gitlab_include":
        return gen_gitlab_include(svc, rng, mistake)
    raise ValueError(kind)


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    files, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    mistakes_out = sys.argv[4] if len(sys.argv) == 5 else None
    if files < 10:
        sys.exit("FILES must be at least 10")
    if os.path.exists(out) and os.listdir(out):
        sys.exit(f"{out} exists and is not empty")
    rng = random.Random(seed)

    # Plan: about 10 files a service, then add or drop optional files until
    # the total is exactly FILES.
    services = [Service(rng, i + 1) for i in range(max(1, files // 10))]
    total = sum(len(s.kinds()) for s in services)
    guard = 0
    while total != files:
        guard += 1
        if guard > 10 * files:
            sys.exit(f"cannot reach {files} files (stuck at {total})")
        s = rng.choice(services)
        o = rng.choice(OPTIONAL)
        if o in ("release", "lint", "action") and not s.github:
            continue
        if total < files and not s.optional[o]:
            s.optional[o] = True
            total += 1
        elif total > files and s.optional[o]:
            s.optional[o] = False
            total -= 1

    planted = []
    n_bytes = yaml_files = yaml_bytes = 0
    for s in services:
        kinds = s.kinds()
        for rel in sorted(kinds):
            kind = kinds[rel]
            mistake = rng.choice(MISTAKES[kind]) if rng.random() < MISTAKE_RATE else None
            text = render(s, s.rng, rel, kind, mistake)
            path = os.path.join(out, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            data = text.encode()
            with open(path, "wb") as f:
                f.write(data)
            if kind == "shell":
                os.chmod(path, 0o755)
            n_bytes += len(data)
            if rel.endswith(".yml"):
                yaml_files += 1
                yaml_bytes += len(data)
            if mistake:
                planted.append(rel)
    if mistakes_out:
        with open(mistakes_out, "w") as f:
            f.write("".join(p + "\n" for p in sorted(planted)))
    print(f"files {files} bytes {n_bytes} yaml_files {yaml_files} yaml_bytes {yaml_bytes} "
          f"mistakes {len(planted)}")


if __name__ == "__main__":
    main()
