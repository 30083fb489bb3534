#!/usr/bin/env python3
"""Benchmark (not a test): group-chat fan-out, the hub against ejabberd in the same run.

N clients in R rooms; S of them send at a fixed rate, open loop (a sender never waits for
deliveries: the n-th message leaves at start + n/rate, or at once when the sender is behind).
Every member of a room, the sender included (both servers echo), must receive each message of
the room once. Reported per system and round: loss, duplicates, p50/p99/max latency (send to
receipt, the sender's timestamp travels in the message body; receipt is when the client's
read returned, before its frames are parsed, alike for both systems), deliveries per CPU-second of
every server process (the hub's tree, PostgreSQL's tree and Redis for the hub; ejabberd's
tree), and the generator's own CPU. Rounds alternate, the order turned each round; medians and
the ratio hub / ejabberd close the report.

The peer is Debian's ejabberd (apt-get install ejabberd) run as a throwaway node on a loopback
port (bench/ejabberd/ejabberd.yml.template): MUC rooms, mod_mam archiving every room message,
shapers, max_fsm_queue and MUC intervals lifted. The archive defaults to mnesia, the faster of the
two that archive every message here (a 3 s small-shape round: mnesia 4,615 deliveries per CPU-second,
p99 9.6 ms; --archive sql on the same PostgreSQL, counted in its CPU: 1,563, p99 72.8 ms); an
archive check after each round counts room r0's archive over MAM. Note that mnesia does not fsync
each message, while the hub's PostgreSQL runs with fsync on. XMPP is spoken raw over asyncio (in-band
registration, SASL PLAIN, bind, MUC join), and bodies are picked out of the stream with a
regular expression so that the client stays cheap.

Shapes (--shape):
  small     200 clients, 20 rooms, 20 senders x 5 msg/s   (1,000 deliveries/s)
  large     1,000 clients, 100 rooms, 100 senders x 2 msg/s (2,000 deliveries/s)
  overload  100 clients, 50 rooms, 100 senders x 50 msg/s for 15 s (5,000 msg/s offered):
            messages delivered by 10 s after the window, p50, and (hub) seconds to exit after SIGTERM.

    python3 bench/fanout.py --shape small --rounds 3 [--hub-bin DIR[=label] ...] [--archive mnesia|sql] [--mode single|distributed]

--hub-bin may repeat (e.g. the build before and after a change): each is its own system in the
rotation. Without it, hubkit's choice (AGENTIM_BIN_DIR, .build/release, .build/debug).

Diagnosis: FANOUT_LOG_STATEMENTS=FILE copies PostgreSQL's log of every statement to FILE;
FANOUT_DUMP=PREFIX writes every delivery (room, sender, n, sent, received; monotonic seconds)
to PREFIX-<system>-<round>.csv, to tell when in a round the slow deliveries came and whether a
message was late to all its receivers (the server) or to one (a socket or the generator)."""
import argparse, asyncio, base64, json, multiprocessing, os, re, resource, shutil, signal, socket
import statistics, subprocess, sys, tempfile, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # hubkit.py sits here
import hubkit
from hubkit import ADMIN_PASSWORD, cpu_seconds, http

SHAPES = {
    "small": dict(clients=200, rooms=20, senders=20, rate=5.0, seconds=10, grace=5),
    "large": dict(clients=1000, rooms=100, senders=100, rate=2.0, seconds=10, grace=5),
    "overload": dict(clients=100, rooms=50, senders=100, rate=50.0, seconds=15, grace=10),
}
XMPP_DOMAIN = "localhost"
MUC_DOMAIN = "conference.localhost"


# --- CPU accounting ---------------------------------------------------------------------------

def listening_pid(port):
    """The pid of the process with a TCP socket listening on 127.0.0.1:port (or any address)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].split(":")[1], 16) == int(port):
                inodes.add(parts[9])
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(pid)
        except OSError:
            continue
    raise RuntimeError(f"nothing listens on port {port}")


def sign_jwt(secret, user_id, username, lifetime=3600):
    """An HS256 access token with the hub's claims (data-config-security §3.2)."""
    import hashlib, hmac
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=")
    now = int(time.time())
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"sub": user_id, "username": username, "type": "access", "iss": "agentim", "aud": "agentim",
                             "jti": f"fanout-{user_id}", "iat": now, "exp": now + lifetime}).encode())
    signature = b64(hmac.new(secret, header + b"." + claims, hashlib.sha256).digest())
    return (header + b"." + claims + b"." + signature).decode()


# --- one client process (many clients each) --------------------------------------------------

BODY = re.compile(rb"<body>([^<]*)</body>")
REGISTERED = re.compile(rb"<iq[^>]*id=['\"]reg['\"][^>]*(/>|>.*?</iq>)", re.S)


class Tally:
    """What one generator process saw: per receiver the keys it got (for duplicates)."""

    def __init__(self, round_id):
        self.round_id = round_id
        self.latencies = []
        self.deliveries = 0
        self.duplicates = 0
        self.late = 0  # received after the collection deadline (overload)
        self.sent = {}  # room index -> messages sent
        self.refused = {}  # room index -> sends the hub refused (RATE_LIMITED: its backlog is full)
        self.offered = 0
        self.deadline = None
        self.samples = [] if os.environ.get("FANOUT_DUMP") else None  # (room, sender, n, sent, received)

    def receive(self, seen, content, now):
        # content: "<round>|<room>|<sender>|<n>|<monotonic send time>"
        parts = content.split("|")
        if len(parts) != 5 or parts[0] != self.round_id:
            return
        key = (parts[2], parts[3])
        if key in seen:
            self.duplicates += 1
            return
        seen.add(key)
        if self.deadline is not None and now > self.deadline:
            self.late += 1
            return
        self.deliveries += 1
        self.latencies.append(now - float(parts[4]))
        if self.samples is not None:
            self.samples.append((parts[1], parts[2], parts[3], float(parts[4]), now))


async def hub_client(spec, tally, timing, ready):
    # A bare WebSocket, read as the XMPP client reads its stream: each read is stamped when it
    # returns, before its frames are parsed, so both systems' latencies end at the same point (a
    # client library's per-frame work, paid only by the hub's side, counted as the hub's latency).
    url = urllib.parse.urlsplit(spec["url"])
    async with timing.gate:  # a few handshakes at a time: set-up must not storm the server
        reader, writer = await hubkit.bare_socket(url.port, url.path)
        writer.write(hubkit.client_frame(json.dumps({"type": "client:auth", "token": spec["token"]}).encode()))
        # A refusal (e.g. `Server at capacity` past MAX_TOTAL_WS_CONNECTIONS) must fail the round,
        # not leave a silent client that then counts as loss.
        try:
            reply = await hubkit.next_text(reader, "server:auth_result", timeout=60)
        except Exception as error:
            raise RuntimeError(f"{spec['name']}: no authentication result ({error!r})")
        if not reply.get("ok"):
            raise RuntimeError(f"{spec['name']}: authentication answered {reply}")
        writer.write(hubkit.client_frame(json.dumps({"type": "client:join_room", "roomId": spec["room"]}).encode()))
    ready()
    seen = set()

    async def reader_loop():
        buffer = b""
        while True:
            data = await reader.read(262144)
            if not data:
                return
            now = time.monotonic()
            frames, buffer = hubkit.server_frames(buffer + data)
            for opcode, raw in frames:
                if opcode != 1:
                    continue
                # Every socket hears every user's presence (websocket §13.2: to all), N^2/2 frames
                # while N clients connect: those are skipped without parsing.
                if b'"server:new_message"' in raw:
                    tally.receive(seen, json.loads(raw)["message"]["content"], now)
                elif b'"RATE_LIMITED"' in raw:
                    tally.refused[spec["room_index"]] = tally.refused.get(spec["room_index"], 0) + 1

    async def send(content):
        writer.write(hubkit.client_frame(json.dumps({"type": "client:send_message", "roomId": spec["room"], "content": content}).encode()))

    reading = asyncio.create_task(reader_loop())
    await timing.wait()
    await sender(spec, tally, timing.values["start"], send)
    await asyncio.sleep(max(0, timing.values["stop"] - time.monotonic()))
    reading.cancel()
    writer.close()


class XMPP:
    """Just enough client-side XMPP: stream, in-band registration, SASL PLAIN, bind, MUC."""

    def __init__(self, reader, writer):
        self.reader, self.writer, self.buffer = reader, writer, b""

    async def until(self, marker):
        while marker not in self.buffer:
            data = await self.reader.read(65536)
            if not data:
                raise RuntimeError(f"XMPP stream closed waiting for {marker!r}: {self.buffer[-300:]!r}")
            self.buffer += data
        head, _, self.buffer = self.buffer.partition(marker)
        return head + marker

    async def until_match(self, pattern):
        while not pattern.search(self.buffer):
            data = await self.reader.read(65536)
            if not data:
                raise RuntimeError(f"XMPP stream closed: {self.buffer[-300:]!r}")
            self.buffer += data

    def open_stream(self):
        self.writer.write(f"<?xml version='1.0'?><stream:stream to='{XMPP_DOMAIN}' xmlns='jabber:client' "
                          f"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>".encode())

    @staticmethod
    async def login(port, user, password):
        for attempt in range(10):
            try:
                return await asyncio.wait_for(XMPP.login_once(port, user, password), 15)
            except (OSError, asyncio.TimeoutError):
                if attempt == 9:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))

    @staticmethod
    async def login_once(port, user, password):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        x = XMPP(reader, writer)
        x.open_stream()
        await x.until(b"</stream:features>")
        x.writer.write(f"<iq type='set' id='reg'><query xmlns='jabber:iq:register'><username>{user}</username>"
                       f"<password>{password}</password></query></iq>".encode())
        await x.until_match(REGISTERED)  # registered now, or already (conflict): either way log in
        x.buffer = b""
        plain = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        x.writer.write(f"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{plain}</auth>".encode())
        reply = await x.until(b"/>")
        while b"success" not in reply and b"failure" not in reply:
            reply = await x.until(b"/>")
        if b"failure" in reply:
            raise RuntimeError(f"XMPP login of {user} failed: {reply!r}")
        x.buffer = b""
        x.open_stream()
        await x.until(b"</stream:features>")
        x.writer.write(b"<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>b</resource></bind></iq>")
        await x.until(b"</iq>")
        x.buffer = b""
        return x

    def join(self, room, nick):
        self.writer.write(f"<presence to='{room}@{MUC_DOMAIN}/{nick}'><x xmlns='http://jabber.org/protocol/muc'>"
                          f"<history maxstanzas='0'/></x></presence>".encode())


async def xmpp_client(spec, tally, timing, ready):
    async with timing.gate:  # a few handshakes at a time: set-up must not storm the server
        x = await XMPP.login(spec["port"], spec["user"], "benchpass")
        x.join(spec["room"], spec["user"])
        await x.until(b"110")  # the room's presence for ourselves (status 110): joined
    ready()
    seen = set()

    async def reader():
        buffer = x.buffer
        while True:
            data = await x.reader.read(262144)
            if not data:
                return
            buffer += data
            now = time.monotonic()
            end = 0
            for match in BODY.finditer(buffer):
                tally.receive(seen, match.group(1).decode(), now)
                end = match.end()
            buffer = buffer[end:] if end else buffer[-2048:]

    counter = 0

    async def send(content):
        nonlocal counter
        counter += 1
        x.writer.write(f"<message to='{spec['room']}@{MUC_DOMAIN}' type='groupchat' id='m{counter}'><body>{content}</body></message>".encode())
        if x.writer.transport.get_write_buffer_size() > 65536:
            await x.writer.drain()

    reading = asyncio.create_task(reader())
    await timing.wait()
    await sender(spec, tally, timing.values["start"], send)
    await asyncio.sleep(max(0, timing.values["stop"] - time.monotonic()))
    reading.cancel()
    x.writer.close()


async def sender(spec, tally, start, send):
    """Open loop: message n leaves at start + n/rate (at once when behind)."""
    if not spec["sends"]:
        return
    rate, count = spec["rate"], int(spec["rate"] * spec["seconds"])
    await asyncio.sleep(max(0, start - time.monotonic()) + (hash(spec["name"]) % 1000) / 1000 / rate)
    begin = time.monotonic()
    for n in range(count):
        due = begin + n / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tally.offered += 1
        await send(f"{tally.round_id}|{spec['room_index']}|{spec['name']}|{n}|{time.monotonic():.6f}")
        tally.sent[spec["room_index"]] = tally.sent.get(spec["room_index"], 0) + 1


def worker(kind, specs, round_id, conn):
    """One generator process: connects its clients, reports ready, waits for (start, stop, deadline)."""
    async def main():
        tally = Tally(round_id)
        joined = 0
        all_joined = asyncio.Event()

        def ready():
            nonlocal joined
            joined += 1
            if joined == len(specs):
                all_joined.set()

        timing = asyncio.Event()
        timing.gate = asyncio.Semaphore(10)
        loop = asyncio.get_running_loop()
        client = hub_client if kind == "hub" else xmpp_client

        async def staged():
            # Connect in small waves so that set-up does not storm the server.
            tasks = []
            for i, spec in enumerate(specs):
                tasks.append(asyncio.create_task(client(spec, tally, timing, ready)))
                if i % 25 == 24:
                    await asyncio.sleep(0.05)
            return tasks

        tasks = await staged()
        deadline = time.monotonic() + 180 + len(specs) / 10  # 10,000 sockets: minutes of presence storm
        while not all_joined.is_set():
            failed = [(spec["name"], t) for spec, t in zip(specs, tasks) if t.done() and not t.cancelled() and t.exception()]
            if failed:
                raise RuntimeError(f"{len(failed)} clients failed to connect ({', '.join(name for name, _ in failed[:10])}), "
                                   f"e.g. {failed[0][1].exception()!r}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{joined}/{len(specs)} clients joined")
            await asyncio.sleep(0.2)
        conn.send("ready")
        timing.values = await loop.run_in_executor(None, conn.recv)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_at_start = usage.ru_utime + usage.ru_stime
        tally.deadline = timing.values.get("deadline")
        timing.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        errors = [repr(r) for r in results if isinstance(r, BaseException)]
        usage = resource.getrusage(resource.RUSAGE_SELF)
        conn.send(dict(latencies=tally.latencies, deliveries=tally.deliveries, duplicates=tally.duplicates,
                       late=tally.late, samples=tally.samples, sent=tally.sent, refused=tally.refused, offered=tally.offered, errors=errors[:3],
                       cpu=usage.ru_utime + usage.ru_stime - cpu_at_start))
    asyncio.run(main())


# --- systems ------------------------------------------------------------------------------------

class HubSystem:
    count = 0

    def __init__(self, label, bin_dir, pg, redis, shape, mode="single"):
        self.label, self.kind, self.pg, self.redis, self.shape = label, "hub", pg, redis, shape
        os.environ["AGENTIM_BIN_DIR"] = bin_dir
        # Exactly this build: hubkit's own choice would fall back to .build/release or .build/debug
        # when the folder lacks an executable the other topology needs.
        hubkit.bin_dir = lambda: bin_dir
        missing = [exe for exe in (("agentim-server",) if mode == "single" else hubkit.EXECUTABLES[1:])
                   if not os.path.exists(os.path.join(bin_dir, exe))]
        if missing:
            sys.exit(f"{bin_dir} lacks {', '.join(missing)}")
        # Each system on its own Redis database: every system's topology stays up for all rounds, and
        # two distributed hubs on one database would share the command streams' consumer groups,
        # each storing about half of the other's sends in its own PostgreSQL database (the other
        # half "lost"; seen with --hub-bin twice in distributed mode).
        HubSystem.count += 1
        self.topology = hubkit.Topology(mode, pg, f"{redis}/{HubSystem.count}", "fanout")
        self.setup()

    def setup(self):
        """Users straight into PostgreSQL and their access tokens signed here with the hub's JWT secret:
        creating and logging in 1,000 users through the API costs two argon2id hashes each (minutes
        on a busy machine) and is not what this benchmark measures. Rooms are created through the API."""
        t, s = self.topology, self.shape
        # --sockets-per-user K: clients/K users, each with K sockets (tabs, devices) in its room.
        self.user_count = s["clients"] // s["sockets_per_user"]
        admin = t.login("admin", ADMIN_PASSWORD)["accessToken"]
        subprocess.check_call(["psql", "-q", t.env["DATABASE_URL"], "-c",
                               "INSERT INTO users (id, username, display_name, role, created_at, updated_at) "
                               f"SELECT 'fanout' || g, 'bench' || g, 'bench' || g, 'user', now(), now() "
                               f"FROM generate_series(0, {self.user_count - 1}) g"])
        secret = t.env["JWT_SECRET"].encode()
        self.users = [dict(id=f"fanout{i}", token=sign_jwt(secret, f"fanout{i}", f"bench{i}")) for i in range(self.user_count)]
        self.rooms = []
        for r in range(s["rooms"]):
            members = [u["id"] for i, u in enumerate(self.users) if i % s["rooms"] == r]
            self.rooms.append(http("POST", t.base + "/api/rooms", {"name": f"r{r}", "memberIds": members}, admin)["data"]["id"])

    def specs(self):
        s = self.shape
        # Distributed: clients spread over the edges, so a room's members sit on both.
        edges = self.topology.edges
        return [dict(name=f"c{i}", url=f"ws://127.0.0.1:{edges[i % len(edges)]}/ws/client", token=u["token"],
                     room=self.rooms[i % s["rooms"]], room_index=i % s["rooms"], sends=i < s["senders"],
                     rate=s["rate"], seconds=s["seconds"])
                for i, u in ((i, self.users[i % self.user_count]) for i in range(s["clients"]))]

    def cpu_roots(self):
        return [p.pid for p in self.topology.procs] + [listening_pid(self.pg), listening_pid(self.redis)]

    def stop(self):
        """SIGTERM; returns seconds until every hub process exited (None if it had to be killed after 12 s)."""
        begin = time.monotonic()
        for p in self.topology.procs:
            p.terminate()
        took = 0.0
        for p in self.topology.procs:
            try:
                p.wait(timeout=max(0.1, 12 - (time.monotonic() - begin)))
                took = time.monotonic() - begin
            except subprocess.TimeoutExpired:
                p.kill(); p.wait(); took = None
        shutil.rmtree(self.topology.upload, ignore_errors=True)
        return took


class EjabberdSystem:
    def __init__(self, archive, shape, pg):
        self.label, self.kind, self.shape = f"ejabberd+mam({archive})", "xmpp", shape
        self.archive, self.pg = archive, pg
        self.dir = tempfile.mkdtemp(prefix="fanout-ejabberd-"); os.chmod(self.dir, 0o755)
        self.port = hubkit.free_port()
        sql = ""
        if archive == "sql":
            db = f"ejabberd_{int(time.time())}"
            subprocess.check_call(["psql", f"postgresql://postgres@127.0.0.1:{pg}/postgres", "-qc", f"CREATE DATABASE {db}"])
            schema = "/usr/share/ejabberd/sql/pg.sql"
            if not os.path.exists(schema):
                schema = next(os.path.join(d, f) for d, _, fs in os.walk("/usr") for f in fs if f == "pg.sql" and "ejabberd" in d)
            subprocess.check_call(["psql", "-q", f"postgresql://postgres@127.0.0.1:{pg}/{db}", "-f", schema], stdout=subprocess.DEVNULL)
            sql = (f"sql_type: pgsql\nsql_server: 127.0.0.1\nsql_port: {pg}\nsql_database: {db}\nsql_username: postgres\n"
                   f"sql_password: ''\nsql_pool_size: 10\n")
        template = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "ejabberd", "ejabberd.yml.template")).read()
        config = template.replace("@C2S_PORT@", str(self.port)).replace("@ARCHIVE@", archive).replace("@SQL@", sql)
        for sub in ("spool", "logs"):
            os.makedirs(os.path.join(self.dir, sub))
        open(os.path.join(self.dir, "ejabberd.yml"), "w").write(config)
        subprocess.check_call(["chown", "-R", "ejabberd:ejabberd", self.dir])
        self.node = f"fanout{self.port}@localhost"
        # Our own ejabberdctl.cfg: Debian's names the system config, which would win over --config.
        open(os.path.join(self.dir, "ejabberdctl.cfg"), "w").write('ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"\n')
        self.ctl = ["ejabberdctl", "--ctl-config", os.path.join(self.dir, "ejabberdctl.cfg"), "--config", os.path.join(self.dir, "ejabberd.yml"), "--spool", os.path.join(self.dir, "spool"),
                    "--logs", os.path.join(self.dir, "logs"), "--node", self.node]
        self.proc = subprocess.Popen(self.ctl + ["foreground"], stdout=open(os.path.join(self.dir, "out.log"), "w"),
                                     stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=raise_file_limit,
                                     # As the ejabberd user itself: through su, PAM would reset the descriptor limit.
                                     user="ejabberd", group="ejabberd", env=dict(os.environ, HOME="/var/lib/ejabberd"))
        deadline = time.time() + 90
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("ejabberd did not start: " + open(os.path.join(self.dir, "out.log")).read()[-3000:])
                time.sleep(0.5)
        self.beam = listening_pid(self.port)
        self.setup()

    def setup(self):
        """Creates the rooms (instant, persistent, archived) from one owner connection."""
        async def create():
            x = await XMPP.login(self.port, "owner", "benchpass")
            for r in range(self.shape["rooms"]):
                x.join(f"r{r}", "owner")
                await x.until(b"110")
                x.writer.write(f"<iq type='set' id='cfg{r}' to='r{r}@{MUC_DOMAIN}'><query xmlns='http://jabber.org/protocol/muc#owner'>"
                               f"<x xmlns='jabber:x:data' type='submit'/></query></iq>".encode())
                await x.until(f"id='cfg{r}'".encode())
                x.buffer = b""
            x.writer.close()
        asyncio.run(create())

    def archived(self, room="r0"):
        """How many messages the room's archive holds (MAM query, RSM count)."""
        async def count():
            x = await XMPP.login(self.port, "owner", "benchpass")
            x.writer.write(f"<iq type='set' id='mamcount' to='{room}@{MUC_DOMAIN}'><query xmlns='urn:xmpp:mam:2'>"
                           f"<set xmlns='http://jabber.org/protocol/rsm'><max>0</max></set></query></iq>".encode())
            await x.until_match(re.compile(rb"<count>\d+</count>"))
            x.writer.close()
            return int(re.search(rb"<count>(\d+)</count>", x.buffer).group(1))
        return asyncio.run(count())

    def specs(self):
        s = self.shape
        return [dict(name=f"c{i}", port=self.port, user=f"u{i}", room=f"r{i % s['rooms']}", room_index=i % s["rooms"],
                     sends=i < s["senders"], rate=s["rate"], seconds=s["seconds"]) for i in range(s["clients"])]

    def cpu_roots(self):
        return [self.beam] + ([listening_pid(self.pg)] if self.archive == "sql" else [])

    def stop(self):
        begin = time.monotonic()
        try:
            os.kill(self.beam, signal.SIGTERM)
        except ProcessLookupError:
            pass
        took = None
        try:
            self.proc.wait(timeout=12); took = time.monotonic() - begin
        except subprocess.TimeoutExpired:
            # su starts its own session: the VM is killed by its pid, the wrapper by its group.
            for kill in (lambda: os.kill(self.beam, signal.SIGKILL), lambda: os.killpg(self.proc.pid, signal.SIGKILL)):
                try:
                    kill()
                except ProcessLookupError:
                    pass
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
        return took


def raise_file_limit():
    """A socket per client: 1,000 clients need more descriptors than the usual soft limit of 1,024."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# --- a round ------------------------------------------------------------------------------------

WARMUP = "warm-up"


def run_round(system, shape, processes, round_id):
    specs = system.specs()
    ctx = multiprocessing.get_context("fork")
    pipes, procs = [], []
    for w in range(processes):
        parent, child = ctx.Pipe()
        p = ctx.Process(target=worker, args=(system.kind, specs[w::processes], round_id, child), daemon=True)
        p.start(); pipes.append(parent); procs.append(p)
    for conn in pipes:
        if not conn.poll(180 + len(specs) / 10) or conn.recv() != "ready":
            if isinstance(system, HubSystem):
                print(system.topology.logs(), flush=True)  # why the hub refused or went away
            raise RuntimeError(f"{system.label}: clients did not connect")
    time.sleep(1.0 + shape["clients"] / 2000)  # the last joins and their presence frames settle
    roots = system.cpu_roots()
    cpu_before = cpu_seconds(roots)
    parts_before = [cpu_seconds([root]) for root in roots]
    start = time.monotonic() + 0.5
    stop = start + shape["seconds"] + shape["grace"] + 1
    timing = dict(start=start, stop=stop, deadline=start + shape["seconds"] + shape["grace"] if shape.get("overload") else None)
    for conn in pipes:
        conn.send(timing)
    results = []
    for conn in pipes:
        if not conn.poll(shape["seconds"] + shape["grace"] + 120):
            raise RuntimeError(f"{system.label}: a generator process hung")
        results.append(conn.recv())
    cpu_after = cpu_seconds(roots)
    parts = [round(cpu_seconds([root]) - before, 2) for root, before in zip(roots, parts_before)]
    for p in procs:
        p.join(5)
    sent = {}
    for r in results:
        for room, n in r["sent"].items():
            sent[room] = sent.get(room, 0) + n
    members = {r: sum(1 for i in range(shape["clients"]) if i % shape["rooms"] == r) for r in range(shape["rooms"])}
    refused = {}
    for r in results:
        for room, n in r.get("refused", {}).items():
            refused[room] = refused.get(room, 0) + n
    # A refused send is told to its sender and never delivered: not a loss.
    expected = sum((n - refused.get(room, 0)) * members[room] for room, n in sent.items())
    latencies = sorted(l for r in results for l in r["latencies"])
    if os.environ.get("FANOUT_DUMP") and round_id != WARMUP:
        # Diagnosis: every delivery (room, sender, n, sent, received; monotonic seconds) to a CSV per system and round.
        with open(f"{os.environ['FANOUT_DUMP']}-{system.label}-{round_id}.csv", "w") as out:
            for r in results:
                for sample in r["samples"]:
                    out.write(",".join(str(v) for v in sample) + "\n")
    deliveries = sum(r["deliveries"] for r in results)
    server_cpu = cpu_after - cpu_before

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")
    return dict(system=system.label, sent=sum(sent.values()), refused=sum(refused.values()), offered=sum(r["offered"] for r in results), expected=expected,
                deliveries=deliveries, late=sum(r["late"] for r in results), duplicates=sum(r["duplicates"] for r in results),
                loss=expected - deliveries - sum(r["late"] for r in results),
                p50=pct(0.5), p99=pct(0.99), max=latencies[-1] * 1000 if latencies else float("nan"),
                server_cpu=server_cpu, server_cpu_parts=parts, per_cpu=deliveries / server_cpu if server_cpu else float("nan"),
                client_cpu=sum(r["cpu"] for r in results), errors=[e for r in results for e in r["errors"]][:3])


def show(r, shape):
    line = (f"  {r['system']:26s} sent {r['sent']:6d} deliveries {r['deliveries']:7d}/{r['expected']:7d} "
            f"loss {r['loss']:5d} dup {r['duplicates']:4d}  p50 {r['p50']:8.1f} ms p99 {r['p99']:8.1f} ms max {r['max']:8.1f} ms  "
            f"server CPU {r['server_cpu']:6.2f} s {r['server_cpu_parts']} -> {r['per_cpu']:7.0f} deliveries/CPU-s  client CPU {r['client_cpu']:5.2f} s")
    if shape.get("overload"):
        line += f"  refused {r['refused']}  late {r['late']}  exit after SIGTERM: {r.get('exit')}"
    if r["errors"]:
        line += f"  errors {r['errors']}"
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", choices=list(SHAPES), default="small")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2, help="generator processes")
    parser.add_argument("--hub-bin", action="append", default=[], help="DIR or DIR=label; repeatable")
    parser.add_argument("--archive", choices=["mnesia", "sql"], default="mnesia")
    parser.add_argument("--mode", choices=["single", "distributed"], default="single",
                        help="the hub's topology: one process, or auth/rooms/router/uploads and two edges over Redis")
    parser.add_argument("--no-ejabberd", action="store_true")
    parser.add_argument("--no-hub", action="store_true")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--warmup-seconds", type=float, default=3,
                        help="an unmeasured round of this length for each system before the first measured one (0: none); "
                             "without it, the system that ran second in round 0 of a single-process A/B had one round with a "
                             "p99 of 180-250 ms in three runs out of three, whichever build it was")
    parser.add_argument("--rate", type=float, help="messages per second per sender (overrides the shape's)")
    parser.add_argument("--clients", type=int, help="sockets (overrides the shape's); for how cost grows with sockets")
    parser.add_argument("--rooms", type=int, help="rooms (overrides the shape's)")
    parser.add_argument("--sockets-per-user", type=int, default=1,
                        help="hub only: each user holds this many sockets (1-100; clients/K users). Presence goes to every "
                             "socket when a user's first one connects (websocket 13.2), so N one-socket users cost N^2/2 "
                             "frames to connect: 10,000 took more than 7 minutes here; 1,000 users x 10 sockets a tenth of that")
    args = parser.parse_args()
    shape = dict(SHAPES[args.shape], overload=args.shape == "overload", sockets_per_user=args.sockets_per_user)
    if args.seconds:
        shape["seconds"] = args.seconds
    if args.rate is not None:
        shape["rate"] = args.rate
    for key in ("clients", "rooms"):
        if getattr(args, key) is not None:
            shape[key] = getattr(args, key)
    hubs = []
    for item in args.hub_bin or [hubkit.bin_dir()]:
        path, _, label = item.partition("=")
        hubs.append((os.path.abspath(path), label or f"hub({os.path.basename(path.rstrip('/'))})"))
    # Lift the hub's per-socket send limit to its ceiling (1,000 frames per second).
    os.environ.update(CLIENT_RATE_LIMIT_WINDOW="1", CLIENT_RATE_LIMIT_MAX="1000")
    # The hub refuses sockets past MAX_TOTAL_WS_CONNECTIONS (default 5,000): room for every client.
    os.environ["MAX_TOTAL_WS_CONNECTIONS"] = str(min(100000, max(5000, shape["clients"] + 100)))
    os.environ["MAX_WS_CONNECTIONS_PER_USER"] = str(min(100, max(10, args.sockets_per_user)))
    if shape["clients"] % args.sockets_per_user or (shape["clients"] // args.sockets_per_user) % shape["rooms"]:
        sys.exit("--sockets-per-user must divide the clients into a whole number of users per room")
    print(f"shape {args.shape}: {shape}; hub topology {args.mode}; generator processes {args.processes}", flush=True)
    results = {}
    with hubkit.services(durable=True) as (pg, redis):
        print(f"PostgreSQL (fsync on) :{pg}, Redis :{redis}", flush=True)
        if os.environ.get("FANOUT_LOG_STATEMENTS"):
            # Diagnosis: every statement into PostgreSQL's log, copied to this file at the end.
            subprocess.check_call(["psql", "-q", f"postgresql://postgres@127.0.0.1:{pg}/postgres", "-c",
                                   "ALTER SYSTEM SET log_statement = 'all'", "-c", "SELECT pg_reload_conf()"], stdout=subprocess.DEVNULL)
            data_dir = subprocess.check_output(["psql", "-Atq", f"postgresql://postgres@127.0.0.1:{pg}/postgres", "-c", "SHOW data_directory"], text=True).strip()
        makers = [] if args.no_hub else [
            (label, (lambda path=path, label=label: HubSystem(label, path, pg, redis, shape, args.mode))) for path, label in hubs]
        if not args.no_ejabberd:
            makers.append((f"ejabberd+mam({args.archive})", lambda: EjabberdSystem(args.archive, shape, pg)))
        persistent = {}
        try:
            for n in range(args.rounds):
                # The order turns each round: a system's round must not always follow the same
                # other one (PostgreSQL's background work after a hub's round, its checkpoints and
                # vacuum, lands in whichever round comes next and counts in its CPU).
                for label, make in makers[n % len(makers):] + makers[:n % len(makers)]:
                    if label not in persistent:
                        persistent[label] = make()
                        if args.warmup_seconds > 0 and not shape["overload"]:
                            warm = run_round(persistent[label], dict(shape, seconds=args.warmup_seconds, grace=2), args.processes, WARMUP)
                            print(f"  {label:26s} warm-up round ({args.warmup_seconds:g} s, not counted): p99 {warm['p99']:.1f} ms", flush=True)
                            if isinstance(persistent[label], EjabberdSystem):
                                persistent[label].archive_base = persistent[label].archived()
                    system = persistent[label]
                    r = run_round(system, shape, args.processes, f"R{n}")
                    if isinstance(system, EjabberdSystem):  # while it runs: overload stops it below
                        sent_r0 = sum(1 for i in range(shape["senders"]) if i % shape["rooms"] == 0) * int(shape["rate"] * shape["seconds"])
                        held = system.archived() - getattr(system, "archive_base", 0)
                        r["archive"] = f"    archive check: room r0 holds {held} messages after {n + 1} round(s) of {sent_r0}"
                    if shape["overload"]:
                        # Overload leaves its mark: a fresh system each round, and the exit time measured.
                        r["exit"] = system.stop()
                        del persistent[label]
                    results.setdefault(label, []).append(r)
                    show(r, shape)
                    if "archive" in r:
                        print(r["archive"], flush=True)
        finally:
            for system in persistent.values():
                system.stop()
            if os.environ.get("FANOUT_LOG_STATEMENTS"):
                shutil.copy(os.path.join(os.path.dirname(data_dir), "pg.log"), os.environ["FANOUT_LOG_STATEMENTS"])
    print("\nmedians:")
    medians = {}
    for label, rs in results.items():
        m = {k: statistics.median(r[k] for r in rs) for k in ("p50", "p99", "max", "per_cpu", "loss", "duplicates", "deliveries", "client_cpu", "server_cpu")}
        medians[label] = m
        print(f"  {label:26s} p50 {m['p50']:8.1f} ms  p99 {m['p99']:8.1f} ms  max {m['max']:8.1f} ms  {m['per_cpu']:7.0f} deliveries/CPU-s  "
              f"deliveries {m['deliveries']:.0f} loss {m['loss']:.0f} dup {m['duplicates']:.0f}  server CPU {m['server_cpu']:.2f} s  client CPU {m['client_cpu']:.2f} s")
    peer = next((label for label in medians if label.startswith("ejabberd")), None)
    if peer:
        for label, m in medians.items():
            if label != peer:
                p = medians[peer]
                print(f"  ratio {label} / {peer}: p99 x{m['p99'] / p['p99']:.2f}, p50 x{m['p50'] / p['p50']:.2f}, "
                      f"deliveries per CPU-s x{m['per_cpu'] / p['per_cpu']:.2f}, deliveries x{m['deliveries'] / max(1, p['deliveries']):.2f}")


if __name__ == "__main__":
    main()
