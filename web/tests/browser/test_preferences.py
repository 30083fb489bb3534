"""Dark theme and Simplified Chinese chosen in Settings apply to the whole app and survive a reload."""
import re

from conftest import PASSWORD

CJK = re.compile(r"[\u4e00-\u9fff]")
_STATE_JS = """
const bg = getComputedStyle(document.body).backgroundColor;
const m = bg.match(/\\d+(\\.\\d+)?/g) || [255, 255, 255];
const [r, g, b] = m.map(Number);
return {lang: document.documentElement.lang, luminance: (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255, bg,
        text: document.body.innerText, scheme: getComputedStyle(document.documentElement).colorScheme};
"""


def test_dark_theme_and_chinese(hub, make_user, browsers):
    alice, api, _ = make_user("lin")
    browser = browsers()
    browser.sign_in(hub.url, alice, PASSWORD)
    browser.open(hub.url + "/settings")
    browser.find("group", "Theme")
    before = browser.js(_STATE_JS)
    assert before["luminance"] > 0.6 and not before["lang"].startswith("zh"), before
    browser.choose("Theme", "Dark")
    browser.wait_until(lambda: browser.js(_STATE_JS)["luminance"] < 0.3, what="a dark background")
    language = browser.find("combobox", "Language")
    options = [o.text for o in language.find_elements("css selector", "option")]
    chinese = [o for o in options if "中文" in o or "Chinese" in o]
    assert chinese, f"no Simplified Chinese among the languages {options}"
    browser.choose("Language", chinese[0])
    browser.wait_until(lambda: browser.js(_STATE_JS)["lang"].lower().startswith("zh"), what="<html lang> to become zh")
    state = browser.js(_STATE_JS)
    assert len(CJK.findall(state["text"])) > 10, state["text"][:300]
    # Persisted: a fresh load of the chat comes up dark and Chinese.
    browser.open(hub.url + "/")
    browser.wait_until(lambda: CJK.search(browser.js(_STATE_JS)["text"]), what="Chinese after a reload")
    state = browser.js(_STATE_JS)
    assert state["lang"].lower().startswith("zh") and state["luminance"] < 0.3, state
    assert not browser.query("button", "New room"), "an English label left after switching to Chinese"
