"""Headless Chromium driven by selenium, and the one way tests find things: by ARIA role and
accessible name, as a screen reader would. Chromium computes both (WebDriver's computedrole and
computedlabel); a JavaScript pre-filter only narrows the candidates so a long page stays fast."""
import os, re, shutil, time

from selenium import webdriver
from selenium.common.exceptions import (NoAlertPresentException, StaleElementReferenceException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

CHROMIUM = os.environ.get("CHROMIUM_BIN") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
DEFAULT_WAIT = float(os.environ.get("BROWSER_WAIT", "15"))

# Elements that can carry each role, natively or through a role attribute.
ROLE_CSS = {
    "button": "button, [role=button], input[type=submit], input[type=button], input[type=reset], summary",
    "textbox": ("input:not([type]), input[type=text], input[type=password], input[type=email], input[type=tel], "
                "input[type=url], input[type=number], textarea, [role=textbox], [contenteditable=true], [contenteditable='']"),
    "searchbox": "input[type=search], [role=searchbox]",
    "log": "[role=log]",
    "dialog": "dialog, [role=dialog], [role=alertdialog]",
    "alertdialog": "[role=alertdialog]",
    "link": "a[href], [role=link]",
    "img": "img, [role=img], svg[aria-label]",
    "combobox": "select, [role=combobox], input[list]",
    "listbox": "select[multiple], select[size], [role=listbox]",
    "option": "option, [role=option]",
    "checkbox": "input[type=checkbox], [role=checkbox]",
    "switch": "[role=switch]",
    "radio": "input[type=radio], [role=radio]",
    "radiogroup": "[role=radiogroup]",
    "group": "fieldset, details, [role=group]",
    "tab": "[role=tab]",
    "menuitem": "[role=menuitem], [role=menuitemradio], [role=menuitemcheckbox]",
    "navigation": "nav, [role=navigation]",
    "main": "main, [role=main]",
    "region": "section[aria-label], section[aria-labelledby], [role=region]",
    "heading": "h1, h2, h3, h4, h5, h6, [role=heading]",
    "alert": "[role=alert]",
    "status": "[role=status], output",
    "list": "ul, ol, [role=list]",
    "listitem": "li, [role=listitem]",
    "article": "article, [role=article]",
    "complementary": "aside, [role=complementary]",
}

# Text a name could come from, gathered in the page: only elements whose text contains the wanted
# name are asked for their computed name, one WebDriver round trip each.
_CANDIDATES_JS = r"""
const [css, needle, scope] = arguments;
const root = scope || document;
const text = (el) => {
  const parts = [el.getAttribute('aria-label'), el.textContent, el.getAttribute('title'),
                 el.getAttribute('placeholder'), el.getAttribute('alt'), el.value];
  for (const id of (el.getAttribute('aria-labelledby') || '').split(/\s+/)) {
    const ref = id && document.getElementById(id); if (ref) parts.push(ref.textContent);
  }
  if (el.labels) for (const l of el.labels) parts.push(l.textContent);
  return parts.filter(Boolean).join(' ');
};
const visible = (el) => {
  if (!el.getClientRects().length) return false;
  const s = getComputedStyle(el);
  return s.visibility !== 'hidden' && s.display !== 'none';
};
return Array.from(root.querySelectorAll(css)).filter((el) => visible(el) && (needle === null || text(el).replace(/\s+/g, ' ').includes(needle)));
"""

# Installed before any page script: records every alert/confirm/prompt a page might trigger.
_TRAP_DIALOGS_JS = """
window.__dialogs = [];
for (const name of ['alert', 'confirm', 'prompt']) {
  const original = window[name];
  window[name] = function (...args) { window.__dialogs.push([name, String(args[0])]); return name === 'confirm' ? true : null; };
}
"""


# Roles Chromium reports under a newer ARIA name.
ROLE_ALIASES = {"img": {"img", "image"}}


def _norm(s):
    return re.sub(r"\s+", " ", s or "").strip()


class Browser:
    """One Chromium window (its own profile, so its own IndexedDB, cookies and socket)."""

    def __init__(self, width=1280, height=900, lang="en-US", trap_dialogs=True, mobile=False):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--no-first-run", "--disable-extensions", "--disable-background-networking",
                    f"--window-size={width},{height}", f"--lang={lang}"):
            options.add_argument(arg)
        options.add_experimental_option("prefs", {"intl.accept_languages": lang})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        # The driver's path is given, so selenium never looks for (or downloads) one.
        self.driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(60)
        # The exact viewport (a headless window is shorter than its size, and never narrower than 500 px).
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        if trap_dialogs:
            self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _TRAP_DIALOGS_JS})

    # --- finding by role and name ------------------------------------------------------------
    def query(self, role, name=None, within=None, exact=True):
        """Visible elements with that computed role whose accessible name is name (exact, whitespace
        collapsed), matches it (a compiled regex), or contains it (exact=False)."""
        css = ROLE_CSS.get(role, f"[role={role}]")
        needle = None if name is None or isinstance(name, re.Pattern) else _norm(name)
        found = []
        for el in self.driver.execute_script(_CANDIDATES_JS, css, needle, within):
            try:
                if el.aria_role not in ROLE_ALIASES.get(role, {role}):
                    continue
                label = _norm(el.accessible_name)
            except (StaleElementReferenceException, WebDriverException):
                continue
            if name is None or (isinstance(name, re.Pattern) and name.search(label)) or \
                    (needle is not None and (label == needle if exact else needle in label)):
                found.append(el)
        return found

    def find(self, role, name=None, within=None, timeout=None, exact=True):
        """Waits for the first such element."""
        result = self.wait_until(lambda: (self.query(role, name, within, exact) or [None])[0],
                                 timeout, f"{role} named {name!r}")
        return result

    def absent(self, role, name=None, within=None):
        return not self.query(role, name, within)

    def click(self, role, name, within=None, timeout=None):
        el = self.find(role, name, within, timeout)
        self.driver.execute_script("arguments[0].scrollIntoView({block:'center'})", el)
        el.click()
        return el

    def fill(self, role, name, text, within=None, timeout=None, clear=True):
        el = self.find(role, name, within, timeout)
        if clear:
            el.send_keys(Keys.CONTROL, "a"); el.send_keys(Keys.DELETE)
        el.send_keys(text)
        return el

    def choose(self, name, option, within=None, timeout=None):
        """Picks option (visible text) in the control named name: a <select>, a radio group or a button group."""
        def control():
            for role in ("combobox", "radiogroup", "group", "listbox"):
                for el in self.query(role, name, within):
                    return el
        el = self.wait_until(control, timeout, f"a control named {name!r}")
        if el.tag_name == "select":
            Select(el).select_by_visible_text(option)
            return el
        if el.aria_role == "combobox":
            el.click()
            self.click("option", option)
            return el
        for inner in ("radio", "button", "option", "tab"):
            hits = self.query(inner, option, el)
            if hits:
                hits[0].click()
                return el
        raise AssertionError(f"the control named {name!r} has no option {option!r}")

    def wait_until(self, condition, timeout=None, what="a condition"):
        deadline = time.time() + (timeout or DEFAULT_WAIT)
        last_error = None
        while True:
            try:
                value = condition()
                if value:
                    return value
            except (StaleElementReferenceException,) as error:
                last_error = error
            if time.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}" + (f" ({last_error})" if last_error else "") +
                                     f"\nURL: {self.driver.current_url}\nconsole: {self.console()[-5:]}")
            time.sleep(0.1)

    # --- page-level helpers ------------------------------------------------------------------
    def open(self, url):
        self.driver.get(url)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def text_of(self, el):
        return self.driver.execute_script("return arguments[0].innerText", el)

    def dialogs(self):
        """Every alert/confirm/prompt a page script called (trapped) plus a native one still open."""
        calls = self.js("return window.__dialogs || []") or []
        try:
            alert = self.driver.switch_to.alert
            calls.append(["native", alert.text]); alert.dismiss()
        except NoAlertPresentException:
            pass
        return calls

    def console(self):
        try:
            return [f"{e['level']}: {e['message']}" for e in self.driver.get_log("browser")]
        except WebDriverException:
            return []

    def screenshot(self, path):
        self.driver.save_screenshot(path)

    def quit(self):
        try:
            self.driver.quit()
        except Exception:
            pass

    # --- the flows most tests start with ----------------------------------------------------
    def sign_in(self, base, username, password, totp_code=None):
        self.open(base + "/login")
        self.fill("textbox", "Username", username)
        self.fill("textbox", "Password", password)
        self.click("button", "Sign in")
        if totp_code is not None:
            code = self.find("textbox", "Verification code")
            code.send_keys(totp_code() if callable(totp_code) else totp_code)
            buttons = self.query("button", "Sign in") or self.query("button", re.compile(r"^(Verify|Continue)"))
            assert buttons, "no button to submit the verification code"
            buttons[0].click()
        self.wait_until(lambda: "/login" not in self.driver.current_url and self.query("button", "New room"),
                        what=f"{username} to be signed in (a 'New room' button)")

    def open_room(self, base, room_id):
        self.open(f"{base}/room/{room_id}")
        return self.find("log", "Messages")

    def send_message(self, text):
        box = self.find("textbox", "Message")
        box.send_keys(text)
        self.click("button", "Send")

    def log_text(self):
        log = self.find("log", "Messages")
        return self.text_of(log)

    def wait_for_text_in_log(self, text, timeout=None):
        return self.wait_until(lambda: text in self.log_text(), timeout, f"{text!r} in the message list")
