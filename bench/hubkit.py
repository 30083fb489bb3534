"""Shared set-up for the hub benchmarks in bench/ (a module, not a benchmark): finds the built
binaries, starts throwaway PostgreSQL and Redis (deploy/local/throwaway-services.sh), and starts
and stops a hub topology on its own fresh database: the single-process hub (`agentim-server`)
or the distributed one (auth, rooms, router and uploads services, two edges, Redis).
Used by rooms-throughput.py and chunk-relay.py."""
import asyncio, base64, contextlib, json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN_PASSWORD = "BenchAdmin123!"
USER_PASSWORD = "Passw0rdXY"


def import_websockets():
    """The `websockets` package, installed with pip on first use."""
    try:
        import websockets
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "websockets"])
        import websockets
    return websockets


EXECUTABLES = ("agentim-server", "agentim-auth", "agentim-rooms", "agentim-router", "agentim-uploads", "agentim-edge")


def bin_dir():
    """AGENTIM_BIN_DIR, else the release build, else the debug one: the first with every hub executable."""
    candidates = [os.environ.get("AGENTIM_BIN_DIR")] + [os.path.join(ROOT, ".build", c) for c in ("release", "debug")]
    for path in filter(None, candidates):
        if all(os.path.exists(os.path.join(path, exe)) for exe in EXECUTABLES):
            return path
    sys.exit("build the hub first: swift build -c release")


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def shell(script):
    return subprocess.check_output(["bash", "-c", f"source {ROOT}/deploy/local/throwaway-services.sh; {script}"], text=True)


def request(method, url, body=None, token=None):
    """Sends a JSON request; returns (status, decoded body or None). Raises on 4xx/5xx."""
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, json.loads(resp.read() or b"null")


def http(method, url, body=None, token=None):
    """`request` for callers that only need the body."""
    return request(method, url, body, token)[1]


def wait_healthy(url, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not healthy")


@contextlib.contextmanager
def services(durable=False, redis_appendonly=False, keep=None):
    """Throwaway PostgreSQL and Redis for the duration of the block; yields (pg_port, redis_port).
    durable=True keeps PostgreSQL's fsync on (for benchmarks that measure persisted writes);
    redis_appendonly=True gives Redis an append-only file (a restart keeps its streams).
    keep, a dict, receives the data directories ("work", "pg_dir", "redis_dir") for callers
    that stop and start the servers themselves (Tests/chaos)."""
    work = tempfile.mkdtemp(); os.chmod(work, 0o755)  # readable by the postgres user when run as root
    if keep is not None:
        keep.update(work=work, pg_dir=f"{work}/pg/pg", redis_dir=f"{work}/redis")
    # Ports inherited from a caller's own throwaway servers (test.sh exports them) would make
    # these start on ports already taken.
    ports = shell("unset PGPORT REDISPORT PG_DIR; "
                  f"start_postgres {work}/pg{' durable' if durable else ''}; "
                  f"start_redis {work}/redis{' appendonly' if redis_appendonly else ''}; "
                  "echo $PGPORT $REDISPORT").split()
    pg, redis = ports[-2], ports[-1]
    try:
        yield pg, redis
    finally:
        shell(f"PG_DIR={work}/pg/pg; stop_postgres; REDISPORT={redis}; stop_redis")
        shutil.rmtree(work, ignore_errors=True)


def modes(choice):
    """The topologies a --mode single|distributed|both option asks for, in run order."""
    return ["single", "distributed"] if choice == "both" else [choice]


@contextlib.contextmanager
def running(mode, pg, redis, db_prefix):
    """A Topology for the duration of the block: its processes' logs printed if the block fails,
    its processes stopped however it ends."""
    topology = Topology(mode, pg, redis, db_prefix)
    try:
        yield topology
    except Exception:
        print(topology.logs())
        raise
    finally:
        topology.stop()


class Topology:
    """A running hub on a fresh database `<db_prefix>_<mode>_<time>`. `edges` lists the ports
    clients connect to (one for "single", two for "distributed"); `base` is the first edge's URL.
    Each process logs to <exe>-<port>.log in a temporary directory removed by stop().
    `redis` is a port, or "port/db" for a Redis database of its own (topologies up side by side)."""

    def __init__(self, mode, pg, redis, db_prefix):
        self.procs, self.mode = [], mode
        db = f"{db_prefix}_{mode}_{int(time.time())}"
        subprocess.check_call(["psql", f"postgresql://postgres@127.0.0.1:{pg}/postgres", "-qc", f"CREATE DATABASE {db}"])
        self.upload = tempfile.mkdtemp()
        self.env = dict(os.environ, DATABASE_URL=f"postgresql://postgres@127.0.0.1:{pg}/{db}", ADMIN_PASSWORD=ADMIN_PASSWORD,
                        JWT_SECRET="benchmark-secret-benchmark-secret-0123", UPLOAD_DIR=self.upload, LOG_LEVEL=os.environ.get("HUB_LOG_LEVEL", "error"),
                        HOST="127.0.0.1", CLIENT_RATE_LIMIT_MAX="1000", NODE_ENV="test")
        self.env.pop("REDIS_URL", None)  # the single-process hub must not pick up the caller's Redis
        if mode == "single":
            port = free_port()
            self.start("agentim-server", port)
            self.wait(f"http://127.0.0.1:{port}/api/health", "agentim-server", port)
            self.edges = [port]
        else:
            self.env["REDIS_URL"] = f"redis://127.0.0.1:{redis}"
            urls = {}
            for name in ("auth", "rooms", "router", "uploads"):
                port = free_port(); self.start(f"agentim-{name}", port); urls[name] = port
            # More rooms replicas (HUB_ROOMS_REPLICAS, default 1) share the rooms commands' consumer
            # group; the edges reach the first over HTTP.
            for _ in range(int(os.environ.get("HUB_ROOMS_REPLICAS", "1")) - 1):
                port = free_port(); self.start("agentim-rooms", port)
                self.wait(f"http://127.0.0.1:{port}/internal/health", "agentim-rooms", port)
            for name, port in urls.items():
                self.wait(f"http://127.0.0.1:{port}/internal/health", f"agentim-{name}", port)
            # The edges find the services through <NAME>_URL, so they start last.
            for name, port in urls.items():
                self.env[f"{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
            self.edges = [free_port(), free_port()]
            for port in self.edges:
                self.start("agentim-edge", port, database=False)
            for port in self.edges:
                self.wait(f"http://127.0.0.1:{port}/api/health", "agentim-edge", port)
        self.base = f"http://127.0.0.1:{self.edges[0]}"

    def start(self, exe, port, database=True):
        env = dict(self.env, PORT=str(port))
        if not database:
            env.pop("DATABASE_URL", None)
        log = open(os.path.join(self.upload, f"{exe}-{port}.log"), "w")
        self.procs.append(subprocess.Popen([os.path.join(bin_dir(), exe)], env=env, stdout=log, stderr=log))

    def wait(self, url, exe, port):
        try:
            wait_healthy(url)
        except RuntimeError:
            print(open(os.path.join(self.upload, f"{exe}-{port}.log")).read()[:3000])
            raise

    def login(self, username, password):
        """Logs in through the first edge; returns the response's data (accessToken, user, ...)."""
        return http("POST", self.base + "/api/auth/login", {"username": username, "password": password})["data"]

    def create_users(self, admin, count):
        """Creates users bench0..bench<count-1> (as admin) and returns each one's login data."""
        users = []
        for i in range(count):
            name = f"bench{i}"
            http("POST", self.base + "/api/users", {"username": name, "password": USER_PASSWORD}, admin)
            users.append(self.login(name, USER_PASSWORD))
        return users

    def logs(self):
        """The tail of every non-empty process log, for reporting a failed run."""
        out = []
        for name in sorted(os.listdir(self.upload)):
            if name.endswith(".log"):
                text = open(os.path.join(self.upload, name)).read().strip()
                if text:
                    out.append(f"--- {name}\n{text[-2000:]}")
        return "\n".join(out)

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:  # a hung process must not hang the benchmark
                p.kill(); p.wait()
        shutil.rmtree(self.upload, ignore_errors=True)


def process_tree(root):
    """root and all its descendants."""
    children = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = open(f"/proc/{pid}/stat").read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(pid))
    result, todo = [], [root]
    while todo:
        pid = todo.pop(); result.append(pid); todo.extend(children.get(pid, []))
    return result


def cpu_seconds(roots):
    """utime+stime (with reaped children's) of every process in the trees of `roots`."""
    total = 0
    for root in roots:
        for pid in process_tree(root):
            try:
                stat = open(f"/proc/{pid}/stat").read()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            total += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


# --- a bare WebSocket client (benchmarks' generators) --------------------------------------

def client_frame(text):
    """A client's text frame: masked, as clients must, with a zero key (so the payload is as is)."""
    n = len(text)
    head = bytes([0x81, 0x80 | n]) if n < 126 else \
        bytes([0x81, 0x80 | 126]) + n.to_bytes(2, "big") if n < 65536 else bytes([0x81, 0x80 | 127]) + n.to_bytes(8, "big")
    return head + b"\0\0\0\0" + text


async def bare_socket(port, path):
    """A WebSocket opened by hand: the upgrade, then the stream's reader and writer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise RuntimeError(f"{path}: upgrade refused: {head[:200]!r}")
    return reader, writer


async def next_text(reader, kind, timeout=15):
    """Server frames (unmasked) until a text frame of type `kind`; returns it parsed."""
    async def loop():
        while True:
            b0, b1 = await reader.readexactly(2)
            n = b1 & 0x7F
            if n == 126:
                n = int.from_bytes(await reader.readexactly(2), "big")
            elif n == 127:
                n = int.from_bytes(await reader.readexactly(8), "big")
            payload = await reader.readexactly(n)
            if b0 & 0x0F == 1:
                frame = json.loads(payload)
                if frame.get("type") == kind:
                    return frame
    return await asyncio.wait_for(loop(), timeout)


def server_frames(buffer):
    """The complete server frames (unmasked) at the start of `buffer`: [(opcode, payload)] and the
    bytes left over (a frame not yet whole)."""
    frames, at = [], 0
    while len(buffer) - at >= 2:
        b0, b1 = buffer[at], buffer[at + 1]
        n, head = b1 & 0x7F, 2
        if n == 126:
            if len(buffer) - at < 4:
                break
            n, head = int.from_bytes(buffer[at + 2:at + 4], "big"), 4
        elif n == 127:
            if len(buffer) - at < 10:
                break
            n, head = int.from_bytes(buffer[at + 2:at + 10], "big"), 10
        if len(buffer) - at < head + n:
            break
        frames.append((b0 & 0x0F, buffer[at + head:at + head + n]))
        at += head + n
    return frames, buffer[at:]
