"""WebSocket fuzzing of /ws/client and /ws/gateway (websocket.md) with hypothesis.

Each hypothesis example opens a socket, maybe authenticates, sends a batch of frames drawn from:
every frame type of the spec built from its fields and then mutated (a field dropped, a wrong
type, extra fields, huge numbers, long strings), arbitrary JSON, deep and wide JSON, raw text
that is not JSON, text frames with invalid UTF-8, binary frames and fragmented messages. Then it
pings on the same socket and needs the pong (the socket is still served), unless the hub closed
it with a code the spec allows. Every `server:error` must carry a code the spec lists for that
endpoint (INTERNAL_ERROR counts as a failure: a handler threw), every close code must be one the
spec (or RFC 6455 for broken frames) allows, and no hub process may exit. Fixed scenarios add
what a random batch rarely reaches: frames before auth, the auth timeout, oversize frames,
JSON one level too deep and one item too wide, and a flood past the per-user rate limit.

Throughout, an observer (a normal client of another user on the same edge) keeps sending
messages to its room and pinging, and must see each echo within 5 s; after each endpoint's run
REST must still answer (health 200, an authenticated read below 500)."""
import asyncio, itertools, json, os, sys, threading, time

from hypothesis import HealthCheck, given, settings, strategies as st

import hubs

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

CLIENT_CODES = {"MESSAGE_TOO_LARGE", "INVALID_JSON", "JSON_TOO_DEEP", "INVALID_MESSAGE", "NOT_AUTHENTICATED", "RATE_LIMITED",
                "ROOM_NOT_FOUND", "NOT_A_MEMBER", "PERMISSION_DENIED", "PROTOCOL_VERSION_MISMATCH", "GATEWAY_OFFLINE",
                "INVALID_REQUEST", "SESSION_REVOKED", "SERVER_SHUTDOWN"}
GATEWAY_CODES = {"PROTOCOL_VERSION_MISMATCH", "STREAM_TOO_LARGE", "CHUNK_TOO_LARGE", "MESSAGE_TOO_LARGE", None}
# 1008/4001: the spec's closes. RFC 6455: 1002 protocol error, 1003 unacceptable data (binary),
# 1007 invalid UTF-8 in a text frame, 1009 frame too big for the endpoint. Never 1011 (internal).
ALLOWED_CLOSES = {1000, 1002, 1003, 1007, 1008, 1009, 4001}
# Unique numbers for pings, gateway ids and observer messages (no `random` while hypothesis runs).
UNIQUE = itertools.count(int(time.time() * 1000))


def websockets():
    return hubs.hubkit.import_websockets()


class Stats:
    def __init__(self):
        self.frames = 0        # frames the fuzzer sent (a fragmented message counts its fragments)
        self.sockets = 0
        self.failures = []

    def fail(self, text):
        if len(self.failures) < 50:
            self.failures.append(text)


# ---------------------------------------------------------------- frame generation

HUGE_NUMBERS = ["1e999", "-1e999", "123456789012345678901234567890123456789", "18446744073709551616", "-9223372036854775809",
                "1.7976931348623157e309", "0.0000000000000000000000000000001e-400"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)
ids = st.one_of(st.sampled_from(["", "x", "a" * 300]), st.text(min_size=1, max_size=30), st.uuids().map(str))


def field_values(name, ctx):
    """Plausible values for a field of the spec (the mutations below make them wrong)."""
    if name in ("roomId",):
        return st.one_of(st.just(ctx["room"]), ids)
    if name == "token":
        return st.one_of(st.just(ctx["token"]), st.just(ctx["token"]), st.text(max_size=50), st.just("x" * 2500))
    if name in ("ts", "depth", "queueDepth", "timeoutMs", "sessionCostUSD"):
        return st.one_of(st.integers(min_value=-5, max_value=400000), st.floats(allow_nan=False, allow_infinity=False))
    if name in ("success", "ephemeral", "planMode"):
        return st.booleans()
    if name in ("mentions", "attachmentIds", "capabilities", "mcpServers", "availableModels"):
        return st.lists(st.text(max_size=20), max_size=25)
    if name == "decision":
        return st.sampled_from(["allow", "allowAlways", "deny", "maybe"])
    if name in ("type",):
        return st.sampled_from(["claude-code", "codex", "gemini", "generic", "other"])
    if name == "status":
        return st.sampled_from(["online", "offline", "busy", "error", "pending", "completed", "nope"])
    if name == "content" or name == "fullContent" or name == "data":
        return st.one_of(st.text(max_size=200), st.just("y" * 120000))
    if name == "deviceInfo":
        return st.fixed_dictionaries({k: st.text(max_size=20) for k in ("hostname", "platform", "arch", "nodeVersion")})
    if name == "agent":
        return st.fixed_dictionaries({"id": ids, "name": st.text(min_size=1, max_size=30),
                                      "type": st.sampled_from(["claude-code", "codex", "gemini", "generic"])},
                                     optional={"slashCommands": st.lists(st.fixed_dictionaries({"name": st.text(max_size=10)}), max_size=3),
                                               "model": st.text(max_size=20)})
    if name == "chunk":
        return st.fixed_dictionaries({"type": st.sampled_from(["text", "thinking", "tool_use", "tool_result", "error", "bogus"]),
                                      "content": st.text(max_size=100)}, optional={"metadata": json_values})
    if name == "chunks":
        return st.lists(st.fixed_dictionaries({"type": st.just("text"), "content": st.text(max_size=20)}), max_size=5)
    if name in ("request", "response"):
        return st.one_of(st.fixed_dictionaries({"kind": st.sampled_from(["status", "tree", "file", "x"])},
                                               optional={"path": st.text(max_size=30)}), json_values)
    if name in ("toolInput", "credential", "metadata"):
        return json_values
    return st.text(max_size=60)


CLIENT_TYPES = {
    "client:auth": ["token", "protocolVersion"], "client:ping": ["ts"], "client:join_room": ["roomId"],
    "client:leave_room": ["roomId"], "client:send_message": ["roomId", "content", "mentions", "replyToId", "attachmentIds"],
    "client:typing": ["roomId"], "client:stop_generation": ["roomId", "agentId"],
    "client:permission_response": ["requestId", "decision", "denyReason"],
    "client:agent_command": ["agentId", "roomId", "command", "args"], "client:query_agent_info": ["agentId", "roomId"],
    "client:request_workspace": ["roomId", "agentId", "request"], "client:list_gateway_credentials": ["gatewayId", "agentType"],
    "client:add_gateway_credential": ["gatewayId", "agentType", "name", "mode", "apiKey", "baseUrl", "model"],
    "client:manage_gateway_credential": ["gatewayId", "agentType", "credentialId", "action", "name"],
    "client:start_gateway_oauth": ["gatewayId", "agentType", "credentialName"],
    "client:complete_gateway_oauth": ["gatewayId", "requestId", "callbackUrl"], "client:rewind_room": ["roomId", "messageId"],
}
GATEWAY_TYPES = {
    "gateway:auth": ["token", "gatewayId", "protocolVersion", "deviceInfo", "ephemeral"], "gateway:ping": ["ts"],
    "gateway:register_agent": ["agent"], "gateway:unregister_agent": ["agentId"],
    "gateway:message_chunk": ["roomId", "agentId", "messageId", "chunk"],
    "gateway:message_complete": ["roomId", "agentId", "messageId", "fullContent", "chunks", "conversationId", "depth"],
    "gateway:agent_status": ["agentId", "status", "queueDepth"], "gateway:terminal_data": ["agentId", "data"],
    "gateway:task_update": ["taskId", "status", "result"],
    "gateway:permission_request": ["requestId", "agentId", "roomId", "toolName", "toolInput", "timeoutMs"],
    "gateway:agent_command_result": ["agentId", "roomId", "command", "success", "message"],
    "gateway:agent_info": ["agentId", "roomId", "slashCommands", "mcpServers", "model", "thinkingMode", "sessionCostUSD", "planMode"],
    "gateway:spawn_result": ["requestId", "success", "agentId", "error"],
    "gateway:workspace_response": ["agentId", "requestId", "response"],
    "gateway:credential_list": ["requestId", "agentType", "credentials"],
    "gateway:credential_result": ["requestId", "success", "error", "credential"],
    "gateway:oauth_url": ["requestId", "authUrl"], "gateway:oauth_result": ["requestId", "success", "error"],
    "gateway:rewind_result": ["agentId", "roomId", "success", "error"],
}


@st.composite
def typed_frame(draw, types, ctx):
    """A frame of one of `types`, then zero or more mutations; returned as the text to send."""
    kind = draw(st.sampled_from(sorted(types)))
    frame = {"type": kind}
    for name in types[kind]:
        frame[name] = draw(field_values(name, ctx))
    huge = None
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        mutation = draw(st.sampled_from(["drop", "wrong", "extra", "huge", "long", "type"]))
        keys = [k for k in frame if k != "type"]
        if mutation == "drop" and keys:
            del frame[draw(st.sampled_from(keys))]
        elif mutation == "wrong" and keys:
            frame[draw(st.sampled_from(keys))] = draw(json_values)
        elif mutation == "extra":
            frame[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
        elif mutation == "huge" and keys:
            frame[draw(st.sampled_from(keys))] = "__HUGE__"
            huge = draw(st.sampled_from(HUGE_NUMBERS))
        elif mutation == "long" and keys:
            frame[draw(st.sampled_from(keys))] = "z" * draw(st.sampled_from([2001, 5000, 70000]))
        elif mutation == "type":
            frame["type"] = draw(st.one_of(st.text(max_size=20), st.sampled_from(sorted(CLIENT_TYPES) + sorted(GATEWAY_TYPES)),
                                           st.integers(), st.none()))
    text = json.dumps(frame)
    if huge:
        text = text.replace('"__HUGE__"', huge, 1)
    return ("text", text)


def nested(depth, wide=0):
    value = list(range(wide)) if wide else 1
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def odd_frame(draw, types, ctx):
    """Frames outside the typed set: JSON of any shape, broken text, bytes, fragments."""
    kind = draw(st.sampled_from(["json", "deep", "wide", "raw", "utf8", "binary", "fragmented", "nan"]))
    if kind == "json":
        return ("text", json.dumps(draw(json_values)))
    if kind == "deep":
        depth = draw(st.integers(min_value=10, max_value=200))
        return ("text", json.dumps({"type": draw(st.sampled_from(sorted(types))), "roomId": ctx["room"], "x": nested(depth)}))
    if kind == "wide":
        width = draw(st.sampled_from([999, 1000, 1001, 5000]))
        if draw(st.booleans()):
            return ("text", json.dumps({"type": draw(st.sampled_from(sorted(types))), "mentions": list(range(width))}))
        return ("text", json.dumps({**{f"k{i}": i for i in range(width)}, "type": draw(st.sampled_from(sorted(types)))}))
    if kind == "raw":
        return ("text", draw(st.sampled_from(["", "{", "}", "[]", "null", "0", '"type"', '{"type":', "{'type':'x'}", "\u0000"]))
                + draw(st.text(max_size=30)))
    if kind == "utf8":
        valid = json.dumps({"type": draw(st.sampled_from(sorted(types))), "content": "é"}).encode()
        cut = draw(st.integers(min_value=0, max_value=len(valid)))
        bad = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x80"]))
        return ("badtext", valid[:cut] + bad + valid[cut:])
    if kind == "binary":
        return ("binary", draw(st.one_of(st.binary(max_size=64), st.just(json.dumps({"type": sorted(types)[1], "ts": 1}).encode()))))
    if kind == "fragmented":
        text = draw(typed_frame(types, ctx))[1]
        cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=len(text)), min_size=1, max_size=4)))
        parts = [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])]
        return ("fragments", parts)
    return ("text", '{"type":"%s","ts":NaN}' % sorted(types)[1])


def frames_for(types, ctx):
    return st.lists(st.one_of(typed_frame(types, ctx), typed_frame(types, ctx), odd_frame(types, ctx)), min_size=1, max_size=8)


# ---------------------------------------------------------------- one socket

class Socket:
    """One fuzzed connection: sends, collects what comes back, checks it."""

    def __init__(self, url, endpoint, stats):
        self.url, self.endpoint, self.stats = url, endpoint, stats
        self.prefix = "client" if endpoint == "client" else "gateway"
        self.received, self.ws, self.closed = [], None, None

    async def __aenter__(self):
        self.ws = await websockets().connect(self.url + "/ws/" + self.endpoint, max_size=None, open_timeout=15,
                                             ping_interval=None, close_timeout=5)
        self.stats.sockets += 1
        self.reader = asyncio.ensure_future(self.read())
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()
        self.reader.cancel()

    async def read(self):
        try:
            async for message in self.ws:
                try:
                    self.received.append(json.loads(message))
                except (ValueError, TypeError):
                    self.stats.fail(f"{self.endpoint}: a frame from the hub is not JSON: {message[:200]!r}")
        except Exception:
            pass
        finally:
            rcvd = getattr(self.ws, "close_rcvd", None)
            self.closed = (rcvd.code, rcvd.reason) if rcvd else (self.ws.close_code, self.ws.close_reason)

    async def send(self, kind, payload):
        if self.ws.state.name != "OPEN":
            return False
        try:
            if kind == "text":
                await self.ws.send(payload)
            elif kind == "badtext":
                await self.ws.send(payload, text=True)
            elif kind == "binary":
                await self.ws.send(payload)
            else:
                await self.ws.send(payload)
                self.stats.frames += len(payload) - 1
            self.stats.frames += 1
            return True
        except Exception:
            return False

    async def auth(self, token, gateway_id=None):
        if self.endpoint == "client":
            frame = {"type": "client:auth", "token": token}
        else:
            frame = {"type": "gateway:auth", "token": token, "gatewayId": gateway_id or f"fuzzgw{next(UNIQUE)}",
                     "deviceInfo": {"hostname": "fuzz", "platform": "linux", "arch": "x64", "nodeVersion": "v20"}}
        await self.send("text", json.dumps(frame))
        want = "server:auth_result" if self.endpoint == "client" else "server:gateway_auth_result"
        reply = await self.wait_for(lambda m: m.get("type") == want, 10)
        return reply is not None and reply.get("ok") is True

    async def wait_for(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            for message in self.received[seen:]:
                if isinstance(message, dict) and predicate(message):
                    return message
            seen = len(self.received)
            if self.closed is not None:
                return None
            await asyncio.sleep(0.02)
        return None

    async def still_served(self, what):
        """Ping with a unique ts: a pong, or an allowed close. Anything else is a hang."""
        ts = next(UNIQUE)
        if await self.send("text", json.dumps({"type": f"{self.prefix}:ping", "ts": ts})):
            pong = await self.wait_for(lambda m: m.get("type") == "server:pong" and m.get("ts") == ts, 10)
            if pong is not None:
                return True
        await asyncio.sleep(0.2)
        if self.closed is None and self.ws.state.name == "OPEN":
            self.stats.fail(f"{self.endpoint}: no pong within 10 s and not closed after {what}")
        return False

    def check(self, what):
        allowed = CLIENT_CODES if self.endpoint == "client" else GATEWAY_CODES
        for message in self.received:
            if not isinstance(message, dict):
                self.stats.fail(f"{self.endpoint}: non-object frame {message!r:.200} after {what}")
            elif message.get("type") == "server:error" and message.get("code") not in allowed:
                self.stats.fail(f"{self.endpoint}: server:error {message.get('code')!r} ({message.get('message')!r}) after {what}")
        if self.closed is not None and self.closed[0] not in ALLOWED_CLOSES:
            self.stats.fail(f"{self.endpoint}: closed {self.closed} after {what}")


def describe(batch):
    out = []
    for kind, payload in batch:
        text = payload if isinstance(payload, str) else repr(payload)
        out.append(f"{kind}:{text[:160]}")
    return " | ".join(out)


async def fuzz_batch(base_ws, endpoint, ctx, authenticate, batch, stats):
    async with Socket(base_ws, endpoint, stats) as sock:
        if authenticate:
            await sock.auth(ctx["token"])
        for kind, payload in batch:
            if not await sock.send(kind, payload):
                break
        await sock.still_served(describe(batch))
        await asyncio.sleep(0.05)
        sock.check(describe(batch))


# ---------------------------------------------------------------- fixed scenarios

async def scenarios(base_ws, endpoint, ctx, stats, flood):
    prefix = "client" if endpoint == "client" else "gateway"
    other = "client:join_room" if endpoint == "client" else "gateway:agent_status"

    # Before auth: the client answers NOT_AUTHENTICATED and stays; the gateway closes 1008.
    async with Socket(base_ws, endpoint, stats) as sock:
        await sock.send("text", json.dumps({"type": other, "roomId": ctx["room"], "agentId": "a1", "status": "online"}))
        if endpoint == "client":
            if not await sock.wait_for(lambda m: m.get("code") == "NOT_AUTHENTICATED", 5):
                stats.fail("client: a frame before auth got no NOT_AUTHENTICATED")
            await sock.still_served("a frame before auth")
        else:
            await sock.wait_for(lambda m: False, 5)
            if sock.closed is None or sock.closed[0] != 1008:
                stats.fail(f"gateway: a frame before auth did not close 1008 (closed {sock.closed})")
        sock.check("a frame before auth")

    # Oversize, too deep, too wide: the pipeline's codes on the client; dropped on the gateway.
    size = 70000 if endpoint == "client" else 1_300_000
    cases = [("oversize", json.dumps({"type": f"{prefix}:ping", "ts": 1, "pad": "p" * size}), "MESSAGE_TOO_LARGE"),
             ("16 deep", json.dumps({"type": f"{prefix}:ping", "ts": 1, "x": nested(15)}), "JSON_TOO_DEEP"),
             ("1001 wide", json.dumps({"type": f"{prefix}:ping", "ts": 1, "x": list(range(1001))}), "JSON_TOO_DEEP"),
             ("not JSON", "{nope", "INVALID_JSON"), ("unknown type", json.dumps({"type": f"{prefix}:nope"}), "INVALID_MESSAGE")]
    for name, text, code in cases:
        async with Socket(base_ws, endpoint, stats) as sock:
            await sock.auth(ctx["token"])
            await sock.send("text", text)
            if endpoint == "client":
                if not await sock.wait_for(lambda m: m.get("type") == "server:error" and m.get("code") == code, 5):
                    stats.fail(f"client: {name} frame did not get {code} (got {sock.received[-3:]}, closed {sock.closed})")
            elif name == "oversize":
                if not await sock.wait_for(lambda m: m.get("type") == "server:error", 5):
                    stats.fail(f"gateway: oversize frame got no server:error (closed {sock.closed})")
            await sock.still_served(name)
            sock.check(name)

    # Flood past the per-user rate limit (client only: the gateway has none): RATE_LIMITED, socket served.
    if endpoint == "client":
        async with Socket(base_ws, endpoint, stats) as sock:
            await sock.auth(ctx["token"])
            for _ in range(flood):
                await sock.send("text", json.dumps({"type": "client:typing", "roomId": ctx["room"]}))
            if not await sock.wait_for(lambda m: m.get("code") == "RATE_LIMITED", 10):
                stats.fail(f"client: {flood} frames in a burst got no RATE_LIMITED")
            await sock.still_served("a flood")
            sock.check("a flood")

    # Never authenticating: closed 4001 after 5 s.
    async with Socket(base_ws, endpoint, stats) as sock:
        await sock.send("text", json.dumps({"type": f"{prefix}:ping", "ts": 7}))
        await sock.wait_for(lambda m: False, 7.5)
        if sock.closed is None or sock.closed[0] != 4001:
            stats.fail(f"{endpoint}: no close 4001 after 7.5 s unauthenticated (closed {sock.closed})")


# ---------------------------------------------------------------- the observer

class Observer(threading.Thread):
    """A normal client on the same edge: sends a message to its own room every 200 ms and waits
    for the echo, pinging in between; records each round trip."""

    def __init__(self, base_ws, token, room):
        super().__init__(daemon=True)
        self.base_ws, self.token, self.room = base_ws, token, room
        self.stop_event = threading.Event()
        self.rounds, self.frames, self.worst, self.failures = 0, 0, 0.0, []
        self.ready = threading.Event()

    def run(self):
        asyncio.run(self.loop())

    async def loop(self):
        ws_mod = websockets()
        try:
            async with ws_mod.connect(self.base_ws + "/ws/client", max_size=None, ping_interval=None) as ws:
                await ws.send(json.dumps({"type": "client:auth", "token": self.token})); self.frames += 1
                reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if not reply.get("ok"):
                    self.failures.append(f"observer auth failed: {reply}"); self.ready.set(); return
                await ws.send(json.dumps({"type": "client:join_room", "roomId": self.room})); self.frames += 1
                await asyncio.sleep(0.3)
                self.ready.set()
                n = 0
                while not self.stop_event.is_set():
                    n += 1
                    content = f"observer {n} {next(UNIQUE)}"
                    started = time.monotonic()
                    await ws.send(json.dumps({"type": "client:send_message", "roomId": self.room, "content": content}))
                    await ws.send(json.dumps({"type": "client:ping", "ts": n}))
                    self.frames += 2
                    got_message = got_pong = False
                    while not (got_message and got_pong):
                        remaining = 5 - (time.monotonic() - started)
                        if remaining <= 0:
                            raise TimeoutError(f"round {n}: message echo {got_message}, pong {got_pong} after 5 s")
                        message = json.loads(await asyncio.wait_for(ws.recv(), remaining))
                        if message.get("type") == "server:new_message" and message.get("message", {}).get("content") == content:
                            got_message = True
                        elif message.get("type") == "server:pong" and message.get("ts") == n:
                            got_pong = True
                        elif message.get("type") == "server:error":
                            raise RuntimeError(f"round {n}: {message}")
                    self.worst = max(self.worst, time.monotonic() - started)
                    self.rounds += 1
                    await asyncio.sleep(0.2)
        except Exception as error:  # any failure of the normal client is the finding
            self.failures.append(f"observer: {type(error).__name__}: {error}")
        finally:
            self.ready.set()


# ---------------------------------------------------------------- a run against one hub

def setup(base, ids):
    """The fuzz user's room and a separate observer user with a room of its own."""
    status, room = hubs.call("POST", base + "/api/rooms", {"name": "fuzz room"}, ids["user"]["token"])
    assert status == 201, (status, room)
    admin = ids["admin"]["token"]
    status, _ = hubs.call("POST", base + "/api/users", {"username": "fuzzobserver", "password": "Observer-pass1"}, admin)
    assert status in (200, 409)
    status, login = hubs.call("POST", base + "/api/auth/login", {"username": "fuzzobserver", "password": "Observer-pass1"})
    assert status == 200, (status, login)
    token = login["data"]["accessToken"]
    status, observer_room = hubs.call("POST", base + "/api/rooms", {"name": "observer room"}, token)
    assert status == 201
    return {"token": ids["user"]["token"], "room": room["data"]["id"]}, token, observer_room["data"]["id"]


def run(base, ids, label, topology, long=False, seed=20261205):
    """Both endpoints against one hub; (passed, {endpoint: frames sent}, observer summary)."""
    base_ws = base.replace("http://", "ws://")
    ctx, observer_token, observer_room = setup(base, ids)
    observer = Observer(base_ws, observer_token, observer_room)
    observer.start()
    observer.ready.wait(20)
    examples = 400 if long else 30
    counts, failures = {}, []
    for endpoint, types in (("client", CLIENT_TYPES), ("gateway", GATEWAY_TYPES)):
        stats = Stats()
        asyncio.run(scenarios(base_ws, endpoint, ctx, stats, flood=1100))

        @settings(max_examples=examples, deadline=None, database=None, derandomize=not long,
                  suppress_health_check=list(HealthCheck), print_blob=True)
        @given(authenticate=st.booleans(), batch=frames_for(types, ctx))
        def fuzz(authenticate, batch):
            before = len(stats.failures)
            asyncio.run(fuzz_batch(base_ws, endpoint, ctx, authenticate, batch, stats))
            dead = topology.alive()
            assert not dead, f"hub process exited: {dead}"
            assert len(stats.failures) == before, stats.failures[-1]

        try:
            fuzz()
        except AssertionError as error:
            stats.fail(f"hypothesis: {str(error)[:1500]}")
        except Exception as error:
            stats.fail(f"hypothesis: {type(error).__name__}: {str(error)[:1500]}")
        if not hubs.healthy(base):
            stats.fail(f"{endpoint}: /api/health is not 200 after the run")
        status, _ = hubs.call("GET", base + "/api/rooms", token=ids["user"]["token"])
        if status >= 500:
            stats.fail(f"{endpoint}: GET /api/rooms answered {status} after the run")
        counts[f"{label}-{endpoint}"] = {"frames": stats.frames, "sockets": stats.sockets}
        failures += stats.failures
        print(f"ws fuzz {label} /ws/{endpoint}: {stats.frames} frames on {stats.sockets} sockets, "
              f"{'passed' if not stats.failures else 'FAILED'}", flush=True)
        for failure in stats.failures:
            print("   ", failure, flush=True)
    observer.stop_event.set()
    observer.join(15)
    if observer.rounds == 0:
        observer.failures.append("observer: no round trip completed")
    summary = {"rounds": observer.rounds, "frames": observer.frames, "worst_seconds": round(observer.worst, 3)}
    print(f"observer {label}: {summary}, {'ok' if not observer.failures else observer.failures}", flush=True)
    return not failures and not observer.failures, counts, summary
