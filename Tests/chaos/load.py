"""The steady mixed load of the chaos suite, and what it saw. People (one /ws/client socket
each, on alternating edges) send with `clientMessageId` and resend what is not acknowledged
with the same id, as a client does; an agent streams chunks and completes replies over
/ws/gateway; a REST reader pages history and lists rooms; an uploader posts small files.
Sockets that drop reconnect (to either edge) and rejoin with `lastSeq`, so the hub replays
what they missed. Every frame received is recorded per member: what was acknowledged,
what reached whom, and what arrived twice."""
import asyncio, json, os, random, sys, time, urllib.error, urllib.request, uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "bench"))
import hubkit  # noqa: E402

websockets = hubkit.import_websockets()

AGENT_ID = "chaos-agent"
TRACE = open(os.environ["CHAOS_TRACE"], "w") if os.environ.get("CHAOS_TRACE") else None  # every frame, for debugging
RESEND_AFTER = 5.0


class Sent:
    """One message some sender put on the wire (a person's, or the agent's complete)."""
    __slots__ = ("key", "phase", "first", "acked_at", "message_id", "sends", "agent")

    def __init__(self, key, phase, agent=False):
        self.key, self.phase, self.first, self.acked_at = key, phase, time.time(), None
        self.message_id, self.sends, self.agent = None, 1, agent

    @property
    def latency(self):
        return None if self.acked_at is None else self.acked_at - self.first


def rest(method, url, token, body=None, raw=None, content_type="application/json", timeout=10):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, method=method, data=data)
    req.add_header("Content-Type", content_type)
    req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None
    except Exception:
        return None, None


class Member:
    """One person in the room, with one socket (reconnecting) and a send loop."""

    def __init__(self, load, index, user):
        self.load, self.index = load, index
        self.user_id, self.token = user["user"]["id"], user["accessToken"]
        self.seen = {}        # message id -> times received
        self.first_frames = {}  # message id -> (frame type, seq, time, connection number), to explain a duplicate
        self.last_seq = None
        self.ws = None
        self.pending = {}     # clientMessageId -> Sent, not yet acknowledged
        self.counter = 0
        self.connects = 0
        self.closes = []      # close codes seen

    def edge_order(self):
        edges = self.load.edges
        first = (self.index + self.connects) % len(edges)
        return edges[first:] + edges[:first]

    async def connect(self):
        for port in self.edge_order():
            try:
                ws = await asyncio.wait_for(websockets.connect(f"ws://127.0.0.1:{port}/ws/client", max_size=None,
                                                               open_timeout=5, ping_interval=None), 6)
                await ws.send(json.dumps({"type": "client:auth", "token": self.token}))
                while True:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
                    if frame.get("type") == "server:auth_result":
                        break
                if not frame.get("ok"):
                    await ws.close(); continue
                join = {"type": "client:join_room", "roomId": self.load.room}
                if self.last_seq is not None:
                    join["lastSeq"] = self.last_seq
                await ws.send(json.dumps(join))
                self.connects += 1
                if TRACE is not None: TRACE.write(f"{time.time():.3f} m{self.index} CONNECT port={port} lastSeq={self.last_seq}\n")
                return ws
            except Exception:
                continue
        return None

    async def run(self):
        while not self.load.stopping:
            ws = await self.connect()
            if ws is None:
                await asyncio.sleep(0.5); continue
            self.ws = ws
            try:
                async for raw in ws:
                    self.on_frame(json.loads(raw))
            except Exception:
                pass
            self.closes.append(ws.close_code)
            if TRACE is not None: TRACE.write(f"{time.time():.3f} m{self.index} CLOSED code={ws.close_code}\n")
            self.ws = None
            await asyncio.sleep(0.2 + random.random() * 0.3)

    def on_frame(self, frame):
        kind = frame.get("type")
        if kind in ("server:new_message", "server:message_complete"):
            message = frame.get("message") or {}
            if message.get("roomId") != self.load.room:
                return
            mid = message.get("id")
            if TRACE is not None:
                TRACE.write(f"{time.time():.3f} m{self.index} {kind} seq={message.get('seq')} cmid={message.get('clientMessageId')} "
                            f"created={message.get('createdAt')}\n")
            count = self.seen.get(mid, 0) + 1
            self.seen[mid] = count
            if count > 1:
                first = self.first_frames.get(mid)
                self.load.duplicate_deliveries.append((self.index, mid, self.load.phase, {
                    "sender": message.get("senderId") == self.user_id, "first": first,
                    "again": (kind, message.get("seq"), round(time.time(), 2), self.connects)}))
            elif len(self.first_frames) < 100000:
                self.first_frames[mid] = (kind, message.get("seq"), round(time.time(), 2), self.connects)
            seq = message.get("seq")
            if isinstance(seq, int) and (self.last_seq is None or seq > self.last_seq):
                self.last_seq = seq
            now = time.time()
            cmid = message.get("clientMessageId")
            if message.get("senderId") == self.user_id and cmid in self.pending:
                sent = self.pending.pop(cmid)
                sent.acked_at, sent.message_id = now, mid
            if message.get("senderId") == AGENT_ID:  # live as message_complete, replayed as new_message
                sent = self.load.agent_pending.pop(mid, None)
                if sent:
                    sent.acked_at, sent.message_id = now, mid
        elif kind == "server:history_gap":
            self.load.history_gaps += 1
        elif kind != "server:typing" and TRACE is not None:
            TRACE.write(f"{time.time():.3f} m{self.index} FRAME {json.dumps(frame)[:200]}\n")
        if kind == "server:error":
            self.load.errors[frame.get("code")] = self.load.errors.get(frame.get("code"), 0) + 1

    async def send_loop(self):
        while not self.load.stopping:
            await asyncio.sleep(self.load.interval * (0.5 + random.random()))
            ws = self.ws
            if ws is None:
                continue
            try:
                now = time.time()
                for sent in list(self.pending.values()):   # resend what is not acknowledged, same id
                    if now - sent.first > RESEND_AFTER * sent.sends:
                        sent.sends += 1
                        await ws.send(self.frame(sent.key))
                if self.load.paused:
                    continue
                self.counter += 1
                key = f"m{self.index}-{self.counter}-{uuid.uuid4().hex[:6]}"
                sent = Sent(key, self.load.phase)
                self.pending[key] = sent
                self.load.sent.append(sent)
                await ws.send(self.frame(key))
            except Exception:
                pass

    def frame(self, key):
        return json.dumps({"type": "client:send_message", "roomId": self.load.room, "content": f"chaos {key}",
                           "clientMessageId": key, "mentions": []})


class Agent:
    """A gateway (the CLI's socket) whose agent streams a reply now and then: chunks, then a complete."""

    def __init__(self, load, token):
        self.load, self.token = load, token
        self.counter = 0

    async def connect(self):
        for port in self.load.edges:
            try:
                ws = await asyncio.wait_for(websockets.connect(f"ws://127.0.0.1:{port}/ws/gateway", max_size=None,
                                                               open_timeout=5, ping_interval=None), 6)
                await ws.send(json.dumps({"type": "gateway:auth", "token": self.token, "gatewayId": "chaos-gw",
                                          "protocolVersion": "1", "deviceInfo": {"hostname": "chaos", "platform": "linux",
                                                                                 "arch": "x64", "nodeVersion": "v20"}}))
                while True:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
                    if frame.get("type") == "server:gateway_auth_result":
                        break
                if not frame.get("ok"):
                    await ws.close(); continue
                await ws.send(json.dumps({"type": "gateway:register_agent",
                                          "agent": {"id": AGENT_ID, "name": "chaos", "type": "generic"}}))
                return ws
            except Exception:
                continue
        return None

    async def run(self):
        while not self.load.stopping:
            ws = await self.connect()
            if ws is None:
                await asyncio.sleep(0.5); continue
            drain = asyncio.create_task(self.drain(ws))
            try:
                while not self.load.stopping and not drain.done():
                    await asyncio.sleep(self.load.interval * 2)
                    if self.load.paused:
                        continue
                    self.counter += 1
                    mid = f"agent-{self.counter}-{uuid.uuid4().hex[:8]}"
                    for n in range(3):
                        await ws.send(json.dumps({"type": "gateway:message_chunk", "roomId": self.load.room, "agentId": AGENT_ID,
                                                  "messageId": mid, "chunk": {"type": "text", "content": f"part {n} "}}))
                    sent = Sent(mid, self.load.phase, agent=True)
                    self.load.agent_pending[mid] = sent
                    self.load.sent.append(sent)
                    await ws.send(json.dumps({"type": "gateway:message_complete", "roomId": self.load.room, "agentId": AGENT_ID,
                                              "messageId": mid, "fullContent": "part 0 part 1 part 2"}))
            except Exception:
                pass
            drain.cancel()
            await asyncio.sleep(0.3)

    @staticmethod
    async def drain(ws):
        try:
            async for _ in ws:
                pass
        except Exception:
            pass


class Load:
    """Everything that runs against the hub while faults happen, and its records."""

    def __init__(self, edges, room, admin_token, users, interval):
        self.edges, self.room, self.admin = edges, room, admin_token
        self.interval = interval
        self.phase = "baseline"
        self.paused = False
        self.stopping = False
        self.sent = []
        self.agent_pending = {}
        self.duplicate_deliveries = []
        self.history_gaps = 0
        self.errors = {}
        self.rest_results = []  # (time, phase, kind, status)
        self.members = [Member(self, i, u) for i, u in enumerate(users)]
        self.agent = Agent(self, admin_token)
        self.tasks = []

    def start(self):
        for m in self.members:
            self.tasks += [asyncio.create_task(m.run()), asyncio.create_task(m.send_loop())]
        self.tasks += [asyncio.create_task(self.agent.run()), asyncio.create_task(self.rest_loop()),
                       asyncio.create_task(self.upload_loop())]

    async def wait_connected(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if all(m.ws is not None for m in self.members):
                return True
            await asyncio.sleep(0.2)
        return False

    async def stop(self):
        self.stopping = True
        for m in self.members:
            if m.ws is not None:
                await m.ws.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def base(self):
        return f"http://127.0.0.1:{random.choice(self.edges)}"

    async def rest_loop(self):
        while not self.stopping:
            await asyncio.sleep(0.5)
            member = random.choice(self.members)
            url = self.base() + random.choice([f"/api/messages/rooms/{self.room}?limit=20", "/api/rooms"])
            status, _ = await asyncio.to_thread(rest, "GET", url, member.token)
            self.rest_results.append((time.time(), self.phase, "read", status))

    async def upload_loop(self):
        boundary = "chaosboundary"
        while not self.stopping:
            await asyncio.sleep(2.0)
            member = random.choice(self.members)
            body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.txt\"\r\n"
                    f"Content-Type: text/plain\r\n\r\nchaos upload {uuid.uuid4().hex}\r\n--{boundary}--\r\n").encode()
            status, _ = await asyncio.to_thread(rest, "POST", self.base() + "/api/upload", member.token, raw=body,
                                                content_type=f"multipart/form-data; boundary={boundary}")
            self.rest_results.append((time.time(), self.phase, "upload", status))

    # Accounting -------------------------------------------------------------------------------

    def of_phase(self, phase):
        return [s for s in self.sent if s.phase == phase]

    def undelivered(self, phase):
        """Acknowledged messages of the phase some member has not received (yet)."""
        missing = []
        for sent in self.of_phase(phase):
            if sent.message_id is None:
                continue
            for m in self.members:
                if sent.message_id not in m.seen:
                    missing.append((m.index, sent.key))
        return missing

    async def settle(self, phase, timeout):
        """Waits until every message of the phase is acknowledged and delivered to every member."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if all(s.acked_at for s in self.of_phase(phase)) and not self.undelivered(phase):
                return True
            await asyncio.sleep(0.25)
        return False
