#!/usr/bin/env python3
"""Benchmark (not a test): chunks/s from a fake agent through the `agentim` CLI and the hub to a
room client (/ws/client), with p50/p99 latency from the agent's write to the client's read; and the
CLI's resident memory idle and with three agents busy.

Needs a throwaway PostgreSQL (PGURL=postgresql://postgres@127.0.0.1:PORT), built binaries in
BIN_DIR (default .build/debug; use a release build for real numbers) and `pip install websockets`.
    PGURL=... python3 bench/cli-relay.py [--chunks 20000]
"""
import argparse, asyncio, json, os, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request
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

def rss_kb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"): return int(line.split()[1])
    return 0

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
    ap.add_argument("--bin", default=os.environ.get("BIN_DIR", os.path.join(ROOT, ".build/debug")))
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
    hub = subprocess.Popen([os.path.join(args.bin, "agentim-server")], env=env, stdout=open(work + "/hub.log", "w"), stderr=subprocess.STDOUT)
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

        # 1. Throughput and latency: one agent, N chunks as fast as the fake writes them.
        gw, ids, room, ws = await run_gateway(["relay"], args.chunks, 0)
        await asyncio.sleep(2)
        idle_rss = rss_kb(gw.pid)
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
        await ws.close()
        gw.terminate(); gw.wait(15)
        latencies.sort()
        rate = count / ((last - first) / 1e9) if last and first and last > first else 0
        print("chunks received: %d of %d" % (count, args.chunks))
        print("throughput: %.0f chunks/s" % rate)
        print("latency p50 %.1f ms, p99 %.1f ms" % (latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99) - 1]))
        print("CLI RSS idle (one agent, connected): %.1f MB" % (idle_rss / 1024))

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
