#!/usr/bin/env bash
# Validates every deployment file under deploy/ without a Docker engine or a cluster:
#   compose    docker-compose config (both files, dummy secrets), the missing-secret errors,
#              the compose-spec JSON schema, and the topology contract (check_deploy.py)
#   docker     Dockerfile and .dockerignore contract
#   k8s        base + overlays rendered (kubectl kustomize, and k8s/render.py, compared),
#              kubernetes-validate --strict -k 1.30, and the manifests' contract
#   systemd    systemd-analyze verify (stub binaries) and the units' contract
#   render     render.yaml parses and fits the contract
#   ops        bash -n, refusals without DATABASE_URL / --yes, and a pg_dump/pg_restore round
#              trip when PostgreSQL server binaries are installed
# Installs what it lacks: Debian's docker-compose (apt), kubernetes-validate and
# check-jsonschema (PyPI). Run as root on Debian:  bash deploy/check.sh
# Prints one line per check and ends with "deploy checks: N passed, M failed" (exit 1 on
# any failure).
set -uo pipefail

deploy=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
chmod 0755 "$work"   # the throwaway PostgreSQL runs as user postgres
pg_stop=""
cleanup() {
  if [ -n "$pg_stop" ]; then eval "$pg_stop" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
pass() { printf 'ok    %s\n' "$1"; passed=$((passed + 1)); }
fail() {
  printf 'FAIL  %s\n' "$1"
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | head -n 40 | sed 's/^/        /'; fi
  failed=$((failed + 1))
}
skip() { printf 'skip  %s\n' "$1"; }
# check NAME COMMAND...: passes when COMMAND exits 0; shows its output otherwise.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$out"; fi
}

# ----------------------------------------------------------------------------- tools
apt_updated=no
apt_install() {
  if [ "$apt_updated" = no ]; then
    apt-get update -qq >>"$work/setup.log" 2>&1 || return 1
    apt_updated=yes
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >>"$work/setup.log" 2>&1
}
pip_install() {
  python3 -m pip install -q --disable-pip-version-check "$@" >>"$work/setup.log" 2>&1 ||
    python3 -m pip install -q --disable-pip-version-check --break-system-packages "$@" >>"$work/setup.log" 2>&1
}

if ! command -v python3 >/dev/null; then apt_install python3 python3-pip; fi
if ! python3 -m pip --version >/dev/null 2>&1; then apt_install python3-pip; fi
missing_py=()
python3 -c 'import kubernetes_validate' 2>/dev/null || missing_py+=(kubernetes-validate)
python3 -c 'import check_jsonschema' 2>/dev/null || missing_py+=(check-jsonschema)
if [ "${#missing_py[@]}" -gt 0 ]; then pip_install "${missing_py[@]}"; fi
if python3 -c 'import yaml, kubernetes_validate, check_jsonschema' 2>/dev/null; then
  pass "tools: python3 with PyYAML, kubernetes-validate, check-jsonschema${missing_py[*]:+ (installed ${missing_py[*]})}"
else
  fail "tools: python3 with PyYAML, kubernetes-validate, check-jsonschema" "$(tail -n 20 "$work/setup.log" 2>/dev/null)"
fi

installed=""
if ! command -v docker-compose >/dev/null; then apt_install docker-compose && installed=" (installed)"; fi
if command -v docker-compose >/dev/null; then
  pass "tools: $(docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /')$installed"
else
  fail "tools: docker-compose (apt-get install docker-compose)" "$(tail -n 20 "$work/setup.log" 2>/dev/null)"
fi

py() { python3 "$deploy/check_deploy.py" "$@"; }

# --------------------------------------------------------------------------- compose
compose_dir="$deploy/compose"
secrets=(POSTGRES_PASSWORD JWT_SECRET ENCRYPTION_KEY ADMIN_PASSWORD)
cat >"$work/compose.env" <<'EOF'
POSTGRES_PASSWORD=0123456789abcdef0123456789abcdef
JWT_SECRET=check-jwt-secret-0123456789abcdef0123456789
ENCRYPTION_KEY=check-encryption-key-0123456789abcdef012345
ADMIN_PASSWORD=Check-Admin-Passw0rd!
CORS_ORIGIN=https://chat.example.com
EOF
# A clean environment: variables of the calling shell must not satisfy the interpolation.
compose() { env -i PATH="$PATH" HOME="$work" docker-compose "$@"; }

compose_missing_secret() {
  local file=$1 var out problems=""
  for var in "${secrets[@]}"; do
    grep -v "^$var=" "$work/compose.env" >"$work/missing.env"
    if out=$(compose --env-file "$work/missing.env" -f "$compose_dir/$file" config -q 2>&1); then
      problems+="config accepted an env file without $var"$'\n'
    elif ! grep -q "$var is required" <<<"$out"; then
      problems+="without $var: error does not say \"$var is required\": $(tail -c 300 <<<"$out")"$'\n'
    fi
  done
  # .env.example as shipped (required secrets empty) must be refused as well.
  if compose --env-file "$compose_dir/.env.example" -f "$compose_dir/$file" config -q >/dev/null 2>&1; then
    problems+="config accepted .env.example with its empty secrets"$'\n'
  fi
  [ -z "$problems" ] || { printf '%s' "$problems"; return 1; }
}

if command -v docker-compose >/dev/null; then
  for pair in "docker-compose.yml:distributed" "docker-compose.single.yml:single"; do
    file=${pair%%:*} mode=${pair##*:}
    if out=$(compose --env-file "$work/compose.env" -f "$compose_dir/$file" config 2>&1 >"$work/$mode.yml"); then
      pass "compose: $file config ($mode)"
      check "compose: $file topology contract ($mode)" py compose "$work/$mode.yml" "$mode"
    else
      fail "compose: $file config ($mode)" "$out"
    fi
    check "compose: $file refuses a missing ${secrets[*]} with its message" compose_missing_secret "$file"
  done
else
  fail "compose: docker-compose config (docker-compose missing)"
fi
check "compose: compose-spec schema (docker-compose.yml, docker-compose.single.yml)" \
  python3 -m check_jsonschema --builtin-schema vendor.compose-spec \
  "$compose_dir/docker-compose.yml" "$compose_dir/docker-compose.single.yml"
check "compose: .env.example names every interpolated variable" py env-names

# ---------------------------------------------------------------------------- docker
check "docker: Dockerfile and .dockerignore contract" py dockerfile

# ------------------------------------------------------------------------------- k8s
for target in base overlays/single-node overlays/production; do
  name=$(basename "$target")
  out_py="$work/k8s-$name.render.yaml"
  rendered="$out_py"
  if ! out=$(python3 "$deploy/k8s/render.py" "$deploy/k8s/$target" 2>&1 >"$out_py"); then
    fail "k8s: render $target (render.py)" "$out"
    continue
  fi
  if command -v kubectl >/dev/null && kubectl kustomize --help >/dev/null 2>&1; then
    out_k="$work/k8s-$name.kubectl.yaml"
    if out=$(kubectl kustomize "$deploy/k8s/$target" 2>&1 >"$out_k"); then
      pass "k8s: render $target (kubectl kustomize)"
      check "k8s: render.py output equals kubectl kustomize ($name)" \
        python3 "$deploy/k8s/render.py" --compare "$out_k" "$out_py"
      rendered="$out_k"
    else
      fail "k8s: render $target (kubectl kustomize)" "$out"
    fi
  else
    pass "k8s: render $target (render.py; kubectl not installed)"
  fi
  check "k8s: kubernetes-validate --strict -k 1.30 ($name, $(grep -c '^kind:' "$rendered") objects)" \
    python3 -m kubernetes_validate --strict -k 1.30 --quiet "$rendered"
  check "k8s: manifest contract ($name)" py k8s "$rendered" "$name"
done

# --------------------------------------------------------------------------- systemd
systemd_verify() {
  local root="$work/sdroot" exe out
  mkdir -p "$root/usr/local/bin" "$root/etc/systemd/system" "$root/usr/lib/systemd"
  # The units and the system's own units (sysinit.target & co.), with stub executables.
  cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/" 2>/dev/null || cp -a /lib/systemd/system "$root/usr/lib/systemd/"
  for exe in agentim-server agentim-edge agentim-auth agentim-rooms agentim-router agentim-uploads; do
    printf '#!/bin/sh\nexit 0\n' >"$root/usr/local/bin/$exe"
    chmod 0755 "$root/usr/local/bin/$exe"
  done
  cp "$deploy"/systemd/*.service "$deploy"/systemd/*.target "$root/etc/systemd/system/"
  # verify exits 0 on mere warnings (unknown keys, bad values): any output is a failure.
  out=$(systemd-analyze verify --man=no --root="$root" "$root"/etc/systemd/system/agentim* 2>&1)
  local rc=$?
  if [ "$rc" -ne 0 ] || [ -n "$out" ]; then printf '%s\n' "$out"; return 1; fi
}
units=("$deploy"/systemd/*.service "$deploy"/systemd/*.target)
if command -v systemd-analyze >/dev/null; then
  check "systemd: systemd-analyze verify (${#units[@]} units)" systemd_verify
else
  skip "systemd: systemd-analyze verify (systemd-analyze not installed; contract check below)"
fi
check "systemd: units' contract (restart, limits, env files, hardening, ports)" py systemd

# ---------------------------------------------------------------------------- render
check "render: render.yaml blueprint contract" py render

# ------------------------------------------------------------------------------- ops
# shellcheck disable=SC2016 # the inner script expands its own arguments
check "ops: bash -n backup.sh restore.sh check.sh" \
  bash -c 'for f in "$@"; do bash -n "$f" || exit 1; done' _ "$deploy/ops/backup.sh" "$deploy/ops/restore.sh" "$deploy/check.sh"
ops_refusals() {
  local out problems=""
  out=$(env -u DATABASE_URL bash "$deploy/ops/backup.sh" "$work/x.dump" 2>&1) &&
    problems+="backup.sh ran without DATABASE_URL"$'\n'
  grep -q "DATABASE_URL is not set" <<<"$out" || problems+="backup.sh: no DATABASE_URL message"$'\n'
  : >"$work/empty.dump"
  out=$(env -u DATABASE_URL bash "$deploy/ops/restore.sh" --yes "$work/empty.dump" 2>&1) &&
    problems+="restore.sh ran without DATABASE_URL"$'\n'
  grep -q "DATABASE_URL is not set" <<<"$out" || problems+="restore.sh: no DATABASE_URL message"$'\n'
  DATABASE_URL=postgresql://nobody@127.0.0.1:1/none bash "$deploy/ops/restore.sh" "$work/empty.dump" >/dev/null 2>&1 &&
    problems+="restore.sh ran without --yes"$'\n'
  bash "$deploy/ops/backup.sh" --help | grep -q '^Usage:' || problems+="backup.sh --help: no usage"$'\n'
  bash "$deploy/ops/restore.sh" --help | grep -q '^Usage:' || problems+="restore.sh --help: no usage"$'\n'
  [ -z "$problems" ] || { printf '%s' "$problems"; return 1; }
}
check "ops: usage text; refusals without DATABASE_URL and without --yes" ops_refusals

ops_round_trip() {
  local pgbin=$1 d="$work/pg" port url file attempt
  mkdir -p "$d" && chown postgres "$d"
  runuser -u postgres -- "$pgbin/initdb" -D "$d/data" -U postgres --auth=trust -E UTF8 --no-sync >"$work/pg-init.log" 2>&1 ||
    { cat "$work/pg-init.log"; return 1; }
  # A port the kernel just called free; another port if something took it meanwhile.
  for attempt in 1 2 3; do
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$d/data" -l "$d/pg.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $d -c fsync=off" start >/dev/null 2>&1 && break
    grep -q "Address already in use" "$d/pg.log" && [ "$attempt" -lt 3 ] || { cat "$d/pg.log"; return 1; }
  done
  pg_stop="runuser -u postgres -- '$pgbin/pg_ctl' -D '$d/data' -m fast -w stop"
  url="postgresql://postgres@127.0.0.1:$port/agentim_check"
  psql -qAt "postgresql://postgres@127.0.0.1:$port/postgres" -c "CREATE DATABASE agentim_check" >/dev/null &&
    psql -qAt "$url" -v ON_ERROR_STOP=1 -c "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'before')" >/dev/null ||
    return 1
  file=$(DATABASE_URL=$url BACKUP_DIR="$work/backups" bash "$deploy/ops/backup.sh") || return 1
  [ -s "$file" ] || { echo "backup.sh printed $file, which is empty or missing"; return 1; }
  psql -qAt "$url" -v ON_ERROR_STOP=1 -c "UPDATE t SET v = 'after'; CREATE TABLE extra (x int)" >/dev/null || return 1
  DATABASE_URL=$url bash "$deploy/ops/restore.sh" --yes "$file" >/dev/null || return 1
  [ "$(psql -qAt "$url" -c "SELECT v FROM t WHERE id = 1")" = before ] || { echo "restore did not bring back the row"; return 1; }
}
pgbins=(/usr/lib/postgresql/*/bin)
pgbin=$(printf '%s\n' "${pgbins[@]}" | sort -V | tail -n 1)
if [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] && id postgres >/dev/null 2>&1 && command -v pg_dump >/dev/null &&
  command -v psql >/dev/null && [ "$(id -u)" -eq 0 ]; then
  check "ops: backup.sh -> restore.sh round trip on a throwaway PostgreSQL $(basename "$(dirname "$pgbin")")" ops_round_trip "$pgbin"
else
  skip "ops: backup/restore round trip (no PostgreSQL server binaries, or not root)"
fi
if command -v shellcheck >/dev/null; then
  check "ops: shellcheck backup.sh restore.sh check.sh" \
    shellcheck "$deploy/ops/backup.sh" "$deploy/ops/restore.sh" "$deploy/check.sh"
fi

echo "deploy checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
