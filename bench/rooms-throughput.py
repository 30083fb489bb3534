#!/usr/bin/env python3
"""Benchmark (not a test): N WebSocket clients in R rooms send messages through the hub;
reports messages/s persisted and p50/p99 end-to-end delivery latency (send -> every other
member of the room received it), for the single-process hub and the distributed topology
(five services, two edges, Redis). PostgreSQL runs with fsync on.

    python3 bench/rooms-throughput.py [--clients 20] [--rooms 4] [--messages 50] [--mode both]

Needs: `pip install websockets`; the hub built (`swift build` or `swift build -c release`)."""
import argparse, asyncio, json, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # hubkit.py sits here; also under python3 -P
import hubkit
from hubkit import ADMIN_PASSWORD, http

websockets = hubkit.import_websockets()


async def run(topology, clients, rooms, messages):
    base = topology.base
    admin = topology.login("admin", ADMIN_PASSWORD)["accessToken"]
    users = topology.create_users(admin, clients)
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
    with hubkit.services(durable=True) as (pg, redis):
        print(f"binaries: {hubkit.bin_dir()}; PostgreSQL (fsync on) :{pg}, Redis :{redis}")
        for mode in hubkit.modes(args.mode):
            topology = hubkit.Topology(mode, pg, redis, "bench")
            try:
                asyncio.run(run(topology, args.clients, args.rooms, args.messages))
            finally:
                topology.stop()


if __name__ == "__main__":
    main()
