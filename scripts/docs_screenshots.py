"""Screenshots of the demo for the docs: `uv run python scripts/docs_screenshots.py URL`.

Needs a running demo (`make run`) and Debian's chromium; writes PNGs into docs/img/.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "img"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 860})
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", "pm")
        page.fill("input[name=password]", "pmo-demo-2026")
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(f"{base}/projects/")
        page.screenshot(path=OUT / "project-list.png")
        page.click("text=DIG-101")
        page.wait_for_load_state("networkidle")
        project = page.url.rstrip("/").split("/")[-1]
        shots = {
            "project-overview.png": "",
            "charter.png": "charter/",
            "stakeholders.png": "stakeholders/",
            "plan-table.png": "plan/",
            "gantt.png": "plan/gantt/",
            "variance.png": "plan/baselines/",
            "risks.png": "risks/",
            "budget.png": "budget/",
        }
        for name, path in shots.items():
            page.goto(f"{base}/projects/{project}/{path}")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(600)  # charts finish their animation
            page.screenshot(path=OUT / name)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
