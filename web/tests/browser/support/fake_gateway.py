"""A fake `agentim` gateway: a real WebSocket client of /ws/gateway that plays one agent
(websocket.md §8, §10, §12). It runs its own asyncio loop on a thread so synchronous tests can
drive it: wait for work, stream a reply chunk by chunk, ask for a permission, see the answer."""
import asyncio, json, secrets, threading, time

import websockets


def new_id(prefix=""):
    return prefix + secrets.token_urlsafe(15)[:21].replace("-", "x").replace("_", "y")


class FakeGateway:
    def __init__(self, api, agent_name: str = "coder", agent_id: str | None = None):
        """api: the owner's signed-in Api; its token authenticates the gateway."""
        self.ws_url = api.base.replace("http://", "ws://").replace("https://", "wss://") + "/ws/gateway"
        self.token, self.agent_name = api.token, agent_name
        self.agent_id = agent_id or new_id()
        self.gateway_id = new_id("gw")
        self.frames: list[dict] = []
        self._cond = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._ws = None
        self._call(self._connect(), 30)
        # Registration has no reply of its own: it is done once the owner's agent list shows it.
        deadline = time.time() + 20
        while not any(a.get("id") == self.agent_id and a.get("status") == "online" for a in api.get("/api/agents")["data"]):
            if time.time() > deadline:
                raise TimeoutError(f"agent {agent_name} never showed up in /api/agents")
            time.sleep(0.05)

    # --- plumbing ----------------------------------------------------------------------------
    def _call(self, coro, timeout=30):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _connect(self):
        self._ws = await websockets.connect(self.ws_url, max_size=None)
        await self._ws.send(json.dumps({
            "type": "gateway:auth", "token": self.token, "gatewayId": self.gateway_id, "protocolVersion": "1",
            "deviceInfo": {"hostname": "browser-test-host", "platform": "linux", "arch": "x64", "nodeVersion": "v20.0.0"}}))
        reply = json.loads(await asyncio.wait_for(self._ws.recv(), 15))
        if reply.get("type") != "server:gateway_auth_result" or not reply.get("ok"):
            raise RuntimeError(f"gateway auth failed: {reply}")
        await self._ws.send(json.dumps({"type": "gateway:register_agent", "agent": {
            "id": self.agent_id, "name": self.agent_name, "type": "generic", "workingDirectory": "/srv/project"}}))
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self):
        try:
            async for raw in self._ws:
                frame = json.loads(raw)
                with self._cond:
                    self.frames.append(frame)
                    self._cond.notify_all()
        except websockets.ConnectionClosed:
            pass

    def send(self, frame: dict):
        self._call(self._ws.send(json.dumps(frame)))

    def wait_for(self, predicate, timeout=20.0, what="a frame"):
        """The first frame (already received or arriving within timeout) that satisfies predicate."""
        deadline = time.time() + timeout
        with self._cond:
            while True:
                for frame in self.frames:
                    if predicate(frame):
                        return frame
                left = deadline - time.time()
                if left <= 0:
                    raise TimeoutError(f"gateway did not receive {what}; got types {[f.get('type') for f in self.frames][-20:]}")
                self._cond.wait(left)

    def wait_type(self, frame_type, timeout=20.0, **fields):
        return self.wait_for(lambda f: f.get("type") == frame_type and all(f.get(k) == v for k, v in fields.items()),
                             timeout, f"{frame_type} {fields or ''}")

    # --- the agent's side of the protocol ----------------------------------------------------
    def ping(self):
        """A round trip through the hub: once answered, every frame sent before it was processed."""
        ts = time.time() * 1000
        self.send({"type": "gateway:ping", "ts": ts})
        self.wait_type("server:pong", ts=ts)

    def chunk(self, room_id, message_id, chunk_type, content, **metadata):
        chunk = {"type": chunk_type, "content": content}
        if metadata:
            chunk["metadata"] = metadata
        self.send({"type": "gateway:message_chunk", "roomId": room_id, "agentId": self.agent_id,
                   "messageId": message_id, "chunk": chunk})
        return chunk

    def complete(self, room_id, message_id, full_content, chunks=None, conversation_id=None, depth=0):
        frame = {"type": "gateway:message_complete", "roomId": room_id, "agentId": self.agent_id,
                 "messageId": message_id, "fullContent": full_content, "depth": depth}
        if chunks is not None:
            frame["chunks"] = chunks
        if conversation_id:
            frame["conversationId"] = conversation_id
        self.send(frame)

    def status(self, status, queue_depth=0):
        self.send({"type": "gateway:agent_status", "agentId": self.agent_id, "status": status, "queueDepth": queue_depth})

    def stream_reply(self, room_id, pieces, pause=None, before_complete=None, conversation_id=None):
        """Streams a reply: a thinking chunk, then text pieces; returns (messageId, chunks) before completing
        when before_complete is given (it runs between the last chunk and the complete)."""
        message_id = new_id()
        chunks = [self.chunk(room_id, message_id, "thinking", "Reading the question…")]
        for piece in pieces:
            chunks.append(self.chunk(room_id, message_id, "text", piece))
            if pause:
                pause()
        if before_complete:
            before_complete(message_id)
        self.complete(room_id, message_id, "".join(pieces), chunks, conversation_id)
        return message_id

    def stream_paced(self, room_id, message_id, count, per_second, text="x"):
        """Sends count text chunks at per_second, paced in 5 ms ticks on the gateway's loop;
        returns the seconds it took (the pace the hub was offered)."""
        async def run():
            start = time.perf_counter()
            sent = 0
            while sent < count:
                due = min(count, int((time.perf_counter() - start) * per_second) + 1)
                while sent < due:
                    await self._ws.send(json.dumps({"type": "gateway:message_chunk", "roomId": room_id, "agentId": self.agent_id,
                                                    "messageId": message_id, "chunk": {"type": "text", "content": f"{text}{sent} "}}))
                    sent += 1
                await asyncio.sleep(0.005)
            return time.perf_counter() - start
        return self._call(run(), timeout=count / per_second * 4 + 30)

    def permission_request(self, room_id, tool_name="Bash", tool_input=None, timeout_ms=300000):
        request_id = new_id("perm")
        self.send({"type": "gateway:permission_request", "requestId": request_id, "agentId": self.agent_id,
                   "roomId": room_id, "toolName": tool_name, "toolInput": tool_input or {"command": "ls -la"},
                   "timeoutMs": timeout_ms})
        return request_id

    def close(self):
        async def shut():
            if self._ws is not None:
                await self._ws.close()
        try:
            self._call(shut(), 10)
        except Exception:
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
