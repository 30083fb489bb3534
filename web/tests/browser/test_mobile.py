"""At 390 px wide (a phone), the chat is usable: no sideways scrolling, the room list opens from a
button, a message can be written and sent."""
import re, secrets

from conftest import PASSWORD
from support.client_ws import send_messages

_OVERFLOW_JS = "return document.documentElement.scrollWidth - window.innerWidth"


def test_chat_at_390_px(hub, make_user, browsers):
    alice, api, _ = make_user("maya")
    room = api.create_room("Phone room")
    api.create_room("Second room")
    # More than a phone screen of history.
    send_messages(hub.url, api.token, room["id"], [f"line {i}\n\n```python\nprint({i})\n```" for i in range(12)] + ["the newest message"])
    browser = browsers(width=390, height=844, mobile=True)
    browser.open(hub.url + "/login")
    assert browser.js("return window.innerWidth") == 390  # the app's viewport meta fits the phone's width
    browser.fill("textbox", "Username", alice)
    browser.fill("textbox", "Password", PASSWORD)
    browser.click("button", "Sign in")
    browser.wait_until(lambda: "/login" not in browser.driver.current_url, what="signed in")
    browser.open_room(hub.url, room["id"])
    assert browser.js(_OVERFLOW_JS) <= 0, "the page scrolls sideways at 390 px"
    browser.wait_for_text_in_log("the newest message")
    text = f"sent from a phone {secrets.token_hex(3)}"
    browser.send_message(text)
    browser.wait_for_text_in_log(text)
    send = browser.find("button", "Send")
    rect = browser.js("const r = arguments[0].getBoundingClientRect(); return [r.left, r.right, r.bottom]", send)
    assert rect[0] >= 0 and rect[1] <= 390 and rect[2] <= 844, f"Send is off screen: {rect}"
    # The room list is one button away, and another room opens from it.
    browser.click("button", "Show rooms")
    browser.wait_until(lambda: browser.query("link", re.compile(r"^Second room")), what="the room list").__getitem__(0).click()
    browser.wait_until(lambda: "Second room" in browser.js("return document.body.innerText") and
                       browser.query("textbox", "Message"), what="the second room open")
    assert browser.js(_OVERFLOW_JS) <= 0, "the page scrolls sideways at 390 px"
