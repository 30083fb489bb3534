#!/usr/bin/env bash
# Upload and download throughput through the edge (MiB/s), and the peak RSS of the edge and
# the uploads service, for the single-process hub and for agentim-edge → agentim-uploads.
# Not a test: it prints figures. Uses release binaries:
#   swift build -c release --scratch-path .build-release   (or set BIN=…)
#   bash services/uploads/bench/throughput.sh [rounds] [parallel]
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROUNDS=${1:-20}
PARALLEL=${2:-1}
BIN=${BIN:-$( [ -x .build-release/release/agentim-server ] && echo .build-release/release || echo .build/release )}
for exe in agentim-server agentim-edge agentim-uploads agentim-auth; do
  [ -x "$BIN/$exe" ] || { echo "missing $BIN/$exe: build with -c release first" >&2; exit 1; }
done
# shellcheck source=deploy/local/throwaway-services.sh
source deploy/local/throwaway-services.sh
WORK=$(mktemp -d /tmp/agentim-bench.XXXXXX); chmod 755 "$WORK"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; stop_postgres; rm -rf "$WORK"; }
trap cleanup EXIT
start_postgres "$WORK/db" >/dev/null
PG="postgresql://postgres@127.0.0.1:$PGPORT"

# curl asks `Expect: 100-continue` for large bodies and waits a second for the 100 that the
# edge does not send; browsers and the agentim CLI never ask, so the uploads here do not either.

# The largest file whose multipart body fits the 12 MiB cap, PNG signature then random bytes.
FILE="$WORK/big.png"
{ printf '\x89PNG\r\n\x1a\n'; head -c $(( (12 << 20) - 1024 )) /dev/urandom; } > "$FILE"
SIZE=$(stat -c %s "$FILE")
COMMON=(NODE_ENV=test ADMIN_PASSWORD='AdminPass123!x' JWT_SECRET=bench-secret-bench-secret-bench-secret
        MAX_FILE_SIZE=12582912 REDIS_URL= LOG_LEVEL=warn HOST=127.0.0.1)

wait_for() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "no answer from $1" >&2; exit 1; }
peak_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

# run NAME BASE EDGE_PID UPLOADS_PID
run() {
  local name=$1 base=$2 edge=$3 uploads=$4
  local token
  token=$(curl -s "$base/api/auth/login" -d '{"username":"admin","password":"AdminPass123!x"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["accessToken"])')
  local edge0 uploads0; edge0=$(peak_kib "$edge"); uploads0=$(peak_kib "$uploads")
  curl -s -o "$WORK/first.json" -F "file=@$FILE;type=image/png" -H "Authorization: Bearer $token" "$base/api/upload"
  local url; url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["url"])' "$WORK/first.json")
  local start end
  start=$(date +%s.%N)
  seq 1 "$ROUNDS" | xargs -P "$PARALLEL" -I{} curl -s -o /dev/null -w '%{http_code}\n' -H 'Expect:' -F "file=@$FILE;type=image/png" \
    -H "Authorization: Bearer $token" "$base/api/upload" | sort | uniq -c | awk '$2 != 200 {print "  upload answers " $0 > "/dev/stderr"}'
  end=$(date +%s.%N)
  local up; up=$(awk -v n="$ROUNDS" -v s="$SIZE" -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", n * s / 1048576 / (b - a)}')
  local edge1 uploads1; edge1=$(peak_kib "$edge"); uploads1=$(peak_kib "$uploads")
  start=$(date +%s.%N)
  seq 1 "$ROUNDS" | xargs -P "$PARALLEL" -I{} curl -s -o /dev/null -H "Authorization: Bearer $token" "$base$url"
  end=$(date +%s.%N)
  local down; down=$(awk -v n="$ROUNDS" -v s="$SIZE" -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", n * s / 1048576 / (b - a)}')
  printf '%-28s upload %7s MiB/s  download %7s MiB/s\n' "$name (x$ROUNDS, P=$PARALLEL)" "$up" "$down"
  printf '%-28s peak RSS KiB before → after uploads → after downloads: edge %s → %s → %s, uploads %s → %s → %s\n' \
    "" "$edge0" "$edge1" "$(peak_kib "$edge")" "$uploads0" "$uploads1" "$(peak_kib "$uploads")"
}

# Single process: the edge and every service in agentim-server.
psql "$PG/postgres" -qc "CREATE DATABASE bench_single"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
env "${COMMON[@]}" DATABASE_URL="$PG/bench_single" UPLOAD_DIR="$WORK/single" PORT="$PORT" "$BIN/agentim-server" > "$WORK/server.log" 2>&1 &
SERVER=$!; PIDS+=("$SERVER")
wait_for "http://127.0.0.1:$PORT/api/health"
run "single process" "http://127.0.0.1:$PORT" "$SERVER" "$SERVER"

# Distributed: agentim-edge in front of agentim-uploads (auth for the logins).
psql "$PG/postgres" -qc "CREATE DATABASE bench_dist"
free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
AUTH=$(free); UP=$(free); EDGE=$(free); NOWHERE=$(free)
env "${COMMON[@]}" DATABASE_URL="$PG/bench_dist" PORT="$AUTH" "$BIN/agentim-auth" > "$WORK/auth.log" 2>&1 & PIDS+=("$!")
wait_for "http://127.0.0.1:$AUTH/internal/health"
env "${COMMON[@]}" DATABASE_URL="$PG/bench_dist" UPLOAD_DIR="$WORK/dist" PORT="$UP" "$BIN/agentim-uploads" > "$WORK/uploads.log" 2>&1 &
UPLOADS=$!; PIDS+=("$UPLOADS")
wait_for "http://127.0.0.1:$UP/internal/health"
env "${COMMON[@]}" PORT="$EDGE" AUTH_URL="http://127.0.0.1:$AUTH" UPLOADS_URL="http://127.0.0.1:$UP" \
  ROOMS_URL="http://127.0.0.1:$NOWHERE" ROUTER_URL="http://127.0.0.1:$NOWHERE" "$BIN/agentim-edge" > "$WORK/edge.log" 2>&1 &
EDGEPID=$!; PIDS+=("$EDGEPID")
for _ in $(seq 1 100); do curl -s "http://127.0.0.1:$EDGE/api/health" >/dev/null 2>&1 && break; sleep 0.2; done
run "edge → uploads" "http://127.0.0.1:$EDGE" "$EDGEPID" "$UPLOADS"
