#!/usr/bin/env python3
"""Benchmark (not a test): chunks/s from a fake agent through the `agentim` CLI and the hub to a
room client (/ws/client), with p50/p99 latency from the agent's write to the client's read; and the
CLI's resident memory idle and with three agents busy.

Needs a throwaway PostgreSQL (PGURL=postgresql://postgres@127.0.0.1:PORT), built binaries in
BIN_DIR (default .build/debug; use a release build for real numbers) and `pip install websockets`.
    PGURL=... python3 bench/cli-relay.py [--chunks 20000] [--bin .build/release] [--delay 0.0002] [--cli-only]
--delay paces the agent (latency without a backlog); --cli-only replaces the hub by a minimal
/ws/gateway endpoint, for the CLI's own ceiling. Each run also prints the CPU time per chunk of
every process (agent, gateway, hub or fake hub, the measuring client), which shows the bottleneck.
"""
import argparse, asyncio, json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request
import websockets

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE = os.path.join(ROOT, "bench", "cli-relay-fake-claude.py")

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def http(method, url, body=None, token=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token: req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"{}")

def cpu_s(pid):
    """utime + stime of a process in seconds (0 once it is gone)."""
    try:
        fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0

def children(pid):
    kids = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            kids += [int(k) for k in open("/proc/%d/task/%s/children" % (pid, tid)).read().split()]
    except OSError:
        pass
    return kids

async def cpu_sampler(pids, seen, stop):
    """Keeps the last CPU reading of each process (the agent exits before the end) and picks up
    the gateway's agent child when it appears."""
    while not stop.is_set():
        for name, pid in list(pids.items()):
            if name == "gateway":
                for kid in children(pid): pids.setdefault("agent", kid)
            value = cpu_s(pid)
            if value: seen[name] = value
        await asyncio.sleep(0.05)

class FakeGatewayHub:
    """A minimal /ws/gateway endpoint (raw asyncio, no JSON parsing of chunks) so the CLI's own
    ceiling can be measured without the hub being the bottleneck: it accepts the auth, learns the
    agent id from the registration, sends one send_to_agent and counts the chunks."""
    def __init__(self):
        self.agent_id = asyncio.get_running_loop().create_future()
        self.done = asyncio.get_running_loop().create_future()
        self.writer = None
        self.latencies, self.first, self.last, self.count = [], None, None, 0

    async def serve(self, reader, writer):
        import base64, hashlib, re
        head = await reader.readuntil(b"\r\n\r\n")
        key = re.search(rb"(?i)sec-websocket-key:\s*(\S+)", head).group(1)
        accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
        writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        self.writer = writer
        stamp = re.compile(rb't=(\d+);')
        buf = b""
        while True:
            try: data = await reader.read(1 << 20)
            except (asyncio.CancelledError, ConnectionError): return
            if not data: return
            buf += data
            pos = 0
            while len(buf) - pos >= 2:
                b1 = buf[pos + 1]; n = b1 & 0x7F; at = pos + 2
                if n == 126:
                    if len(buf) - at < 2: break
                    n = int.from_bytes(buf[at:at + 2], "big"); at += 2
                elif n == 127:
                    if len(buf) - at < 8: break
                    n = int.from_bytes(buf[at:at + 8], "big"); at += 8
                if len(buf) - at < 4 + n: break
                mask = buf[at:at + 4]; at += 4
                raw = buf[at:at + n]; pos = at + n
                text = (int.from_bytes(raw, "little") ^ int.from_bytes((mask * (n // 4 + 1))[:n], "little")).to_bytes(n, "little")
                self.frame(text)
            buf = buf[pos:]

    def send(self, obj):
        data = json.dumps(obj).encode()
        head = bytes([0x81]) + (bytes([len(data)]) if len(data) < 126 else bytes([126]) + len(data).to_bytes(2, "big"))
        self.writer.write(head + data)

    def frame(self, text):
        if b'"gateway:message_chunk"' in text:
            now = time.time_ns()
            m = re.search(rb't=(\d+);', text)
            if m:
                self.latencies.append((now - int(m.group(1))) / 1e6)
                self.count += 1
                self.first = self.first or now
                self.last = now
        elif b'"gateway:auth"' in text:
            self.send({"type": "server:gateway_auth_result", "ok": True})
        elif b'"gateway:register_agent"' in text and not self.agent_id.done():
            self.agent_id.set_result(json.loads(text)["agent"]["id"])
        elif b'"gateway:message_complete"' in text and not self.done.done():
            self.done.set_result(True)

def rss_kb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"): return int(line.split()[1])
    return 0

def memory_report(pid):
    """RSS and PSS (kB) from smaps_rollup, and RSS by mapping kind: the binary's own pages
    (file-backed, clean), other files (libc, ld.so), anonymous (heap, stacks)."""
    roll = {}
    for line in open("/proc/%d/smaps_rollup" % pid):
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit(): roll[parts[0][:-1]] = int(parts[1])
    exe = os.path.realpath("/proc/%d/exe" % pid)
    kinds, name = {"binary": 0, "other files": 0, "anonymous": 0}, None
    for line in open("/proc/%d/smaps" % pid):
        head = line.split()
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            name = head[5] if len(head) > 5 else ""
        elif head and head[0] == "Rss:":
            kind = "binary" if name == exe else ("other files" if name.startswith("/") else "anonymous")
            kinds[kind] += int(head[1])
    return roll.get("Rss", 0), roll.get("Pss", 0), kinds

def memory_line(label, pid):
    rss, pss, kinds = memory_report(pid)
    return "%s: RSS %.1f MB, PSS %.1f MB (binary %.1f, other files %.1f, anonymous %.1f MB)" % (
        label, rss / 1024, pss / 1024, kinds["binary"] / 1024, kinds["other files"] / 1024, kinds["anonymous"] / 1024)

async def client(base_ws, token, room):
    ws = await websockets.connect(base_ws + "/ws/client", max_size=None)
    await ws.send(json.dumps({"type": "client:auth", "token": token}))
    while json.loads(await ws.recv()).get("type") != "server:auth_result": pass
    await ws.send(json.dumps({"type": "client:join_room", "roomId": room}))
    await ws.send(json.dumps({"type": "client:ping", "ts": 1}))
    while json.loads(await ws.recv()).get("type") != "server:pong": pass
    return ws

async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=20000)
    ap.add_argument("--delay", type=float, default=0, help="seconds the agent sleeps between chunks (paced latency; default as fast as it can)")
    ap.add_argument("--cli-only", action="store_true", help="measure the CLI alone against a fake /ws/gateway endpoint")
    ap.add_argument("--bin", default=os.environ.get("BIN_DIR", os.path.join(ROOT, ".build/debug")))
    ap.add_argument("--hub-bin", help="folder of the agentim-server to use (default: --bin), to compare CLI and hub builds separately")
    ap.add_argument("--idle-only", action="store_true", help="only the idle memory of one connected agent (RSS, PSS, by mapping)")
    ap.add_argument("--hold", type=float, default=0, help="with --idle-only: seconds the idle gateway keeps running after the measurement")
    args = ap.parse_args()
    pg = os.environ["PGURL"]
    work = tempfile.mkdtemp(prefix="agentim-bench-")
    db = "bench_%d" % os.getpid()
    subprocess.run(["psql", pg + "/postgres", "-qc", "CREATE DATABASE " + db], check=True)
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    env = dict(os.environ, DATABASE_URL="%s/%s" % (pg, db), JWT_SECRET="bench-secret-0123456789abcdef0123456789", ADMIN_USERNAME="admin",
               ADMIN_PASSWORD="Admin-pass-123!", HOST="127.0.0.1", PORT=str(port), UPLOAD_DIR=work + "/up", WEB_DIR=work,
               LOG_LEVEL="warn", NODE_ENV="test", REDIS_URL="")
    hub = subprocess.Popen([os.path.join(args.hub_bin or args.bin, "agentim-server")], env=env, stdout=open(work + "/hub.log", "w"), stderr=subprocess.STDOUT)
    procs = [hub]
    try:
        for _ in range(300):
            try:
                if http("GET", base + "/api/health").get("ok"): break
            except Exception: pass
            time.sleep(0.2)
        token = http("POST", base + "/api/auth/login", {"username": "admin", "password": "Admin-pass-123!"})["data"]["accessToken"]
        cli_env = dict(os.environ, HOME=work, AGENTIM_HOME=work + "/.agentim", AGENTIM_NO_SECURITY_WARNING="1", LOG_LEVEL=os.environ.get("CLI_LOG_LEVEL", "warn"),
                       AGENTIM_PASSWORD="Admin-pass-123!", AGENTIM_CLAUDE_BIN=FAKE)
        agentim = os.path.join(args.bin, "agentim")
        subprocess.run([agentim, "login", "-s", base, "-u", "admin"], env=cli_env, check=True, stdout=subprocess.DEVNULL)

        async def run_gateway(names, chunks, delay):
            genv = dict(cli_env, BENCH_CHUNKS=str(chunks), BENCH_DELAY=str(delay))
            specs = sum([["-a", "%s:claude-code:%s" % (n, work)] for n in names], [])
            gw = subprocess.Popen([agentim, "gateway", "-y"] + specs, env=genv, stdout=open(work + "/gw.log", "a"), stderr=subprocess.STDOUT)
            procs.append(gw)
            ids = {}
            for _ in range(150):
                listed = http("GET", base + "/api/agents", token=token)["data"]
                ids = {a["name"]: a["id"] for a in listed if a["name"] in names and a["status"] != "offline"}
                if len(ids) == len(names): break
                await asyncio.sleep(0.2)
            room = http("POST", base + "/api/rooms", {"name": "bench-%s" % names[0]}, token)["data"]["id"]
            for n in names:
                http("POST", base + "/api/rooms/%s/members" % room, {"memberId": ids[n], "memberType": "agent"}, token)
            ws = await client("ws://127.0.0.1:%d" % port, token, room)
            return gw, ids, room, ws

        if args.cli_only:
            # The CLI's own ceiling: the same fake agent, but the CLI talks to FakeGatewayHub.
            fake = FakeGatewayHub()
            server = await asyncio.start_server(fake.serve, "127.0.0.1", 0)
            fake_port = server.sockets[0].getsockname()[1]
            config_path = work + "/.agentim/config.json"
            config = json.load(open(config_path))
            config["serverUrl"] = "ws://127.0.0.1:%d/ws/gateway" % fake_port
            json.dump(config, open(config_path, "w"))
            genv = dict(cli_env, BENCH_CHUNKS=str(args.chunks), BENCH_DELAY=str(args.delay))
            gw = subprocess.Popen([agentim, "gateway", "-y", "-a", "relay:claude-code:" + work], env=genv, stdout=open(work + "/gw.log", "a"), stderr=subprocess.STDOUT)
            procs.append(gw)
            agent_id = await asyncio.wait_for(fake.agent_id, 30)
            await asyncio.sleep(1)
            pids, cpu, stop = {"gateway": gw.pid}, {}, asyncio.Event()
            cpu_before = {"gateway": cpu_s(gw.pid), "agent": 0.0, "fake hub": sum(os.times()[:2])}
            sampler = asyncio.create_task(cpu_sampler(pids, cpu, stop))
            fake.send({"type": "server:send_to_agent", "agentId": agent_id, "roomId": "bench-room", "messageId": "bench-msg", "content": "go",
                       "senderName": "admin", "senderType": "user", "routingMode": "direct", "conversationId": "", "depth": 0})
            await asyncio.wait_for(fake.done, 120)
            stop.set(); await sampler
            cpu["fake hub"] = sum(os.times()[:2])
            lat = sorted(fake.latencies)
            rate = fake.count / ((fake.last - fake.first) / 1e9) if fake.last and fake.first and fake.last > fake.first else 0
            print("CLI only (fake hub): chunks %d of %d, %.0f chunks/s, latency p50 %.1f ms, p99 %.1f ms" % (
                fake.count, args.chunks, rate, lat[len(lat) // 2], lat[int(len(lat) * 0.99) - 1]))
            print("CPU per chunk: " + ", ".join("%s %.1f us" % (n, (cpu.get(n, 0) - cpu_before[n]) * 1e6 / max(fake.count, 1)) for n in ("agent", "gateway", "fake hub")))
            gw.terminate(); gw.wait(15)
            server.close()
            return

        # 1. Throughput and latency: one agent, N chunks as fast as the fake writes them.
        gw, ids, room, ws = await run_gateway(["relay"], args.chunks, args.delay)
        await asyncio.sleep(2)
        idle_rss = rss_kb(gw.pid)
        idle_memory = memory_line("CLI idle (one agent, connected)", gw.pid)
        if args.idle_only:
            print(idle_memory)
            await asyncio.sleep(args.hold)
            return
        pids, cpu, stop = {"hub": hub.pid, "gateway": gw.pid}, {}, asyncio.Event()
        cpu_before = {"hub": cpu_s(hub.pid), "gateway": cpu_s(gw.pid), "agent": 0.0, "client": sum(os.times()[:2])}
        sampler = asyncio.create_task(cpu_sampler(pids, cpu, stop))
        await ws.send(json.dumps({"type": "client:send_message", "roomId": room, "content": "@relay go"}))
        latencies, first, last, count = [], None, None, 0
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 120))
            if os.environ.get("BENCH_TRACE"): print(str(frame)[:300])
            t = frame.get("type")
            if t == "server:message_chunk" and frame.get("agentId") == ids["relay"]:
                now = time.time_ns()
                text = frame["chunk"]["content"]
                if text.startswith("t="):
                    latencies.append((now - int(text[2:text.index(";")])) / 1e6)
                    count += 1
                    first = first or now
                    last = now
            elif t == "server:message_complete" and frame["message"].get("senderId") == ids["relay"]:
                break
        stop.set(); await sampler
        cpu["client"] = sum(os.times()[:2])
        await ws.close()
        gw.terminate(); gw.wait(15)
        latencies.sort()
        rate = count / ((last - first) / 1e9) if last and first and last > first else 0
        print("chunks received: %d of %d" % (count, args.chunks))
        print("throughput: %.0f chunks/s" % rate)
        print("latency p50 %.1f ms, p99 %.1f ms" % (latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99) - 1]))
        print("CPU per chunk (from the prompt to the completion): " + ", ".join(
            "%s %.1f us" % (name, (cpu.get(name, 0) - cpu_before[name]) * 1e6 / max(count, 1)) for name in ("agent", "gateway", "hub", "client")))
        print("CLI RSS idle (one agent, connected): %.1f MB" % (idle_rss / 1024))
        print(idle_memory)

        # 2. Memory with three agents busy (each streams 3000 chunks 1 ms apart).
        names = ["busy1", "busy2", "busy3"]
        gw, ids, room, ws = await run_gateway(names, 3000, 0.001)
        await asyncio.sleep(2)
        idle3 = rss_kb(gw.pid)
        await ws.send(json.dumps({"type": "client:send_message", "roomId": room, "content": "@busy1 @busy2 @busy3 go"}))
        done, peak = set(), 0
        while len(done) < 3:
            try:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 0.2))
                if frame.get("type") == "server:message_complete": done.add(frame["message"].get("senderId"))
            except asyncio.TimeoutError:
                pass
            peak = max(peak, rss_kb(gw.pid))
        await ws.close()
        print("CLI RSS idle (three agents): %.1f MB; peak with three agents busy: %.1f MB" % (idle3 / 1024, peak / 1024))
    except BaseException:
        sys.stderr.write(open(work + "/gw.log").read()[-3000:] if os.path.exists(work + "/gw.log") else "no gateway log\n")
        sys.stderr.write(open(work + "/hub.log").read()[-2000:])
        raise
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try: p.wait(15)
                except Exception: p.kill()
        subprocess.run(["psql", pg + "/postgres", "-qc", "DROP DATABASE IF EXISTS " + db])
        shutil.rmtree(work, ignore_errors=True)

asyncio.run(main())
