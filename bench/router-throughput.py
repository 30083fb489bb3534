#!/usr/bin/env python3
"""Benchmark (not a test): routing decisions per second through agentim-router processes
sharing the consumer group on Redis, one router beside two, against the fake LLM of the
tests (Tests/EndToEndTests/Support/fake_llm.py, which answers at once). The benchmark plays
the rooms service: it puts `route` commands on agentim:cmd:router and counts the
`routeDecided` answers on agentim:cmd:rooms. Prints each run and the two-to-one ratio.
RouterWorkerTests checks that every message is decided once; this measures how fast.

    python3 bench/router-throughput.py [--messages 400] [--rooms 40]

Needs the hub built (`swift build` or `swift build -c release`)."""
import argparse, json, os, socket, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # hubkit.py sits here; also under python3 -P
import hubkit

FAKE_LLM = os.path.join(hubkit.ROOT, "Tests/EndToEndTests/Support/fake_llm.py")
OWNER = "bench-router-owner"


class Redis:
    """The few RESP commands the benchmark needs, on one blocking socket."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", int(port)))
        self.file = self.sock.makefile("rb")

    def command(self, *args):
        parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        self.sock.sendall(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
        return self.reply()

    def reply(self):
        line = self.file.readline().rstrip(b"\r\n")
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            data = self.file.read(size + 2)[:-2]
            return data
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [self.reply() for _ in range(count)]
        raise RuntimeError(f"unexpected reply {line!r}")

    def last_id(self, stream):
        newest = self.command("XREVRANGE", stream, "+", "-", "COUNT", "1")
        return newest[0][0].decode() if newest else "0-0"


def route_command(message_id, room, router):
    """RouterCommand.route as the hub's JSONEncoder writes it (a synthesised enum case)."""
    candidates = [{"id": f"agent-{n.lower()}", "name": n, "type": "claude-code", "capabilities": ["code"]} for n in ("Ann", "Bob")]
    request = {"messageId": message_id, "roomId": room, "routerId": router, "roomCreatedById": OWNER,
               "systemPrompt": "Room of the benchmark", "content": f"hello everyone [m:{message_id}]", "senderId": "u1",
               "senderName": "alice", "conversationId": f"conv-{message_id}", "candidates": candidates}
    return json.dumps({"route": {"_0": request}}).encode()


def decided(redis, after, wanted):
    """Message ids with a routeDecided answer on the rooms stream after `after`."""
    found = set()
    while True:
        reply = redis.command("XREAD", "COUNT", 1000, "STREAMS", "agentim:cmd:rooms", after)
        if not reply:
            return found
        for entry_id, fields in reply[0][1]:
            after = entry_id.decode()
            payload = json.loads(dict(zip(fields[::2], fields[1::2]))[b"d"])
            decision = payload.get("routeDecided", {}).get("_0")
            if decision and decision["messageId"] in wanted:
                found.add(decision["messageId"])


def run(pg, redis_port, llm_port, routers, messages, rooms):
    db = f"bench_router_{routers}_{int(time.time())}"
    subprocess.check_call(["psql", f"postgresql://postgres@127.0.0.1:{pg}/postgres", "-qc", f"CREATE DATABASE {db}"])
    database = f"postgresql://postgres@127.0.0.1:{pg}/{db}"
    logs = tempfile.mkdtemp()
    env = dict(os.environ, DATABASE_URL=database, REDIS_URL=f"redis://127.0.0.1:{redis_port}", LOG_LEVEL="error",
               JWT_SECRET="benchmark-secret-benchmark-secret-0123", ROUTER_ALLOW_PRIVATE_URLS="true", NODE_ENV="test", HOST="127.0.0.1")
    procs = []
    try:
        for _ in range(routers):
            port = hubkit.free_port()
            log = open(os.path.join(logs, f"router-{port}.log"), "w")
            procs.append(subprocess.Popen([os.path.join(hubkit.bin_dir(), "agentim-router")], env=dict(env, PORT=str(port)),
                                          stdout=log, stderr=log))
            hubkit.wait_healthy(f"http://127.0.0.1:{port}/internal/health")
        router = "bench-router"
        subprocess.check_call(["psql", database, "-qc", f"""
            INSERT INTO users (id, username, display_name, created_at, updated_at)
            VALUES ('{OWNER}', 'router-owner', 'Router Owner', now(), now());
            INSERT INTO routers (id, name, scope, created_by_id, llm_base_url, llm_api_key, llm_model, created_at, updated_at)
            VALUES ('{router}', '{router}', 'personal', '{OWNER}', 'http://127.0.0.1:{llm_port}/v1/all', 'sk-fake-key', 'fake-model', now(), now())
            """])
        redis = Redis(redis_port)
        start_id = redis.last_id("agentim:cmd:rooms")
        tag = f"{routers}r{int(time.time())}"
        ids = [f"{tag}-{i}" for i in range(messages)]
        started = time.perf_counter()
        for i, message_id in enumerate(ids):
            redis.command("XADD", "agentim:cmd:router", "*", "d", route_command(message_id, f"room-{i % rooms}", router))
        wanted, found = set(ids), set()
        deadline = time.time() + 120
        while found != wanted and time.time() < deadline:
            found = decided(redis, start_id, wanted)
            if found != wanted:
                time.sleep(0.05)
        elapsed = time.perf_counter() - started
        if found != wanted:
            sys.exit(f"{routers} router(s): only {len(found)} of {messages} decided within 120 s")
        rate = messages / elapsed
        print(f"{routers} router(s): {messages} decisions in {elapsed:.2f} s = {rate:.0f}/s")
        return rate
    finally:
        for p in procs:
            p.kill(); p.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--rooms", type=int, default=40)
    args = parser.parse_args()
    with hubkit.services() as (pg, redis_port):
        llm_port = hubkit.free_port()
        llm = subprocess.Popen([sys.executable, FAKE_LLM, str(llm_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            hubkit.wait_healthy(f"http://127.0.0.1:{llm_port}/calls")
            one = run(pg, redis_port, llm_port, 1, args.messages, args.rooms)
            two = run(pg, redis_port, llm_port, 2, args.messages, args.rooms)
            print(f"two routers / one router: {two / one:.2f}x")
        finally:
            llm.kill(); llm.wait()


if __name__ == "__main__":
    main()
