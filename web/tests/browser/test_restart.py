"""The hub restarts while a browser is open; a message typed while it is down arrives exactly once."""
import secrets

from conftest import PASSWORD


def test_hub_restart_message_typed_meanwhile_arrives_once(hub, make_user, browsers):
    alice, api, _ = make_user("rita")
    bob, bob_api, bob_user = make_user("rob")
    room = api.create_room("Restarts", [bob_user["id"]])
    a, b = browsers(), browsers()
    a.sign_in(hub.url, alice, PASSWORD)
    a.open_room(hub.url, room["id"])
    b.sign_in(hub.url, bob, PASSWORD)
    b.open_room(hub.url, room["id"])
    before = f"before restart {secrets.token_hex(3)}"
    a.send_message(before)
    b.wait_for_text_in_log(before)

    hub.process.stop()  # SIGTERM: the hub drains and exits; the browsers lose their sockets
    offline = f"typed while the hub was down {secrets.token_hex(3)}"
    a.send_message(offline)
    a.wait_for_text_in_log(offline)  # kept and shown (as pending) while offline
    hub.process.start()

    b.wait_for_text_in_log(offline, timeout=60)  # delivered after the reconnect
    after = f"after restart {secrets.token_hex(3)}"
    a.send_message(after)  # the queue flushes in order: once this is in, any duplicate would be too
    b.wait_for_text_in_log(after, timeout=30)
    a.wait_for_text_in_log(after, timeout=30)
    contents = [m["content"] for m in api.messages(room["id"])]
    assert contents.count(offline) == 1, contents
    for browser in (a, b):
        browser.wait_until(lambda: browser.log_text().count(offline) == 1, what="the offline message exactly once on screen")
    assert b.log_text().count(before) == 1


def test_unsent_message_survives_a_reload_while_the_hub_is_down(hub, make_user, browsers):
    """The offline path of web-ui.md §5: the service worker serves the app shell, IndexedDB keeps the
    unsent message across a reload, and it goes out once when the hub is back."""
    alice, api, _ = make_user("otto")
    room = api.create_room("Offline")
    browser = browsers()
    browser.sign_in(hub.url, alice, PASSWORD)
    browser.open_room(hub.url, room["id"])
    # A second load is controlled by the service worker installed on the first.
    browser.wait_until(lambda: browser.js("return !!(navigator.serviceWorker && navigator.serviceWorker.controller)") or
                       browser.open_room(hub.url, room["id"]) and False, 30, "a service worker controlling the page")
    warm = f"online first {secrets.token_hex(3)}"
    browser.send_message(warm)
    browser.wait_until(lambda: warm in [m["content"] for m in api.messages(room["id"])], what="the first message stored")

    hub.process.stop()
    unsent = f"kept through a reload {secrets.token_hex(3)}"
    browser.send_message(unsent)
    browser.wait_for_text_in_log(unsent)
    browser.open(f"{hub.url}/room/{room['id']}")  # the hub is down: the shell comes from the service worker
    browser.wait_for_text_in_log(unsent, timeout=30)
    assert browser.log_text().count(unsent) == 1
    hub.process.start()
    browser.wait_until(lambda: unsent in [m["content"] for m in api.messages(room["id"])], 60, "the unsent message stored")
    after = f"after the reload {secrets.token_hex(3)}"
    browser.send_message(after)
    browser.wait_until(lambda: after in [m["content"] for m in api.messages(room["id"])], 30, "a later message stored")
    contents = [m["content"] for m in api.messages(room["id"])]
    assert contents.count(unsent) == 1 and contents.count(warm) == 1, contents
    browser.wait_until(lambda: browser.log_text().count(unsent) == 1, what="the unsent message once on screen")
