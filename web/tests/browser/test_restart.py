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
