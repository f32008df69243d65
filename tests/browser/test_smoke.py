"""Smoke tests: Chromium starts, and the live server answers through it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page


def test_chromium_launches(page: Page) -> None:
    page.goto("data:text/html,<h1>hi</h1>")
    assert page.inner_text("h1") == "hi"


def test_healthz_through_the_browser(
    page: Page, live_server: Any, shot: Callable[[Page, str], Path]
) -> None:
    response = page.goto(live_server.url + "/healthz")
    assert response is not None
    assert response.status == 200
    assert "ok" in page.inner_text("body")
    assert shot(page, "healthz").is_file()
