"""Portfolio end to end: an analyst scores three requests, runs a scenario under a budget, sees
the optimal selection beat the greedy one, and approves it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from pmo.accounts.models import OrgRole

PASSWORD = "browser-test-password"  # the `person` fixture's


def _arrange(person: Callable[..., Any]) -> dict[str, Any]:
    """Three requests in assessment: A costs 60k, B and C 50k each; a two-criterion model."""
    from pmo.portfolio import services

    admin = person("ada", "Ada", OrgRole.PMO_ADMIN, last="Admin")
    person("lou", "Lou", OrgRole.PMO_ANALYST, last="Analyst")
    requester = person("rob", "Rob", OrgRole.TEAM_MEMBER, last="Requester")
    portfolio = services.portfolio_create(actor=admin, data={"name": "Digital"})
    services.scoring_model_create(
        actor=admin,
        data={
            "name": "Strategic value",
            "criteria": [
                {"name": "Fit", "weight": 3, "scale_max": 5, "levels": ["", "", "", "", "Core"]},
                {"name": "Urgency", "weight": 1, "scale_max": 3},
            ],
        },
    )
    requests = []
    for title, cost in (("Big bet", 60_000), ("Quick win", 50_000), ("Second win", 50_000)):
        request = services.request_create(
            actor=requester,
            data={
                "title": title,
                "portfolio_id": portfolio.pk,
                "problem": "Customers wait.",
                "objectives": "Serve them sooner",
                "costs": [cost],
                "benefits": [0, cost],
            },
        )
        services.request_submit(actor=requester, request_id=request.pk, version=None)
        services.request_assess(actor=admin, request_id=request.pk, version=None)
        requests.append(request)
    return {"portfolio": portfolio, "requests": requests}


def test_analyst_scores_runs_a_scenario_and_approves_the_optimal_selection(
    browser: Browser,
    live_server: Any,
    shot: Callable[[Page, str], Path],
    person: Callable[..., Any],
) -> None:
    from pmo.portfolio.models import IntakeRequest, RequestState

    arranged = _arrange(person)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(live_server.url + "/accounts/login/?next=/portfolio/")
    page.fill("input[name=username]", "lou")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Portfolio")
    page.click("nav.tabs >> text=Intake")

    # fit 5 / urgency 3 → 100; fit 4 / urgency 2 → 68.75 for each of the other two
    for request, (fit, urgency) in zip(arranged["requests"], ((5, 3), (4, 2), (4, 2)), strict=True):
        page.click(f"text={request.code}")
        page.click("text=Score on Strategic value")
        page.select_option("select[name^=c_] >> nth=0", str(fit))
        page.select_option("select[name^=c_] >> nth=1", str(urgency))
        page.click("button:has-text('Save scores')")
        expect(page.locator(".message-success")).to_contain_text(f"Your scores of {request.code}")
        page.click("nav.tabs >> text=Intake")

    page.click("nav.tabs >> text=Scoring")
    expect(page.locator("#ranking-table tbody tr").first).to_contain_text("Big bet")
    # moving a weight re-ranks without saving: with Fit weighted 0, urgency alone counts
    page.locator("input[name^=w_] >> nth=0").fill("0")
    expect(page.locator("#ranking-table tbody tr").nth(1)).to_contain_text("50.0")
    shot(page, "portfolio-ranking")

    page.click("nav.tabs >> text=Scenarios")
    page.click("text=New scenario")
    page.select_option("select[name=portfolio]", label="Digital")
    page.fill("input[name=name]", "Tight year")
    page.fill("input[name=first_year]", "2027")
    page.fill("input[name=periods]", "1")
    page.select_option("select[name=value_basis]", "score")
    page.select_option("select[name=scoring_model]", label="Strategic value")
    page.fill("input[name=budget]", "100000")
    page.click("button:has-text('Save')")
    expect(page.locator(".message-success")).to_contain_text("Scenario 'Tight year' saved")

    page.click("button:has-text('Run')")
    expect(page.locator("#optimal-value")).to_have_text("137.50")
    expect(page.locator("#greedy-value")).to_have_text("100.00")
    expect(page.locator("#value-gained")).to_contain_text("37.50 more")
    expect(page.locator("#optimal-list")).to_contain_text("Quick win")
    expect(page.locator("#optimal-list")).to_contain_text("Second win")
    expect(page.locator("#greedy-list")).to_contain_text("Big bet")
    expect(page.locator("#frontier-chart canvas")).to_be_visible()
    shot(page, "portfolio-scenario")

    page.click("button:has-text('Approve scenario')")
    expect(page.locator(".message-success")).to_contain_text("requests approved: REQ-2, REQ-3")
    states = dict(IntakeRequest.objects.values_list("title", "state"))
    assert states == {
        "Big bet": RequestState.IN_ASSESSMENT,
        "Quick win": RequestState.APPROVED,
        "Second win": RequestState.APPROVED,
    }
