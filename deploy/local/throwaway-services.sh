#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis on free loopback ports, as root or not (TOOLCHAIN.md).
# Source it, then: install_test_packages; start_postgres DIR; start_redis DIR; stop_all.
set -euo pipefail

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}

# Installs the Debian packages the hub and its tests need, only when something is missing.
install_test_packages() {
  local need=()
  dpkg -s libhiredis-dev >/dev/null 2>&1 || need+=(libhiredis-dev)
  dpkg -s libargon2-dev >/dev/null 2>&1 || need+=(libargon2-dev)
  dpkg -s libssl-dev >/dev/null 2>&1 || need+=(libssl-dev)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] || need+=(postgresql postgresql-contrib)
  command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  # The edge's end-to-end tests speak h2/h2c with nghttp and make a certificate with openssl.
  command -v nghttp >/dev/null 2>&1 || need+=(nghttp2-client)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  command -v python3 >/dev/null 2>&1 || need+=(python3)
  # ss reads the edge's listen backlog in its transport test.
  command -v ss >/dev/null 2>&1 || need+=(iproute2)
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Runs a command as the postgres user when we are root (initdb refuses root).
as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_postgres DIR [durable]: initialises DIR/pg and starts it; exports PGPORT and PG_DIR.
start_postgres() {
  local dir=$1 durable=${2:-}
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  PG_DIR="$dir/pg"
  if [ ! -s "$PG_DIR/PG_VERSION" ]; then
    as_pg_owner "$PGBIN/initdb" -D "$PG_DIR" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  fi
  PGPORT=${PGPORT:-$(free_port)}
  local opts="-c listen_addresses=127.0.0.1 -p $PGPORT -k $dir"
  [ -z "$durable" ] && opts="$opts -c fsync=off -c synchronous_commit=off"
  # PG_EXTRA_OPTS: more server options, e.g. "-c shared_preload_libraries=pg_stat_statements" to profile a benchmark.
  [ -n "${PG_EXTRA_OPTS:-}" ] && opts="$opts $PG_EXTRA_OPTS"
  as_pg_owner "$PGBIN/pg_ctl" -D "$PG_DIR" -l "$dir/pg.log" -w -t 30 -o "$opts" start >/dev/null
  export PGPORT PG_DIR
}

create_database() {
  psql "postgresql://postgres@127.0.0.1:$PGPORT/postgres" -qtAc "SELECT 1 FROM pg_database WHERE datname='$1'" | grep -q 1 \
    || psql "postgresql://postgres@127.0.0.1:$PGPORT/postgres" -qc "CREATE DATABASE $1"
}

stop_postgres() {
  [ -n "${PG_DIR:-}" ] && as_pg_owner "$PGBIN/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null 2>&1 || true
}

# start_redis DIR [appendonly]: exports REDISPORT. With `appendonly` Redis keeps an
# append-only file in DIR, so a restart on the same DIR (and REDISPORT) comes back with its data.
start_redis() {
  local dir=$1 aof=no
  [ "${2:-}" = appendonly ] && aof=yes
  mkdir -p "$dir"
  REDISPORT=${REDISPORT:-$(free_port)}
  redis-server --port "$REDISPORT" --bind 127.0.0.1 --daemonize yes --save "" --appendonly "$aof" \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 1 50); do redis-cli -p "$REDISPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export REDISPORT
}

stop_redis() {
  [ -n "${REDISPORT:-}" ] && redis-cli -p "$REDISPORT" shutdown nosave >/dev/null 2>&1 || true
}
