"""Methodologies, tailoring, gate rules and every decision, overrides, templates, compliance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pmo.core.errors import Conflict, Forbidden, ValidationFailed
from pmo.core.models import AuditEntry
from pmo.governance import criteria, gates, selectors
from pmo.governance import services as gov
from pmo.governance.models import (
    ComplianceSnapshot,
    GateCondition,
    GateCriterion,
    GateReview,
    MethodologyVersion,
    StageOverride,
    VersionState,
)
from pmo.planning.models import Dependency, Task
from pmo.projects import services as projects
from pmo.projects.models import CharterVersion, Project

from .conftest import (
    START,
    approve_charter,
    build_methodology,
    criterion_id,
    pass_initiation,
    stage_of,
)

pytestmark = pytest.mark.django_db


# --- methodologies ---------------------------------------------------------------------------


def test_only_a_pmo_admin_defines_methodologies(people: dict[str, Any]) -> None:
    for who in ("pmo_analyst", "manager", "sponsor"):
        with pytest.raises(Forbidden, match="Only a PMO admin may define methodologies."):
            gov.methodology_create(actor=people[who], name="Mine")


def test_a_published_version_never_changes_and_projects_keep_theirs(
    version: MethodologyVersion, governed: Project, people: dict[str, Any]
) -> None:
    admin = people["pmo_admin"]
    init = stage_of(version, "initiation")
    with pytest.raises(Conflict, match="Stage-gate v1 is published and cannot change"):
        gov.criterion_add(actor=admin, stage_id=init.pk, kind="manual", label="More")
    with pytest.raises(Conflict):
        gov.stage_definition_update(actor=admin, stage_id=init.pk, data={"guidance": "x"})
    draft = gov.version_new_draft(actor=admin, methodology_id=version.methodology_id, notes="v2")
    assert draft.number == 2
    assert GateCriterion.objects.filter(stage__version=draft).count() == 7
    assert draft.tailoring_rules.count() == 2
    # the copied rule points at the copied criterion
    rule = draft.tailoring_rules.filter(criterion__key="budget_approved").get()
    assert rule.criterion.stage.version_id == draft.pk
    with pytest.raises(Conflict, match="already has a draft"):
        gov.version_new_draft(actor=admin, methodology_id=version.methodology_id)
    gov.criterion_add(
        actor=admin, stage_id=stage_of(draft, "initiation").pk, kind="manual", label="More"
    )
    gov.version_publish(actor=admin, version_id=draft.pk)
    version.refresh_from_db()
    assert version.state == VersionState.RETIRED
    assert governed.governance.methodology_version_id == version.pk


def test_criteria_are_validated(version: MethodologyVersion, people: dict[str, Any]) -> None:
    admin = people["pmo_admin"]
    draft = gov.version_new_draft(actor=admin, methodology_id=version.methodology_id)
    stage = stage_of(draft, "planning")
    with pytest.raises(ValidationFailed, match="There is no automatic check 'nope'"):
        gov.criterion_add(actor=admin, stage_id=stage.pk, kind="automatic", key="nope")
    with pytest.raises(ValidationFailed, match="A manual criterion needs a label"):
        gov.criterion_add(actor=admin, stage_id=stage.pk, kind="manual")
    with pytest.raises(ValidationFailed, match="weight must be a whole number from 1 to 100"):
        gov.criterion_add(actor=admin, stage_id=stage.pk, kind="manual", label="x", weight=0)
    with pytest.raises(ValidationFailed, match="settings must be an object"):
        gov.criterion_add(
            actor=admin, stage_id=stage.pk, kind="automatic", key="baseline_exists", params=[1]
        )
    with pytest.raises(ValidationFailed, match="Say why the rule applies"):
        gov.tailoring_rule_add(
            actor=admin, version_id=draft.pk, effect="skip_gate", stage_id=stage.pk, reason=" "
        )
    with pytest.raises(ValidationFailed, match="Unknown size 'huge'"):
        gov.tailoring_rule_add(
            actor=admin,
            version_id=draft.pk,
            effect="skip_gate",
            stage_id=stage.pk,
            reason="r",
            sizes=["huge"],
        )


def test_publishing_needs_criteria(people: dict[str, Any]) -> None:
    m = gov.methodology_create(actor=people["pmo_admin"], name="Empty")
    with pytest.raises(ValidationFailed, match="has no gate with a criterion"):
        gov.version_publish(actor=people["pmo_admin"], version_id=m.versions.get().pk)


def test_guidance_is_sanitised(version: MethodologyVersion) -> None:
    html = selectors.render_guidance(stage_of(version, "initiation").guidance)
    assert "<strong>charter</strong>" in html
    assert "<script>" not in html


# --- the gate rule ---------------------------------------------------------------------------


def test_a_governed_project_does_not_advance_without_a_passed_gate(
    governed: Project, people: dict[str, Any]
) -> None:
    with pytest.raises(Conflict) as exc:
        projects.project_stage_advance(
            actor=people["manager"], project_id=governed.pk, to_stage="planning"
        )
    assert exc.value.message == (
        "PRJ-001 leaves initiation only through a passed Initiation gate: request a gate review "
        "once its criteria are met. Missing now: Charter approved: Charter version 1 is draft; "
        "the sponsor has not approved it. Business case signed: No evidence recorded yet "
        "(a document, a link or a comment)."
    )
    assert [m["label"] for m in exc.value.extra["missing"]] == [
        "Charter approved",
        "Business case signed",
    ]


def test_a_review_is_requested_only_when_every_criterion_is_met(
    governed: Project, people: dict[str, Any], complete_charter: dict[str, Any]
) -> None:
    pm = people["manager"]
    approve_charter(governed, people, complete_charter)
    with pytest.raises(Conflict) as exc:
        gov.review_request(actor=pm, project_id=governed.pk)
    assert exc.value.message == (
        "The Initiation gate cannot be reviewed yet; missing: Business case signed: No evidence "
        "recorded yet (a document, a link or a comment)."
    )
    gov.evidence_record(
        actor=pm,
        project_id=governed.pk,
        criterion_id=criterion_id(governed, "Business case signed"),
        kind="comment",
        comment="Signed by the CFO on 3 March.",
    )
    review = gov.review_request(actor=pm, project_id=governed.pk, note="Ready.")
    assert review.state == "requested"
    assert all(c["met"] for c in review.criteria_at_request)
    with pytest.raises(Conflict, match="already requested"):
        gov.review_request(actor=pm, project_id=governed.pk)
    # still no stage change before the decision
    with pytest.raises(Conflict, match="only through a passed Initiation gate"):
        projects.project_stage_advance(actor=pm, project_id=governed.pk, to_stage="planning")


def test_go_moves_the_project_on_once(
    governed: Project, people: dict[str, Any], complete_charter: dict[str, Any]
) -> None:
    pass_initiation(governed, people, complete_charter)
    governed.refresh_from_db()
    assert governed.stage == "planning"
    review = GateReview.objects.get(project=governed)
    assert (review.decision, review.used_at is not None) == ("go", True)
    assert review.criteria_at_decision
    assert AuditEntry.objects.filter(
        object_type="governance.gatereview", object_id=str(review.pk), action="update"
    ).exists()
    # the used review does not pass the next gate
    with pytest.raises(Conflict, match="only through a passed Planning gate"):
        projects.project_stage_advance(
            actor=people["pmo_admin"], project_id=governed.pk, to_stage="execution"
        )


def _requested(governed: Project, people: dict[str, Any], charter: dict[str, Any]) -> GateReview:
    approve_charter(governed, people, charter)
    gov.evidence_record(
        actor=people["manager"],
        project_id=governed.pk,
        criterion_id=criterion_id(governed, "Business case signed"),
        kind="link",
        url="https://example.org/case",
    )
    return gov.review_request(actor=people["manager"], project_id=governed.pk)


@pytest.mark.parametrize(
    ("decision", "stage", "status"),
    [
        ("hold", "initiation", "active"),
        ("recycle", "initiation", "active"),
        ("stop", "initiation", "cancelled"),
    ],
)
def test_hold_recycle_and_stop(
    governed: Project,
    people: dict[str, Any],
    complete_charter: dict[str, Any],
    decision: str,
    stage: str,
    status: str,
) -> None:
    review = _requested(governed, people, complete_charter)
    gov.review_decide(
        actor=people["pmo_admin"], review_id=review.pk, decision=decision, rationale="Because."
    )
    governed.refresh_from_db()
    assert (governed.stage, governed.status) == (stage, status)
    with pytest.raises(Conflict):
        projects.project_stage_advance(
            actor=people["manager"], project_id=governed.pk, to_stage="planning"
        )


def test_go_with_conditions_tracks_them_to_closure(
    governed: Project, people: dict[str, Any], complete_charter: dict[str, Any]
) -> None:
    review = _requested(governed, people, complete_charter)
    analyst = people["pmo_analyst"]
    with pytest.raises(ValidationFailed, match="names at least one condition"):
        gov.review_decide(
            actor=analyst, review_id=review.pk, decision="go_with_conditions", rationale="r"
        )
    with pytest.raises(ValidationFailed, match="Conditions go with a 'go with conditions'"):
        gov.review_decide(
            actor=analyst, review_id=review.pk, decision="go", rationale="r", conditions=["x"]
        )
    gov.review_decide(
        actor=analyst,
        review_id=review.pk,
        decision="go_with_conditions",
        rationale="Fine.",
        conditions=[
            {
                "text": "Name a data owner",
                "owner_id": people["manager"].pk,
                "due_date": "2027-04-01",
            }
        ],
    )
    governed.refresh_from_db()
    assert governed.stage == "planning"
    condition = GateCondition.objects.get()
    assert (condition.state, condition.due_date) == ("open", dt.date(2027, 4, 1))
    with pytest.raises(ValidationFailed, match="Say how the condition was met"):
        gov.condition_close(actor=people["manager"], condition_id=condition.pk, note="")
    with pytest.raises(Forbidden):
        gov.condition_close(actor=people["member"], condition_id=condition.pk, note="done")
    gov.condition_close(actor=people["manager"], condition_id=condition.pk, note="Ada owns it.")
    condition.refresh_from_db()
    assert condition.state == "closed"
    with pytest.raises(Conflict, match="already closed"):
        gov.condition_close(actor=people["manager"], condition_id=condition.pk, note="again")


def test_decisions_need_a_pmo_reviewer_and_a_rationale(
    governed: Project, people: dict[str, Any], complete_charter: dict[str, Any]
) -> None:
    review = _requested(governed, people, complete_charter)
    for who in ("manager", "sponsor"):
        with pytest.raises(Forbidden, match="Only the PMO may decide gate reviews."):
            gov.review_decide(actor=people[who], review_id=review.pk, decision="go", rationale="r")
    with pytest.raises(ValidationFailed, match="Give the rationale"):
        gov.review_decide(
            actor=people["pmo_admin"], review_id=review.pk, decision="go", rationale=" "
        )
    with pytest.raises(ValidationFailed, match="Unknown decision 'maybe'"):
        gov.review_decide(
            actor=people["pmo_admin"], review_id=review.pk, decision="maybe", rationale="r"
        )
    gov.review_decide(
        actor=people["pmo_admin"], review_id=review.pk, decision="hold", rationale="r"
    )
    with pytest.raises(Conflict, match="is decided; only a requested review is decided"):
        gov.review_decide(
            actor=people["pmo_admin"], review_id=review.pk, decision="go", rationale="r"
        )


def test_a_plain_go_needs_the_criteria_still_met(
    governed: Project, people: dict[str, Any], complete_charter: dict[str, Any]
) -> None:
    review = _requested(governed, people, complete_charter)
    projects.charter_revise(actor=people["manager"], project_id=governed.pk)
    # the approved version stays in force, so the charter criterion still holds
    gov.review_decide(actor=people["pmo_admin"], review_id=review.pk, decision="go", rationale="r")
    CharterVersion.objects.filter(project=governed).update(state="draft")
    review2 = GateReview.objects.create(
        project=governed,
        methodology_version=review.methodology_version,
        stage="planning",
        requested_by=people["manager"],
    )
    with pytest.raises(Conflict, match="A plain go needs every criterion met"):
        gov.review_decide(
            actor=people["pmo_admin"], review_id=review2.pk, decision="go", rationale="r"
        )


def test_a_pmo_admin_overrides_with_a_reason_and_it_is_audited(
    governed: Project, people: dict[str, Any]
) -> None:
    with pytest.raises(Forbidden, match="Only a PMO admin may move a project on"):
        projects.project_stage_advance(
            actor=people["pmo_analyst"],
            project_id=governed.pk,
            to_stage="planning",
            override_reason="urgent",
        )
    with pytest.raises(ValidationFailed, match="An override needs the reason"):
        projects.project_stage_advance(
            actor=people["pmo_admin"],
            project_id=governed.pk,
            to_stage="planning",
            override_reason="   ",
        )
    waiting = GateReview.objects.create(
        project=governed,
        methodology_version=governed.governance.methodology_version,
        stage="initiation",
        requested_by=people["manager"],
    )
    projects.project_stage_advance(
        actor=people["pmo_admin"],
        project_id=governed.pk,
        to_stage="planning",
        override_reason="Board decision of 2 March, minutes ref. 12.",
    )
    waiting.refresh_from_db()
    assert waiting.state == "withdrawn"
    governed.refresh_from_db()
    assert governed.stage == "planning"
    override = StageOverride.objects.get()
    assert (override.from_stage, override.to_stage) == ("initiation", "planning")
    entry = AuditEntry.objects.get(object_type="governance.stageoverride")
    assert entry.note == "Stage override: Board decision of 2 March, minutes ref. 12."


def test_a_project_without_methodology_keeps_the_charter_rule(
    project: Project, people: dict[str, Any], complete_charter: dict[str, Any]
) -> None:
    with pytest.raises(Conflict, match="The charter must be approved"):
        projects.project_stage_advance(
            actor=people["manager"], project_id=project.pk, to_stage="planning"
        )
    approve_charter(project, people, complete_charter)
    projects.project_stage_advance(
        actor=people["manager"], project_id=project.pk, to_stage="planning"
    )


# --- tailoring and robustness ---------------------------------------------------------------


def test_tailoring_skips_criteria_and_says_why(
    governed: Project, people: dict[str, Any], complete_charter: dict[str, Any]
) -> None:
    Project.objects.filter(pk=governed.pk).update(size="small", risk_level="low")
    governed.refresh_from_db()
    status = gates.evaluate_gate(governed, "planning")
    assert status is not None
    skipped = {r.label: r.tailoring for r in status.results if not r.applies}
    assert skipped == {
        "Budget covers the plan": "Small projects are funded from the unit's running budget. "
        "(tailoring for size small)",
        "Risk register reviewed": "Low-risk projects review risks at the status meeting. "
        "(tailoring for risk low)",
    }
    assert [r.label for r in status.missing] == ["Baseline captured"]


def test_a_skipped_gate_lets_the_project_through(
    people: dict[str, Any], project: Project, complete_charter: dict[str, Any]
) -> None:
    admin = people["pmo_admin"]
    m = gov.methodology_create(actor=admin, name="Light")
    version = m.versions.get()
    init = stage_of(version, "initiation")
    gov.criterion_add(actor=admin, stage_id=init.pk, kind="automatic", key="charter_approved")
    gov.tailoring_rule_add(
        actor=admin,
        version_id=version.pk,
        effect="skip_gate",
        stage_id=init.pk,
        sizes=["small"],
        reason="Small projects start on the sponsor's word.",
    )
    gov.version_publish(actor=admin, version_id=version.pk)
    Project.objects.filter(pk=project.pk).update(size="small")
    gov.project_methodology_set(actor=people["manager"], project_id=project.pk, methodology_id=m.pk)
    with pytest.raises(Conflict, match="Initiation gate does not apply to PRJ-001: Small projects"):
        gov.review_request(actor=people["manager"], project_id=project.pk)
    projects.project_stage_advance(
        actor=people["manager"], project_id=project.pk, to_stage="planning"
    )


def test_a_missing_check_shows_unavailable_and_never_crashes(
    governed: Project, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = dict(criteria._REGISTRY)
    del registry["charter_approved"]
    monkeypatch.setattr(criteria, "_REGISTRY", registry)
    status = gates.evaluate_gate(governed, "initiation")
    assert status is not None
    first = status.results[0]
    assert (first.met, first.unavailable) == (False, True)
    assert first.detail == (
        "Criterion unavailable: the check 'charter_approved' is not installed; ask the PMO."
    )
    # unavailable criteria count for neither side of the score
    assert selectors.compliance_by_project([governed])[governed.pk] == 0.0


def test_a_failing_check_shows_unavailable(
    governed: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(project: Any, params: Any) -> criteria.Outcome:
        raise RuntimeError("db down")

    registry = dict(criteria._REGISTRY)
    registry["charter_approved"] = criteria.AutomaticCriterion(
        "charter_approved", "Charter", "", boom
    )
    monkeypatch.setattr(criteria, "_REGISTRY", registry)
    status = gates.evaluate_gate(governed, "initiation")
    assert status is not None
    assert "failed (RuntimeError)" in status.results[0].detail


def test_evidence_is_for_manual_criteria_of_the_projects_version(
    governed: Project, people: dict[str, Any]
) -> None:
    pm = people["manager"]
    auto = GateCriterion.objects.get(key="charter_approved")
    with pytest.raises(ValidationFailed, match="is checked automatically"):
        gov.evidence_record(
            actor=pm, project_id=governed.pk, criterion_id=auto.pk, kind="comment", comment="x"
        )
    manual = criterion_id(governed, "Business case signed")
    with pytest.raises(ValidationFailed, match="Give the link"):
        gov.evidence_record(
            actor=pm,
            project_id=governed.pk,
            criterion_id=manual,
            kind="link",
            url="javascript:alert(1)",
        )
    with pytest.raises(ValidationFailed, match="Choose a document of the project"):
        gov.evidence_record(
            actor=pm, project_id=governed.pk, criterion_id=manual, kind="document", document_id=999
        )
    with pytest.raises(Forbidden):
        gov.evidence_record(
            actor=people["member"],
            project_id=governed.pk,
            criterion_id=manual,
            kind="comment",
            comment="x",
        )
    other = build_methodology(people["pmo_admin"], name="Other")
    foreign = GateCriterion.objects.get(stage__version=other, label="Business case signed")
    with pytest.raises(ValidationFailed, match="not part of the methodology PRJ-001 follows"):
        gov.evidence_record(
            actor=pm, project_id=governed.pk, criterion_id=foreign.pk, kind="comment", comment="x"
        )


def test_checklist_ticks(governed: Project, people: dict[str, Any]) -> None:
    gov.checklist_tick(
        actor=people["manager"], project_id=governed.pk, stage="initiation", item="Kick-off held"
    )
    panel = selectors.gate_panel(governed)
    assert panel.checklist == [("Sponsor named", False), ("Kick-off held", True)]
    with pytest.raises(ValidationFailed, match="'Party' is not on the checklist of Initiation"):
        gov.checklist_tick(
            actor=people["manager"], project_id=governed.pk, stage="initiation", item="Party"
        )


def test_the_methodology_is_chosen_once_in_initiation(
    governed: Project, people: dict[str, Any], methodology: Any
) -> None:
    with pytest.raises(Conflict, match="already follows Stage-gate v1"):
        gov.project_methodology_set(
            actor=people["manager"], project_id=governed.pk, methodology_id=methodology.pk
        )


# --- templates ------------------------------------------------------------------------------

TEMPLATE = {
    "name": "Software release",
    "project_type": "it",
    "size": "medium",
    "risk_level": "medium",
    "tasks": [
        {"key": "A", "name": "Analysis", "duration": 5},
        {"key": "B", "name": "Build", "duration": 10},
        {"key": "B1", "name": "Backend", "duration": 8, "parent": "B"},
        {"key": "B2", "name": "Frontend", "duration": 6, "parent": "B"},
        {"key": "T", "name": "Test", "duration": 4},
        {"key": "G", "name": "Go-live", "duration": 0},
    ],
    "links": [
        {"predecessor": "A", "successor": "B1"},
        {"predecessor": "A", "successor": "B2"},
        {"predecessor": "B1", "successor": "T"},
        {"predecessor": "B2", "successor": "T"},
        {"predecessor": "T", "successor": "G"},
    ],
    "roles": [{"role": "Developer", "count": 2}, "Tester"],
    "risks": [{"title": "Key people unavailable", "probability": 3, "impact": 4}],
    "deliverables": ["Release notes", "Working software"],
    "checklist": ["Environments booked"],
}


def test_a_project_from_a_template_is_planned_by_the_engine(
    people: dict[str, Any], methodology: Any
) -> None:
    template = gov.template_create(
        actor=people["pmo_admin"], data={**TEMPLATE, "methodology_id": methodology.pk}
    )
    assert template.roles == [{"role": "Developer", "count": 2}, {"role": "Tester", "count": 1}]
    project = gov.project_create_from_template(
        actor=people["manager"],
        template_id=template.pk,
        start=START,
        code="REL-1",
        name="Release 1",
        sponsor_id=people["sponsor"].pk,
    )
    assert (project.project_type, project.manager_id) == ("it", people["manager"].pk)
    assert project.governance.methodology_version.methodology_id == methodology.pk
    tasks = {t.name: t for t in Task.objects.filter(project=project)}
    assert tasks["Analysis"].early_start == START
    assert tasks["Backend"].parent_id == tasks["Build"].pk
    assert tasks["Backend"].early_start == dt.date(2027, 3, 8)
    assert tasks["Go-live"].early_start == dt.date(2027, 3, 23)
    assert Dependency.objects.filter(project=project).count() == 5
    assert (project.planned_start, project.planned_finish) == (START, dt.date(2027, 3, 23))
    assert list(project.risks.values_list("title", flat=True)) == ["Key people unavailable"]
    assert CharterVersion.objects.get(project=project).deliverables == [
        "Release notes",
        "Working software",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tasks": [{"key": "A", "name": "x", "parent": "Z"}]}, "parent 'Z' is not an earlier"),
        ({"tasks": [{"key": "A", "name": ""}]}, "it needs a name"),
        ({"tasks": [{"key": "A", "name": "x", "duration": -1}]}, "whole working days"),
        ({"links": [{"predecessor": "A", "successor": "Q"}]}, "no task 'Q'"),
        ({"risks": [{"title": "r", "impact": 9}]}, "impact is a score from 1 to 5"),
    ],
)
def test_templates_are_validated(
    people: dict[str, Any], change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message):
        gov.template_create(actor=people["pmo_admin"], data={**TEMPLATE, **change})


def test_only_the_pmo_defines_templates(people: dict[str, Any]) -> None:
    with pytest.raises(Forbidden, match="Only the PMO may define project templates."):
        gov.template_create(actor=people["manager"], data=TEMPLATE)


def test_a_template_of_a_methodology_without_published_version_is_refused(
    people: dict[str, Any],
) -> None:
    m = gov.methodology_create(actor=people["pmo_admin"], name="Draft only")
    template = gov.template_create(
        actor=people["pmo_admin"], data={**TEMPLATE, "methodology_id": m.pk}
    )
    with pytest.raises(Conflict, match="Draft only has no published version yet"):
        gov.project_create_from_template(
            actor=people["manager"], template_id=template.pk, start=START, code="X-1", name="X"
        )
    assert not Project.objects.filter(code="X-1").exists()


# --- compliance -----------------------------------------------------------------------------


def test_compliance_score_heatmap_and_snapshot(
    governed: Project, people: dict[str, Any], complete_charter: dict[str, Any], project: Project
) -> None:
    other = projects.project_create(actor=people["manager"], code="PRJ-002", name="Ungoverned")
    assert selectors.compliance_by_project([governed, other]) == {
        governed.pk: 0.0,
        other.pk: None,
    }
    approve_charter(governed, people, complete_charter)
    assert selectors.compliance_by_project([governed])[governed.pk] == 75.0
    rows = selectors.compliance_heatmap(people["pmo_admin"])
    assert [r.project.code for r in rows] == ["PRJ-001"]
    cells = rows[0].cells
    assert cells["Charter approved"].met and not cells["Business case signed"].met
    assert gov.compliance_snapshot_take() == 1
    snap = ComplianceSnapshot.objects.get()
    assert (snap.score, snap.results) == (
        75.0,
        {"Charter approved": True, "Business case signed": False},
    )
    # the heat map shows a person only the projects they see
    assert selectors.compliance_heatmap(people["outsider"]) == []


def test_compliance_by_project_reads_in_few_queries(
    governed: Project, people: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        selectors.compliance_by_project([governed])
