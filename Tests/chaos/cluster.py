"""The distributed hub the chaos suite breaks: PostgreSQL and Redis (append-only file) from
deploy/local/throwaway-services.sh, a balancer in front of each service's replicas
(balancer.py), and the processes — auth, two rooms, two routers, two uploads, two edges —
watched by a supervisor that restarts whatever exits, and records any exit it did not cause."""
import asyncio, concurrent.futures, os, signal, subprocess, sys, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import hubkit  # noqa: E402

REPLICAS = {"auth": 1, "rooms": 2, "router": 2, "uploads": 2}
SERVICES = list(REPLICAS)


def http_status(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status
    except urllib.error.HTTPError as error:
        return error.code
    except Exception:
        return None


def rss_kb(pid, field="VmRSS"):
    """Resident kB of a process: all of it (VmRSS), or one part, e.g. RssAnon (heap and buffers,
    without the pages of the executable and libraries that RssFile counts)."""
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Proc:
    """One hub process on a fixed port (a restart reuses it, as a supervisor would)."""

    def __init__(self, cluster, kind, index, port):
        self.cluster, self.kind, self.index, self.port = cluster, kind, index, port
        self.popen, self.expect_exit, self.starts = None, False, 0

    @property
    def name(self):
        return f"{self.kind}{self.index}"

    @property
    def health_url(self):
        path = "/api/health" if self.kind == "edge" else "/internal/health"
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self):
        env = dict(self.cluster.env, PORT=str(self.port))
        if self.kind == "edge":
            env.pop("DATABASE_URL", None)
        log = open(os.path.join(self.cluster.logs, f"{self.name}.log"), "a")
        log.write(f"\n==== start {time.strftime('%H:%M:%S')} ====\n"); log.flush()
        self.popen = subprocess.Popen([os.path.join(self.cluster.bin, f"agentim-{self.kind}")], env=env,
                                      stdout=log, stderr=log, start_new_session=True)
        self.expect_exit, self.starts = False, self.starts + 1

    @property
    def pid(self):
        return self.popen.pid if self.popen else None

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig, expect_exit):
        self.expect_exit = expect_exit
        os.kill(self.popen.pid, sig)

    def ready(self):
        """Ready as a supervisor sees it: the edge answers /api/health at all (it says 503 while a
        dependency is down), a service answers 200 on /internal/health."""
        status = http_status(self.health_url, timeout=1)
        return status in (200, 503) if self.kind == "edge" else status == 200


class Cluster:
    def __init__(self, pg, redis, dirs, binaries, env_extra):
        self.pg, self.redis, self.dirs, self.bin = pg, redis, dirs, binaries
        self.logs = tempfile.mkdtemp(prefix="agentim-chaos-logs.")
        self.db = f"chaos_{int(time.time())}"
        subprocess.check_call(["psql", f"postgresql://postgres@127.0.0.1:{pg}/postgres", "-qc", f"CREATE DATABASE {self.db}"])
        self.upload = tempfile.mkdtemp(prefix="agentim-chaos-uploads.")
        self.procs = {}
        self.unexpected_exits = []  # (time, name, returncode)
        self.balancer_ports = {s: hubkit.free_port() for s in SERVICES}
        self.env = dict(os.environ, DATABASE_URL=self.database_url, REDIS_URL=f"redis://127.0.0.1:{redis}",
                        ADMIN_PASSWORD=hubkit.ADMIN_PASSWORD, JWT_SECRET="chaos-secret-chaos-secret-0123456789ab",
                        UPLOAD_DIR=self.upload, LOG_LEVEL="warning", HOST="127.0.0.1", NODE_ENV="test",
                        CLIENT_RATE_LIMIT_MAX="100000", MAX_WS_CONNECTIONS_PER_USER="100",
                        MAX_TOTAL_WS_CONNECTIONS="100000", **env_extra)
        self.env.pop("BUS_RECLAIM_IDLE_MS", None)  # the production default: the freeze must be survived with it
        for service, port in self.balancer_ports.items():
            self.env[f"{service.upper()}_URL"] = f"http://127.0.0.1:{port}"
        self.balancer = None
        self.supervising = False

    @property
    def database_url(self):
        return f"postgresql://postgres@127.0.0.1:{self.pg}/{self.db}"

    def all(self, kind=None):
        return [p for p in self.procs.values() if kind is None or p.kind == kind]

    @property
    def edges(self):
        return [p.port for p in self.all("edge")]

    def start(self):
        for kind, count in list(REPLICAS.items()) + [("edge", 2)]:
            for i in range(count):
                proc = Proc(self, kind, i, hubkit.free_port())
                self.procs[proc.name] = proc
        specs = [f"{self.balancer_ports[s]}={','.join(str(p.port) for p in self.all(s))}" for s in SERVICES]
        self.balancer = subprocess.Popen([sys.executable, os.path.join(HERE, "balancer.py")] + specs,
                                         stdout=subprocess.PIPE, text=True, start_new_session=True)
        self.balancer.stdout.readline()
        # auth migrates the schema first; then one replica of each service, then the others, then the edges.
        waves = [["auth0"], ["rooms0", "router0", "uploads0"], [n for n in ("rooms1", "router1", "uploads1") if n in self.procs],
                 ["edge0", "edge1"]]
        for wave in waves:
            for name in wave:
                self.procs[name].start()
            for name in wave:
                self.wait_ready(self.procs[name], timeout=120)

    def wait_ready(self, proc, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited while starting:\n{self.log_tail(proc.name)}")
            if proc.ready():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{proc.name} not ready after {timeout}s:\n{self.log_tail(proc.name)}")

    async def await_ready(self, proc, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if proc.alive() and await asyncio.to_thread(proc.ready):
                return True
            await asyncio.sleep(0.2)
        return False

    def log_tail(self, name, chars=3000):
        path = os.path.join(self.logs, f"{name}.log")
        return open(path, errors="replace").read()[-chars:] if os.path.exists(path) else ""

    async def supervise(self):
        """Restarts a process that exited, 0.5 s later (a supervisor's restart delay); an exit
        the script did not cause is recorded."""
        self.supervising = True
        while self.supervising:
            for proc in self.all():
                if proc.popen is not None and proc.popen.poll() is not None:
                    code = proc.popen.returncode
                    if not proc.expect_exit:
                        self.unexpected_exits.append((time.time(), proc.name, code))
                        print(f"  !! {proc.name} exited by itself (code {code})", flush=True)
                    if proc.expect_exit == "stay-down":
                        continue
                    await asyncio.sleep(0.5)
                    proc.start()
            await asyncio.sleep(0.1)

    def edges_health(self):
        """Each edge's /api/health status (None: no answer within 5 s; a service's database check
        itself waits up to 3 s for PostgreSQL)."""
        with concurrent.futures.ThreadPoolExecutor(len(self.edges)) as pool:
            return list(pool.map(lambda port: http_status(f"http://127.0.0.1:{port}/api/health", timeout=5), self.edges))

    # Datastores -------------------------------------------------------------------------------

    def redis_shutdown(self):
        subprocess.run(["redis-cli", "-p", str(self.redis), "shutdown"], capture_output=True)

    def redis_start(self):
        hubkit.shell(f"REDISPORT={self.redis}; start_redis {self.dirs['redis_dir']} appendonly")

    def pg_stop(self):
        hubkit.shell(f"PG_DIR={self.dirs['pg_dir']}; stop_postgres")

    def pg_start(self):
        hubkit.shell(f"PGPORT={self.pg}; start_postgres {self.dirs['work']}/pg")

    def psql(self, sql):
        return subprocess.run(["psql", self.database_url, "-qtAF", "\t", "-c", sql], check=True,
                              capture_output=True, text=True).stdout

    def stop(self):
        self.supervising = False
        for proc in self.all():
            if proc.alive():
                os.kill(proc.pid, signal.SIGCONT)
                proc.signal(signal.SIGTERM, True)
        for proc in self.all():
            if proc.popen:
                try:
                    proc.popen.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.popen.kill(); proc.popen.wait()
        if self.balancer:
            self.balancer.kill(); self.balancer.wait()
