"""Create a room from the "New room" dialog, then add a member from the members panel."""
import re



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

    # Members panel: "Add member", search the person, add them.
    browser.click("button", "Members")
    browser.click("button", "Add member")
    dialog = browser.find("dialog", "Add member")
    browser.fill("searchbox", "Search people", member, within=dialog)
    browser.click("button", f"Add {member}", within=dialog)
    browser.wait_until(lambda: any(m["memberId"] == member_user["id"] for m in owner_api.members(room_id)),
                       what=f"{member} to be a member of the room (REST)")
    browser.wait_until(lambda: "Mike" in browser.js("return document.body.innerText"), what="the new member listed")
