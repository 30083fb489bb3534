"""Two people chat in two browsers, and hostile content renders inert everywhere it can appear."""
import re, secrets

from conftest import PASSWORD
from support.client_ws import send_messages
from support.fake_gateway import FakeGateway, new_id
from support.images import png_bytes


def test_two_browsers_chat(hub, make_user, browsers):
    alice, alice_api, _ = make_user("alice")
    bob, _, bob_user = make_user("bob")
    room = alice_api.create_room("Pairing", [bob_user["id"]])
    a, b = browsers(), browsers()
    for browser, name in ((a, alice), (b, bob)):
        browser.sign_in(hub.url, name, PASSWORD)
        browser.open_room(hub.url, room["id"])
    hello = f"hello from alice {secrets.token_hex(3)}"
    a.send_message(hello)
    b.wait_for_text_in_log(hello)
    reply = f"hi alice, bob here {secrets.token_hex(3)}"
    b.send_message(reply)
    a.wait_for_text_in_log(reply)
    # Each sees both once: the sender's optimistic copy and the echo are one message.
    for browser in (a, b):
        browser.wait_until(lambda: browser.log_text().count(hello) == 1 and browser.log_text().count(reply) == 1,
                           what="each message exactly once")
    assert [m["content"] for m in alice_api.messages(room["id"])][-2:] in ([hello, reply], [reply, hello])


_SCROLL_JS = """
let el = document.querySelector('[role=log]');
while (el && !(el.scrollHeight > el.clientHeight + 2 && /(auto|scroll)/.test(getComputedStyle(el).overflowY))) el = el.parentElement;
return el ? el.scrollHeight - el.clientHeight - el.scrollTop : null;
"""


def test_opening_a_room_shows_its_newest_message(hub, make_user, browsers):
    """History taller than the window, with code blocks (markdown and highlighting load lazily and
    grow the messages after the first paint): the list opens at the newest message."""
    alice, api, _ = make_user("nora")
    room = api.create_room("Long history")
    send_messages(hub.url, api.token, room["id"], [f"step {i}\n\n```python\nprint({i})\n```" for i in range(12)] + ["the newest message"])
    browser = browsers(width=1280, height=700)
    browser.sign_in(hub.url, alice, PASSWORD)
    browser.open_room(hub.url, room["id"])
    browser.wait_for_text_in_log("the newest message")
    browser.wait_until(lambda: (browser.js(_SCROLL_JS) or 0) <= 4, 5,
                       "the list to rest at the newest message (px left below: %s)" % browser.js(_SCROLL_JS))


HOSTILE = [
    "<script>window.__xss=(window.__xss||0)+1;alert('script')</script>script-probe",
    "<img src=x onerror=\"window.__xss=(window.__xss||0)+1;alert('img')\">img-probe",
    "[link-probe](javascript:window.__xss=1) and <a href=\"javascript:alert('a')\">anchor-probe</a>",
    "<b id=\"raw-html-probe\" onclick=\"alert(1)\">raw-probe</b><iframe src=\"javascript:alert('iframe')\"></iframe>",
    "<svg onload=\"window.__xss=1\"><circle r=5></circle></svg>svg-probe <math><mi xlink:href=\"javascript:alert(1)\">m</mi></math>",
]
PROBES = ["script-probe", "img-probe", "link-probe", "raw-probe", "svg-probe"]

# Elements or attributes any of the payloads would create if rendered as HTML.
_INJECTED_JS = """
const log = document.querySelector('[role=log]');
const found = [];
for (const el of document.querySelectorAll('#raw-html-probe, img[src="x"], iframe, svg[onload], math, [onerror], [onclick], [onload]')) found.push(el.outerHTML.slice(0, 120));
for (const a of document.querySelectorAll('a[href], [href]')) if (/^\\s*(javascript|vbscript|data):/i.test(a.getAttribute('href'))) found.push(a.outerHTML.slice(0, 120));
if (log) for (const s of log.querySelectorAll('script')) found.push('script in log: ' + s.textContent.slice(0, 60));
return {found, xss: window.__xss === undefined ? null : window.__xss};
"""


def test_hostile_content_renders_inert(hub, make_user, browsers):
    alice, alice_api, _ = make_user("hazel")
    hostile_room_name = "<img src=x onerror=alert('room')>Ops <b>bold</b>"
    room = alice_api.create_room(hostile_room_name)
    gateway = FakeGateway(alice_api, agent_name="mallory")
    try:
        alice_api.add_member(room["id"], gateway.agent_id, "agent")
        # A file whose name is markup, attached to a message from this user's own socket.
        upload = alice_api.upload("<img src=x onerror=alert('file')>.png", png_bytes(8, 8), "image/png")
        send_messages(hub.url, alice_api.token, room["id"], ["file-probe attached"], [upload["id"]])
        browser = browsers()
        browser.sign_in(hub.url, alice, PASSWORD)
        browser.open_room(hub.url, room["id"])
        # From the person, through the composer (the hub sanitises those too).
        browser.send_message(HOSTILE[0] + " composer-probe")
        browser.wait_for_text_in_log("composer-probe")
        # From the agent: the hub stores agent replies as they come, so the client alone must make them inert,
        # both while streaming and once stored.
        live = {}

        def while_live(_):
            browser.wait_for_text_in_log("img-probe")
            live.update(browser.js(_INJECTED_JS))
        gateway.stream_reply(room["id"], HOSTILE[:2], before_complete=while_live)
        assert live == {"found": [], "xss": None}, f"live stream: {live}"
        gateway.complete(room["id"], new_id(), "\n\n".join(HOSTILE) + "\n\nagent-done-probe")
        browser.wait_for_text_in_log("agent-done-probe")
        for probe in PROBES + ["file-probe"]:
            assert probe in browser.log_text(), f"{probe} is not shown at all"
        result = browser.js(_INJECTED_JS)
        assert result["found"] == [] and result["xss"] is None, result
        assert browser.dialogs() == []
        # Reload: the history path renders the same content inert too.
        browser.open_room(hub.url, room["id"])
        browser.wait_for_text_in_log("agent-done-probe")
        result = browser.js(_INJECTED_JS)
        assert result["found"] == [] and result["xss"] is None and browser.dialogs() == [], result
        assert not re.search(r"<img|onerror", browser.js("return document.title")), "markup in the tab title"
    finally:
        gateway.close()
