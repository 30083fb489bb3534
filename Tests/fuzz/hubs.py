"""The hubs the fuzz suites run against: the single process and the distributed topology
(bench/hubkit.py's Topology), both on real PostgreSQL and Redis. The datastores are the test
script's (AGENTIM_TEST_PG / AGENTIM_TEST_REDIS) when set, else throwaway ones started here.
Unlike the benchmarks, the single-process hub is given REDIS_URL too: the fuzz runs against the
bus and rate-limit store a deployment uses. Rate limits are off (NODE_ENV=test, as in hubkit), so
the fuzzers reach the handlers instead of 429s."""
import contextlib, json, os, re, subprocess, sys, urllib.error, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import hubkit  # noqa: E402

USER_NAME, USER_PASSWORD = "fuzzuser", "FuzzUser-pass1"


class FuzzTopology(hubkit.Topology):
    """hubkit's Topology with Redis for the single process as well."""

    def __init__(self, mode, pg, redis, db_prefix):
        self.redis_port = redis
        super().__init__(mode, pg, redis, db_prefix)

    def start(self, exe, port, database=True):
        if exe == "agentim-server":
            self.env["REDIS_URL"] = f"redis://127.0.0.1:{self.redis_port}"
        super().start(exe, port, database)

    def crash_reports(self):
        """The head of the log of each process that exited (where a crash names its cause)."""
        out = []
        for p in self.procs:
            if p.poll() is not None:
                exe = os.path.basename(p.args[0])
                for name in os.listdir(self.upload):
                    if name.startswith(exe + "-") and name.endswith(".log"):
                        out.append(f"--- {name} (exited {p.returncode})\n" + open(os.path.join(self.upload, name)).read()[:6000])
        return "\n".join(out)

    def alive(self):
        """Names of the processes that have exited (a crash shows here)."""
        return [p.args[0] for p in self.procs if p.poll() is not None]


@contextlib.contextmanager
def datastores():
    pg, redis = os.environ.get("AGENTIM_TEST_PG"), os.environ.get("AGENTIM_TEST_REDIS")
    if pg and redis:
        yield re.search(r":(\d+)$", pg).group(1), re.search(r":(\d+)$", redis).group(1)
    else:
        with hubkit.services() as ports:
            yield ports


def call(method, url, body=None, token=None, timeout=30):
    """(status, parsed JSON or text) without raising on 4xx/5xx."""
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def identities(base):
    """Logs in the seeded admin and creates+logs in a plain user: {'admin': {...}, 'user': {...}}."""
    status, admin = call("POST", base + "/api/auth/login", {"username": "admin", "password": hubkit.ADMIN_PASSWORD})
    assert status == 200, (status, admin)
    admin = admin["data"]
    status, created = call("POST", base + "/api/users", {"username": USER_NAME, "password": USER_PASSWORD}, admin["accessToken"])
    assert status in (200, 409), (status, created)
    status, user = call("POST", base + "/api/auth/login", {"username": USER_NAME, "password": USER_PASSWORD})
    assert status == 200, (status, user)
    user = user["data"]
    return {
        "admin": {"id": admin["user"]["id"], "token": admin["accessToken"], "username": "admin", "password": hubkit.ADMIN_PASSWORD},
        "user": {"id": user["user"]["id"], "token": user["accessToken"], "username": USER_NAME, "password": USER_PASSWORD},
    }


def healthy(base):
    """REST still answers: health 200 and an authenticated read not a 5xx."""
    try:
        status, _ = call("GET", base + "/api/health", timeout=10)
    except OSError:
        return False
    return status == 200


@contextlib.contextmanager
def running(mode, pg, redis):
    """A FuzzTopology for the block; its logs printed if the block raises, stopped however it ends."""
    topology = FuzzTopology(mode, pg, redis, "fuzz")
    try:
        yield topology
    except BaseException:
        print(topology.logs())
        raise
    finally:
        topology.stop()


def send_message(base, token, room, content):
    """A message over /ws/client (REST cannot create one); returns its id."""
    import asyncio
    ws_mod = hubkit.import_websockets()

    async def go():
        async with ws_mod.connect(base.replace("http://", "ws://") + "/ws/client", ping_interval=None) as ws:
            await ws.send(json.dumps({"type": "client:auth", "token": token}))
            await ws.send(json.dumps({"type": "client:join_room", "roomId": room}))
            await ws.send(json.dumps({"type": "client:send_message", "roomId": room, "content": content}))
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 15))
                if message.get("type") == "server:new_message":
                    return message["message"]["id"]

    return asyncio.run(go())


def fixtures(base, ids):
    """Real resources for the fuzzers to find (their ids go into path parameters half the time):
    the plain user's room with a message, a task and a bookmark, a personal router; the admin's
    room and service agent; a spare user the admin run may edit or delete."""
    user, admin = ids["user"]["token"], ids["admin"]["token"]
    pool = [ids["user"]["id"]]
    _, room = call("POST", base + "/api/rooms", {"name": "fixture room"}, user)
    room = room["data"]["id"]
    message = send_message(base, user, room, "fixture message")
    _, task = call("POST", base + f"/api/tasks/rooms/{room}", {"title": "fixture task"}, user)
    _, bookmark = call("POST", base + "/api/bookmarks", {"messageId": message}, user)
    _, router = call("POST", base + "/api/routers", {"name": "fixture router", "llmBaseUrl": "https://93.184.215.14/v1",
                                                     "llmApiKey": "sk-fixture-key", "llmModel": "m"}, user)
    _, admin_room = call("POST", base + "/api/rooms", {"name": "admin fixture room", "memberIds": [ids["user"]["id"]]}, admin)
    _, agent = call("POST", base + "/api/service-agents", {"name": "fixture bot", "type": "custom", "config": {"k": "v"}}, admin)
    _, spare = call("POST", base + "/api/users", {"username": "fuzzspare", "password": "Spare-pass1"}, admin)
    for value in (room, message, task, bookmark, router, admin_room, agent, spare):
        if isinstance(value, str):
            pool.append(value)
        elif isinstance(value, dict) and isinstance(value.get("data"), dict) and value["data"].get("id"):
            pool.append(value["data"]["id"])
    return pool
