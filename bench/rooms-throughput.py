#!/usr/bin/env python3
"""Benchmark (not a test): N WebSocket clients in R rooms send messages through the hub;
reports messages/s persisted and p50/p99 end-to-end delivery latency (send -> every other
member of the room received it), for the single-process hub and the distributed topology
(five services, two edges, Redis). PostgreSQL runs with fsync on.

    python3 bench/rooms-throughput.py [--clients 20] [--rooms 4] [--messages 50] [--mode both]

Needs: `pip install websockets`; the hub built (`swift build` or `swift build -c release`)."""
import argparse, asyncio, json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN_PASSWORD = "BenchAdmin123!"

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
        return json.loads(resp.read())


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
        db = f"bench_{mode}_{int(time.time())}"
        subprocess.check_call(["psql", f"postgresql://postgres@127.0.0.1:{pg}/postgres", "-qc", f"CREATE DATABASE {db}"])
        self.upload = tempfile.mkdtemp()
        self.env = dict(os.environ, DATABASE_URL=f"postgresql://postgres@127.0.0.1:{pg}/{db}", ADMIN_PASSWORD=ADMIN_PASSWORD,
                        JWT_SECRET="benchmark-secret-benchmark-secret-0123", UPLOAD_DIR=self.upload, LOG_LEVEL="error",
                        HOST="127.0.0.1", CLIENT_RATE_LIMIT_MAX="1000", NODE_ENV="test")
        self.env.pop("REDIS_URL", None)
        if mode == "single":
            port = free_port()
            self.start("agentim-server", port)
            wait_healthy(f"http://127.0.0.1:{port}/api/health")
            self.edges = [port]
        else:
            self.env["REDIS_URL"] = f"redis://127.0.0.1:{redis}"
            urls = {}
            for name in ("auth", "rooms", "router", "uploads"):
                port = free_port(); self.start(f"agentim-{name}", port); urls[name] = port
            for name, port in urls.items():
                try:
                    wait_healthy(f"http://127.0.0.1:{port}/internal/health")
                except RuntimeError:
                    print(open(os.path.join(self.upload, f"agentim-{name}-{port}.log")).read()[:3000])
                    raise
            for name, port in urls.items():
                self.env[f"{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
            self.edges = [free_port(), free_port()]
            for port in self.edges:
                self.start("agentim-edge", port, database=False)
            for port in self.edges:
                wait_healthy(f"http://127.0.0.1:{port}/api/health")

    def start(self, exe, port, database=True):
        env = dict(self.env, PORT=str(port))
        if not database:
            env.pop("DATABASE_URL", None)
        log = open(os.path.join(self.upload, f"{exe}-{port}.log"), "w")
        self.procs.append(subprocess.Popen([os.path.join(bin_dir(), exe)], env=env, stdout=log, stderr=log))

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait()
        shutil.rmtree(self.upload, ignore_errors=True)


async def run(topology, clients, rooms, messages):
    base = f"http://127.0.0.1:{topology.edges[0]}"
    admin = http("POST", base + "/api/auth/login", {"username": "admin", "password": ADMIN_PASSWORD})["data"]["accessToken"]
    users = []
    for i in range(clients):
        name = f"bench{i}"
        http("POST", base + "/api/users", {"username": name, "password": "Passw0rdXY"}, admin)
        users.append(http("POST", base + "/api/auth/login", {"username": name, "password": "Passw0rdXY"})["data"])
    room_ids = []
    for r in range(rooms):
        members = [u["user"]["id"] for i, u in enumerate(users) if i % rooms == r]
        room_ids.append(http("POST", base + "/api/rooms", {"name": f"r{r}", "memberIds": members}, admin)["data"]["id"])

    sent, received = {}, {}
    expected_receivers = {r: sum(1 for i in range(clients) if i % rooms == r) - 1 for r in range(rooms)}
    sockets = []
    for i, user in enumerate(users):
        edge = topology.edges[i % len(topology.edges)]
        ws = await websockets.connect(f"ws://127.0.0.1:{edge}/ws/client", max_size=None)
        await ws.send(json.dumps({"type": "client:auth", "token": user["accessToken"]}))
        await ws.recv()
        await ws.send(json.dumps({"type": "client:join_room", "roomId": room_ids[i % rooms]}))
        sockets.append(ws)
    await asyncio.sleep(0.5)

    total = clients * messages
    done = asyncio.Event()

    async def reader(i, ws):
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") != "server:new_message":
                continue
            key = frame["message"]["content"]
            if frame["message"]["senderName"] == users[i]["user"]["username"]:
                continue
            received.setdefault(key, []).append(time.perf_counter())
            r = int(key.split(":")[1])
            if len(received[key]) == expected_receivers[r] and len(sent) == total and \
                    all(len(received.get(k, [])) >= expected_receivers[int(k.split(":")[1])] for k in sent):
                done.set()

    async def writer(i, ws):
        r = i % rooms
        for n in range(messages):
            key = f"m:{r}:{i}:{n}"
            sent[key] = time.perf_counter()
            await ws.send(json.dumps({"type": "client:send_message", "roomId": room_ids[r], "content": key}))
            await asyncio.sleep(0.01)

    readers = [asyncio.create_task(reader(i, ws)) for i, ws in enumerate(sockets)]
    start = time.perf_counter()
    await asyncio.gather(*(writer(i, ws) for i, ws in enumerate(sockets)))
    try:
        await asyncio.wait_for(done.wait(), timeout=120)
    except asyncio.TimeoutError:
        print("  (timed out waiting for every delivery)")
    elapsed = time.perf_counter() - start
    for task in readers:
        task.cancel()
    for ws in sockets:
        await ws.close()
    latencies = sorted(t - sent[k] for k, ts in received.items() for t in ts)
    stored = http("GET", base + f"/api/messages/rooms/{room_ids[0]}?limit=1", None, admin)
    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")
    print(f"  {topology.mode:12s} clients={clients} rooms={rooms} messages={total}: {total / elapsed:8.1f} msg/s persisted+delivered, "
          f"p50 {pct(0.50):6.1f} ms, p99 {pct(0.99):6.1f} ms, deliveries {len(latencies)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rooms", type=int, default=4)
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--mode", choices=["single", "distributed", "both"], default="both")
    args = parser.parse_args()
    work = tempfile.mkdtemp(); os.chmod(work, 0o755)
    ports = shell(f"start_postgres {work}/pg durable; start_redis {work}/redis; echo $PGPORT $REDISPORT").split()
    pg, redis = ports[-2], ports[-1]
    print(f"binaries: {bin_dir()}; PostgreSQL (fsync on) :{pg}, Redis :{redis}")
    try:
        for mode in (["single", "distributed"] if args.mode == "both" else [args.mode]):
            topology = Topology(mode, pg, redis)
            try:
                asyncio.run(run(topology, args.clients, args.rooms, args.messages))
            finally:
                topology.stop()
    finally:
        shell(f"PG_DIR={work}/pg/pg; stop_postgres; REDISPORT={redis}; stop_redis")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
