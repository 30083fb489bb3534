#!/usr/bin/env python3
"""Chaos suite (issue 22): the distributed hub — auth, two rooms, two routers, two uploads,
two edges, Redis with an append-only file, PostgreSQL — under a steady mixed load (people
sending with clientMessageId over /ws/client, an agent streaming over /ws/gateway, REST reads
and uploads), broken one fault at a time, with the invariants checked after each fault:

  * every message a client saw acknowledged is stored exactly once and reaches every member
    (members that lost their socket come back and catch up by seq); nothing arrives twice;
  * /api/health says 503 while a datastore is down and 200 after;
  * acknowledgement latency is back to its baseline p99 within 10 s of recovery;
  * no process exits unless the script killed it; SIGTERM ends a process within 10 s.

Faults: kill -9 of each process kind (the script restarts it, as a supervisor would); a
rolling restart of every process; Redis SHUTDOWN and restart on its append-only file;
PostgreSQL fast restart; a process frozen for 20 s (SIGSTOP/SIGCONT) while its peer takes
over its pending bus entries; a client that stops reading while its room is busy (its edge
frozen for part of the blast, so that its follower lags and reads full batches); 10,000
sockets opened at once; a slow-headers client holding many connections.

    python3 Tests/chaos/chaos.py --ci                  # bounded run (CI, about 5 minutes; 2,000 sockets,
                                                       # 300 slow-header connections, a 64 MB blast)
    python3 Tests/chaos/chaos.py --minutes 30          # fault rounds until 30 minutes have passed
    python3 Tests/chaos/chaos.py --rounds 3 --release --report chaos.md

Prints the table (fault, messages sent, stored, delivered, duplicates, time to recover) and
writes it as markdown to --report; exits 1 when an invariant failed. The edges' services sit
behind balancer.py (round-robin over healthy replicas, as a deployment's load balancer);
processes run with the default BUS_RECLAIM_IDLE_MS (10 s), so a frozen consumer's entries must be
claimed by its peer within the 20 s freeze. --faults picks faults; CHAOS_TRACE=FILE logs every frame received. Uses .build/debug
(--release: .build/release; AGENTIM_BIN_DIR: executables copied there); needs PostgreSQL and Redis binaries (deploy/local/throwaway-services.sh)."""
import argparse, asyncio, concurrent.futures, json, math, os, resource, shutil, signal, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cluster import Cluster, ROOT, hubkit, rss_kb  # noqa: E402
from load import Load, rest, AGENT_ID  # noqa: E402
from slowreader import SlowReader  # noqa: E402

websockets = hubkit.import_websockets()
FAULTS = ("kill", "rolling", "redis", "postgres", "freeze", "slow-reader", "sockets", "slow-headers")
RECOVERY_LIMIT = 10.0
TERM_LIMIT = 10.0
RECLAIM_IDLE = 10.0  # BUS_RECLAIM_IDLE_MS's default, which the processes run with


def log(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


class Row:
    def __init__(self, fault):
        self.fault, self.violations, self.notes = fault, [], []
        self.sent = self.acked = self.stored = self.delivered = self.dups = 0
        self.ttr = None

    def fail(self, text):
        self.violations.append(text)
        log(f"  VIOLATION [{self.fault}]: {text}")


class Suite:
    def __init__(self, args, cluster, load):
        self.args, self.cluster, self.load = args, cluster, load
        self.rows = []
        self.health = []           # (time, [status per edge])
        self.normal_p99 = None
        self.threshold = None

    # Health and latency -----------------------------------------------------------------------

    async def poll_health(self):
        while True:
            asked = time.time()
            statuses = await asyncio.to_thread(self.cluster.edges_health)
            self.health.append((asked, statuses))
            await asyncio.sleep(0.5)

    def health_between(self, start, end):
        return [s for t, s in self.health if start <= t <= end]

    def recovered_at(self, phase, end_time, phase_end):
        """The first moment after `end_time` from which health stays 200 on every edge and every
        2 s window of sends has its acknowledgement p99 within the threshold."""
        health_ok = end_time
        for t, statuses in self.health:
            if end_time <= t <= phase_end and any(s != 200 for s in statuses):
                health_ok = t + 0.5
        sent = [s for s in self.load.of_phase(phase) if not s.agent and s.first >= end_time]
        buckets = {}
        for s in sent:
            buckets.setdefault(int((s.first - end_time) // 2), []).append(s)
        latency_ok = end_time
        for index in sorted(buckets):
            items = buckets[index]
            lat = sorted(s.latency if s.latency is not None else math.inf for s in items)
            if lat[min(len(lat) - 1, int(0.99 * len(lat)))] > self.threshold:
                latency_ok = end_time + (index + 1) * 2
        return max(health_ok, latency_ok)

    # Phases -------------------------------------------------------------------------------------

    async def phase(self, name, fault, tail=None):
        """Runs `fault` (an async function returning the time the fault ended) under load, keeps
        the load going for `tail` seconds after it, then checks the invariants."""
        tail = self.args.tail if tail is None else tail
        row = Row(name)
        self.load.phase = name
        exits_before = len(self.cluster.unexpected_exits)
        log(f"fault: {name}")
        await asyncio.sleep(self.args.lead)
        start = time.time()
        end_time = await fault(row)
        if end_time is None:
            end_time = time.time()
        await asyncio.sleep(max(0, end_time + tail - time.time()))
        phase_end = time.time()
        self.load.paused = True
        await self.check(row, start, end_time, phase_end)
        for when, proc, code in self.cluster.unexpected_exits[exits_before:]:
            row.fail(f"{proc} exited by itself (code {code})")
        self.rows.append(row)
        self.load.paused = False
        log(f"  {row.fault}: sent {row.sent} stored {row.stored} delivered {row.delivered} dups {row.dups} "
            f"ttr {row.ttr if row.ttr is None else round(row.ttr, 1)} {'ok' if not row.violations else 'FAILED'}"
            + (f" ({'; '.join(row.notes)})" if row.notes else ""))
        return row

    async def check(self, row, start, end_time, phase_end):
        phase = row.fault
        settled = await self.load.settle(phase, self.args.settle)
        items = self.load.of_phase(phase)
        humans = [s for s in items if not s.agent]
        agents = [s for s in items if s.agent]
        stored_counts = await asyncio.to_thread(self.stored_counts)
        agent_ids = await asyncio.to_thread(self.agent_ids)
        row.sent = len(items)
        row.acked = sum(1 for s in items if s.acked_at)
        stored_dups = 0
        for s in humans:
            n = stored_counts.get(s.key, 0)
            if n > 1:
                stored_dups += n - 1
            if s.acked_at and n == 1:
                row.stored += 1
            elif s.acked_at:
                row.fail(f"acknowledged message {s.key} stored {n} times")
        for s in agents:
            if s.acked_at and s.key in agent_ids:
                row.stored += 1
            elif s.acked_at:
                row.fail(f"agent reply {s.key} shown as complete but not stored")
        missing = self.load.undelivered(phase)
        row.delivered = sum(1 for s in items if s.message_id and all(s.message_id in m.seen for m in self.load.members))
        delivery_dups = [d for d in self.load.duplicate_deliveries if d[2] == phase]
        row.dups = stored_dups + len(delivery_dups)
        if stored_dups:
            row.fail(f"{stored_dups} duplicate rows stored")
        if delivery_dups:
            row.fail(f"{len(delivery_dups)} messages delivered twice to the same member (e.g. {delivery_dups[:3]})")
        if missing:
            row.fail(f"{len(missing)} (member, message) deliveries missing, e.g. {missing[:4]}")
        unacked = [s.key for s in humans if not s.acked_at]
        if unacked:
            row.fail(f"{len(unacked)} messages never acknowledged despite resends, e.g. {unacked[:4]}")
        lost_agent = [s.key for s in agents if not s.acked_at]
        if lost_agent and ("edge" in phase or phase.startswith("rolling")):
            # The edge holding the gateway's socket was killed or restarted: a complete written
            # into the dying socket is gone (the agent does not resend), which no hub can prevent.
            row.notes.append(f"{len(lost_agent)} agent completes lost with the gateway's edge")
        elif lost_agent:
            # The edge retries a finished reply onto the bus for up to 30 s (a Redis outage), and
            # the bus survives any other process: nothing may be lost here.
            row.fail(f"{len(lost_agent)} agent replies sent by the gateway never shown, e.g. {lost_agent[:4]}")
        if not settled and not (missing or unacked):
            row.notes.append("settle timed out")
        # Latency back to normal within 10 s of recovery.
        if self.threshold is not None:
            recovered = self.recovered_at(phase, end_time, phase_end)
            row.ttr = recovered - end_time
            if row.ttr > RECOVERY_LIMIT:
                row.fail(f"not back to normal {row.ttr:.1f} s after recovery (health 200 and p99 <= {self.threshold * 1000:.0f} ms)")
        await asyncio.to_thread(self.explain_late, row, humans)
        rest_fail = [r for r in self.load.rest_results if r[1] == phase and not (r[3] and 200 <= r[3] < 300)]
        rest_all = [r for r in self.load.rest_results if r[1] == phase]
        late_fail = [r for r in rest_fail if r[0] > end_time + (row.ttr or 0) + 3]
        if rest_fail:
            row.notes.append(f"REST {len(rest_fail)}/{len(rest_all)} failed during the fault")
        if late_fail:
            row.fail(f"REST still failing after recovery: {[(r[2], r[3]) for r in late_fail[:5]]}")

    def explain_late(self, row, humans):
        """For acknowledgements slower than 1 s: where the time went (stored late, or announced late)."""
        late = [s for s in humans if s.latency is not None and s.latency > 1]
        if not late:
            return
        keys = ",".join(f"'{s.key}'" for s in late)
        stored = {}
        for line in self.cluster.psql(f"SELECT client_message_id, extract(epoch from created_at) FROM messages "
                                      f"WHERE client_message_id IN ({keys})").splitlines():
            key, at = line.split("\t")
            stored[key] = float(at)
        to_store = [stored[s.key] - s.first for s in late if s.key in stored]
        to_ack = [s.acked_at - stored[s.key] for s in late if s.key in stored]
        row.notes.append(f"{len(late)} acks slower than 1 s (max {max(s.latency for s in late):.1f} s): stored "
                         f"{max(to_store, default=0):.1f} s after the send at most, acknowledged {max(to_ack, default=0):.1f} s after the store at most")

    def stored_counts(self):
        out = {}
        for line in self.cluster.psql(f"SELECT client_message_id, count(*) FROM messages WHERE room_id = '{self.load.room}' "
                                      "AND client_message_id IS NOT NULL GROUP BY 1").splitlines():
            key, n = line.split("\t")
            out[key] = int(n)
        return out

    def agent_ids(self):
        return set(self.cluster.psql(f"SELECT id FROM messages WHERE room_id = '{self.load.room}' "
                                     f"AND sender_id = '{AGENT_ID}'").split())

    # Faults -------------------------------------------------------------------------------------

    async def kill9(self, kind, index):
        proc = self.cluster.procs[f"{kind}{index}"]

        async def fault(row):
            starts = proc.starts
            proc.signal(signal.SIGKILL, True)
            # The supervisor restarts it; the fault ends when it is ready again.
            while proc.starts == starts:
                await asyncio.sleep(0.1)
            if not await self.cluster.await_ready(proc, 90):
                row.fail(f"{proc.name} did not come back after kill -9")
            return time.time()
        return await self.phase(f"kill -9 {proc.name}", fault)

    async def terminate(self, proc, row):
        """SIGTERM; the process must exit within 10 s (the shutdown watchdog)."""
        t0 = time.time()
        proc.signal(signal.SIGTERM, "stay-down")
        while proc.alive() and time.time() - t0 < TERM_LIMIT + 5:
            await asyncio.sleep(0.1)
        took = time.time() - t0
        if proc.alive():
            row.fail(f"{proc.name} still running {took:.0f} s after SIGTERM; killed")
            proc.signal(signal.SIGKILL, "stay-down")
            await asyncio.to_thread(proc.popen.wait)
        elif took > TERM_LIMIT:
            row.fail(f"{proc.name} took {took:.1f} s to exit after SIGTERM")
        elif proc.popen.returncode not in (0, -signal.SIGTERM):
            row.notes.append(f"{proc.name} exit code {proc.popen.returncode}")
        return took

    async def rolling(self):
        async def fault(row):
            slowest = 0
            for proc in self.cluster.all():
                took = await self.terminate(proc, row)
                slowest = max(slowest, took)
                proc.start()
                if not await self.cluster.await_ready(proc, 90):
                    row.fail(f"{proc.name} not ready after restart")
            row.notes.append(f"slowest exit {slowest:.1f} s")
            return time.time()
        return await self.phase("rolling restart", fault)

    async def datastore(self, name, stop, start_again, down):
        async def fault(row):
            t0 = time.time()
            await asyncio.to_thread(stop)
            await asyncio.sleep(down)
            t1 = time.time()
            seen = [s for s in self.health_between(t0 + 0.5, t1)]
            if not any(all(x == 503 for x in statuses) for statuses in seen):
                row.fail(f"/api/health never said 503 on every edge while {name} was down (saw {seen[-4:]})")
            await asyncio.to_thread(start_again)
            return time.time()
        return await self.phase(f"{name} restart", fault, tail=self.args.tail + 2)

    async def freeze(self, proc_name):
        proc = self.cluster.procs[proc_name]
        reclaim = RECLAIM_IDLE + RECLAIM_IDLE / 2  # idle long enough, then the peer's next claim round

        async def fault(row):
            t0 = time.time()
            os.kill(proc.pid, signal.SIGSTOP)
            await asyncio.sleep(self.args.freeze)
            t1 = time.time()
            # Anything sent before the peer could have claimed it must be handled before SIGCONT.
            late = [s.key for s in self.load.of_phase(row.fault)
                    if not s.agent and s.first < t1 - reclaim - 3 and (s.acked_at is None or s.acked_at > t1)]
            os.kill(proc.pid, signal.SIGCONT)
            if late:
                row.fail(f"{len(late)} messages waited for the frozen {proc.name} instead of being claimed by its peer")
            row.notes.append(f"frozen {t1 - t0:.0f} s")
            return time.time()
        return await self.phase(f"SIGSTOP {proc_name} {self.args.freeze:.0f}s", fault)

    async def slow_reader(self):
        edge = self.cluster.procs["edge0"]

        async def fault(row):
            admin, canary_token = self.load.admin, self.load.members[0].token
            busy = await asyncio.to_thread(hubkit.http, "POST", f"{self.base}/api/rooms",
                                           {"name": f"busy-{int(time.time())}", "memberIds": [self.load.members[0].user_id]}, admin)
            room = busy["data"]["id"]
            gw = await websockets.connect(f"ws://127.0.0.1:{self.cluster.edges[1]}/ws/gateway", max_size=None, ping_interval=None)
            await gw.send(json.dumps({"type": "gateway:auth", "token": admin, "gatewayId": "chaos-blast-gw", "protocolVersion": "1",
                                      "deviceInfo": {"hostname": "b", "platform": "linux", "arch": "x64", "nodeVersion": "v20"}}))
            await gw.send(json.dumps({"type": "gateway:register_agent", "agent": {"id": "chaos-blaster", "name": "blaster", "type": "generic"}}))
            await gw.send(json.dumps({"type": "gateway:ping", "ts": 1}))
            while json.loads(await gw.recv()).get("type") != "server:pong":
                pass
            for _ in range(50):  # the agent exists once its gateway registered it
                status, _ = await asyncio.to_thread(rest, "POST", f"{self.base}/api/rooms/{room}/members", admin,
                                                    {"memberId": "chaos-blaster", "memberType": "agent"})
                if status in (200, 201):
                    break
                await asyncio.sleep(0.2)
            slow = await asyncio.to_thread(SlowReader, edge.port, admin, room)
            canary = await websockets.connect(f"ws://127.0.0.1:{edge.port}/ws/client", max_size=None, ping_interval=None)
            await canary.send(json.dumps({"type": "client:auth", "token": canary_token}))
            await canary.send(json.dumps({"type": "client:join_room", "roomId": room}))
            await canary.send(json.dumps({"type": "client:ping", "ts": 1}))
            while json.loads(await canary.recv()).get("type") != "server:pong":
                pass
            got = {"chunks": 0, "bytes": 0}

            async def read_canary():
                async for raw in canary:
                    frame = json.loads(raw)
                    if frame.get("type") == "server:message_chunk" and frame.get("roomId") == room:
                        got["chunks"] += 1; got["bytes"] += len(raw)

            async def drain_gw():
                async for _ in gw:
                    pass
            tasks = [asyncio.create_task(read_canary()), asyncio.create_task(drain_gw())]
            # Buffers are anonymous memory: the file-backed pages of the executable and its
            # libraries (RssFile), which the edge maps in as it first runs a code path, are not
            # what a socket that does not read makes it hold.
            def sample():
                return rss_kb(edge.pid), rss_kb(edge.pid, "RssAnon")
            rss0, anon0 = sample()
            peak, anon_peak = rss0, anon0

            def note_peak():
                nonlocal peak, anon_peak
                rss, anon = sample()
                peak, anon_peak = max(peak, rss), max(anon_peak, anon)
            size = 32 * 1024
            total = self.args.blast_mb * 1024 * 1024 // size
            filler = "x" * (size - 20)
            try:
                for n in range(total):
                    await gw.send(json.dumps({"type": "gateway:message_chunk", "roomId": room, "agentId": "chaos-blaster",
                                              "messageId": f"blast-{n // 300}", "chunk": {"type": "text", "content": f"{n:08d} {filler}"}}))
                    if n % 50 == 0:
                        note_peak()
                        await asyncio.sleep(0.01)
                    # The edge frozen for the blast's second quarter: its follower then finds a backlog
                    # of chunks in Redis, as a follower that lags does, and reads it in full batches
                    # (which once made it hold 30-60 MB; without the pause that happened in 1 run in 4).
                    if n == total // 4:
                        os.kill(edge.pid, signal.SIGSTOP)
                    elif n == total // 2:
                        os.kill(edge.pid, signal.SIGCONT)
            finally:
                # Never left frozen for the phases after this one; an edge that died meanwhile has
                # nothing to continue, and its ProcessLookupError would hide why the blast failed.
                if edge.alive():
                    os.kill(edge.pid, signal.SIGCONT)
            blast_end = time.time()
            while time.time() - blast_end < 8 and got["chunks"] < total:
                note_peak()
                await asyncio.sleep(0.25)
            note_peak()
            code, reason, frames, how = await asyncio.to_thread(slow.outcome, 20)
            growth_mb, anon_mb = (peak - rss0) / 1024, (anon_peak - anon0) / 1024
            row.notes.append(f"{self.args.blast_mb} MB pushed; edge RSS +{growth_mb:.0f} MB (anonymous +{anon_mb:.0f} MB); slow socket: {how} "
                             f"{code or ''} {reason!r} after {frames} frames; canary got {got['chunks']}/{total} chunks")
            if code is None:
                row.fail(f"the slow socket was not closed with a close code ({how})")
            if anon_mb > self.args.blast_mb / 2:
                row.fail(f"edge memory grew {anon_mb:.0f} MB for a {self.args.blast_mb} MB blast at a socket that does not read")
            if got["chunks"] < total:
                row.fail(f"a reading socket in the same room got {got['chunks']}/{total} chunks")
            for task in tasks:
                task.cancel()
            await canary.close(); await gw.close()
            return time.time()
        return await self.phase("slow reader", fault)

    async def crowd(self, tokens_file):
        async def fault(row):
            n, per = self.args.connections, 2500
            procs = []
            for i in range(math.ceil(n / per)):
                count = min(per, n - i * per)
                procs.append(await asyncio.create_subprocess_exec(
                    sys.executable, os.path.join(HERE, "crowd.py"), "sockets", ",".join(map(str, self.cluster.edges)),
                    str(count), tokens_file, str(self.args.hold), stdout=asyncio.subprocess.PIPE))
            t0 = time.time()
            rss = {p.name: rss_kb(p.pid) for p in self.cluster.all("edge")}
            results = []
            for p in procs:
                out, _ = await p.communicate()
                results.append(json.loads(out.decode().strip().splitlines()[-1]))
            authed = sum(r["authed"] for r in results)
            alive = sum(r["alive_after_hold"] for r in results)
            slowest = max((r["last_auth"] or 0) for r in results)
            failures = {}
            for r in results:
                for key in ("connect_failed", "auth_failed", "dropped", "other_frames"):
                    for k, v in r[key].items():
                        failures[f"{key}:{k}"] = failures.get(f"{key}:{k}", 0) + v
            row.notes.append(f"{authed}/{n} sockets authenticated, last after {slowest:.1f} s; {alive} alive after "
                             f"{self.args.hold:.0f} s; edge RSS " + ", ".join(f"{k} {v // 1024}->{rss_kb(self.cluster.procs[k].pid) // 1024} MB" for k, v in rss.items()))
            if failures:
                row.notes.append(f"{failures}")
            if authed < n or alive < n:
                row.fail(f"{n - authed} sockets not authenticated, {n - alive} lost while held: {failures}")
            return time.time()
        return await self.phase(f"{self.args.connections} sockets at once", fault)

    async def slow_headers(self):
        async def fault(row):
            n = self.args.slow_headers
            port = self.cluster.edges[0]
            child = await asyncio.create_subprocess_exec(sys.executable, os.path.join(HERE, "crowd.py"), "slow-headers",
                                                         str(port), str(n), str(self.args.hold), stdout=asyncio.subprocess.PIPE)
            await asyncio.sleep(2)
            # A normal client on the same edge meanwhile.
            t = time.time()
            status = await asyncio.to_thread(lambda: __import__("cluster").http_status(f"http://127.0.0.1:{port}/api/health", 10))
            took = time.time() - t
            out, _ = await child.communicate()
            result = json.loads(out.decode().strip().splitlines()[-1])
            row.notes.append(f"{result['opened']} slow-header connections held {self.args.hold:.0f} s, {result['closed_by_edge']} closed "
                             f"by the edge; a normal request meanwhile answered {status} in {took * 1000:.0f} ms")
            if status not in (200,) or took > 2:
                row.fail(f"a normal request on the edge answered {status} after {took:.1f} s while slow clients held connections")
            return time.time()
        return await self.phase("slow headers", fault)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.cluster.edges[0]}"

    # The run --------------------------------------------------------------------------------------

    async def baseline(self):
        row = await self.phase("baseline", self.wait_baseline, tail=0)
        lat = sorted(s.latency for s in self.load.of_phase("baseline") if not s.agent and s.latency is not None)
        self.normal_p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else 0.2
        self.threshold = max(3 * self.normal_p99, self.normal_p99 + 0.25)
        row.notes.append(f"normal p99 {self.normal_p99 * 1000:.0f} ms, recovery threshold {self.threshold * 1000:.0f} ms")
        log(f"  normal p99 {self.normal_p99 * 1000:.0f} ms -> recovery threshold {self.threshold * 1000:.0f} ms")

    async def wait_baseline(self, row):
        await asyncio.sleep(self.args.baseline)
        return time.time()

    async def round(self, number, tokens_file):
        edge_turn = number % 2
        want = set(self.args.faults.split(","))
        if "kill" in want:
            for kind in ("auth", "rooms", "router", "uploads", "edge"):
                await self.kill9(kind, 0 if kind == "auth" else (number + (1 if kind == "edge" else 0)) % 2)
        if "rolling" in want:
            await self.rolling()
        if "redis" in want:
            await self.datastore("Redis", self.cluster.redis_shutdown, self.cluster.redis_start, self.args.down)
        if "postgres" in want:
            await self.datastore("PostgreSQL", self.cluster.pg_stop, self.cluster.pg_start, self.args.down)
        if "freeze" in want:
            frozen = ["rooms", "router", "rooms", "uploads"][number % 4]
            await self.freeze(f"{frozen}{edge_turn}")
        if "slow-reader" in want:
            await self.slow_reader()
        if "sockets" in want:
            await self.crowd(tokens_file)
        if "slow-headers" in want:
            await self.slow_headers()


def table(rows):
    head = "| fault | sent | stored | delivered | duplicates | time to recover | result | notes |\n|---|---:|---:|---:|---:|---:|---|---|\n"
    lines = []
    for r in rows:
        ttr = "-" if r.ttr is None else f"{r.ttr:.1f} s"
        result = "ok" if not r.violations else "FAIL: " + "; ".join(r.violations)
        lines.append(f"| {r.fault} | {r.sent} | {r.stored} | {r.delivered} | {r.dups} | {ttr} | {result} | {'; '.join(r.notes)} |")
    return head + "\n".join(lines) + "\n"


def make_users(base, admin, prefix, count):
    def one(i):
        name = f"{prefix}{i}"
        status, _ = hubkit.request("POST", base + "/api/users", {"username": name, "password": hubkit.USER_PASSWORD}, admin)
        return hubkit.http("POST", base + "/api/auth/login", {"username": name, "password": hubkit.USER_PASSWORD})["data"]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(count)))


async def run(args, cluster):
    base = f"http://127.0.0.1:{cluster.edges[0]}"
    admin = hubkit.http("POST", base + "/api/auth/login", {"username": "admin", "password": hubkit.ADMIN_PASSWORD})["data"]["accessToken"]
    users = await asyncio.to_thread(make_users, base, admin, "member", args.members)
    crowd_users = await asyncio.to_thread(make_users, base, admin, "crowd", math.ceil(args.connections / 180) + 1)
    tokens_file = os.path.join(cluster.logs, "crowd-tokens.txt")
    open(tokens_file, "w").write("\n".join(u["accessToken"] for u in crowd_users))
    room = hubkit.http("POST", base + "/api/rooms", {"name": "chaos", "memberIds": [u["user"]["id"] for u in users]}, admin)["data"]["id"]
    load = Load(cluster.edges, room, admin, users, args.interval)
    # The agent joins the room once its gateway registered it.
    load.start()
    for _ in range(50):
        status, _ = rest("POST", base + f"/api/rooms/{room}/members", admin, {"memberId": AGENT_ID, "memberType": "agent"})
        if status in (200, 201, 409):
            break
        await asyncio.sleep(0.3)
    if not await load.wait_connected():
        raise RuntimeError("the members' sockets did not connect")
    suite = Suite(args, cluster, load)
    tasks = [asyncio.create_task(cluster.supervise()), asyncio.create_task(suite.poll_health())]
    started = time.time()
    try:
        await suite.baseline()
        number = 0
        while True:
            await suite.round(number, tokens_file)
            number += 1
            if args.minutes:
                if time.time() - started >= args.minutes * 60:
                    break
            elif number >= args.rounds:
                break
    finally:
        await load.stop()
        cluster.supervising = False
        for t in tasks:
            t.cancel()
    return suite


def exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ci", action="store_true", help="bounded run: each fault once, short windows, 2,000 sockets")
    parser.add_argument("--rounds", type=int, default=1, help="fault rounds (each fault once per round)")
    parser.add_argument("--minutes", type=float, default=0, help="repeat rounds until this many minutes have passed")
    parser.add_argument("--release", action="store_true", help="use .build/release instead of .build/debug")
    parser.add_argument("--report", help="write the table as markdown here")
    parser.add_argument("--faults", default=",".join(FAULTS), help=f"which faults, comma-separated ({','.join(FAULTS)})")
    parser.add_argument("--members", type=int, default=6, help="people in the room, one socket each")
    parser.add_argument("--interval", type=float, default=0.5, help="mean seconds between one person's messages")
    parser.add_argument("--connections", type=int, default=None, help="sockets opened at once (10,000; --ci: 2,000)")
    parser.add_argument("--slow-headers", type=int, default=None, help="slow-header connections (1,000; --ci: 300)")
    parser.add_argument("--blast-mb", type=int, default=None, help="MB streamed into the slow reader's room (200; --ci: 64)")
    parser.add_argument("--baseline", type=float, default=None, help="seconds of load before the first fault")
    args = parser.parse_args()
    baseline = args.baseline
    ci = args.ci
    args.connections = args.connections or (2000 if ci else 10000)
    args.slow_headers = args.slow_headers or (300 if ci else 1000)
    args.blast_mb = args.blast_mb or (64 if ci else 200)
    args.baseline, args.lead, args.tail, args.settle = (8, 2, 10, 20) if ci else (20, 5, 15, 30)
    args.baseline = baseline or args.baseline
    args.down, args.freeze, args.hold = (8, 20, 10) if ci else (10, 20, 30)
    if ci:
        args.rounds, args.minutes = 1, 0
    # A SIGTERM (a CI timeout) unwinds like an error, so every process and datastore is stopped.
    signal.signal(signal.SIGTERM, exit_on_signal)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by the edges and the crowd processes
    built = os.environ.get("AGENTIM_BIN_DIR") or os.path.join(ROOT, ".build", "release" if args.release else "debug")
    # Restarts must run what the run started with, not what a build in the shared tree put
    # there since: the executables are copied aside first.
    binaries = tempfile.mkdtemp(prefix="agentim-chaos-bin.")
    for kind in ("auth", "rooms", "router", "uploads", "edge"):
        shutil.copy2(os.path.join(built, f"agentim-{kind}"), binaries)
    t0 = time.time()
    dirs = {}
    with hubkit.services(redis_appendonly=True, keep=dirs) as (pg, redis):
        cluster = Cluster(pg, redis, dirs, binaries, {})
        log(f"PostgreSQL :{pg}, Redis :{redis} (appendonly), binaries from {built}, logs {cluster.logs}")
        suite = None
        try:
            cluster.start()
            log(f"topology up in {time.time() - t0:.0f} s: edges {cluster.edges}, balancers {cluster.balancer_ports}")
            suite = asyncio.run(run(args, cluster))
        finally:
            cluster.stop()
            if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(pg)], capture_output=True).returncode != 0:
                cluster.pg_start()  # a fault left it down; services() expects to stop it
    shutil.rmtree(binaries, ignore_errors=True)
    rows = suite.rows if suite else []
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    text = table(rows)
    failed = any(r.violations for r in rows) or not rows
    summary = (f"chaos: {len(rows)} faults, {sum(1 for r in rows if r.violations)} failed, {time.time() - t0:.0f} s, "
               f"{built if os.environ.get('AGENTIM_BIN_DIR') else 'debug' if not args.release else 'release'} build, {args.connections} sockets")
    print("\n" + text + "\n" + summary)
    if args.report:
        with open(args.report, "w") as f:
            f.write(f"# Chaos run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n{text}\n{summary}\n")
    if failed:
        print(f"logs kept in {cluster.logs}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
