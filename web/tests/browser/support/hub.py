"""Real hub processes for the browser tests: a throwaway PostgreSQL (and Redis), the
single-process agentim-server, or the distributed services with two edges. Everything on free
loopback ports; every process started here is stopped here."""
import glob, os, shutil, signal, socket, subprocess, tempfile, time, urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
BIN = os.environ.get("AGENTIM_BIN_DIR", os.path.join(ROOT, ".build", "debug"))
WEB_DIR = os.environ.get("WEB_DIR", os.path.join(ROOT, "web", "dist"))
ADMIN_USER, ADMIN_PASSWORD = "admin", "Admin-pass-123!"
JWT_SECRET = "browser-tests-jwt-secret-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http_ok(url, proc=None, timeout=120.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return True
        except Exception:
            pass
        time.sleep(0.2)
    return False


def _as_postgres(argv):
    # initdb refuses to run as root; the throwaway cluster belongs to the postgres user then.
    return (["runuser", "-u", "postgres", "--"] + argv) if os.geteuid() == 0 else argv


class Postgres:
    def __init__(self, work):
        self.dir = os.path.join(work, "pg")
        os.makedirs(self.dir)
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in p.split("/")[4].split(".")])
        if not bins:
            raise RuntimeError("PostgreSQL is not installed (deploy/local/test.sh installs it)")
        self.bin = bins[-1]
        if os.geteuid() == 0:
            shutil.chown(work, "postgres"); os.chmod(work, 0o755); shutil.chown(self.dir, "postgres")
        self.port = free_port()
        subprocess.run(_as_postgres([f"{self.bin}/initdb", "-D", f"{self.dir}/data", "-U", "postgres", "--auth=trust",
                                     "-E", "UTF8", "--no-sync"]), check=True, capture_output=True)
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c synchronous_commit=off"
        subprocess.run(_as_postgres([f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/pg.log",
                                     "-w", "-t", "30", "-o", opts, "start"]), check=True, capture_output=True)
        self.count = 0

    def create_database(self) -> str:
        self.count += 1
        name = f"browser_{self.count}"
        subprocess.run(["psql", f"postgresql://postgres@127.0.0.1:{self.port}/postgres", "-qc", f"CREATE DATABASE {name}"],
                       check=True, capture_output=True)
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self):
        subprocess.run(_as_postgres([f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-m", "immediate", "-w", "stop"]),
                       capture_output=True)


class Redis:
    def __init__(self, work):
        self.dir = os.path.join(work, "redis")
        os.makedirs(self.dir)
        self.port = free_port()
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", self.dir], stdout=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                time.sleep(0.05)
        self.url = f"redis://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.terminate(); self.proc.wait()


class Process:
    """One hub executable with its log file; restartable on the same port."""

    def __init__(self, name, argv, env, logs, health):
        self.name, self.argv, self.env, self.health = name, argv, env, health
        self.log_path = os.path.join(logs, f"{name}.log")
        self.proc = None

    def start(self, timeout=120.0):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen([os.path.join(BIN, self.argv[0])] + self.argv[1:], env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()
        if self.health and not wait_http_ok(self.health, self.proc, timeout):
            raise RuntimeError(f"{self.name} did not become healthy:\n{self.tail()}")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill(); self.proc.wait()
        self.proc = None

    def tail(self, chars=3000):
        try:
            return open(self.log_path, errors="replace").read()[-chars:]
        except OSError:
            return ""


def base_env(database_url, uploads, **extra):
    env = dict(os.environ)
    for key in ("REDIS_URL", "AUTH_URL", "ROOMS_URL", "ROUTER_URL", "UPLOADS_URL", "PORT"):
        env.pop(key, None)
    env.update(DATABASE_URL=database_url, JWT_SECRET=JWT_SECRET, ADMIN_USERNAME=ADMIN_USER, ADMIN_PASSWORD=ADMIN_PASSWORD,
               HOST="127.0.0.1", UPLOAD_DIR=uploads, WEB_DIR=WEB_DIR, LOG_LEVEL=os.environ.get("AGENTIM_TEST_LOG_LEVEL", "warn"),
               # NODE_ENV=test turns the rate limits off (http-api.md §1.7): the suite signs in many times a minute.
               NODE_ENV="test")
    env.update({k: str(v) for k, v in extra.items()})
    return env


class SingleHub:
    """agentim-server: every service in one process behind the edge, in-memory bus."""

    def __init__(self, postgres, work, **env_extra):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        uploads = os.path.join(work, "uploads-single"); os.makedirs(uploads, exist_ok=True)
        env = base_env(postgres.create_database(), uploads, PORT=self.port, **env_extra)
        self.process = Process("agentim-server", ["agentim-server"], env, work, self.url + "/api/health")
        self.process.start()

    def restart(self):
        self.process.stop()
        self.process.start()

    def stop(self):
        self.process.stop()


class Topology:
    """The distributed hub: auth, rooms, router, uploads and two edges sharing Redis."""

    def __init__(self, postgres, redis, work):
        database = postgres.create_database()
        uploads = os.path.join(work, "uploads-topology"); os.makedirs(uploads, exist_ok=True)
        ports = {name: free_port() for name in ("auth", "rooms", "router", "uploads", "edge1", "edge2")}
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        common = dict(REDIS_URL=redis.url, RUN_MIGRATIONS="false", AUTH_URL=urls["auth"], ROOMS_URL=urls["rooms"],
                      ROUTER_URL=urls["router"], UPLOADS_URL=urls["uploads"])
        migrate = subprocess.run([os.path.join(BIN, "agentim-server"), "migrate"], env=base_env(database, uploads, **common),
                                 capture_output=True, text=True, timeout=180)
        if migrate.returncode != 0:
            raise RuntimeError("migrate failed: " + migrate.stdout + migrate.stderr)
        self.processes = []
        for name in ("auth", "rooms", "router", "uploads", "edge1", "edge2"):
            exe = "agentim-edge" if name.startswith("edge") else f"agentim-{name}"
            health = urls[name] + ("/api/health" if name.startswith("edge") else "/internal/health")
            proc = Process(f"topology-{name}", [exe], base_env(database, uploads, PORT=ports[name], **common), work, health)
            self.processes.append(proc)
            proc.start()
        self.edges = [urls["edge1"], urls["edge2"]]

    def stop(self):
        for proc in reversed(self.processes):
            proc.stop()


class Workspace:
    """A temporary directory for one test session, removed at the end unless KEEP_BROWSER_LOGS is set."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="agentim-browser-")

    def cleanup(self):
        if not os.environ.get("KEEP_BROWSER_LOGS"):
            shutil.rmtree(self.path, ignore_errors=True)
