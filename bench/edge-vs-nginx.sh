#!/usr/bin/env bash
# agentim-edge against nginx, on this machine, in one run (issue 4 "Measured against nginx").
#
# Starts a tiny upstream (an nginx server block answering fixed JSON, 1 worker), then in
# front of it nginx configured as the original's deployment guide configures it (keep-alive
# upstream, 12M bodies, forwarded headers, /ws/ upgrade with a long read timeout) and
# agentim-edge (release build), and loads each with wrk (HTTP/1.1, plain) and h2load (h2 over
# TLS, as the guide's `listen 443 ssl http2`) at several concurrencies. Prints requests/s and
# p50/p99 latency for both and the ratio edge/nginx; then p50/p99 of both at the same offered
# load (RATE requests/s, paced by h2load), where tails compare fairly. Then idle WebSocket memory: RSS of the
# edge holding N authenticated sockets, beside nginx holding N sockets it proxies (to an edge).
#
# Loopback only. Everything it starts is stopped on exit. Not a test: nothing here fails a
# build; the numbers depend on the machine and on what else runs on it.
#
# usage: bench/edge-vs-nginx.sh            (env: DURATION=10 H2_REQUESTS=60000 CONCURRENCY="16 64 256" SOCKETS=10000 RATE=10000
#                                            PROFILE=1 to record a perf profile of the edge under wrk)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
H2_REQUESTS=${H2_REQUESTS:-60000}
CONCURRENCY=${CONCURRENCY:-"16 64 256"}
SOCKETS=${SOCKETS:-10000}
RATE=${RATE:-10000}
PROFILE=${PROFILE:-0}
EDGE=${EDGE:-.build/release/agentim-edge}
SECRET="bench-secret-that-is-long-enough-for-anything"
PATH_UNDER_TEST=/api/rooms/bench

for tool in wrk h2load nginx python3 openssl curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk nghttp2-client nginx python3 openssl curl" >&2; exit 1; }
done
if [ ! -x "$EDGE" ]; then
  echo "building the release edge (about 10 minutes on 2 cores)…" >&2
  swift build -c release --product agentim-edge >&2
fi
# As many descriptors as this shell may have: N sockets need N in the client and 2N in nginx.
ulimit -n "$(ulimit -Hn)"
FILES=$(ulimit -n)

WORK=$(mktemp -d /tmp/agentim-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() {  # URL [curl options…]: up to 20 s
  local url=$1; shift
  for _ in $(seq 1 100); do curl -s -o /dev/null --max-time 1 "$@" "$url" && return 0; sleep 0.2; done
  echo "no answer from $url" >&2; return 1
}
rss_kb() {  # total RSS of the given pids, in kB
  local total=0 pid
  for pid in "$@"; do total=$((total + $(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0))); done
  echo "$total"
}
nginx_pids() { pgrep -P "$1" | tr '\n' ' '; echo "$1"; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
  -days 1 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null

UP_PORT=$(free_port); NGINX_PORT=$(free_port); NGINX_TLS_PORT=$(free_port); EDGE_PORT=$(free_port); EDGE_TLS_PORT=$(free_port)

# The tiny upstream: fixed answers, including the two the edge asks for at start.
mkdir -p "$WORK/up"
cat > "$WORK/up/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/up/nginx.pid;
error_log $WORK/up/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/up; proxy_temp_path $WORK/up; fastcgi_temp_path $WORK/up; uwsgi_temp_path $WORK/up; scgi_temp_path $WORK/up;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$UP_PORT;
    default_type application/json;
    location = /internal/revocations { return 200 '{"ok":true,"data":[]}'; }
    location = /internal/health { return 200 '{"ok":true,"timestamp":"2026-01-01T00:00:00.000Z","checks":{"database":true,"filesystem":true}}'; }
    location / { return 200 '{"ok":true,"data":{"id":"V1StGXR8_Z5jdHi6B-myT","name":"bench","visibility":"private"}}'; }
  }
}
EOF
nginx -c "$WORK/up/nginx.conf" -g 'daemon off;' & PIDS+=($!)

# The edge in front of it: rate limits off (NODE_ENV=test), as nginx has none.
start_edge() {  # PORT [extra env…]; prints the pid
  local port=$1; shift
  env NODE_ENV=test HOST=127.0.0.1 PORT="$port" JWT_SECRET="$SECRET" LOG_LEVEL=error REDIS_URL= \
    AUTH_URL="http://127.0.0.1:$UP_PORT" ROOMS_URL="http://127.0.0.1:$UP_PORT" ROUTER_URL="http://127.0.0.1:$UP_PORT" \
    UPLOADS_URL="http://127.0.0.1:$UP_PORT" MAX_TOTAL_WS_CONNECTIONS=100000 MAX_WS_CONNECTIONS_PER_USER=100 "$@" \
    "$EDGE" >"$WORK/edge-$port.log" 2>&1 &
  echo $!
}
EDGE_PID=$(start_edge "$EDGE_PORT"); PIDS+=("$EDGE_PID")
EDGE_TLS_PID=$(start_edge "$EDGE_TLS_PORT" TLS_CERT_FILE="$WORK/cert.pem" TLS_KEY_FILE="$WORK/key.pem"); PIDS+=("$EDGE_TLS_PID")

# nginx as docs/DEPLOYMENT.md of the original sets it up, on a plain and a TLS listener.
mkdir -p "$WORK/nginx"
proxy_locations() {
  cat <<EOF
    client_max_body_size 12M;
    location /ws/ {
      proxy_pass http://agentim;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host \$host;
      proxy_set_header X-Real-IP \$remote_addr;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_read_timeout 86400s;
    }
    location / {
      proxy_pass http://agentim;
      proxy_http_version 1.1;
      proxy_set_header Host \$host;
      proxy_set_header X-Real-IP \$remote_addr;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
EOF
}
write_nginx_conf() {  # UPSTREAM_PORT
  cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
worker_rlimit_nofile $FILES;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections $FILES; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx; uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  keepalive_requests 1000000;
  upstream agentim {
    server 127.0.0.1:$1;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
$(proxy_locations)
  }
  server {
    listen 127.0.0.1:$NGINX_TLS_PORT ssl http2;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
$(proxy_locations)
  }
}
EOF
}
write_nginx_conf "$UP_PORT"
nginx -c "$WORK/nginx/nginx.conf" -g 'daemon off;' & NGINX_PID=$!; PIDS+=("$NGINX_PID")

wait_http "http://127.0.0.1:$UP_PORT/"
wait_http "http://127.0.0.1:$EDGE_PORT/api/health"
wait_http "https://127.0.0.1:$EDGE_TLS_PORT/api/health" --insecure
wait_http "http://127.0.0.1:$NGINX_PORT$PATH_UNDER_TEST"
wait_http "https://127.0.0.1:$NGINX_TLS_PORT$PATH_UNDER_TEST" --insecure

echo "# agentim-edge vs nginx $(nginx -v 2>&1 | sed 's/.*\///') — $(nproc) cores, $(date -u +%FT%TZ)"
echo "# GET $PATH_UNDER_TEST proxied to a fixed-answer upstream; wrk ${DURATION}s per run after a 2 s warm-up, h2load $H2_REQUESTS requests (8 streams per connection) after a short warm-up"
printf '%-6s %-5s %-7s %12s %9s %9s %12s %9s %9s %8s %8s\n' tool proto conns "nginx req/s" "p50 ms" "p99 ms" "edge req/s" "p50 ms" "p99 ms" "req/s x" "p99 x"

# wrk --latency: "Requests/sec:", and "50%"/"99%" lines with units us/ms/s.
wrk_run() {  # URL CONNS -> "rps p50ms p99ms"
  local threads=$(( $2 < 2 ? 1 : 2 ))
  wrk -t"$threads" -c"$2" -d2s "$1" >/dev/null 2>&1 || true
  wrk -t"$threads" -c"$2" -d"${DURATION}s" --latency "$1" 2>/dev/null | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec:/ { rps=$2 } $1=="50%" { p50=ms($2) } $1=="99%" { p99=ms($2) }
    END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }'
}
# h2load logs each request's duration (µs, 3rd column) with --log-file. HTTP/2 runs are
# count-based (H2_REQUESTS): in timed mode (-D) h2load never ends when some of its clients
# finish their TLS handshake after the measured window, which a busy server can cause at
# 256 connections; `timeout` guards the runs anyway.
h2load_measure() {  # URL CONNS WARMUP_REQUESTS REQUESTS TIMEOUT_S [h2load options…] -> "rps p50ms p99ms"
  local url=$1 conns=$2 warmup=$3 requests=$4 limit=$5 log="$WORK/h2load.log"; shift 5
  timeout 120 h2load -c"$conns" -t2 -n "$warmup" "$@" "$url" >/dev/null 2>&1 || true
  rm -f "$log"
  local out rps
  out=$(timeout "$limit" h2load -c"$conns" -t2 -n "$requests" --log-file="$log" "$@" "$url" 2>/dev/null)
  rps=$(echo "$out" | awk '/^finished in/ { gsub(",", "", $4); print $4 }')
  python3 - "$log" "$rps" <<'PY'
import sys
durations = sorted(int(line.split()[2]) for line in open(sys.argv[1]) if line.strip())
def pct(p): return durations[min(len(durations) - 1, int(len(durations) * p))] / 1000
print(f"{float(sys.argv[2] or 0):.0f} {pct(0.50):.2f} {pct(0.99):.2f}")
PY
}
h2load_run() {  # URL CONNS -> "rps p50ms p99ms": as fast as it goes, 8 streams per connection
  h2load_measure "$1" "$2" $(( $2 * 8 * 4 )) "$H2_REQUESTS" 300 -m8
}
# The same offered load for both: h2load paces each connection (--rps) so that RATE requests/s
# arrive in all, over HTTP/1.1 (--h1, plain) or h2 (TLS, 8 streams). A closed-loop run gives
# the faster proxy more load, and so a longer tail, than the slower one; this one compares
# latency at equal load.
paced_run() {  # URL CONNS [h2load options…] -> "rps p50ms p99ms"
  local url=$1 conns=$2; shift 2
  local per=$(( RATE / conns > 0 ? RATE / conns : 1 ))
  h2load_measure "$url" "$conns" $(( per * conns )) $(( per * conns * DURATION )) $(( DURATION * 4 + 60 )) --rps="$per" "$@"
}
compare() {  # TOOL PROTO CONNS "nginx result" "edge result"
  read -r n_rps n_p50 n_p99 <<<"$4"; read -r e_rps e_p50 e_p99 <<<"$5"
  python3 -c "import sys; a=sys.argv[1:]; n,e,np,ep=float(a[0]),float(a[1]),float(a[2]),float(a[3]); print(f'{e/n:.2f} {ep/np:.2f}' if n and np else '- -')" \
    "$n_rps" "$e_rps" "$n_p99" "$e_p99" | { read -r ratio p99ratio
    printf '%-6s %-5s %-7s %12s %9s %9s %12s %9s %9s %8s %8s\n' "$1" "$2" "$3" "$n_rps" "$n_p50" "$n_p99" "$e_rps" "$e_p50" "$e_p99" "$ratio" "$p99ratio"; }
}

side_by_side() {  # TOOL PROTO RUNNER NGINX_URL EDGE_URL [runner options…]: one row per concurrency
  local tool=$1 proto=$2 run=$3 nginx=$4 edge=$5 conns; shift 5
  for conns in $CONCURRENCY; do
    compare "$tool" "$proto" "$conns" "$("$run" "$nginx" "$conns" "$@")" "$("$run" "$edge" "$conns" "$@")"
  done
}
PLAIN_NGINX="http://127.0.0.1:$NGINX_PORT$PATH_UNDER_TEST" PLAIN_EDGE="http://127.0.0.1:$EDGE_PORT$PATH_UNDER_TEST"
TLS_NGINX="https://127.0.0.1:$NGINX_TLS_PORT$PATH_UNDER_TEST" TLS_EDGE="https://127.0.0.1:$EDGE_TLS_PORT$PATH_UNDER_TEST"

side_by_side wrk h1 wrk_run "$PLAIN_NGINX" "$PLAIN_EDGE"
side_by_side h2load h2 h2load_run "$TLS_NGINX" "$TLS_EDGE"
echo
echo "# latency at the same offered load: $RATE requests/s in all, paced per connection by h2load --rps, ${DURATION}s"
side_by_side paced h1 paced_run "$PLAIN_NGINX" "$PLAIN_EDGE" --h1
side_by_side paced h2 paced_run "$TLS_NGINX" "$TLS_EDGE" -m8

if [ "$PROFILE" = 1 ] && command -v perf >/dev/null; then
  echo; echo "# perf profile of the edge under wrk -c64 (top symbols, self time)"
  wrk -t2 -c64 -d"$((DURATION + 2))s" "$PLAIN_EDGE" >/dev/null 2>&1 & LOAD=$!
  sleep 1
  perf record -e cpu-clock -F 499 -g -p "$EDGE_PID" -o "$WORK/perf.data" -- sleep "$DURATION" >/dev/null 2>&1 || true
  wait "$LOAD"
  perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25 | cut -c1-150
fi

# Idle WebSockets: the edge terminating N authenticated sockets, and nginx proxying N to an edge.
echo
echo "# idle WebSocket memory, $SOCKETS authenticated /ws/client sockets (RSS)"
kill "$EDGE_TLS_PID"
hold_sockets() {  # PORT PIDS-TO-MEASURE… ; prints "before after"
  local port=$1; shift
  local before; before=$(rss_kb "$@")
  exec 7> >(python3 bench/ws-idle-clients.py "$port" "$SOCKETS" "$SECRET" > "$WORK/clients.out" 2>"$WORK/clients.err")
  local holder=$!
  for _ in $(seq 1 600); do [ -s "$WORK/clients.out" ] && break; sleep 0.2; done
  sleep 2
  local after; after=$(rss_kb "$@")
  echo "$before $after $(cat "$WORK/clients.out")"
  exec 7>&-
  wait "$holder" 2>/dev/null || true
  rm -f "$WORK/clients.out"
}
read -r e_before e_after e_report <<<"$(hold_sockets "$EDGE_PORT" "$EDGE_PID")"
printf 'edge : RSS %6d kB idle -> %7d kB with sockets, +%.1f kB per socket   (%s)\n' "$e_before" "$e_after" \
  "$(python3 -c "print(($e_after-$e_before)/$SOCKETS)")" "$e_report"

# nginx proxies /ws/ to a second edge of its own; only nginx's processes are measured.
SOCKET_EDGE_PORT=$(free_port)
SOCKET_EDGE_PID=$(start_edge "$SOCKET_EDGE_PORT"); PIDS+=("$SOCKET_EDGE_PID")
wait_http "http://127.0.0.1:$SOCKET_EDGE_PORT/api/health"
write_nginx_conf "$SOCKET_EDGE_PORT"
kill -HUP "$NGINX_PID"
sleep 2
# shellcheck disable=SC2046
read -r n_before n_after n_report <<<"$(hold_sockets "$NGINX_PORT" $(nginx_pids "$NGINX_PID"))"
printf 'nginx: RSS %6d kB idle -> %7d kB with sockets, +%.1f kB per socket   (%s; master + workers)\n' "$n_before" "$n_after" \
  "$(python3 -c "print(($n_after-$n_before)/$SOCKETS)")" "$n_report"
