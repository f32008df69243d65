"""Fixtures for the portfolio tests: a portfolio owned by the sponsor, a goal, job roles, a
scoring model, and requests at each step of the workflow."""

from __future__ import annotations

from typing import Any

import pytest

from pmo.portfolio import services
from pmo.portfolio.models import IntakeRequest, Portfolio, ScoringModel
from pmo.resources.models import JobRole


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def portfolio(people: dict[str, Any]) -> Portfolio:
    return services.portfolio_create(
        actor=people["pmo_admin"],
        data={"name": "Digital", "owner_id": people["sponsor"].pk, "discount_rate": "10"},
    )


@pytest.fixture
def goal(people: dict[str, Any]) -> Any:
    return services.goal_create(actor=people["pmo_admin"], data={"name": "Grow online sales"})


@pytest.fixture
def roles(db: Any) -> dict[str, JobRole]:
    return {
        "dev": JobRole.objects.create(name="Developer", default_rate=80),
        "analyst": JobRole.objects.create(name="Business analyst", default_rate=70),
    }


def draft_data(portfolio: Portfolio, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Online returns",
        "portfolio_id": portfolio.pk,
        "problem": "Returns are handled by phone.",
        "objectives": "Halve return handling time\nLet customers print labels",
        "costs": ["1000", "0"],
        "benefits": ["0", "600", "600"],
        **extra,
    }


@pytest.fixture
def draft(people: dict[str, Any], portfolio: Portfolio) -> IntakeRequest:
    """REQ-1, drafted by the team member, sponsored by the executive."""
    return services.request_create(
        actor=people["member"], data=draft_data(portfolio, sponsor_id=people["sponsor"].pk)
    )


def move(request: IntakeRequest, people: dict[str, Any], to: str) -> IntakeRequest:
    """Take a draft of `member` along the workflow up to `to`."""
    if to == "draft":
        return request
    services.request_submit(actor=people["member"], request_id=request.pk, version=None)
    if to != "submitted":
        services.request_assess(actor=people["pmo_analyst"], request_id=request.pk, version=None)
    if to in ("approved", "rejected", "deferred", "converted"):
        decision = {"approved": "approve", "rejected": "reject", "deferred": "defer"}.get(
            to, "approve"
        )
        services.request_decide(
            actor=people["pmo_analyst"],
            request_id=request.pk,
            version=None,
            decision=decision,
            comment="Reason given.",
        )
    if to == "converted":
        services.request_convert(
            actor=people["pmo_admin"],
            request_id=request.pk,
            version=None,
            code="PRJ-900",
            manager_id=people["manager"].pk,
        )
    request.refresh_from_db()
    return request


@pytest.fixture
def scoring_model(people: dict[str, Any]) -> ScoringModel:
    return services.scoring_model_create(
        actor=people["pmo_admin"],
        data={
            "name": "Strategic value",
            "criteria": [
                {
                    "name": "Strategic fit",
                    "weight": 3,
                    "scale_max": 5,
                    "levels": ["None", "", "", "", "Core"],
                },
                {"name": "Urgency", "weight": 1, "scale_max": 3},
            ],
        },
    )


@pytest.fixture
def api_as(people: dict[str, Any]) -> Any:
    """`api_as("manager")` is a client with that person's API token; "anonymous" has none."""
    from django.test import Client

    from pmo.accounts.services import api_token_create

    def as_(who: str) -> Client:
        if who == "anonymous":
            return Client()
        _, raw = api_token_create(user=people[who], name="tests")
        return Client(headers={"authorization": f"Bearer {raw}"})

    return as_
