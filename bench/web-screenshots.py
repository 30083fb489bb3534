#!/usr/bin/env python3
"""Screenshots of the web client for the README, from a seeded hub: the chat in light and dark,
the agents page, and the chat at 390 px wide. Writes docs/screenshots/*.png.

Run with the system Python (Debian's selenium): /usr/bin/python3 bench/web-screenshots.py
Needs the debug (or release) build and a web build (bash web/build.sh, or WEB_DIR=...)."""
import os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "web", "tests", "browser"))
os.environ.setdefault("AGENTIM_BIN_DIR", os.path.join(ROOT, ".build", "release" if os.path.exists(
    os.path.join(ROOT, ".build", "release", "agentim-server")) else "debug"))

from support.api import Api  # noqa: E402
from support.client_ws import send_messages  # noqa: E402
from support.fake_gateway import FakeGateway, new_id  # noqa: E402
from support.hub import ADMIN_PASSWORD, ADMIN_USER, Postgres, SingleHub, Workspace  # noqa: E402
from support.ui import Browser  # noqa: E402

OUT = os.path.join(ROOT, "docs", "screenshots")
PASSWORD = "Screenshot-pass-1!"

AGENT_REPLY = """Found it. `MigrationTests.testRollback` reads the clock twice, and on a slow runner the second read lands in the next second, so the expected `updated_at` is off by one.

```swift
let now = clock.now()          // read once
try migrate(to: 42, at: now)
XCTAssertEqual(row.updatedAt, now)
```

I changed the test to take the time once and pass it in. **All 212 tests pass** locally; the flaky run is gone in 50 repeats."""


AT_BOTTOM_JS = """
let el = document.querySelector('[role=log]');
while (el && !(el.scrollHeight > el.clientHeight + 2 && /(auto|scroll)/.test(getComputedStyle(el).overflowY))) el = el.parentElement;
return !el || el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
"""


SCROLL_DOWN_JS = """
let el = document.querySelector('[role=log]');
while (el && !(el.scrollHeight > el.clientHeight + 2 && /(auto|scroll)/.test(getComputedStyle(el).overflowY))) el = el.parentElement;
if (el) el.scrollTop = el.scrollHeight;
"""


def seed(hub):
    admin, _ = Api.login(hub.url, ADMIN_USER, ADMIN_PASSWORD)
    alice = admin.create_user("alice", PASSWORD, display_name="Alice Chen")
    bob = admin.create_user("bob", PASSWORD, display_name="Bob Martin")
    alice_api, _ = Api.login(hub.url, "alice", PASSWORD)
    bob_api, _ = Api.login(hub.url, "bob", PASSWORD)
    rooms = {}
    for name in ("Design review", "Ops on-call", "Lunch plans", "Release 1.4"):
        rooms[name] = alice_api.create_room(name, [bob["id"]])
    gateway = FakeGateway(alice_api, agent_name="coder")
    reviewer = FakeGateway(alice_api, agent_name="reviewer")
    room = rooms["Release 1.4"]["id"]
    for agent in (gateway, reviewer):
        alice_api.add_member(room, agent.agent_id, "agent")
    send_messages(hub.url, bob_api.token, rooms["Lunch plans"]["id"], ["Ramen at 12:30?"])
    send_messages(hub.url, alice_api.token, rooms["Ops on-call"]["id"], ["Disk alert on db-2 cleared."])
    send_messages(hub.url, bob_api.token, room, ["Morning! The migration test is flaky on CI again. Can someone take a look?"])
    send_messages(hub.url, alice_api.token, room, ["@coder can you find out why `MigrationTests` fails now and then?"])
    gateway.wait_type("server:send_to_agent", roomId=room)
    chunks = [
        {"type": "thinking", "content": "The failure only shows on CI; look for time-dependent assertions."},
        {"type": "tool_use", "content": '{"name": "Grep", "input": {"pattern": "clock.now", "path": "Tests/"}}',
         "metadata": {"toolName": "Grep", "toolId": "t1"}},
        {"type": "tool_result", "content": "Tests/MigrationTests.swift:88\nTests/MigrationTests.swift:93", "metadata": {"toolId": "t1"}},
        {"type": "text", "content": AGENT_REPLY},
    ]
    reply_id = new_id()
    for chunk in chunks:
        gateway.chunk(room, reply_id, chunk["type"], chunk["content"], **chunk.get("metadata", {}))
    gateway.complete(room, reply_id, AGENT_REPLY, chunks)
    # Stored before the next message goes in, so the history reads in the order it was written.
    deadline = time.time() + 20
    while reply_id not in [m["id"] for m in alice_api.messages(room)]:
        assert time.time() < deadline, "the agent's reply was never stored"
        time.sleep(0.05)
    send_messages(hub.url, bob_api.token, room, ["Nice catch, thanks! @reviewer can you review the fix?"])
    return rooms, (gateway, reviewer)


def shoot(hub, room_id, name, width, height, theme="light", path="/room/{room}"):
    browser = Browser(width=width, height=height, mobile=width < 600)
    try:
        browser.sign_in(hub.url, "alice", PASSWORD) if width > 600 else _mobile_sign_in(browser, hub)
        browser.js("localStorage.setItem('agentim.theme', arguments[0])", theme)
        # Notifications already allowed: the one-time offer to enable them is not what the pictures are about.
        browser.driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": hub.url, "permissions": ["notifications"]})
        browser.open(hub.url + path.format(room=room_id))
        if "{room}" in path:
            browser.wait_for_text_in_log("All 212 tests pass")
        else:
            browser.wait_until(lambda: "coder" in browser.js("return document.body.innerText"), what="the agents list")
        browser.js("document.activeElement && document.activeElement.blur()")
        if "{room}" in path:
            try:  # the client keeps the newest message in view; say so when it does not
                browser.wait_until(lambda: browser.js(AT_BOTTOM_JS), 5, "the list scrolled to the newest message")
            except AssertionError:
                print(f"note: {name}: the message list did not open at the newest message; scrolled there for the picture")
                browser.js(SCROLL_DOWN_JS)
        browser.wait_until(lambda: browser.js("return document.fonts.status") == "loaded", what="fonts")
        out = os.path.join(OUT, name)
        browser.screenshot(out)
        print("wrote", os.path.relpath(out, ROOT))
    finally:
        browser.quit()


def _mobile_sign_in(browser, hub):
    browser.open(hub.url + "/login")
    browser.fill("textbox", "Username", "alice")
    browser.fill("textbox", "Password", PASSWORD)
    browser.click("button", "Sign in")
    browser.wait_until(lambda: "/login" not in browser.driver.current_url, what="signed in")


def main():
    os.makedirs(OUT, exist_ok=True)
    # Emoji in messages and reactions render as boxes without a colour emoji font.
    if subprocess.run(["dpkg", "-s", "fonts-noto-color-emoji"], capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "fonts-noto-color-emoji"], capture_output=True)
    ws = Workspace()
    pg = Postgres(ws.path)
    hub = SingleHub(pg, ws.path)
    agents = ()
    try:
        rooms, agents = seed(hub)
        room = rooms["Release 1.4"]["id"]
        shoot(hub, room, "chat-light.png", 1280, 800, "light")
        shoot(hub, room, "chat-dark.png", 1280, 800, "dark")
        shoot(hub, room, "agents.png", 1280, 800, "light", path="/agents")
        shoot(hub, room, "mobile.png", 390, 844, "light")
    finally:
        for agent in agents:
            agent.close()
        hub.stop(); pg.stop(); ws.cleanup()


if __name__ == "__main__":
    main()
