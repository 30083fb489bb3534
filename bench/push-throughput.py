#!/usr/bin/env python3
"""Benchmark (not a test): Web Push from one sender process (the single-process hub, or one
rooms replica of the distributed topology) to a real local push service
(Tests/EndToEndTests/Support/push_service.py, which verifies the VAPID JWT and decrypts every
push). Reports
  * latency: message stored (its createdAt) -> push received, p50/p99, with the coalescing
    window set to 0 (the window itself adds PUSH_COALESCE_QUIET_MS, 3 s by default, by design);
  * throughput: pushes/s the sender sustains when every message goes to R away members.

    python3 bench/push-throughput.py [--rounds 50] [--recipients 200] [--messages 20] [--mode single]

Needs `pip install websockets cryptography` and the hub built."""
import argparse, asyncio, json, os, statistics, subprocess, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hubkit
from hubkit import ADMIN_PASSWORD, http

websockets = hubkit.import_websockets()
SERVICE = os.path.join(hubkit.ROOT, "Tests/EndToEndTests/Support/push_service.py")


def get(url):
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


def keys():
    out = subprocess.check_output([os.path.join(hubkit.bin_dir(), "agentim-server"), "vapid-keys", "--json"], text=True)
    return json.loads(out)


def parse_ms(stamp):
    from datetime import datetime, timezone
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


def psql(topology, sql):
    subprocess.check_call(["psql", topology.env["DATABASE_URL"], "-qc", sql])


async def run(topology, push, rounds, recipients, messages):
    base = topology.base
    admin = topology.login("admin", ADMIN_PASSWORD)["accessToken"]
    http("PUT", base + "/api/admin/settings", keys(), admin)
    time.sleep(1)
    users = topology.create_users(admin, recipients)
    solo = http("POST", base + "/api/rooms", {"name": "latency", "memberIds": [users[0]["user"]["id"]]}, admin)["data"]["id"]
    crowd = http("POST", base + "/api/rooms", {"name": "crowd", "memberIds": [u["user"]["id"] for u in users[:100]]}, admin)["data"]["id"]
    for user in users[100:]:  # a room is created with at most 100 members
        http("POST", base + f"/api/rooms/{crowd}/members", {"memberId": user["user"]["id"], "memberType": "user"}, admin)
    # One subscription per user, stored directly (the endpoint's checks are the tests' business).
    rows = []
    for i, user in enumerate(users):
        sub = post(push + "/subscriptions", {"name": f"u{i}"})
        rows.append(f"('s{i}', '{user['user']['id']}', '{sub['endpoint']}', '{sub['keys']['p256dh']}', '{sub['keys']['auth']}', now())")
    psql(topology, "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at) VALUES " + ",".join(rows))

    ws = await websockets.connect(f"ws://127.0.0.1:{topology.edges[0]}/ws/client", max_size=None)
    await ws.send(json.dumps({"type": "client:auth", "token": admin})); await ws.recv()
    for room in (solo, crowd):
        await ws.send(json.dumps({"type": "client:join_room", "roomId": room}))

    async def send(room, content):
        await ws.send(json.dumps({"type": "client:send_message", "roomId": room, "content": content, "mentions": []}))
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("type") == "server:new_message" and frame["message"]["content"] == content:
                return frame["message"]

    # Latency: one away member, one message at a time.
    stored = {}
    for n in range(rounds):
        message = await send(solo, f"latency {n}")
        stored[message["id"]] = parse_ms(message["createdAt"])
        await asyncio.sleep(0.2)
    deadline = time.time() + 30
    while time.time() < deadline:
        got = [p for p in get(push + "/received") if p["name"] == "u0" and p["payload"]]
        if len(got) >= rounds:
            break
        await asyncio.sleep(0.2)
    latencies = sorted((p["at"] - stored[p["payload"]["messageId"]]) * 1000 for p in got if p["payload"]["messageId"] in stored)
    bad = [p for p in get(push + "/received") if p["errors"]]
    post(push + "/reset", {})

    # Throughput: every message of a steady stream reaches `recipients` away members.
    started = time.time()
    for n in range(messages):
        await send(crowd, f"crowd {n}")
        await asyncio.sleep(0.1)
    expected = recipients * messages
    deadline = time.time() + 120
    count, last = 0, []
    while time.time() < deadline:
        last = get(push + "/received")
        count = sum(p["payload"]["count"] for p in last if p["payload"])
        if count >= expected:
            break
        await asyncio.sleep(0.5)
    await ws.close()
    if last:
        first_at, last_at = min(p["at"] for p in last), max(p["at"] for p in last)
        span = max(last_at - first_at, 1e-3)
    else:
        span = float("inf")
    bad += [p for p in last if p["errors"]]
    return {
        "latency_ms": {"n": len(latencies), "p50": round(statistics.median(latencies), 1) if latencies else None,
                       "p99": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1) if latencies else None},
        "throughput": {"pushes": len(last), "messages_covered": count, "expected": expected,
                       "seconds": round(span, 2), "pushes_per_s": round(len(last) / span, 1),
                       "send_span_s": round(time.time() - started, 1)},
        "rejected_by_push_service": len(bad),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--recipients", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--mode", choices=["single", "distributed", "both"], default="single")
    args = parser.parse_args()
    os.environ.update(PUSH_COALESCE_QUIET_MS="0", PUSH_COALESCE_MAX_MS="0")
    port = hubkit.free_port()
    service = subprocess.Popen([sys.executable, SERVICE, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    push = f"http://127.0.0.1:{port}"
    try:
        hubkit.wait_healthy(push + "/health")
        with hubkit.services() as (pg, redis):
            for mode in hubkit.modes(args.mode):
                with hubkit.running(mode, pg, redis, "pushbench") as topology:
                    result = asyncio.run(run(topology, push, args.rounds, args.recipients, args.messages))
                    print(json.dumps({"mode": mode, "bin": hubkit.bin_dir(), **result}, indent=2))
                post(push + "/reset", {})
    finally:
        service.kill()
        service.wait()


if __name__ == "__main__":
    main()
