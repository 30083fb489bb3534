"""An agent (the fake gateway on /ws/gateway) replies in a stream; Stop reaches it; a permission
request raised in a room the person is not viewing is answered from where they are."""
import re, secrets

from conftest import PASSWORD
from support.fake_gateway import FakeGateway


def _room_entry(browser, name):
    """The sidebar entry of a room: a link (or button) whose name starts with the room's name."""
    pattern = re.compile(r"^" + re.escape(name))
    return browser.wait_until(lambda: (browser.query("link", pattern) or browser.query("button", pattern) or
                                       browser.query("option", pattern) or [None])[0], what=f"the room {name!r} in the sidebar")


def test_agent_reply_streams_in_and_stop(hub, make_user, browsers):
    alice, api, _ = make_user("sam")
    room = api.create_room("Agent room")
    gateway = FakeGateway(api, agent_name="coder")
    try:
        api.add_member(room["id"], gateway.agent_id, "agent")
        browser = browsers()
        browser.sign_in(hub.url, alice, PASSWORD)
        browser.open_room(hub.url, room["id"])
        question = f"@coder what is in the repo? {secrets.token_hex(2)}"
        browser.send_message(question)
        work = gateway.wait_type("server:send_to_agent", roomId=room["id"])
        assert work["content"] == question and work["senderName"] == alice
        gateway.status("busy")

        first = "Streaming part one, "
        answered = {}

        def mid_stream(message_id):
            # Live: the first piece shows before the reply is complete, with a Stop button beside it.
            browser.wait_for_text_in_log(first.strip(", "))
            browser.click("button", "Stop")
            gateway.wait_type("server:stop_agent", agentId=gateway.agent_id)
            answered["live"] = browser.log_text()

        gateway.stream_reply(room["id"], [first], before_complete=mid_stream, conversation_id=work["conversationId"])
        assert "Streaming part one" in answered["live"]
        # The stored reply replaces the live one: shown once, and the Stop button goes away.
        browser.wait_until(lambda: browser.log_text().count(first.strip(", ")) == 1 and browser.absent("button", "Stop"),
                           what="the completed reply shown once, without a Stop button")
        # A second, longer reply: every piece is on screen before the complete arrives.
        pieces = [f"piece-{i} " for i in range(20)]
        gateway.stream_reply(room["id"], pieces, before_complete=lambda _: browser.wait_until(
            lambda: all(p.strip() in browser.log_text() for p in pieces) and browser.query("button", "Stop"),
            what="every streamed piece live, with a Stop button"))
        browser.wait_until(lambda: browser.log_text().count("piece-19") == 1 and browser.absent("button", "Stop"),
                           what="the stored reply once, no Stop button")
    finally:
        gateway.close()


def test_permission_card_answered_from_another_room(hub, make_user, browsers):
    alice, api, _ = make_user("pat")
    agent_room = api.create_room("Builds")
    other_room = api.create_room("Lunch")
    gateway = FakeGateway(api, agent_name="builder")
    try:
        api.add_member(agent_room["id"], gateway.agent_id, "agent")
        browser = browsers()
        browser.sign_in(hub.url, alice, PASSWORD)
        browser.open_room(hub.url, agent_room["id"])
        browser.find("textbox", "Message")
        # Move to the other room the way a person does, inside the app (the socket stays up).
        _room_entry(browser, "Lunch").click()
        browser.wait_until(lambda: other_room["id"] in browser.driver.current_url, what="the Lunch room to open")
        browser.find("log", "Messages")

        request_id = gateway.permission_request(agent_room["id"], "Bash", {"command": "rm -rf build/", "description": "clean"})
        allow = browser.find("button", "Allow")
        assert browser.query("button", "Allow always") and browser.query("button", "Deny")
        # The card sits in a list of pending approvals that says which room asked, what and for which command.
        panel = browser.find("region", re.compile(r"(?i)approval"))
        text = browser.text_of(panel)
        assert "Bash" in text and "rm -rf build/" in text and "Builds" in text, text
        assert other_room["id"] in browser.driver.current_url  # still in the other room
        allow.click()
        answer = gateway.wait_type("server:permission_response", requestId=request_id)
        assert answer["decision"] == "allow" and answer["agentId"] == gateway.agent_id
        browser.wait_until(lambda: browser.absent("button", "Allow"), what="the card to leave once answered")
    finally:
        gateway.close()
