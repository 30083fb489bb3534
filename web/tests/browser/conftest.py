"""Fixtures: one throwaway PostgreSQL and one single-process hub for the session (the restart test
restarts it), an admin API client, users made per test, and Chromium windows closed after each test."""
import itertools, os, secrets, sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from support.api import Api  # noqa: E402
from support.hub import ADMIN_PASSWORD, ADMIN_USER, WEB_DIR, Postgres, SingleHub, Workspace  # noqa: E402
from support.ui import Browser  # noqa: E402

PASSWORD = "Browser-pass-123!"
ARTIFACTS = os.environ.get("BROWSER_ARTIFACTS", "/tmp/agentim-browser-artifacts")


@pytest.fixture(scope="session")
def workspace():
    if not os.path.exists(os.path.join(WEB_DIR, "index.html")):
        pytest.exit(f"no web build at {WEB_DIR}: run `bash web/build.sh` first", returncode=2)
    ws = Workspace()
    yield ws.path
    ws.cleanup()


@pytest.fixture(scope="session")
def postgres(workspace):
    pg = Postgres(workspace)
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
def hub(postgres, workspace):
    server = SingleHub(postgres, workspace)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def admin(hub):
    api, _ = Api.login(hub.url, ADMIN_USER, ADMIN_PASSWORD)
    return api


_serial = itertools.count(1)


@pytest.fixture
def make_user(admin):
    """make_user("alice") -> (username, Api signed in as them, user dict); unique names per run."""
    def make(prefix="user", base=None):
        name = f"{prefix}{next(_serial)}{secrets.token_hex(2)}"
        user = admin.create_user(name, PASSWORD, display_name=prefix.capitalize())
        api, _ = Api.login(base or admin.base, name, PASSWORD)
        return name, api, user
    return make


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.failed_call = True


@pytest.fixture
def browsers(request):
    """browsers() opens a new Chromium window; all are closed after the test (screenshots kept on failure)."""
    opened = []

    def open_browser(**kwargs):
        browser = Browser(**kwargs)
        opened.append(browser)
        return browser
    yield open_browser
    failed = getattr(request.node, "failed_call", False)
    for index, browser in enumerate(opened):
        if failed:
            os.makedirs(ARTIFACTS, exist_ok=True)
            stem = os.path.join(ARTIFACTS, f"{request.node.name}-{index}")
            try:
                browser.screenshot(stem + ".png")
                with open(stem + ".html", "w") as f:
                    f.write(browser.driver.page_source)
                with open(stem + ".console.txt", "w") as f:
                    f.write("\n".join(browser.console()))
            except Exception:
                pass
        browser.quit()
