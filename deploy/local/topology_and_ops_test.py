#!/usr/bin/env python3
"""Runs the distributed topology exactly as deploy/compose/docker-compose.yml configures it
(its rendered environment and commands), with the test script's throwaway PostgreSQL and
Redis standing in for the containers, and checks it comes up healthy and carries a chat.
Then the operations: backup -> restore into a fresh database round-trips users, rooms and
messages; `agentim-server reencrypt` moves stored secrets to a new ENCRYPTION_KEY.

Needs AGENTIM_TEST_PG / AGENTIM_TEST_REDIS (set by deploy/local/test.sh), docker-compose
(installed by deploy/check.sh) and the debug build. Ends with "topology and ops: N passed, M failed"."""
import asyncio, json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.error, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("AGENTIM_BIN_DIR", os.path.join(ROOT, ".build", "debug"))
PG = os.environ["AGENTIM_TEST_PG"]          # postgresql://postgres@127.0.0.1:PORT
REDIS = os.environ["AGENTIM_TEST_REDIS"]    # redis://127.0.0.1:PORT
PASSED, FAILED = [], []

try:
    import websockets
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "websockets"])
    import websockets
import yaml

SECRETS = {
    "POSTGRES_PASSWORD": "pgpass0123456789",
    "JWT_SECRET": "compose-topology-jwt-secret-0123456789abcdef",
    "ENCRYPTION_KEY": "compose-topology-encryption-key-0123456789",
    "ADMIN_PASSWORD": "Compose!Admin123",
    "CORS_ORIGIN": "http://localhost:3000",
}
NEW_KEY = "rotated-encryption-key-abcdefghij0123456789"


def check(name, ok, detail=""):
    (PASSED if ok else FAILED).append(name)
    print(f"{'ok  ' if ok else 'FAIL'}  {name}{'' if ok else ': ' + str(detail)[:400]}")


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def psql(db, sql):
    return subprocess.run(["psql", f"{PG}/{db}", "-qtAc", sql], check=True, capture_output=True, text=True).stdout.strip()


def http(method, url, body=None, token=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def wait_healthy(url, proc, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return True
        except Exception:
            pass
        time.sleep(0.3)
    return False


class Processes:
    def __init__(self, logs):
        self.procs, self.logs = [], logs

    def start(self, name, argv, env):
        log = open(os.path.join(self.logs, f"{name}.log"), "w")
        proc = subprocess.Popen([os.path.join(BIN, argv[0])] + argv[1:], env=env, stdout=log, stderr=log)
        self.procs.append(proc)
        return proc

    def log(self, name):
        path = os.path.join(self.logs, f"{name}.log")
        return open(path).read()[-1500:] if os.path.exists(path) else ""

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            proc.wait()
        self.procs = []


def render_compose(work):
    env_file = os.path.join(work, "compose.env")
    with open(env_file, "w") as f:
        f.writelines(f"{k}={v}\n" for k, v in SECRETS.items())
    out = subprocess.check_output(["docker-compose", "-f", os.path.join(ROOT, "deploy/compose/docker-compose.yml"),
                                   "--env-file", env_file, "config"], text=True, cwd=os.path.join(ROOT, "deploy/compose"))
    return yaml.safe_load(out)["services"]


async def chat(base, ws_url, admin_token, room_id, user_token):
    """One message from the admin, received by the user's socket; returns the message."""
    async with websockets.connect(ws_url) as alice, websockets.connect(ws_url) as bob:
        for sock, token in ((alice, admin_token), (bob, user_token)):
            await sock.send(json.dumps({"type": "client:auth", "token": token}))
            assert json.loads(await sock.recv())["ok"] is True
            await sock.send(json.dumps({"type": "client:join_room", "roomId": room_id}))
            await sock.send(json.dumps({"type": "client:ping", "ts": 1}))
            while json.loads(await sock.recv())["type"] != "server:pong":
                pass
        await alice.send(json.dumps({"type": "client:send_message", "roomId": room_id, "content": "carried by compose"}))
        while True:
            frame = json.loads(await asyncio.wait_for(bob.recv(), 15))
            if frame["type"] == "server:new_message":
                return frame["message"]


def main():
    work = tempfile.mkdtemp()
    procs = Processes(work)
    try:
        services = render_compose(work)
        db = f"compose_{int(time.time())}"
        # The compose file connects as the unprivileged role `agentim`, as its PostgreSQL container creates it.
        psql("postgres", f"DO $$ BEGIN CREATE ROLE agentim LOGIN PASSWORD '{SECRETS['POSTGRES_PASSWORD']}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        psql("postgres", f"CREATE DATABASE {db} OWNER agentim")
        pg_port = re.search(r":(\d+)$", PG).group(1)
        redis_port = re.search(r":(\d+)$", REDIS).group(1)
        ports = {name: free_port() for name in ("auth", "rooms", "router", "uploads", "edge")}
        uploads = os.path.join(work, "uploads")

        def environment(service):
            env = dict(os.environ)
            for key, value in (services[service].get("environment") or {}).items():
                value = "" if value is None else str(value)
                value = re.sub(r"@postgres:5432/agentim$", f"@127.0.0.1:{pg_port}/{db}", value)
                value = value.replace("redis://redis:6379", f"redis://127.0.0.1:{redis_port}")
                for name, port in ports.items():
                    value = re.sub(rf"^http://{name}:\d+$", f"http://127.0.0.1:{port}", value)
                env[key] = value
            env["UPLOAD_DIR"] = uploads
            env["HOST"] = "127.0.0.1"
            if service in ports:
                env["PORT"] = str(ports[service])
            return env

        migrate = subprocess.run([os.path.join(BIN, services["migrate"]["command"][0])] + services["migrate"]["command"][1:],
                                 env=environment("migrate"), capture_output=True, text=True, timeout=120)
        check("compose migrate service applies the schema and exits 0", migrate.returncode == 0, migrate.stderr)
        check("compose services run with RUN_MIGRATIONS=false",
              all(environment(s).get("RUN_MIGRATIONS") == "false" for s in ports))
        for name in ("auth", "rooms", "router", "uploads", "edge"):
            spec = services[name]
            health = re.search(r"(/internal/health|/api/health)", json.dumps(spec["healthcheck"]["test"])).group(1)
            proc = procs.start(name, spec["command"], environment(name))
            healthy = wait_healthy(f"http://127.0.0.1:{ports[name]}{health}", proc)
            check(f"compose {name}: healthy on {health} with the compose environment (NODE_ENV=production)", healthy, procs.log(name))
        edge = f"http://127.0.0.1:{ports['edge']}"
        status, health = http("GET", edge + "/api/health")
        check("edge aggregates every check", status == 200 and health.get("checks") == {"database": True, "redis": True, "filesystem": True}, health)

        status, login = http("POST", edge + "/api/auth/login", {"username": "admin", "password": SECRETS["ADMIN_PASSWORD"]})
        admin = login["data"]["accessToken"]
        http("POST", edge + "/api/users", {"username": "carol", "password": "Carol1234x"}, admin)
        carol = http("POST", edge + "/api/auth/login", {"username": "carol", "password": "Carol1234x"})[1]["data"]
        room = http("POST", edge + "/api/rooms", {"name": "Compose", "memberIds": [carol["user"]["id"]]}, admin)[1]["data"]
        message = asyncio.run(chat(edge, f"ws://127.0.0.1:{ports['edge']}/ws/client", admin, room["id"], carol["accessToken"]))
        check("a chat message crosses the compose topology", message["content"] == "carried by compose", message)
        status, _ = http("PUT", edge + "/api/admin/settings", {"changes": {"oauth.github.clientSecret": "gh-secret-value"}}, admin)
        check("a sensitive setting is stored (encrypted)", status == 200 and psql(db, "SELECT value FROM settings WHERE key = 'oauth.github.clientSecret'").startswith("enc:"))
        procs.stop()

        # Backup, then restore into a fresh database, then serve it with the single-process hub.
        dump = os.path.join(work, "agentim.dump")
        env = dict(os.environ, DATABASE_URL=f"{PG}/{db}")
        backup = subprocess.run(["bash", os.path.join(ROOT, "deploy/ops/backup.sh"), dump], env=env, capture_output=True, text=True)
        check("backup.sh writes a dump", backup.returncode == 0 and os.path.getsize(dump) > 0, backup.stderr)
        restored = db + "_restored"
        psql("postgres", f"CREATE DATABASE {restored} OWNER agentim")
        env = dict(os.environ, DATABASE_URL=f"{PG}/{restored}")
        restore = subprocess.run(["bash", os.path.join(ROOT, "deploy/ops/restore.sh"), "--yes", dump], env=env, capture_output=True, text=True)
        check("restore.sh loads it into a fresh database", restore.returncode == 0, restore.stderr)

        def single(key):
            port = free_port()
            env = dict(os.environ, DATABASE_URL=f"{PG}/{restored}", PORT=str(port), HOST="127.0.0.1", NODE_ENV="production",
                       UPLOAD_DIR=uploads, **{k: v for k, v in SECRETS.items() if k != "POSTGRES_PASSWORD"})
            env["ENCRYPTION_KEY"] = key
            env.pop("REDIS_URL", None)
            proc = procs.start(f"server-{port}", ["agentim-server"], env)
            return f"http://127.0.0.1:{port}", wait_healthy(f"http://127.0.0.1:{port}/api/health", proc)

        base, healthy = single(SECRETS["ENCRYPTION_KEY"])
        check("the hub starts on the restored database", healthy, procs.log("server"))
        carol_token = http("POST", base + "/api/auth/login", {"username": "carol", "password": "Carol1234x"})[1]["data"]["accessToken"]
        rooms = http("GET", base + "/api/rooms", None, carol_token)[1]["data"]
        history = http("GET", base + f"/api/messages/rooms/{room['id']}", None, carol_token)[1]["data"]["items"]
        check("users, rooms and messages round-trip through backup and restore",
              [r["name"] for r in rooms] == ["Compose"] and [m["id"] for m in history] == [message["id"]], (rooms, history))
        procs.stop()

        # Key rotation: re-encrypt under a new key; the hub with the new key reads the secret.
        env = dict(os.environ, DATABASE_URL=f"{PG}/{restored}", ENCRYPTION_KEY_PREVIOUS=SECRETS["ENCRYPTION_KEY"], ENCRYPTION_KEY=NEW_KEY)
        before = psql(restored, "SELECT value FROM settings WHERE key = 'oauth.github.clientSecret'")
        rotate = subprocess.run([os.path.join(BIN, "agentim-server"), "reencrypt"], env=env, capture_output=True, text=True)
        after = psql(restored, "SELECT value FROM settings WHERE key = 'oauth.github.clientSecret'")
        check("agentim-server reencrypt moves stored secrets to the new key",
              rotate.returncode == 0 and after.startswith("enc:") and after != before and "re-encrypted" in rotate.stdout, rotate.stdout + rotate.stderr)
        again = subprocess.run([os.path.join(BIN, "agentim-server"), "reencrypt"], env=env, capture_output=True, text=True)
        check("reencrypt is idempotent", again.returncode == 0 and "re-encrypted 0 secret(s)" in again.stdout, again.stdout + again.stderr)
        wrong = subprocess.run([os.path.join(BIN, "agentim-server"), "reencrypt"],
                               env=dict(env, ENCRYPTION_KEY_PREVIOUS="wrong-key-wrong-key-wrong-key-wrong", ENCRYPTION_KEY="another-new-key-0123456789abcdefghij"),
                               capture_output=True, text=True)
        check("reencrypt with a wrong old key changes nothing and says why",
              wrong.returncode == 1 and "opens with neither key" in wrong.stderr and
              psql(restored, "SELECT value FROM settings WHERE key = 'oauth.github.clientSecret'") == after, wrong.stderr)
        base, healthy = single(NEW_KEY)
        admin = http("POST", base + "/api/auth/login", {"username": "admin", "password": SECRETS["ADMIN_PASSWORD"]})[1]["data"]["accessToken"]
        settings = json.dumps(http("GET", base + "/api/admin/settings", None, admin)[1])
        check("the hub under the new key reads the rotated secret", healthy and "gh-s" in settings, settings[:300])
    finally:
        procs.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"topology and ops: {len(PASSED)} passed, {len(FAILED)} failed")
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
