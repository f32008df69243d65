"""The charter's life: draft → submitted → approved (or returned), locked once approved, revised."""

from __future__ import annotations

import pytest

from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.projects import services
from pmo.projects.models import CharterState, Stage
from pmo.projects.selectors import charter_compare, charter_get


def test_project_starts_in_initiation_with_a_draft_charter(project, people):
    charter = charter_get(actor=people["manager"], project=project)
    assert project.stage == Stage.INITIATION
    assert (charter.number, charter.state) == (1, CharterState.DRAFT)


def test_sponsor_approves_a_complete_submitted_charter(project, people, complete_charter):
    pm, sponsor = people["manager"], people["sponsor"]
    c = services.charter_update(actor=pm, project_id=project.pk, version=1, data=complete_charter)
    c = services.charter_submit(actor=pm, project_id=project.pk, version=c.version)
    assert c.state == CharterState.SUBMITTED
    c = services.charter_decide(
        actor=sponsor, project_id=project.pk, version=c.version, decision="approve"
    )
    assert c.state == CharterState.APPROVED
    assert c.decided_by == sponsor


def test_incomplete_charter_cannot_be_submitted(project, people):
    with pytest.raises(ValidationFailed) as exc:
        services.charter_submit(actor=people["manager"], project_id=project.pk, version=None)
    assert exc.value.message == services.CHARTER_INCOMPLETE.format(
        missing="a purpose, the problem to solve, at least one objective with a measure and a "
        "target, what is in scope, at least one deliverable, at least one success criterion"
    )


def test_only_the_sponsor_decides(project, people, complete_charter):
    pm = people["manager"]
    services.charter_update(actor=pm, project_id=project.pk, version=None, data=complete_charter)
    services.charter_submit(actor=pm, project_id=project.pk, version=None)
    for key in ("manager", "pmo_admin", "member"):
        with pytest.raises(Forbidden):
            services.charter_decide(
                actor=people[key], project_id=project.pk, version=None, decision="approve"
            )
    with pytest.raises(NotFound):
        services.charter_decide(
            actor=people["outsider"], project_id=project.pk, version=None, decision="approve"
        )


def test_returned_charter_needs_a_comment_and_is_editable_again(project, people, complete_charter):
    pm, sponsor = people["manager"], people["sponsor"]
    services.charter_update(actor=pm, project_id=project.pk, version=None, data=complete_charter)
    services.charter_submit(actor=pm, project_id=project.pk, version=None)
    with pytest.raises(ValidationFailed, match="Say what must change"):
        services.charter_decide(
            actor=sponsor, project_id=project.pk, version=None, decision="return"
        )
    c = services.charter_decide(
        actor=sponsor, project_id=project.pk, version=None, decision="return", comment="Add KPIs"
    )
    assert c.state == CharterState.RETURNED
    c = services.charter_update(
        actor=pm, project_id=project.pk, version=c.version, data={"purpose": "Sharper purpose"}
    )
    assert c.purpose == "Sharper purpose"


def test_approved_charter_is_locked_and_a_revision_needs_approval_again(
    project, people, complete_charter
):
    pm, sponsor = people["manager"], people["sponsor"]
    services.charter_update(actor=pm, project_id=project.pk, version=None, data=complete_charter)
    services.charter_submit(actor=pm, project_id=project.pk, version=None)
    v1 = services.charter_decide(
        actor=sponsor, project_id=project.pk, version=None, decision="approve"
    )
    with pytest.raises(Conflict, match="start a revision"):
        services.charter_update(
            actor=pm, project_id=project.pk, version=None, data={"purpose": "x"}
        )
    v2 = services.charter_revise(actor=pm, project_id=project.pk, change_summary="New scope")
    assert (v2.number, v2.state, v2.purpose) == (2, CharterState.DRAFT, v1.purpose)
    v2 = services.charter_update(
        actor=pm, project_id=project.pk, version=v2.version, data={"scope_out": "Mobile, kiosks"}
    )
    services.charter_submit(actor=pm, project_id=project.pk, version=None)
    services.charter_decide(actor=sponsor, project_id=project.pk, version=None, decision="approve")
    v1.refresh_from_db()
    assert v1.state == CharterState.SUPERSEDED
    changes = charter_compare(v1, charter_get(actor=pm, project=project, number=2))
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("scope_out", "Mobile apps.", "Mobile, kiosks")
    ]


def test_stale_charter_edit_is_refused(project, people):
    pm = people["manager"]
    services.charter_update(actor=pm, project_id=project.pk, version=1, data={"purpose": "A"})
    with pytest.raises(Conflict, match=r"your version 1, current version 2"):
        services.charter_update(actor=pm, project_id=project.pk, version=1, data={"purpose": "B"})


def test_charter_lists_are_validated(project, people):
    with pytest.raises(ValidationFailed, match="objectives must be a list of objects"):
        services.charter_update(
            actor=people["manager"],
            project_id=project.pk,
            version=None,
            data={"objectives": ["just text"]},
        )
    with pytest.raises(ValidationFailed, match="invalid date 'soon'"):
        services.charter_update(
            actor=people["manager"],
            project_id=project.pk,
            version=None,
            data={"milestones": [{"name": "Go-live", "date": "soon"}]},
        )


def test_submitting_tells_the_sponsor_by_email(
    project, people, complete_charter, mailoutbox, django_capture_on_commit_callbacks
):
    pm = people["manager"]
    services.charter_update(actor=pm, project_id=project.pk, version=None, data=complete_charter)
    with django_capture_on_commit_callbacks(execute=True):
        services.charter_submit(actor=pm, project_id=project.pk, version=None)
    assert [m.to for m in mailoutbox] == [[people["sponsor"].email]]
    assert "awaits your approval" in mailoutbox[0].subject


def test_project_leaves_initiation_only_with_an_approved_charter(project, people, complete_charter):
    pm, sponsor = people["manager"], people["sponsor"]
    with pytest.raises(Conflict, match="charter must be approved"):
        services.project_stage_advance(actor=pm, project_id=project.pk, to_stage="planning")
    services.charter_update(actor=pm, project_id=project.pk, version=None, data=complete_charter)
    services.charter_submit(actor=pm, project_id=project.pk, version=None)
    services.charter_decide(actor=sponsor, project_id=project.pk, version=None, decision="approve")
    with pytest.raises(Conflict, match="one stage at a time"):
        services.project_stage_advance(actor=pm, project_id=project.pk, to_stage="execution")
    p = services.project_stage_advance(actor=pm, project_id=project.pk, to_stage="planning")
    assert p.stage == Stage.PLANNING
