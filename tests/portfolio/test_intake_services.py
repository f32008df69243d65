"""Intake requests: drafting, the workflow, conversion into a project, attachments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.models import AuditEntry
from pmo.portfolio import selectors, services
from pmo.portfolio.models import IntakeRequest, RequestState
from pmo.projects.models import CharterVersion

from .conftest import draft_data, move


def test_draft_numbers_estimates_and_finance(draft, portfolio):
    assert draft.code == "REQ-1" and draft.state == RequestState.DRAFT
    got = selectors.request_get(actor=draft.requester, request_id=draft.pk)
    assert selectors.request_costs(got) == [Decimal(1000)]
    assert selectors.request_benefits(got) == [0, Decimal(600), Decimal(600)]
    money = selectors.request_finance(got)  # 10 % a year: the textbook example
    assert money.npv == Decimal("41.32") and money.payback_years == Decimal("1.67")
    assert money.roi == Decimal("20.0")


def test_external_clients_may_not_draft(people, portfolio):
    with pytest.raises(Forbidden, match="External clients may not propose requests."):
        services.request_create(actor=people["client"], data=draft_data(portfolio))


def test_bad_estimates_and_links_are_refused_and_nothing_is_written(people, portfolio, roles):
    cases = [
        ({"costs": ["-5"]}, "costs must be a list of amounts, one a year, none negative."),
        ({"costs": ["1"] * 21}, "Estimates cover at most 20 years."),
        ({"demand": {"999": [10]}}, "No job role with id 999."),
        ({"goal_ids": [999]}, "No active organisational goal with id 999."),
        ({"requires_ids": [999]}, "No request with id 999 to depend on."),
        ({"surprise": 1}, "These fields cannot be changed here: surprise."),
    ]
    for extra, message in cases:
        with pytest.raises(ValidationFailed) as exc:
            services.request_create(actor=people["member"], data=draft_data(portfolio, **extra))
        assert exc.value.message == message
    assert not IntakeRequest.objects.exists()


def test_demand_goals_and_dependencies(people, portfolio, roles, goal, project):
    other = services.request_create(actor=people["manager"], data=draft_data(portfolio))
    req = services.request_create(
        actor=people["member"],
        data=draft_data(
            portfolio,
            demand={roles["dev"].pk: [400, 200]},
            goal_ids=[goal.pk],
            requires_ids=[other.pk],
            requires_project_ids=[project.pk],
        ),
    )
    got = selectors.request_get(actor=people["member"], request_id=req.pk)
    assert selectors.request_demand(got) == {"Developer": [Decimal(400), Decimal(200)]}
    assert [g.name for g in got.goals.all()] == ["Grow online sales"]
    assert [r.pk for r in got.requires.all()] == [other.pk]
    with pytest.raises(ValidationFailed, match="cannot both require and exclude REQ-1"):
        services.request_update(
            actor=people["member"],
            request_id=req.pk,
            version=None,
            data={"excludes_ids": [other.pk]},
        )
    with pytest.raises(ValidationFailed, match="cannot depend on or exclude itself"):
        services.request_update(
            actor=people["member"], request_id=req.pk, version=None, data={"requires_ids": [req.pk]}
        )


def test_only_the_requester_edits_a_draft_and_stale_versions_conflict(draft, people):
    with pytest.raises(Forbidden):
        services.request_update(
            actor=people["sponsor"], request_id=draft.pk, version=None, data={"title": "X"}
        )
    with pytest.raises(NotFound):  # another person's draft is invisible even to the PMO
        services.request_update(
            actor=people["pmo_admin"], request_id=draft.pk, version=None, data={"title": "X"}
        )
    saved = services.request_update(
        actor=people["member"], request_id=draft.pk, version=1, data={"costs": ["1200"]}
    )
    assert saved.version == 2  # estimates alone make a new version
    with pytest.raises(Conflict, match=r"your version 1, current version 2"):
        services.request_update(
            actor=people["member"], request_id=draft.pk, version=1, data={"title": "Late"}
        )
    draft.refresh_from_db()
    assert draft.title == "Online returns"


def test_submit_needs_the_essentials(people, portfolio):
    bare = services.request_create(actor=people["member"], data={"title": "Idea"})
    with pytest.raises(ValidationFailed) as exc:
        services.request_submit(actor=people["member"], request_id=bare.pk, version=None)
    assert exc.value.message == (
        "The request cannot be submitted yet: it needs the problem or opportunity, "
        "at least one objective, a portfolio, a cost estimate."
    )


def test_workflow_visibility_and_decisions(draft, people):
    assert not selectors.request_list(actor=people["pmo_analyst"]).exists()
    assert selectors.request_list(actor=people["sponsor"]).count() == 1  # the sponsor
    move(draft, people, "submitted")
    assert selectors.request_list(actor=people["pmo_analyst"]).count() == 1
    assert not selectors.request_list(actor=people["manager"]).exists()
    with pytest.raises(Forbidden, match="Only the PMO may assess requests."):
        services.request_assess(actor=people["sponsor"], request_id=draft.pk, version=None)
    with pytest.raises(Conflict, match="REQ-1 is submitted; it cannot be decided"):
        services.request_decide(
            actor=people["pmo_analyst"], request_id=draft.pk, version=None, decision="approve"
        )
    services.request_assess(actor=people["pmo_analyst"], request_id=draft.pk, version=None)
    with pytest.raises(ValidationFailed, match="Say why when rejecting or deferring a request."):
        services.request_decide(
            actor=people["pmo_analyst"], request_id=draft.pk, version=None, decision="defer"
        )
    with pytest.raises(ValidationFailed, match="Unknown decision 'maybe'"):
        services.request_decide(
            actor=people["pmo_analyst"], request_id=draft.pk, version=None, decision="maybe"
        )
    decided = services.request_decide(
        actor=people["pmo_analyst"],
        request_id=draft.pk,
        version=None,
        decision="defer",
        comment="Next year.",
    )
    assert decided.state == RequestState.DEFERRED and decided.decided_by == people["pmo_analyst"]
    transitions = AuditEntry.objects.filter(
        action="transition", object_type="portfolio.intakerequest"
    ).values_list("changes", flat=True)
    assert [c["state"][1] for c in transitions.order_by("id")] == [
        "submitted",
        "in_assessment",
        "deferred",
    ]


def test_conversion_creates_the_project_with_a_charter_draft(draft, people, portfolio):
    move(draft, people, "approved")
    with pytest.raises(ValidationFailed, match="is not a project manager"):
        services.request_convert(
            actor=people["pmo_admin"],
            request_id=draft.pk,
            version=None,
            code="PRJ-900",
            manager_id=people["member"].pk,
        )
    project = services.request_convert(
        actor=people["pmo_admin"],
        request_id=draft.pk,
        version=None,
        code="prj-900",
        manager_id=people["manager"].pk,
    )
    assert project.code == "PRJ-900" and project.portfolio == portfolio
    assert project.manager == people["manager"] and project.sponsor == people["sponsor"]
    charter = CharterVersion.objects.get(project=project)
    assert charter.purpose == "Online returns"
    assert charter.problem == "Returns are handled by phone."
    assert [o["objective"] for o in charter.objectives] == [
        "Halve return handling time",
        "Let customers print labels",
    ]
    assert charter.budget_estimate == Decimal(1000)
    draft.refresh_from_db()
    assert draft.state == RequestState.CONVERTED and draft.project == project
    with pytest.raises(Conflict, match="REQ-1 is converted into a project"):
        services.request_convert(
            actor=people["pmo_admin"],
            request_id=draft.pk,
            version=None,
            code="PRJ-901",
            manager_id=people["manager"].pk,
        )


def test_conversion_with_a_taken_code_leaves_the_request_approved(draft, people, project):
    move(draft, people, "approved")
    with pytest.raises(ValidationFailed, match="A project with code PRJ-001 already exists."):
        services.request_convert(
            actor=people["pmo_admin"],
            request_id=draft.pk,
            version=None,
            code="PRJ-001",
            manager_id=people["manager"].pk,
        )
    draft.refresh_from_db()
    assert draft.state == RequestState.APPROVED


def test_attachments_follow_the_document_limits(draft, people, settings):
    settings.PMO_DOCUMENT_MAX_BYTES = 10
    with pytest.raises(ValidationFailed, match="The file is 11 bytes; the limit is 10 bytes."):
        services.attachment_add(
            actor=people["member"],
            request_id=draft.pk,
            upload=SimpleUploadedFile("case.txt", b"x" * 11, content_type="text/plain"),
        )
    with pytest.raises(ValidationFailed, match=r"Files of type '\.exe' are not accepted"):
        services.attachment_add(
            actor=people["member"],
            request_id=draft.pk,
            upload=SimpleUploadedFile("run.exe", b"x", content_type="application/octet-stream"),
        )
    stored = services.attachment_add(
        actor=people["member"],
        request_id=draft.pk,
        upload=SimpleUploadedFile("case.txt", b"business", content_type="text/plain"),
    )
    assert stored.size == 8 and stored.original_name == "case.txt"
    services.attachment_delete(actor=people["member"], request_id=draft.pk, attachment_id=stored.pk)
    assert not draft.attachments.exists()


def test_the_pmo_hears_of_submissions_and_the_requester_of_decisions(
    draft, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_submit(actor=people["member"], request_id=draft.pk, version=None)
    assert sorted(mailoutbox[0].to) == sorted(
        [people["pmo_admin"].email, people["pmo_analyst"].email]
    )
    assert mailoutbox[0].subject == "REQ-1 submitted for assessment"
    services.request_assess(actor=people["pmo_analyst"], request_id=draft.pk, version=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decide(
            actor=people["pmo_analyst"],
            request_id=draft.pk,
            version=None,
            decision="reject",
            comment="Too costly.",
        )
    assert sorted(mailoutbox[-1].to) == sorted([people["member"].email, people["sponsor"].email])
    assert "Too costly." in mailoutbox[-1].body


def test_executives_see_submitted_requests_of_the_portfolios_they_own(people, portfolio, make_user):
    from pmo.accounts.models import OrgRole

    owner = make_user(OrgRole.EXECUTIVE, "owner")
    other = make_user(OrgRole.EXECUTIVE, "other")
    services.portfolio_update(
        actor=people["pmo_admin"],
        portfolio_id=portfolio.pk,
        version=None,
        data={"owner_id": owner.pk},
    )
    req = services.request_create(actor=people["member"], data=draft_data(portfolio))
    assert not selectors.request_list(actor=owner).exists()  # a draft is the requester's own
    services.request_submit(actor=people["member"], request_id=req.pk, version=None)
    assert list(selectors.request_list(actor=owner)) == [req]
    assert not selectors.request_list(actor=other).exists()
    with pytest.raises(NotFound):
        selectors.request_get(actor=other, request_id=req.pk)
