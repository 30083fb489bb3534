#!/usr/bin/env bash
# agentim-edge against nginx, on this machine, in one run (issues 4 and 21).
#
# A tiny upstream (an nginx server block answering fixed JSON, 1 worker) stands in for the
# services. In front of it, in turn:
#
#   nginx       the anchor: nginx as a competent operator configures a keep-alive reverse proxy:
#               an `upstream` block with `keepalive`, `proxy_http_version 1.1` AND
#               `proxy_set_header Connection "";`, `worker_processes auto`.
#   nginx-guide the original's deployment guide's block, verbatim. It is NOT the anchor: its
#               `location /` sets `proxy_http_version 1.1` but not `Connection ""`, so nginx
#               sends `Connection: close` upstream and opens (and closes) an upstream
#               connection per request; its `keepalive` pool never holds anything. Comparing
#               with it flatters the edge (issue 21 measured 1.5x against it, 0.54x against the
#               anchor). It stays as a second, labelled row, because that is what was deployed.
#   edge        agentim-edge (EDGE, release build);
#   edge-b      optionally a second build (EDGE_B, e.g. before/after a change), in the same rounds.
#
# Each is loaded with wrk (HTTP/1.1, plain and TLS) and h2load (h2c with prior knowledge, and
# h2 over TLS with ALPN; 10 streams per connection) at CONCURRENCY connections. A round runs
# every target once per row, in an order rotated each round; the table gives the median
# requests/s and p99 of ROUNDS rounds. Then p50/p99 at the same offered load (RATE
# requests/s in all, paced by h2load --rps at PACED_CONNS connections), where tails compare
# fairly: a closed-loop run gives the faster proxy more load and so a longer tail. For the
# closed-loop rows it also gives each proxy's CPU per request (its own processes, user and
# system apart): the edge's system time alone against nginx's whole says whether any user-space
# work could reach nginx's requests/s on this machine.
# Then idle WebSocket memory: RSS per authenticated /ws/client socket of a fresh edge holding
# N sockets, and of a fresh nginx (master + workers) proxying N sockets to an edge, for each N
# in SOCKETS (client processes of at most 12,500 sockets, each from its own 127.0.0.x address
# so no source address runs out of ports; open-file limits raised).
#
# Loopback only. Everything it starts is stopped on exit. Not a test: nothing here fails a
# build; the numbers depend on the machine and on what else runs on it (hence rounds, medians).
#
# usage: bench/edge-vs-nginx.sh
#   env: ROUNDS=5 DURATION=3 CONCURRENCY="16 64 256" PROTOS="h1 h1-tls h2c h2-tls" H2_REQUESTS=60000
#        RATE=8000 PACED_CONNS=64 SOCKETS="10000 18000 50000" EDGE=.build/release/agentim-edge EDGE_B=
#        PROFILE=1 to record a perf profile of the edge under load (PROFILE_PROTO=h1|h1-tls|h2c|h2-tls, h1 by default; PROFILE_CONNS=64;
#        PERF_OUT=file keeps it); SKIP_HTTP=1 / SKIP_WS=1
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-3}
CONCURRENCY=${CONCURRENCY:-"16 64 256"}
PROTOS=${PROTOS:-"h1 h1-tls h2c h2-tls"}
H2_REQUESTS=${H2_REQUESTS:-60000}
RATE=${RATE:-8000}
PACED_CONNS=${PACED_CONNS:-64}
SOCKETS=${SOCKETS:-"10000 18000 50000"}
PROFILE=${PROFILE:-0}
PROFILE_PROTO=${PROFILE_PROTO:-h1}
PROFILE_CONNS=${PROFILE_CONNS:-64}
SKIP_HTTP=${SKIP_HTTP:-0}
SKIP_WS=${SKIP_WS:-0}
EDGE=${EDGE:-.build/release/agentim-edge}
EDGE_B=${EDGE_B:-}
SECRET="bench-secret-that-is-long-enough-for-anything"
PATH_UNDER_TEST=/api/rooms/bench

for tool in wrk h2load nginx python3 openssl curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk nghttp2-client nginx python3 openssl curl" >&2; exit 1; }
done
if [ ! -x "$EDGE" ]; then
  echo "building the release edge (about 10 minutes on 2 cores)…" >&2
  swift build -c release --product agentim-edge >&2
fi
# N sockets need N descriptors in the edge and 2N in nginx: as many as the hard limit allows.
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

# The tiny upstream: fixed answers, including the two the edge asks for at start.
UP_PORT=$(free_port)
mkdir -p "$WORK/up"
cat > "$WORK/up/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/up/nginx.pid;
error_log $WORK/up/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $WORK/up; proxy_temp_path $WORK/up; fastcgi_temp_path $WORK/up; uwsgi_temp_path $WORK/up; scgi_temp_path $WORK/up;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$UP_PORT backlog=4096;
    default_type application/json;
    location = /internal/revocations { return 200 '{"ok":true,"data":[]}'; }
    location = /internal/health { return 200 '{"ok":true,"timestamp":"2026-01-01T00:00:00.000Z","checks":{"database":true,"filesystem":true}}'; }
    location / { return 200 '{"ok":true,"data":{"id":"V1StGXR8_Z5jdHi6B-myT","name":"bench","visibility":"private"}}'; }
  }
}
EOF
nginx -c "$WORK/up/nginx.conf" -g 'daemon off;' & PIDS+=($!)

# An edge: rate limits off (NODE_ENV=test), as nginx has none.
start_edge() {  # BINARY PORT [extra env…]; prints the pid
  local binary=$1 port=$2; shift 2
  env NODE_ENV=test HOST=127.0.0.1 PORT="$port" JWT_SECRET="$SECRET" LOG_LEVEL=error REDIS_URL= \
    AUTH_URL="http://127.0.0.1:$UP_PORT" ROOMS_URL="http://127.0.0.1:$UP_PORT" ROUTER_URL="http://127.0.0.1:$UP_PORT" \
    UPLOADS_URL="http://127.0.0.1:$UP_PORT" MAX_TOTAL_WS_CONNECTIONS=200000 MAX_WS_CONNECTIONS_PER_USER=100 "$@" \
    "$binary" >"$WORK/edge-$port.log" 2>&1 &
  echo $!
}

# nginx's proxy locations. KIND=anchor: upstream keep-alive working; KIND=guide: the guide's block.
proxy_locations() {  # KIND
  local keepalive_line=""
  [ "$1" = anchor ] && keepalive_line='proxy_set_header Connection "";'
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
      # Bench only: the upstream connection leaves from the client's own 127.0.0.x, so that
      # 50,000 proxied sockets do not exhaust one source address's ports.
      proxy_bind \$remote_addr;
    }
    location / {
      proxy_pass http://agentim;
      proxy_http_version 1.1;
      $keepalive_line
      proxy_set_header Host \$host;
      proxy_set_header X-Real-IP \$remote_addr;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
EOF
}
write_nginx_conf() {  # DIR KIND UPSTREAM_PORT PLAIN_PORT TLS_PORT H2C_PORT
  local dir=$1 kind=$2
  mkdir -p "$dir"
  cat > "$dir/nginx.conf" <<EOF
worker_processes auto;
worker_rlimit_nofile $FILES;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections $FILES; }
http {
  access_log off;
  client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir; uwsgi_temp_path $dir; scgi_temp_path $dir;
  keepalive_requests 1000000;
  upstream agentim {
    server 127.0.0.1:$3;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$4 backlog=4096;
$(proxy_locations "$kind")
  }
  server {
    listen 127.0.0.1:$5 ssl http2 backlog=4096;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
$(proxy_locations "$kind")
  }
  server {
    listen 127.0.0.1:$6 http2 backlog=4096;
$(proxy_locations "$kind")
  }
}
EOF
}

# Each target: its URL per protocol.
declare -A URL
TARGETS=(nginx nginx-guide edge)
[ -n "$EDGE_B" ] && TARGETS+=(edge-b)
if [ "$SKIP_HTTP" != 1 ]; then
  declare -A NGINX_PID
  for kind in anchor guide; do
    name=nginx; [ $kind = guide ] && name=nginx-guide
    p=$(free_port); t=$(free_port); c=$(free_port)
    write_nginx_conf "$WORK/$name" "$kind" "$UP_PORT" "$p" "$t" "$c"
    nginx -c "$WORK/$name/nginx.conf" -g 'daemon off;' & PIDS+=($!); NGINX_PID[$name]=$!
    URL[$name,h1]="http://127.0.0.1:$p$PATH_UNDER_TEST"; URL[$name,h1-tls]="https://127.0.0.1:$t$PATH_UNDER_TEST"
    URL[$name,h2c]="http://127.0.0.1:$c$PATH_UNDER_TEST"; URL[$name,h2-tls]="https://127.0.0.1:$t$PATH_UNDER_TEST"
  done
  # Each edge build runs twice: on a plain port and, as its own process, on a TLS port.
  declare -A EDGE_PIDS EDGE_TLS_PIDS
  for name in edge edge-b; do
    binary=$EDGE; [ $name = edge-b ] && binary=$EDGE_B
    [ -z "$binary" ] && continue
    p=$(free_port); t=$(free_port)
    EDGE_PIDS[$name]=$(start_edge "$binary" "$p"); PIDS+=("${EDGE_PIDS[$name]}")
    EDGE_TLS_PIDS[$name]=$(start_edge "$binary" "$t" TLS_CERT_FILE="$WORK/cert.pem" TLS_KEY_FILE="$WORK/key.pem"); PIDS+=("${EDGE_TLS_PIDS[$name]}")
    # The edge speaks h2c (prior knowledge) and HTTP/1.1 on one plain port, h2 and HTTP/1.1 by ALPN on TLS.
    URL[$name,h1]="http://127.0.0.1:$p$PATH_UNDER_TEST"; URL[$name,h1-tls]="https://127.0.0.1:$t$PATH_UNDER_TEST"
    URL[$name,h2c]="http://127.0.0.1:$p$PATH_UNDER_TEST"; URL[$name,h2-tls]="https://127.0.0.1:$t$PATH_UNDER_TEST"
  done
  wait_http "http://127.0.0.1:$UP_PORT/"
  for name in "${TARGETS[@]}"; do
    wait_http "${URL[$name,h1]}"; wait_http "${URL[$name,h1-tls]}" --insecure
  done
fi

# CPU per request of the proxy's own processes (CPU_PIDS: an edge, or an nginx's workers), user
# and system apart, from /proc over the measured run only. On loopback both proxies make about
# the same system calls per request, so the system part bounds what user-space work can close.
CPU_PIDS=""
cpu_ticks() {  # -> "user system" clock ticks of CPU_PIDS
  local pid u=0 s=0 fields
  for pid in $CPU_PIDS; do
    fields=$(awk '{print $14, $15}' "/proc/$pid/stat" 2>/dev/null) || continue
    u=$((u + ${fields% *})); s=$((s + ${fields#* }))
  done
  echo "$u $s"
}
cpu_per_request() {  # "u0 s0" "u1 s1" REQUESTS -> "user_us system_us"
  python3 -c "import os, sys
(u0, s0), (u1, s1) = (map(int, a.split()) for a in sys.argv[1:3])
n, tick = float(sys.argv[3] or 0), os.sysconf('SC_CLK_TCK')
print(f'{(u1 - u0) / tick / n * 1e6:.1f} {(s1 - s0) / tick / n * 1e6:.1f}' if n else '0 0')" "$1" "$2" "$3"
}
target_pids() {  # TARGET PROTO -> the pids whose CPU is the target's
  case $1 in
    nginx*) pgrep -P "${NGINX_PID[$1]}" | tr '\n' ' ' ;;
    *) case $2 in *tls) echo "${EDGE_TLS_PIDS[$1]}" ;; *) echo "${EDGE_PIDS[$1]}" ;; esac ;;
  esac
}

# wrk --latency: "Requests/sec:", "N requests in", and "99%" lines with units us/ms/s.
wrk_run() {  # URL CONNS -> "rps p50ms p99ms user_us sys_us"
  wrk -t2 -c"$2" -d1s "$1" >/dev/null 2>&1 || true
  local before after out
  before=$(cpu_ticks)
  out=$(wrk -t2 -c"$2" -d"${DURATION}s" --latency "$1" 2>/dev/null | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    / requests in / { n=$1 } /Requests\/sec:/ { rps=$2 } $1=="50%" { p50=ms($2) } $1=="99%" { p99=ms($2) }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, n }')
  after=$(cpu_ticks)
  echo "${out% *} $(cpu_per_request "$before" "$after" "${out##* }")"
}
# h2load logs each request's duration (µs, 3rd column) with --log-file. Runs are count-based:
# in timed mode (-D) h2load never ends when some clients finish their TLS handshake after the
# window, which a busy server can cause at 256 connections; `timeout` guards the runs anyway.
h2load_measure() {  # URL CONNS WARMUP_REQUESTS REQUESTS TIMEOUT_S [h2load options…] -> "rps p50ms p99ms user_us sys_us"
  local url=$1 conns=$2 warmup=$3 requests=$4 limit=$5 log="$WORK/h2load.log"; shift 5
  timeout 60 h2load -c"$conns" -t2 -n "$warmup" "$@" "$url" >/dev/null 2>&1 || true
  rm -f "$log"
  local out rps before after timing
  before=$(cpu_ticks)
  out=$(timeout "$limit" h2load -c"$conns" -t2 -n "$requests" --log-file="$log" "$@" "$url" 2>/dev/null || true)
  after=$(cpu_ticks)
  rps=$(echo "$out" | awk '/^finished in/ { gsub(",", "", $4); print $4 }')
  timing=$(python3 - "$log" "$rps" <<'PY'
import sys
try:
    durations = sorted(int(line.split()[2]) for line in open(sys.argv[1]) if line.strip())
except OSError:
    durations = []
def pct(p): return durations[min(len(durations) - 1, int(len(durations) * p))] / 1000 if durations else 0
print(f"{float(sys.argv[2] or 0):.0f} {pct(0.50):.2f} {pct(0.99):.2f} {len(durations)}")
PY
)
  echo "${timing% *} $(cpu_per_request "$before" "$after" "${timing##* }")"
}
h2load_run() {  # URL CONNS -> "rps p50ms p99ms user_us sys_us": as fast as it goes, 10 streams per connection
  h2load_measure "$1" "$2" $(( $2 * 10 * 2 )) "$H2_REQUESTS" 120 -m10
}
# The same offered load for every target: h2load paces each connection (--rps) so that RATE
# requests/s arrive in all, over HTTP/1.1 (--h1) or h2 (10 streams).
paced_run() {  # URL CONNS PROTO -> "rps p50ms p99ms user_us sys_us"
  local url=$1 conns=$2 proto=$3 options=(-m10)
  case $proto in h1*) options=(--h1) ;; esac
  local per=$(( RATE / conns > 0 ? RATE / conns : 1 ))
  h2load_measure "$url" "$conns" $(( per * conns )) $(( per * conns * DURATION )) $(( DURATION * 4 + 60 )) --rps="$per" "${options[@]}"
}
run_one() {  # MODE PROTO TARGET CONNS
  local url=${URL[$3,$2]}
  CPU_PIDS=$(target_pids "$3" "$2")
  if [ "$1" = paced ]; then paced_run "$url" "$4" "$2"
  else case $2 in h1*) wrk_run "$url" "$4" ;; *) h2load_run "$url" "$4" ;; esac
  fi
}

RESULTS=$WORK/results
: > "$RESULTS"
# ROUNDS rounds; in each, every row measures every target, the targets' order rotated per round.
measure_rounds() {
  local round proto conns i n=${#TARGETS[@]} target
  for round in $(seq 1 "$ROUNDS"); do
    for proto in $PROTOS; do
      for conns in $CONCURRENCY; do
        for i in $(seq 0 $((n - 1))); do
          target=${TARGETS[$(( (i + round) % n ))]}
          echo "closed $proto $conns $target $(run_one closed "$proto" "$target" "$conns")" >> "$RESULTS"
        done
      done
      for i in $(seq 0 $((n - 1))); do
        target=${TARGETS[$(( (i + round) % n ))]}
        echo "paced $proto $PACED_CONNS $target $(run_one paced "$proto" "$target" "$PACED_CONNS")" >> "$RESULTS"
      done
    done
    echo "round $round of $ROUNDS done $(date -u +%T)" >&2
  done
}

table() {  # medians per row and target, with edge ÷ nginx (the anchor) and edge ÷ nginx-guide
  python3 - "$RESULTS" "${TARGETS[@]}" <<'PY'
import sys, statistics, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    mode, proto, conns, target, rps, p50, p99, user, system = line.split()
    rows.setdefault((mode, proto, conns), collections.defaultdict(list))[target].append(
        (float(rps), float(p50), float(p99), float(user), float(system)))
targets = sys.argv[2:]
edges = [t for t in targets if t.startswith("edge")]
def med(values, k): return statistics.median(v[k] for v in values) if values else 0
def ratio(a, b): return f"{a / b:.2f}" if b else "-"
for mode, title in (("closed", "closed loop (as fast as each goes): median req/s and p99 ms"),
                    ("paced", "same offered load for all (h2load --rps): median p50 / p99 ms")):
    print(f"\n## {title}")
    head = f"{'proto':7} {'conns':>5} " + " ".join(f"{t:>20}" for t in targets)
    head += "".join(f" {e + '/nginx':>17}" for e in edges) + "".join(f" {e + '/guide':>17}" for e in edges)
    print(head)
    for (m, proto, conns), by in rows.items():
        if m != mode: continue
        n = len(next(iter(by.values())))
        cells, r1, r2 = [], [], []
        for t in targets:
            v = by.get(t, [])
            cells.append(f"{med(v, 0):>9.0f} {med(v, 2):>7.2f}ms" if mode == "closed" else f"{med(v, 1):>8.2f} / {med(v, 2):>6.2f}ms")
        for e in edges:
            if mode == "closed":
                r1.append(f"{ratio(med(by[e], 0), med(by['nginx'], 0)) + 'x p99 ' + ratio(med(by[e], 2), med(by['nginx'], 2)) + 'x':>17}")
                r2.append(f"{ratio(med(by[e], 0), med(by['nginx-guide'], 0)) + 'x p99 ' + ratio(med(by[e], 2), med(by['nginx-guide'], 2)) + 'x':>17}")
            else:
                r1.append(f"{'p99 ' + ratio(med(by[e], 2), med(by['nginx'], 2)) + 'x':>17}")
                r2.append(f"{'p99 ' + ratio(med(by[e], 2), med(by['nginx-guide'], 2)) + 'x':>17}")
        print(f"{proto:7} {conns:>5} " + " ".join(cells) + " " + " ".join(r1) + " " + " ".join(r2) + f"   (n={n})")
print("\n## CPU per request of the proxy's own processes, closed loop: median user + system us (edge's system part / nginx's total)")
print(f"{'proto':7} {'conns':>5} " + " ".join(f"{t:>20}" for t in targets) + "".join(f" {e + ' sys/nginx':>17}" for e in edges))
for (m, proto, conns), by in rows.items():
    if m != "closed": continue
    cells = [f"{med(by.get(t, []), 3):>8.1f} + {med(by.get(t, []), 4):>6.1f}us" for t in targets]
    nginx_total = med(by["nginx"], 3) + med(by["nginx"], 4)
    bound = [f"{ratio(med(by[e], 4), nginx_total) + 'x':>17}" for e in edges]
    print(f"{proto:7} {conns:>5} " + " ".join(cells) + " " + " ".join(bound))
PY
}

echo "# agentim-edge vs nginx $(nginx -v 2>&1 | sed 's/.*\///') — $(nproc) cores, $(date -u +%FT%TZ)"
echo "# edge: $EDGE${EDGE_B:+   edge-b: $EDGE_B}"
if [ "$SKIP_HTTP" != 1 ]; then
  echo "# GET $PATH_UNDER_TEST proxied to a fixed-answer upstream. wrk -t2 ${DURATION}s after 1 s warm-up (HTTP/1.1);"
  echo "# h2load -t2 -m10 $H2_REQUESTS requests after a warm-up (h2c, h2 over TLS). $ROUNDS alternating rounds, medians."
  measure_rounds
  table
fi

if [ "$PROFILE" = 1 ] && command -v perf >/dev/null && [ "$SKIP_HTTP" != 1 ]; then
  echo; echo "# perf profile of the edge under $PROFILE_PROTO at $PROFILE_CONNS connections (top symbols, self time)"
  case $PROFILE_PROTO in
    h1|h1-tls) wrk -t2 -c"$PROFILE_CONNS" -d"$((DURATION + 2))s" "${URL[edge,$PROFILE_PROTO]}" >/dev/null 2>&1 & LOAD=$! ;;
    # Count-based (see h2load_measure), about DURATION + 2 seconds' worth at 20,000 requests/s.
    h2c|h2-tls) timeout $((DURATION + 10)) h2load -c"$PROFILE_CONNS" -t2 -m10 -n $(( (DURATION + 2) * 20000 )) "${URL[edge,$PROFILE_PROTO]}" > "$WORK/profile-load.log" 2>&1 & LOAD=$! ;;
    *) echo "PROFILE_PROTO: one of h1 h1-tls h2c h2-tls" >&2; exit 1 ;;
  esac
  sleep 1
  PROFILED=${EDGE_PIDS[edge]}; case $PROFILE_PROTO in *-tls) PROFILED=${EDGE_TLS_PIDS[edge]} ;; esac
  perf record -e cpu-clock -F 499 -g -p "$PROFILED" -o "$WORK/perf.data" -- sleep "$DURATION" >/dev/null 2>"$WORK/perf.err" || tail -3 "$WORK/perf.err"
  wait "$LOAD" || tail -3 "$WORK/profile-load.log" 2>/dev/null || true
  perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25 | cut -c1-150 || true
  [ -n "${PERF_OUT:-}" ] && cp "$WORK/perf.data" "$PERF_OUT"
fi

[ "$SKIP_WS" = 1 ] && exit 0
# Idle WebSockets. Client processes of at most 12,500 sockets, process k from 127.0.0.(10+k).
hold_sockets() {  # PORT COUNT PIDS-TO-MEASURE… ; prints "before after report"
  local port=$1 count=$2; shift 2
  local before; before=$(rss_kb "$@")
  local procs=$(( (count + 12499) / 12500 )) k clients=()
  rm -f "$WORK"/clients-*.out
  for k in $(seq 0 $((procs - 1))); do
    local share=$(( count / procs + (k < count % procs ? 1 : 0) ))
    # Held until killed (WS_HOLD=forever), from a source address of its own.
    WS_HOLD=forever WS_SOURCE_ADDRESS="127.0.0.$((10 + k))" WS_USER_PREFIX="bench-user-$k" python3 bench/ws-idle-clients.py "$port" "$share" "$SECRET" \
      </dev/null > "$WORK/clients-$k.out" 2>"$WORK/clients-$k.err" &
    clients+=($!)
  done
  for k in $(seq 0 $((procs - 1))); do
    for _ in $(seq 1 900); do [ -s "$WORK/clients-$k.out" ] && break; sleep 0.2; done
  done
  sleep 3
  local after; after=$(rss_kb "$@")
  local report; report=$(cat "$WORK"/clients-*.out | awk '{ok += $2; failed += $4; s = $6 > s ? $6 : s} END {printf "authenticated %d failed %d in %.0f s", ok, failed, s}')
  echo "$before $after $report"
  kill "${clients[@]}" 2>/dev/null || true
  for pid in "${clients[@]}"; do wait "$pid" 2>/dev/null || true; done
}
per_socket() {  # BEFORE AFTER "authenticated N …": kB per socket held
  python3 -c "import sys; n = int(sys.argv[3].split()[1]); print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / n:.1f}' if n else '-')" "$@"
}

echo
echo "# idle authenticated /ws/client sockets: RSS of a fresh process before and after, per socket"
WS_EDGES=(edge); [ -n "$EDGE_B" ] && WS_EDGES+=(edge-b)
for count in $SOCKETS; do
  # One edge holds every socket in one process: the open-file limit bounds what can be measured
  # (a container without CAP_SYS_RESOURCE cannot raise its hard limit).
  if [ $((count + 1000)) -gt "$FILES" ]; then
    echo "$count sockets: not measurable here, the open-file limit is $FILES (ulimit -Hn; raising it needs CAP_SYS_RESOURCE)"
    continue
  fi
  for name in "${WS_EDGES[@]}"; do
    binary=$EDGE; [ "$name" = edge-b ] && binary=$EDGE_B
    port=$(free_port); pid=$(start_edge "$binary" "$port"); PIDS+=("$pid")
    wait_http "http://127.0.0.1:$port/api/health"
    read -r before after report <<<"$(hold_sockets "$port" "$count" "$pid")"
    printf '%-12s %6d sockets: RSS %7d kB -> %8d kB, %6s kB per socket   (%s)\n' "$name" "$count" "$before" "$after" \
      "$(per_socket "$before" "$after" "$report")" "$report"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
  # nginx (the anchor's config) proxying /ws/ to an edge of its own; only nginx's processes are measured.
  upstream_port=$(free_port); upstream_pid=$(start_edge "$EDGE" "$upstream_port"); PIDS+=("$upstream_pid")
  wait_http "http://127.0.0.1:$upstream_port/api/health"
  p=$(free_port)
  write_nginx_conf "$WORK/nginx-ws-$count" anchor "$upstream_port" "$p" "$(free_port)" "$(free_port)"
  nginx -c "$WORK/nginx-ws-$count/nginx.conf" -g 'daemon off;' & npid=$!; PIDS+=("$npid")
  wait_http "http://127.0.0.1:$upstream_port/api/health"; sleep 1
  # shellcheck disable=SC2046
  read -r before after report <<<"$(hold_sockets "$p" "$count" $(nginx_pids "$npid"))"
  printf '%-12s %6d sockets: RSS %7d kB -> %8d kB, %6s kB per socket   (%s; master + workers, proxying)\n' nginx "$count" \
    "$before" "$after" "$(per_socket "$before" "$after" "$report")" "$report"
  kill "$npid" "$upstream_pid"; wait "$npid" "$upstream_pid" 2>/dev/null || true
done
