#!/usr/bin/env python3
"""Web client load benchmark (not a test), in headless Chromium against a local single-process hub:

  1. first load: JS and CSS bytes of the first load, gzipped; time to the first message list
     (Performance API: performance.now() when the log shows the room's messages), cold and warm;
  2. a room with 10,000 messages: open time, scrolling back through history (pages loaded,
     dropped frames), JS heap and DOM size;
  3. 2,000 streamed chunks per second into the open room from the fake gateway: dropped frames
     (requestAnimationFrame gaps) and the CPU of the browser's processes.

Prints a table. Run: /usr/bin/python3 bench/web-load.py [--messages 10000] [--rate 2000] [--seconds 5]
Uses .build/release when built, else .build/debug; WEB_DIR (default web/dist) must hold a build."""
import argparse, asyncio, gzip, json, os, re, statistics, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "web", "tests", "browser"))
RELEASE = os.path.join(ROOT, ".build", "release", "agentim-server")
os.environ.setdefault("AGENTIM_BIN_DIR", os.path.dirname(RELEASE) if os.path.exists(RELEASE) else os.path.join(ROOT, ".build", "debug"))

import websockets  # noqa: E402

from support.api import Api  # noqa: E402
from support.fake_gateway import FakeGateway, new_id  # noqa: E402
from support.hub import ADMIN_PASSWORD, ADMIN_USER, WEB_DIR, Postgres, SingleHub, Workspace  # noqa: E402
from support.ui import Browser  # noqa: E402

PASSWORD = "Bench-pass-123!"

# Installed before page scripts: the time the message list first shows a marker text, and a
# requestAnimationFrame loop that counts frames and the frames missed between them.
PROBE_JS = """
window.__bench = {firstLog: null, frames: 0, dropped: 0, worst: 0, last: 0, marker: null};
const seen = () => {
  const log = document.querySelector('[role=log]');
  return log && window.__bench.marker && log.textContent.includes(window.__bench.marker);
};
new MutationObserver(() => { if (window.__bench.firstLog === null && seen()) window.__bench.firstLog = performance.now(); })
  .observe(document, {subtree: true, childList: true, characterData: true});
const tick = (t) => {
  const b = window.__bench;
  if (b.last) { const gap = t - b.last; b.worst = Math.max(b.worst, gap); if (gap > 25) b.dropped += Math.round(gap / 16.667) - 1; }
  b.last = t; b.frames += 1; requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
"""


def gz(path):
    with open(path, "rb") as f:
        data = f.read()
    return len(data), len(gzip.compress(data, 9))


def first_load_bytes():
    html = open(os.path.join(WEB_DIR, "index.html")).read()
    first = set(re.findall(r'<script[^>]+src="/([^"]+\.js)"', html)) | set(re.findall(r'rel="modulepreload" href="/([^"]+)"', html))
    css = set(re.findall(r'rel="stylesheet" href="/([^"]+\.css)"', html))
    sizes = lambda files: tuple(map(sum, zip(*(gz(os.path.join(WEB_DIR, f)) for f in files)))) if files else (0, 0)
    all_js = [os.path.relpath(os.path.join(d, f), WEB_DIR) for d, _, fs in os.walk(WEB_DIR) for f in fs if f.endswith(".js")]
    return {"first_js": sizes(first), "first_css": sizes(css), "all_js": sizes(all_js), "first_files": len(first)}


class Probe:
    def __init__(self, browser):
        self.browser = browser
        browser.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE_JS})

    def open_room(self, base, room_id, marker, cold):
        d = self.browser.driver
        d.execute_cdp_cmd("Network.enable", {})
        d.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": cold})
        d.execute_cdp_cmd("Network.setBypassServiceWorker", {"bypass": cold})
        d.get("about:blank")
        d.get(f"{base}/room/{room_id}")
        self.browser.js("window.__bench.marker = arguments[0]; if (document.querySelector('[role=log]') && "
                        "document.querySelector('[role=log]').textContent.includes(arguments[0])) window.__bench.firstLog = performance.now()", marker)
        return self.browser.wait_until(lambda: self.browser.js("return window.__bench.firstLog"), 60, "the first message list")

    def frames(self):
        return self.browser.js("const b = window.__bench; const r = {frames: b.frames, dropped: b.dropped, worst: b.worst};"
                               "b.frames = 0; b.dropped = 0; b.worst = 0; return r;")

    def heap(self):
        usage = self.browser.driver.execute_cdp_cmd("Runtime.getHeapUsage", {})
        return usage["usedSize"]


def browser_pids(browser):
    """Our Chromium's processes (browser, renderers, GPU, utility): chromedriver's descendants, so
    another Chromium on the machine is not counted."""
    parents = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    parents[int(pid)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    family, frontier = set(), {browser.driver.service.process.pid}
    while frontier:
        family |= frontier
        frontier = {pid for pid, parent in parents.items() if parent in frontier and pid not in family}
    return sorted(family - {browser.driver.service.process.pid})


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


async def _seed(ws_url, token, room_id, count, prefix):
    """Sends count messages "prefix i: ..." in order; a message the hub's per-user frame limit
    refuses (RATE_LIMITED) is sent again, so every index ends up stored exactly once."""
    def body(i):
        return f"{prefix} {i}: " + ("a line of ordinary chat text " * (1 + i % 4)) + ("\n\n`code` and **bold**" if i % 10 == 0 else "")
    async with websockets.connect(ws_url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "client:auth", "token": token}))
        assert json.loads(await ws.recv())["ok"]
        await ws.send(json.dumps({"type": "client:join_room", "roomId": room_id}))
        stored = set()
        batch = 100
        for start in range(0, count, batch):
            todo = list(range(start, min(count, start + batch)))
            while todo:
                for i in todo:
                    await ws.send(json.dumps({"type": "client:send_message", "roomId": room_id, "content": body(i), "mentions": []}))
                answers = 0
                while answers < len(todo):
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
                    if frame.get("type") == "server:new_message":
                        stored.add(int(frame["message"]["content"].split(":", 1)[0].rsplit(" ", 1)[1])); answers += 1
                    elif frame.get("type") == "server:error":
                        answers += 1
                todo = [i for i in todo if i not in stored]
                if todo:
                    await asyncio.sleep(0.2)


class ChunkCounter:
    """A plain /ws/client socket joined to the room, on its own thread: when the hub delivered the
    last chunk, so the browser's lag can be told from the hub's."""

    def __init__(self, base, token, room_id):
        import threading
        self.count, self.last, self.ready = 0, None, threading.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._run(base, token, room_id),), daemon=True)
        self.thread.start()
        self.ready.wait(15)

    async def _run(self, base, token, room_id):
        async with websockets.connect(base.replace("http://", "ws://") + "/ws/client", max_size=None) as ws:
            self.ws = ws
            await ws.send(json.dumps({"type": "client:auth", "token": token}))
            await ws.recv()
            await ws.send(json.dumps({"type": "client:join_room", "roomId": room_id}))
            await ws.send(json.dumps({"type": "client:ping", "ts": 1}))
            while json.loads(await ws.recv()).get("type") != "server:pong":
                pass
            self.ready.set()
            try:
                async for raw in ws:
                    if '"server:message_chunk"' in raw:
                        self.count += 1
                        self.last = time.time()
            except websockets.ConnectionClosed:
                pass

    def close(self):
        asyncio.run_coroutine_threadsafe(self.ws.close(), self.loop).result(10)
        self.thread.join(10)


def seed_messages(base, token, room_id, count, prefix):
    asyncio.run(_seed(base.replace("http://", "ws://") + "/ws/client", token, room_id, count, prefix))


def scroll_history(browser, probe, seconds):
    """Reads back through history as a person does: scroll to the top, press "Load earlier
    messages", repeat, until the first message shows or the time is up."""
    to_top = """
      let el = document.querySelector('[role=log]');
      while (el && !(el.scrollHeight > el.clientHeight + 2 && /(auto|scroll)/.test(getComputedStyle(el).overflowY))) el = el.parentElement;
      if (el) el.scrollTop = 0;"""
    oldest_js = ("const t = document.querySelector('[role=log]').textContent; const m = [...t.matchAll(/hist (\\d+):/g)].map(x => +x[1]);"
                 "return m.length ? Math.min(...m) : null")
    probe.frames()
    start = time.time()
    pages = 0
    oldest = browser.js(oldest_js)
    while time.time() - start < seconds and oldest != 0:
        round_start = time.time()
        browser.js(to_top)
        more = browser.query("button", "Load earlier messages")
        if not more:
            break
        before = oldest
        t0 = time.time()
        more[0].click()
        pages += 1
        try:
            browser.wait_until(lambda: browser.js(oldest_js) != before, 30, "an older page")
        except AssertionError:
            break
        oldest = browser.js(oldest_js)
        # Per click: messages shown after it, seconds until the older page showed, heap, DOM nodes.
        shown = browser.js("return document.querySelectorAll('[role=log] [data-message-id]').length")
        nodes_now = browser.js("const l = document.querySelector('[role=log]'); return l ? l.querySelectorAll('*').length : 0")
        # The whole round too: scrolling up and finding the button by role and name (WebDriver
        # asks the page for every button's box and style) is where a long DOM shows most.
        print(f"click {pages}: oldest hist {oldest}, {shown} messages in DOM, {time.time() - t0:.2f} s to the page, "
              f"{time.time() - round_start:.2f} s round, "
              f"heap {probe.heap() / 2**20:.1f} MiB, {nodes_now} DOM nodes", file=sys.stderr, flush=True)
    took = time.time() - start
    frames = probe.frames()
    nodes = browser.js("const l = document.querySelector('[role=log]'); return l ? l.querySelectorAll('*').length : 0")
    return took, pages, frames, nodes, oldest


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--scroll-seconds", type=float, default=90.0)
    args = parser.parse_args()
    rows = []
    sizes = first_load_bytes()
    rows.append(("first load JS (gzip -9)", f"{sizes['first_js'][1] / 1024:.1f} KiB", f"{sizes['first_files']} files, {sizes['first_js'][0] / 1024:.0f} KiB raw"))
    rows.append(("first load CSS (gzip -9)", f"{sizes['first_css'][1] / 1024:.1f} KiB", f"{sizes['first_css'][0] / 1024:.0f} KiB raw"))
    rows.append(("all JS chunks (gzip -9)", f"{sizes['all_js'][1] / 1024:.1f} KiB", "lazy chunks included"))

    ws = Workspace()
    pg = Postgres(ws.path)
    # The per-user frame limit (default 30 per 10 s) would make seeding 10,000 messages take an hour.
    hub = SingleHub(pg, ws.path, CLIENT_RATE_LIMIT_MAX=1000, CLIENT_RATE_LIMIT_WINDOW=1)
    gateway = None
    browser = None
    try:
        admin, _ = Api.login(hub.url, ADMIN_USER, ADMIN_PASSWORD)
        admin.create_user("bench", PASSWORD)
        api, _ = Api.login(hub.url, "bench", PASSWORD)
        small = api.create_room("Small room")
        seed_messages(hub.url, api.token, small["id"], 50, "small")
        big = api.create_room("Ten thousand")
        t = time.time()
        seed_messages(hub.url, api.token, big["id"], args.messages, "hist")
        seed_time = time.time() - t

        browser = Browser(width=1280, height=900)
        probe = Probe(browser)
        browser.sign_in(hub.url, "bench", PASSWORD)
        cold = [probe.open_room(hub.url, small["id"], "small 49:", cold=True) for _ in range(3)]
        warm = [probe.open_room(hub.url, small["id"], "small 49:", cold=False) for _ in range(3)]
        rows.append(("time to first message list, cold", f"{statistics.median(cold):.0f} ms", f"median of 3 (runs: {', '.join(f'{x:.0f}' for x in cold)})"))
        rows.append(("time to first message list, warm", f"{statistics.median(warm):.0f} ms", f"median of 3 (runs: {', '.join(f'{x:.0f}' for x in warm)})"))

        opened = probe.open_room(hub.url, big["id"], f"hist {args.messages - 1}:", cold=False)
        heap_open = probe.heap()
        rows.append((f"open room of {args.messages:,} messages", f"{opened:.0f} ms", f"JS heap {heap_open / 2**20:.1f} MiB (seeded in {seed_time:.0f} s)"))
        took, pages, frames, nodes, oldest = scroll_history(browser, probe, args.scroll_seconds)
        loaded = args.messages - oldest if oldest is not None else 0
        heap_scrolled = probe.heap()
        rows.append(("scroll back through history", f"{loaded:,} msgs in {took:.1f} s",
                     f"{pages} pages loaded; {frames['frames']} frames, {frames['dropped']} dropped, worst gap {frames['worst']:.0f} ms"))
        rows.append(("after scrolling", f"JS heap {heap_scrolled / 2**20:.1f} MiB", f"{nodes:,} DOM nodes in the list"))

        gateway = FakeGateway(api, agent_name="streamer")
        api.add_member(small["id"], gateway.agent_id, "agent")
        probe.open_room(hub.url, small["id"], "small 49:", cold=False)
        browser.find("textbox", "Message")
        counter = ChunkCounter(hub.url, api.token, small["id"])
        probe.frames()
        pids = browser_pids(browser)
        cpu0, wall0 = cpu_seconds(pids), time.time()
        total = int(args.rate * args.seconds)
        per_message = 1000  # below the client's 2,000-chunk live cap: one reply after another
        sent_time = 0.0
        for start in range(0, total, per_message):
            mid = new_id()
            n = min(per_message, total - start)
            sent_time += gateway.stream_paced(small["id"], mid, n, args.rate, text=f"s{start}-")
            gateway.complete(small["id"], mid, f"stream done {start}")
        browser.wait_for_text_in_log(f"stream done {(total - 1) // per_message * per_message}", timeout=60)
        wall = time.time() - wall0
        cpu = cpu_seconds(pids) - cpu0
        frames = probe.frames()
        rows.append((f"stream {total:,} chunks at {args.rate:,}/s", f"{total / sent_time:,.0f} chunks/s offered",
                     f"{frames['frames']} frames in {wall:.1f} s, {frames['dropped']} dropped, worst gap {frames['worst']:.0f} ms"))
        counter.close()
        rows.append(("hub relay of the stream", f"{counter.count:,} chunks to a plain socket",
                     f"last one {counter.last - wall0:.1f} s after the first was sent; the browser showed the end after {wall:.1f} s"))
        rows.append(("browser CPU while streaming", f"{cpu / wall * 100:.0f} % of one core", f"{cpu:.1f} s CPU over {wall:.1f} s, {len(pids)} processes"))
    finally:
        if gateway:
            gateway.close()
        if browser:
            browser.quit()
        hub.stop(); pg.stop(); ws.cleanup()

    binary = "release" if "release" in os.environ["AGENTIM_BIN_DIR"] else "debug"
    print(f"\nweb-load: hub {binary} build, Chromium headless, {os.cpu_count()} cores\n")
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'value'.ljust(vwidth)}  notes")
    print(f"{'-' * width}  {'-' * vwidth}  -----")
    for name, value, note in rows:
        print(f"{name.ljust(width)}  {value.ljust(vwidth)}  {note}")


if __name__ == "__main__":
    main()
