"""Sign in with a password, with a password and a TOTP code, and sign out."""
from conftest import PASSWORD
from support.api import Api
from support.totp import fresh_totp


def test_sign_in_and_out(hub, make_user, browsers):
    name, _, _ = make_user("ann")
    browser = browsers()
    browser.open(hub.url + "/")  # no session: the app sends a visitor to the login page
    browser.wait_until(lambda: "/login" in browser.driver.current_url, what="a redirect to /login")
    browser.fill("textbox", "Username", name)
    browser.fill("textbox", "Password", "wrong-password-1")
    browser.click("button", "Sign in")
    # The hub's 401 is shown (role alert, named or not), and we stay on the page.
    browser.wait_until(lambda: any(browser.text_of(a).strip() for a in browser.query("alert")), what="an error alert")
    assert "/login" in browser.driver.current_url
    browser.sign_in(hub.url, name, PASSWORD)
    if browser.absent("button", "Sign out"):  # it may sit behind a user or navigation menu
        for opener in ("Open menu", name, "Account", "User menu"):
            if browser.query("button", opener):
                browser.click("button", opener)
                break
    browser.click("button", "Sign out")
    browser.find("button", "Sign in")
    assert "/login" in browser.driver.current_url


def test_sign_in_with_totp(hub, make_user, browsers):
    name, api, _ = make_user("tina")
    secret = api.post("/api/auth/setup-totp")["data"]["secret"]
    api.post("/api/auth/verify-totp-setup", {"code": fresh_totp(secret)})
    challenge = Api(hub.url).post("/api/auth/login", {"username": name, "password": PASSWORD})["data"]
    assert challenge.get("totpRequired") is True  # the hub now wants a second step
    browser = browsers()
    browser.sign_in(hub.url, name, PASSWORD, totp_code=lambda: fresh_totp(secret))
