#!/usr/bin/env python3
"""Benchmark (not a test): relay of streamed agent chunks from a gateway (the `agentim` CLI's
socket, /ws/gateway) to the room's clients (/ws/client). Reports delivered chunks/s (a chunk
counts once every client has it) and the latency chunk sent by the gateway -> received by each
client (p50/p99/max), plus lost chunks (expected 0), for the single-process hub and the
distributed topology (five services over Redis; the gateway on edge 1, clients split across
edges 1 and 2). Two runs per topology: a burst (every chunk offered as fast as the socket takes
it) and a paced run (--rate chunks/s, default 500).

    python3 bench/chunk-relay.py [--clients 10] [--chunks 2000] [--size 200] [--mode both]

The gateway and every client live in this one asyncio process, so the send timestamp
(time.perf_counter_ns, carried at the start of each chunk's content) and the receive time come
from the same clock; the "bench cpu" column is this process's CPU use over the run: near 100 %
means the Python side, not the hub, is the bottleneck. Chunks are not stored, so PostgreSQL
runs with fsync off.

Needs: `pip install websockets`; the hub built (`swift build` or `swift build -c release`)."""
import argparse, asyncio, json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN_PASSWORD = "BenchAdmin123!"
AGENT_ID = "bench-agent"
STREAM_BUDGET = 10 * 1024 * 1024  # cumulative chunk content per messageId (spec websocket.md §10.3)

try:
    import websockets
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "websockets"])
    import websockets


def bin_dir():
    for config in ("release", "debug"):
        path = os.path.join(ROOT, ".build", config)
        if os.path.exists(os.path.join(path, "agentim-server")):
            return path
    sys.exit("build the hub first: swift build -c release")


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def shell(script):
    return subprocess.check_output(["bash", "-c", f"source {ROOT}/deploy/local/throwaway-services.sh; {script}"], text=True)


def http(method, url, body=None, token=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, json.loads(resp.read() or b"null")


def wait_healthy(url, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not healthy")


class Topology:
    def __init__(self, mode, pg, redis):
        self.procs, self.mode = [], mode
        db = f"chunks_{mode}_{int(time.time())}"
        subprocess.check_call(["psql", f"postgresql://postgres@127.0.0.1:{pg}/postgres", "-qc", f"CREATE DATABASE {db}"])
        self.upload = tempfile.mkdtemp()
        self.env = dict(os.environ, DATABASE_URL=f"postgresql://postgres@127.0.0.1:{pg}/{db}", ADMIN_PASSWORD=ADMIN_PASSWORD,
                        JWT_SECRET="benchmark-secret-benchmark-secret-0123", UPLOAD_DIR=self.upload, LOG_LEVEL="error",
                        HOST="127.0.0.1", CLIENT_RATE_LIMIT_MAX="1000", NODE_ENV="test")
        self.env.pop("REDIS_URL", None)
        if mode == "single":
            port = free_port()
            self.start("agentim-server", port)
            self.wait(f"http://127.0.0.1:{port}/api/health", "agentim-server", port)
            self.edges = [port]
        else:
            self.env["REDIS_URL"] = f"redis://127.0.0.1:{redis}"
            urls = {}
            for name in ("auth", "rooms", "router", "uploads"):
                port = free_port(); self.start(f"agentim-{name}", port); urls[name] = port
            for name, port in urls.items():
                self.wait(f"http://127.0.0.1:{port}/internal/health", f"agentim-{name}", port)
            for name, port in urls.items():
                self.env[f"{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
            self.edges = [free_port(), free_port()]
            for port in self.edges:
                self.start("agentim-edge", port, database=False)
            for port in self.edges:
                self.wait(f"http://127.0.0.1:{port}/api/health", "agentim-edge", port)

    def wait(self, url, exe, port):
        try:
            wait_healthy(url)
        except RuntimeError:
            print(open(os.path.join(self.upload, f"{exe}-{port}.log")).read()[:3000])
            raise

    def start(self, exe, port, database=True):
        env = dict(self.env, PORT=str(port))
        if not database:
            env.pop("DATABASE_URL", None)
        log = open(os.path.join(self.upload, f"{exe}-{port}.log"), "w")
        self.procs.append(subprocess.Popen([os.path.join(bin_dir(), exe)], env=env, stdout=log, stderr=log))

    def logs(self):
        out = []
        for name in sorted(os.listdir(self.upload)):
            if name.endswith(".log"):
                text = open(os.path.join(self.upload, name)).read().strip()
                if text:
                    out.append(f"--- {name}\n{text[-2000:]}")
        return "\n".join(out)

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill(); p.wait()
        shutil.rmtree(self.upload, ignore_errors=True)


async def recv_until(ws, kind, timeout=15):
    """Reads frames until one of type `kind` arrives (others are skipped); returns it."""
    async def loop():
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("type") == kind:
                return frame
    return await asyncio.wait_for(loop(), timeout)


async def open_gateway(port, token):
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws/gateway", max_size=None)
    await ws.send(json.dumps({"type": "gateway:auth", "token": token, "gatewayId": "bench-gw", "protocolVersion": "1",
                              "deviceInfo": {"hostname": "h", "platform": "linux", "arch": "x64", "nodeVersion": "v20"}}))
    result = await recv_until(ws, "server:gateway_auth_result")
    if not result.get("ok"):
        raise RuntimeError(f"gateway auth failed: {result}")
    await ws.send(json.dumps({"type": "gateway:register_agent", "agent": {"id": AGENT_ID, "name": "bench", "type": "generic"}}))
    await ws.send(json.dumps({"type": "gateway:ping", "ts": 1}))
    await recv_until(ws, "server:pong")
    return ws


async def open_client(port, token, room):
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws/client", max_size=None)
    await ws.send(json.dumps({"type": "client:auth", "token": token}))
    result = await recv_until(ws, "server:auth_result")
    if not result.get("ok"):
        raise RuntimeError(f"client auth failed: {result}")
    await ws.send(json.dumps({"type": "client:join_room", "roomId": room}))
    await ws.send(json.dumps({"type": "client:ping", "ts": 1}))
    await recv_until(ws, "server:pong")
    return ws


def pct(values, p):
    return values[min(len(values) - 1, int(p * len(values)))] / 1e6 if values else float("nan")


async def stream(label, gateway, clients, room, chunks, size, rate):
    """One run: the gateway streams `chunks` chunks (burst if rate is None, else paced), then a
    message_complete; every client records the latency of each chunk it receives."""
    per_message = max(1, min(1000, STREAM_BUDGET // (size + 40)))
    latencies = []
    seen = [bytearray(chunks) for _ in clients]
    last_rx = [0] * len(clients)
    complete = [asyncio.Event() for _ in clients]
    all_in = [asyncio.Event() for _ in clients]
    counts = [0] * len(clients)
    last_id = f"{label}-last"
    errors = []

    async def reader(i, ws):
        async for raw in ws:
            now = time.perf_counter_ns()
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "server:message_chunk" and frame.get("agentId") == AGENT_ID:
                sent_ns, n, _ = frame["chunk"]["content"].split("|", 2)
                n = int(n)
                latencies.append(now - int(sent_ns))
                if not seen[i][n]:
                    seen[i][n] = 1
                    counts[i] += 1
                last_rx[i] = now
                if counts[i] == chunks:
                    all_in[i].set()
            elif kind == "server:message_complete" and frame.get("message", {}).get("id") == last_id:
                complete[i].set()
            elif kind == "server:error":
                errors.append(frame)

    async def gateway_errors():
        async for raw in gateway:
            frame = json.loads(raw)
            if frame.get("type") == "server:error":
                errors.append(frame)

    tasks = [asyncio.create_task(reader(i, ws)) for i, ws in enumerate(clients)]
    tasks.append(asyncio.create_task(gateway_errors()))
    pad_to = max(0, size)
    cpu0, start_ns = time.process_time(), time.perf_counter_ns()
    for n in range(chunks):
        if rate:
            delay = start_ns + n * 1e9 / rate - time.perf_counter_ns()
            if delay > 0:
                await asyncio.sleep(delay / 1e9)
        head = f"{time.perf_counter_ns()}|{n}|"
        content = head + "x" * max(0, pad_to - len(head))
        await gateway.send(json.dumps({"type": "gateway:message_chunk", "roomId": room, "agentId": AGENT_ID,
                                       "messageId": f"{label}-{n // per_message}",
                                       "chunk": {"type": "text", "content": content}}))
        if rate is None:
            await asyncio.sleep(0)  # let the readers take their turn; the offer is still unthrottled
    sent_ns = time.perf_counter_ns()
    await gateway.send(json.dumps({"type": "gateway:message_complete", "roomId": room, "agentId": AGENT_ID,
                                   "messageId": last_id, "fullContent": "done"}))
    timed_out = False
    try:
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in complete)), timeout=120)
    except asyncio.TimeoutError:
        timed_out = True
    # The complete travels another path than the chunks (it is persisted first); allow stragglers.
    try:
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in all_in)), timeout=5)
    except asyncio.TimeoutError:
        pass
    cpu = time.process_time() - cpu0
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    end_ns = max(last_rx) if any(last_rx) else time.perf_counter_ns()
    elapsed = (end_ns - start_ns) / 1e9
    delivered = min(counts)  # chunks every client has
    deliveries = sum(counts)
    lost = chunks * len(clients) - deliveries
    latencies.sort()
    offered = chunks / ((sent_ns - start_ns) / 1e9)
    return {"label": label, "offered": offered, "chunks_s": delivered / elapsed if elapsed > 0 else float("nan"),
            "deliveries_s": deliveries / elapsed if elapsed > 0 else float("nan"),
            "p50": pct(latencies, 0.50), "p99": pct(latencies, 0.99), "max": latencies[-1] / 1e6 if latencies else float("nan"),
            "lost": lost, "cpu": 100 * cpu / max(elapsed, 1e-9), "timed_out": timed_out, "errors": errors}


async def run(topology, n_clients, chunks, size, rate):
    base = f"http://127.0.0.1:{topology.edges[0]}"
    _, login = http("POST", base + "/api/auth/login", {"username": "admin", "password": ADMIN_PASSWORD})
    admin = login["data"]["accessToken"]
    users = []
    for i in range(n_clients):
        name = f"bench{i}"
        http("POST", base + "/api/users", {"username": name, "password": "Passw0rdXY"}, admin)
        users.append(http("POST", base + "/api/auth/login", {"username": name, "password": "Passw0rdXY"})[1]["data"])
    _, room = http("POST", base + "/api/rooms", {"name": "chunks", "memberIds": [u["user"]["id"] for u in users]}, admin)
    room_id = room["data"]["id"]

    # The gateway authenticates as the room's owner (admin), so its agent may be added to the room.
    gateway = await open_gateway(topology.edges[0], admin)
    status, _ = http("POST", base + f"/api/rooms/{room_id}/members", {"memberId": AGENT_ID, "memberType": "agent"}, admin)
    if status != 201:
        raise RuntimeError(f"adding the agent to the room answered {status}")
    clients = [await open_client(topology.edges[i % len(topology.edges)], u["accessToken"], room_id)
               for i, u in enumerate(users)]
    split = "" if len(topology.edges) == 1 else \
        f" (gateway on edge 1; clients {sum(1 for i in range(n_clients) if i % 2 == 0)} on edge 1, {n_clients // 2} on edge 2)"
    print(f"  {topology.mode}{split}")
    try:
        for label, r in (("burst", None), ("paced", rate)):
            res = await stream(label, gateway, clients, room_id, chunks, size, r)
            offer = f"{res['offered']:8.0f}/s" if r is None else f"{r:6d}/s  "
            print(f"    {label:5s} offered {offer} delivered {res['chunks_s']:8.1f} chunks/s "
                  f"({res['deliveries_s']:9.1f} deliveries/s)  p50 {res['p50']:7.2f} ms  p99 {res['p99']:7.2f} ms  "
                  f"max {res['max']:7.2f} ms  lost {res['lost']}  bench cpu {res['cpu']:3.0f}%"
                  + ("  (timed out waiting for message_complete)" if res["timed_out"] else ""))
            for err in res["errors"][:5]:
                print(f"      server:error {err}")
            await asyncio.sleep(0.5)
    finally:
        for ws in clients + [gateway]:
            await ws.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--chunks", type=int, default=2000)
    parser.add_argument("--size", type=int, default=200, help="chunk text bytes (timestamp included)")
    parser.add_argument("--rate", type=int, default=500, help="chunks/s of the paced run")
    parser.add_argument("--mode", choices=["single", "distributed", "both"], default="both")
    args = parser.parse_args()
    work = tempfile.mkdtemp(); os.chmod(work, 0o755)
    ports = shell(f"start_postgres {work}/pg; start_redis {work}/redis; echo $PGPORT $REDISPORT").split()
    pg, redis = ports[-2], ports[-1]
    print(f"binaries: {bin_dir()}; PostgreSQL :{pg}, Redis :{redis}; clients={args.clients} chunks={args.chunks} "
          f"size={args.size} B, paced run at {args.rate} chunks/s")
    try:
        for mode in (["single", "distributed"] if args.mode == "both" else [args.mode]):
            topology = Topology(mode, pg, redis)
            try:
                asyncio.run(run(topology, args.clients, args.chunks, args.size, args.rate))
            except Exception:
                print(topology.logs())
                raise
            finally:
                topology.stop()
    finally:
        shell(f"PG_DIR={work}/pg/pg; stop_postgres; REDISPORT={redis}; stop_redis")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
