"""The demo portfolio: goals, a scoring model, requests in every state with scores, a scenario."""

from pmo.accounts.models import User
from pmo.portfolio import selectors
from pmo.portfolio.models import Assessment, IntakeRequest, RequestState, Scenario


def test_demo_requests_cover_every_state_with_scores_and_a_scenario(db, demo_data):
    states = set(IntakeRequest.objects.values_list("state", flat=True))
    assert states == set(RequestState.values)
    assert 10 <= IntakeRequest.objects.count() <= 15
    assert Assessment.objects.values("assessor").distinct().count() == 2
    converted = IntakeRequest.objects.get(state=RequestState.CONVERTED)
    assert converted.project.charters.get().purpose == converted.title
    growth, lean = Scenario.objects.order_by("name")
    scenario = lean
    assert scenario.candidates.count() >= 4
    growth_value = selectors.scenario_results(growth).optimal.value
    assert growth_value > selectors.scenario_results(lean).optimal.value
    results = selectors.scenario_results(scenario)
    assert results.solved and results.optimal.ids and results.frontier
    analyst = User.objects.get(username="analyst")
    ranked = selectors.ranking(actor=analyst, model=scenario.scoring_model)
    assert ranked[0].rank == 1 and ranked[0].assessors == 2


def test_every_demo_request_and_scenario_page_renders(db, demo_data):
    from django.test import Client
    from django.urls import reverse

    from pmo.portfolio.models import Program

    client = Client()
    client.force_login(User.objects.get(username="analyst"))
    for request in IntakeRequest.objects.exclude(state=RequestState.DRAFT):
        page = client.get(reverse("request_detail", args=[request.pk]))
        assert page.status_code == 200, request
    for name in ("portfolio", "intake_list", "ranking", "scenario_list", "goal_list"):
        assert client.get(reverse(name)).status_code == 200
    scenario = Scenario.objects.order_by("name").first()
    assert client.get(reverse("scenario_detail", args=[scenario.pk])).status_code == 200
    assert client.get(reverse("scenario_edit", args=[scenario.pk])).status_code == 200
    # programs and the dashboard (the executive pack: tests/demo/test_demo.py)
    assert [p.name for p in Program.objects.all()] == ["Digital front door", "Regulatory readiness"]
    assert Program.objects.get(name="Regulatory readiness").links.count() == 4
    for who in ("analyst", "ceo"):
        client = Client()
        client.force_login(User.objects.get(username=who))
        for name in ("portfolio_dashboard", "program_list", "report_pack_list"):
            assert client.get(reverse(name)).status_code == 200, (who, name)
        program = Program.objects.first()
        assert client.get(reverse("program_detail", args=[program.pk])).status_code == 200
