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
import argparse, asyncio, json, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # hubkit.py sits here; also under python3 -P
import hubkit
from hubkit import ADMIN_PASSWORD, http, request

AGENT_ID = "bench-agent"
STREAM_BUDGET = 10 * 1024 * 1024  # cumulative chunk content per messageId (spec websocket.md §10.3)

websockets = hubkit.import_websockets()


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
    base = topology.base
    admin = topology.login("admin", ADMIN_PASSWORD)["accessToken"]
    users = topology.create_users(admin, n_clients)
    room = http("POST", base + "/api/rooms", {"name": "chunks", "memberIds": [u["user"]["id"] for u in users]}, admin)
    room_id = room["data"]["id"]

    # The gateway authenticates as the room's owner (admin), so its agent may be added to the room.
    gateway = await open_gateway(topology.edges[0], admin)
    status, _ = request("POST", base + f"/api/rooms/{room_id}/members", {"memberId": AGENT_ID, "memberType": "agent"}, admin)
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
    with hubkit.services() as (pg, redis):
        print(f"binaries: {hubkit.bin_dir()}; PostgreSQL :{pg}, Redis :{redis}; clients={args.clients} chunks={args.chunks} "
              f"size={args.size} B, paced run at {args.rate} chunks/s")
        for mode in hubkit.modes(args.mode):
            with hubkit.running(mode, pg, redis, "chunks") as topology:
                asyncio.run(run(topology, args.clients, args.chunks, args.size, args.rate))


if __name__ == "__main__":
    main()
