#!/usr/bin/env bash
# Login throughput against the argon2id cost (not a test; numbers for sizing).
#   bash services/auth/bench/login-throughput.sh [seconds-per-step]
# 1. argon2id verifications/s for several costs, on one thread and on every core;
# 2. logins/s through a single-process hub (agentim-server) on a throwaway PostgreSQL
#    (fsync on: a login writes a refresh-token row and an audit row).
# CONFIG=release builds optimised binaries first (about 10 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/../../.."
source deploy/local/throwaway-services.sh
SECONDS_PER_STEP=${1:-5}
CONFIG=${CONFIG:-debug}

install_test_packages
swift build -c "$CONFIG" --product agentim-auth-bench >/dev/null
swift build -c "$CONFIG" --product agentim-server >/dev/null
BIN=.build/$CONFIG

WORK=$(mktemp -d /tmp/agentim-bench.XXXXXX)
chmod 755 "$WORK"
HUB_PID=""
cleanup() { [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; stop_postgres; rm -rf "$WORK"; }
trap cleanup EXIT

echo "== argon2id alone"
"$BIN/agentim-auth-bench" argon2 "$SECONDS_PER_STEP"

echo "== logins through agentim-server ($CONFIG build)"
start_postgres "$WORK/db" durable
create_database agentim_bench
PORT=$(free_port)
PASSWORD='Bench-Admin-Pass-123'
DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/agentim_bench" ADMIN_PASSWORD="$PASSWORD" REDIS_URL= \
  JWT_SECRET=bench-secret-bench-secret-bench-secret-1 HOST=127.0.0.1 PORT=$PORT UPLOAD_DIR="$WORK/uploads" LOG_LEVEL=error \
  "$BIN/agentim-server" >"$WORK/hub.log" 2>&1 &
HUB_PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.1; done
CORES=$(nproc)
for concurrency in 1 "$CORES" $((CORES * 4)); do
  "$BIN/agentim-auth-bench" http "http://127.0.0.1:$PORT" admin "$PASSWORD" "$concurrency" "$SECONDS_PER_STEP"
done
