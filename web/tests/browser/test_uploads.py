"""An image chosen in the composer's file input is uploaded, shows as a thumbnail, opens in the lightbox."""
import os, re

from conftest import PASSWORD
from support.images import png_bytes


def test_image_thumbnail_and_lightbox(hub, make_user, browsers, tmp_path):
    alice, api, _ = make_user("ivy")
    room = api.create_room("Pictures")
    path = os.path.join(tmp_path, "blue-square.png")
    with open(path, "wb") as f:
        f.write(png_bytes(64, 48))
    browser = browsers()
    browser.sign_in(hub.url, alice, PASSWORD)
    browser.open_room(hub.url, room["id"])
    file_input = browser.wait_until(lambda: (browser.driver.find_elements("css selector", "input[type=file]") or [None])[0],
                                    what="the composer's file input")
    file_input.send_keys(path)
    # Uploaded (progress done) before the message can go out with it.
    browser.wait_until(lambda: browser.query("button", "Send") and browser.query("button", "Send")[0].is_enabled(),
                       what="the Send button enabled")
    browser.find("textbox", "Message").send_keys("a blue square")
    browser.click("button", "Send")
    log = browser.find("log", "Messages")
    thumb = browser.find("img", re.compile(r"blue-square"), within=log, timeout=20)
    browser.wait_until(lambda: browser.js("return arguments[0].complete && arguments[0].naturalWidth", thumb) == 64,
                       what="the thumbnail to load (through ?token=)")
    stored = api.messages(room["id"])[-1]
    assert stored["attachments"][0]["filename"] == "blue-square.png" and stored["content"] == "a blue square"

    # The thumbnail may be the button itself or sit inside one.
    opener = browser.js("return arguments[0].closest('button, a, [role=button]') || arguments[0]", thumb)
    opener.click()
    lightbox = browser.find("dialog")
    big = browser.find("img", re.compile(r"blue-square"), within=lightbox)
    browser.wait_until(lambda: browser.js("return arguments[0].complete && arguments[0].naturalWidth", big) == 64,
                       what="the lightbox image to load")
    browser.driver.switch_to.active_element.send_keys("\ue00c")  # Escape closes it
    browser.wait_until(lambda: not browser.query("dialog"), what="the lightbox to close on Escape")
