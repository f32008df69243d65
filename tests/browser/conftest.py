"""Browser tests: Playwright driving the system's Chromium against pytest-django's live server.

Every test under tests/browser gets the `browser` marker, so the default run (`-m 'not browser'`)
skips them and `make test-browser` (`-m browser`) runs them. Playwright's own browser download is
not used: scripts/ensure-chromium.sh installs Debian's `chromium`, and it is launched from PATH.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# live_server + Playwright's sync API run an event loop in the test thread; without this, ORM
# calls in a test body raise SynchronousOnlyOperation.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BROWSER_DIR = Path(__file__).resolve().parent
REPO_ROOT = BROWSER_DIR.parents[1]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    # Without these Chromium keeps trying to reach Google services on a closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def pytest_configure(config: pytest.Config) -> None:
    # pytest-playwright's session-scoped `base_url` fixture trips a pytest deprecation; not ours.
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium is not installed: run scripts/ensure-chromium.sh", pytrace=False)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": _chromium(),
        "headless": True,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(autouse=True)
def _close_leftover_browser_contexts(request: pytest.FixtureRequest) -> Iterator[None]:
    """Close contexts a test opened itself with `browser.new_context()` when the test ends.

    Left open, their keep-alive connections outlive the live server's shared in-memory SQLite
    connection, and its request threads fail at the end of the session.
    """
    yield
    if "browser" in request.fixturenames:
        for context in list(request.getfixturevalue("browser").contexts):
            context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = REPO_ROOT / "test-artifacts" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def shot(screenshot_dir: Path) -> Callable[[Any, str], Path]:
    """`shot(page, "projects-list")` saves a full-page PNG in test-artifacts/screenshots."""

    def take(page: Any, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


PASSWORD = "browser-test-password"


@pytest.fixture
def person(transactional_db: Any) -> Callable[..., Any]:
    """`person("pia", "Pia", OrgRole.PROJECT_MANAGER)`: a user who logs in with PASSWORD."""
    from pmo.accounts.services import user_create

    def make(username: str, first: str, role: str, last: str = "Tester") -> Any:
        return user_create(
            username=username,
            password=PASSWORD,
            email=f"{username}@example.org",
            first_name=first,
            last_name=last,
            org_role=role,
            check_password=False,
        )

    return make


@pytest.fixture
def log_in(live_server: Any) -> Callable[[Any, str], None]:
    """`log_in(page, "pia")`: log that person in through the login page."""
    from playwright.sync_api import expect

    def go(page: Any, username: str) -> None:
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("My work")

    return go
