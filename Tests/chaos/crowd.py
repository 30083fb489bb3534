#!/usr/bin/env python3
"""Many sockets from one process, for the chaos suite's connection faults (run as a child
process so that several share the work and each has its own file-descriptor limit):

    crowd.py sockets EDGE_PORTS COUNT TOKENS_FILE HOLD_S
        opens COUNT /ws/client sockets at once over the edges (comma-separated ports),
        authenticates each with a token from TOKENS_FILE (one a line, used round-robin),
        holds them HOLD_S seconds, then checks each still answers a ping; prints one JSON line.
    crowd.py slow-headers EDGE_PORT COUNT HOLD_S
        opens COUNT connections that send an HTTP request head one header line every 5 s and
        never finish it; after HOLD_S prints how many the edge had closed."""
import asyncio, json, os, resource, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "bench"))
import hubkit  # noqa: E402


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def one_socket(websockets, port, token, opened, hold_until, result):
    try:
        ws = await asyncio.wait_for(websockets.connect(f"ws://127.0.0.1:{port}/ws/client", open_timeout=60,
                                                       ping_interval=None, close_timeout=2), 90)
    except Exception as error:
        result["connect_failed"][type(error).__name__] = result["connect_failed"].get(type(error).__name__, 0) + 1
        return
    try:
        await ws.send(json.dumps({"type": "client:auth", "token": token}))
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if frame.get("type") == "server:auth_result":
                break
            result["other_frames"][frame.get("type")] = result["other_frames"].get(frame.get("type"), 0) + 1
        if not frame.get("ok"):
            result["auth_failed"][frame.get("error", "?")] = result["auth_failed"].get(frame.get("error", "?"), 0) + 1
            return
        result["authed"] += 1
        result["last_auth"] = time.time() - opened
        await asyncio.sleep(max(0, hold_until - time.time()))
        await ws.send(json.dumps({"type": "client:ping", "ts": 1}))
        while json.loads(await asyncio.wait_for(ws.recv(), 30)).get("type") != "server:pong":
            pass
        result["alive_after_hold"] += 1
    except Exception as error:
        # The close code says who ended it (4001: the auth timer; 1013: too slow; 1001: shutdown).
        code = getattr(getattr(error, "rcvd", None), "code", None)
        key = type(error).__name__ + (f":{code}" if code is not None else "")
        result["dropped"][key] = result["dropped"].get(key, 0) + 1
    finally:
        try:
            await ws.close()
        except Exception:
            pass


async def sockets(ports, count, tokens, hold):
    websockets = hubkit.import_websockets()
    result = {"count": count, "authed": 0, "alive_after_hold": 0, "last_auth": None,
              "connect_failed": {}, "auth_failed": {}, "dropped": {}, "other_frames": {}}
    opened = time.time()
    hold_until = opened + hold
    await asyncio.gather(*(one_socket(websockets, ports[i % len(ports)], tokens[i % len(tokens)], opened, hold_until, result)
                           for i in range(count)))
    return result


async def slow_headers(port, count, hold):
    conns, refused = [], 0
    for _ in range(count):
        try:
            conns.append(await asyncio.open_connection("127.0.0.1", port))
        except Exception:
            refused += 1
    for _, writer in conns:
        writer.write(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    deadline = time.time() + hold
    closed = set()
    n = 0
    while time.time() < deadline:
        await asyncio.sleep(min(5, max(0, deadline - time.time())))
        n += 1
        for i, (reader, writer) in enumerate(conns):
            if i in closed:
                continue
            try:
                writer.write(f"X-Slow-{n}: {n}\r\n".encode())
                await asyncio.wait_for(writer.drain(), 0.05)
            except Exception:
                closed.add(i)
                continue
            if reader.at_eof():
                closed.add(i)
            else:
                try:
                    data = await asyncio.wait_for(reader.read(1024), 0.001)
                    if not data:
                        closed.add(i)
                except asyncio.TimeoutError:
                    pass
                except Exception:
                    closed.add(i)
    for _, writer in conns:
        writer.close()
    return {"count": count, "opened": len(conns), "refused": refused, "closed_by_edge": len(closed)}


def main():
    raise_nofile()
    mode = sys.argv[1]
    if mode == "sockets":
        ports = [int(p) for p in sys.argv[2].split(",")]
        tokens = [t for t in open(sys.argv[4]).read().split() if t]
        print(json.dumps(asyncio.run(sockets(ports, int(sys.argv[3]), tokens, float(sys.argv[5])))), flush=True)
    elif mode == "slow-headers":
        print(json.dumps(asyncio.run(slow_headers(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])))), flush=True)


if __name__ == "__main__":
    main()
