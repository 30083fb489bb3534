#!/usr/bin/env python3
"""Opens N WebSocket connections to /ws/client, authenticates each with its own access token
(users spread so no per-user cap is hit), reports how many succeeded, then holds them idle
until stdin closes. Standard library only; loopback benchmarks only.

usage: ws-idle-clients.py PORT COUNT JWT_SECRET [USERS]
prints "authenticated <n> failed <m> seconds <t>" once, then waits.
env: WS_SOURCE_ADDRESS=127.0.0.x connects from that address (one address has ~28k ports);
     WS_HOLD=forever holds the sockets until the process is killed rather than until stdin closes;
     WS_USER_PREFIX names the users (processes sharing a prefix share the per-user cap).
"""
import asyncio, base64, hashlib, hmac, json, os, struct, sys, time


def token(secret, user):
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    kid = hashlib.sha256(secret.encode()).hexdigest()[:8]
    now = int(time.time())
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    claims = {"sub": user, "username": user, "type": "access", "iss": "agentim", "aud": "agentim",
              "jti": os.urandom(8).hex(), "iat": now, "exp": now + 3600}
    payload = b64(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(mac)}"


def frame(text):
    data = text.encode()
    mask = os.urandom(4)
    n = len(data)
    if n < 126:
        head = struct.pack("!BB", 0x81, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x81, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


async def read_frame(reader):
    first, second = await reader.readexactly(2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", await reader.readexactly(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", await reader.readexactly(8))[0]
    return first & 0x0F, await reader.readexactly(length)


async def open_socket(port, access_token, held):
    source = os.environ.get("WS_SOURCE_ADDRESS")
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0) if source else None)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET /ws/client HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(head.split(b"\r\n")[0])
    writer.write(frame(json.dumps({"type": "client:auth", "token": access_token})))
    while True:
        opcode, payload = await read_frame(reader)
        if opcode == 1 and b"server:auth_result" in payload:
            if b'"ok":true' not in payload:
                raise RuntimeError(payload[:120])
            held.append((reader, writer))
            return
        if opcode == 8:
            raise RuntimeError("closed")


async def main():
    port, count, secret = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    users = int(sys.argv[4]) if len(sys.argv) > 4 else max(1, count // 100)
    prefix = os.environ.get("WS_USER_PREFIX", "bench-user")
    tokens = [token(secret, f"{prefix}-{i}") for i in range(users)]
    held, failures = [], 0
    started = time.time()
    limit = asyncio.Semaphore(200)  # connection attempts in flight

    async def one(i):
        nonlocal failures
        async with limit:
            try:
                await asyncio.wait_for(open_socket(port, tokens[i % users], held), 30)
            except Exception as error:  # noqa: BLE001 - counted and reported
                failures += 1
                if failures <= 3:
                    print(f"socket {i} failed: {error!r}", file=sys.stderr)

    await asyncio.gather(*(one(i) for i in range(count)))
    print(f"authenticated {len(held)} failed {failures} seconds {time.time() - started:.1f}", flush=True)
    if os.environ.get("WS_HOLD") == "forever":
        await asyncio.Event().wait()
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for _, writer in held:
        writer.close()


asyncio.run(main())
