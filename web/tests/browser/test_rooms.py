"""Create a room from the "New room" dialog, then add a member from the members panel."""
import re

from support.ui import Keys


def test_create_room_and_add_member(hub, make_user, browsers):
    owner, owner_api, _ = make_user("olga")
    member, _, member_user = make_user("mike")
    browser = browsers()
    browser.sign_in(hub.url, owner, "Browser-pass-123!")
    browser.click("button", "New room")
    dialog = browser.find("dialog", None)
    browser.fill("textbox", "Room name", "Release planning", within=dialog)
    browser.click("button", "Create", within=dialog)
    browser.wait_until(lambda: re.search(r"/room/[^/]+$", browser.driver.current_url), what="the new room's page")
    room_id = browser.driver.current_url.rstrip("/").rsplit("/", 1)[1]
    assert [r["name"] for r in owner_api.rooms() if r["id"] == room_id] == ["Release planning"]
    browser.find("log", "Messages")

    # Members panel: find the person by name and add them.
    browser.click("button", re.compile(r"^Members"))
    panel = browser.wait_until(lambda: (browser.query("dialog") or browser.query("complementary") or browser.query("region", re.compile("Members")) or [None])[0],
                               what="the members panel")
    if browser.query("button", re.compile(r"^Add (member|people|person|user)"), within=panel):
        browser.click("button", re.compile(r"^Add (member|people|person|user)"), within=panel)
        panel = (browser.query("dialog") or [panel])[-1]
    search = browser.wait_until(lambda: (browser.query("searchbox", None, panel) or browser.query("textbox", None, panel) or
                                         browser.query("combobox", None, panel) or [None])[0], what="a user search field")
    search.send_keys(member)
    pick = browser.wait_until(lambda: (browser.query("option", re.compile(re.escape(member))) or
                                       browser.query("button", re.compile(re.escape(member))) or [None])[0],
                              what=f"{member} offered in the search results")
    pick.click()
    # Some dialogs confirm the choice with a button of their own.
    for confirm in ("Add", "Add member", "Invite"):
        hits = browser.query("button", confirm)
        if hits:
            hits[0].click()
            break
    browser.wait_until(lambda: any(m["memberId"] == member_user["id"] for m in owner_api.members(room_id)),
                       what=f"{member} to be a member of the room (REST)")
    browser.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
