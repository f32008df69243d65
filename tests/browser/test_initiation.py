"""Initiation end to end: a project manager writes and submits the charter, the sponsor approves."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from pmo.accounts.models import OrgRole


def test_manager_submits_the_charter_and_the_sponsor_approves(
    browser: Browser,
    live_server: Any,
    shot: Callable[[Page, str], Path],
    person: Callable[..., Any],
    log_in: Callable[[Page, str], None],
) -> None:
    base = live_server.url
    person("pia", "Pia", OrgRole.PROJECT_MANAGER, last="Manager")
    person("sam", "Sam", OrgRole.EXECUTIVE, last="Sponsor")

    pm = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(pm, "pia")
    pm.click("nav.mainnav >> text=Projects")
    pm.click("text=New project")
    pm.fill("input[name=code]", "CRM-001")
    pm.fill("input[name=name]", "Customer portal")
    pm.fill("textarea[name=description]", "Self-service for orders and invoices.")
    pm.select_option("select[name=sponsor]", label="Sam Sponsor")
    pm.click("button:has-text('Create project')")
    expect(pm.locator(".message-success")).to_contain_text("Project CRM-001 created.")

    pm.click("nav.tabs >> text=Charter")
    pm.click("text=Edit charter")
    pm.fill("textarea[name=purpose]", "Let customers serve themselves online.")
    pm.fill("textarea[name=problem]", "Call centre volume grows 20% a year.")
    pm.fill("textarea[name=objectives]", "Cut calls | monthly calls | -30% by Q4")
    pm.fill("textarea[name=scope_in]", "Self-service portal for orders and invoices.")
    pm.fill("textarea[name=scope_out]", "Mobile apps.")
    pm.fill("textarea[name=deliverables]", "Portal\nTraining material")
    pm.fill("textarea[name=success_criteria]", "Call volume down 30% within a year")
    pm.fill("textarea[name=obstacles]", "Legacy billing system")
    pm.fill("textarea[name=milestones]", "Go-live | 2027-06-30")
    pm.fill("input[name=budget_estimate]", "250000")
    shot(pm, "charter-editor")
    pm.click("button:has-text('Save draft')")
    expect(pm.locator(".message-success")).to_contain_text("Charter version 1 saved.")
    pm.click("button:has-text('Submit for approval')")
    expect(pm.locator(".message-success")).to_contain_text("submitted to the sponsor")
    pm.goto(base + "/projects/")
    shot(pm, "project-list")
    # live filtering: htmx swaps the table and keeps the filter in the address
    pm.fill("input[name=q]", "no-such-project")
    expect(pm.locator("#project-table")).to_contain_text("No projects match.")
    expect(pm).to_have_url(re.compile(r"q=no-such-project"))
    pm.fill("input[name=q]", "portal")
    expect(pm.locator("#project-table")).to_contain_text("CRM-001")

    sponsor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(sponsor, "sam")
    expect(sponsor.locator("text=Charters awaiting your approval")).to_be_visible()
    sponsor.click("text=Review")
    sponsor.click("button:has-text('Approve')")
    expect(sponsor.locator(".message-success")).to_contain_text("Approved")
    shot(sponsor, "charter-approved")

    pm.goto(base + "/projects/")
    pm.click("text=CRM-001")
    expect(pm.locator("section.card >> .badge.state-approved")).to_have_text("Approved")
