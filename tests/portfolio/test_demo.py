"""The demo portfolio: goals, a scoring model, requests in every state with scores, a scenario."""

from pmo.accounts.models import User
from pmo.demo.loader import demo_load
from pmo.portfolio import selectors
from pmo.portfolio.models import Assessment, IntakeRequest, RequestState, Scenario


def test_demo_requests_cover_every_state_with_scores_and_a_scenario(db):
    demo_load()
    states = set(IntakeRequest.objects.values_list("state", flat=True))
    assert states == set(RequestState.values)
    assert 10 <= IntakeRequest.objects.count() <= 15
    assert Assessment.objects.values("assessor").distinct().count() == 2
    converted = IntakeRequest.objects.get(state=RequestState.CONVERTED)
    assert converted.project.charters.get().purpose == converted.title
    scenario = Scenario.objects.get()
    assert scenario.candidates.count() >= 4
    analyst = User.objects.get(username="analyst")
    ranked = selectors.ranking(actor=analyst, model=scenario.scoring_model)
    assert ranked[0].rank == 1 and ranked[0].assessors == 2
