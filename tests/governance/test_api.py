"""Governance over the API: who may do what on every operation, answers, the stage rule."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from pmo.governance import services as gov
from pmo.governance.models import GateCondition, GateReview, Methodology, StageDefinition

from .conftest import START, approve_charter, criterion_id, pass_initiation
from .test_services import TEMPLATE as SERVICE_TEMPLATE

TEMPLATE = {**SERVICE_TEMPLATE, "roles": [{"role": "Developer", "count": 2}]}

pytestmark = pytest.mark.django_db

ROLES = ("pmo_admin", "pmo_analyst", "sponsor", "manager", "member", "client", "outsider",
         "anonymous")  # fmt: skip

ALL = (200, 200, 200, 200, 200, 200, 200, 401)
ADMIN = ((200,) + (403,) * 6) + (401,)

# (operation, method, url(ctx), body(ctx), expected per role in ROLES order)
MATRIX: list[tuple[str, str, Any, Any, tuple[int, ...]]] = [
    ("gate_check_list", "get", lambda c: "/governance/criteria", None, ALL),
    ("methodology_list", "get", lambda c: "/governance/methodologies", None, ALL),
    ("methodology_create", "post", lambda c: "/governance/methodologies",
     lambda c: {"name": "New way"}, (201,) + ADMIN[1:]),
    ("methodology_version_get", "get", lambda c: f"/governance/versions/{c['draft']}", None, ALL),
    ("methodology_version_draft", "post", lambda c: f"/governance/methodologies/{c['m']}/versions",
     lambda c: {"notes": "v2"}, (201,) + ADMIN[1:]),
    ("methodology_version_publish", "post", lambda c: f"/governance/versions/{c['draft']}/publish",
     None, ADMIN),
    ("stage_definition_update", "patch", lambda c: f"/governance/stages/{c['stage']}",
     lambda c: {"guidance": "Do *this*.", "checklist": ["One"]}, ADMIN),
    ("gate_criterion_add", "post", lambda c: f"/governance/stages/{c['stage']}/criteria",
     lambda c: {"kind": "automatic", "key": "baseline_exists", "weight": 2}, (201,) + ADMIN[1:]),
    ("gate_criterion_remove", "delete", lambda c: f"/governance/criteria/{c['criterion']}", None,
     (204,) + ADMIN[1:]),
    ("tailoring_rule_add", "post", lambda c: f"/governance/versions/{c['draft']}/tailoring",
     lambda c: {"effect": "skip_gate", "stage_id": c["stage"], "sizes": ["small"],
                "reason": "Small projects start on the sponsor's word."}, (201,) + ADMIN[1:]),
    ("tailoring_rule_remove", "delete", lambda c: f"/governance/tailoring/{c['rule']}", None,
     (204,) + ADMIN[1:]),
    ("project_template_list", "get", lambda c: "/governance/templates", None, ALL),
    ("project_template_create", "post", lambda c: "/governance/templates",
     lambda c: {**TEMPLATE, "name": "Another"}, (201, 201, 403, 403, 403, 403, 403, 401)),
    ("project_template_update", "patch", lambda c: f"/governance/templates/{c['template']}",
     lambda c: {"version": 1, "description": "Better"}, (200, 200, 403, 403, 403, 403, 403, 401)),
    ("project_create_from_template", "post",
     lambda c: f"/governance/templates/{c['template']}/projects",
     lambda c: {"code": "REL-9", "name": "Release 9", "start": START.isoformat()},
     (201, 201, 403, 201, 403, 403, 201, 401)),
    ("project_gates", "get", lambda c: f"/projects/{c['p']}/gates", None,
     (200, 200, 200, 200, 200, 404, 404, 401)),
    ("project_methodology_set", "post", lambda c: f"/projects/{c['p']}/methodology",
     lambda c: {"methodology_id": c["m"]}, (409, 409, 403, 409, 403, 404, 404, 401)),
    ("gate_evidence_record", "post", lambda c: f"/projects/{c['p']}/gates/evidence",
     lambda c: {"criterion_id": c["manual"], "kind": "comment", "comment": "Signed."},
     (201, 201, 403, 201, 403, 404, 404, 401)),
    ("gate_checklist_tick", "post", lambda c: f"/projects/{c['p']}/gates/checklist",
     lambda c: {"stage": "initiation", "item": "Kick-off held"},
     (200, 200, 403, 200, 403, 404, 404, 401)),
    ("gate_review_request", "post", lambda c: f"/projects/{c['p']}/gates/reviews",
     lambda c: {"note": "again"}, (409, 409, 403, 409, 403, 404, 404, 401)),
    ("gate_review_queue", "get", lambda c: "/governance/reviews", None,
     (200, 200, 403, 403, 403, 403, 403, 401)),
    ("gate_review_decide", "post", lambda c: f"/governance/reviews/{c['review']}/decision",
     lambda c: {"decision": "hold", "rationale": "Not yet."},
     (200, 200, 403, 403, 403, 403, 403, 401)),
    ("gate_review_withdraw", "post", lambda c: f"/governance/reviews/{c['review']}/withdraw",
     None, (200, 200, 403, 200, 403, 404, 404, 401)),
    ("gate_condition_close", "post", lambda c: f"/governance/conditions/{c['condition']}/close",
     lambda c: {"note": "Done."}, (200, 200, 403, 200, 403, 404, 404, 401)),
    ("compliance_heatmap", "get", lambda c: "/governance/compliance", None, ALL),
]  # fmt: skip


@pytest.fixture
def ctx(governed: Any, people: dict[str, Any], methodology: Methodology) -> dict[str, Any]:
    admin = people["pmo_admin"]
    drafty = gov.methodology_create(actor=admin, name="Drafty")
    draft = drafty.versions.get()
    stage = StageDefinition.objects.get(version=draft, stage="planning")
    item = gov.criterion_add(
        actor=admin, stage_id=stage.pk, kind="manual", label="Plan walkthrough"
    )
    rule = gov.tailoring_rule_add(
        actor=admin,
        version_id=draft.pk,
        effect="skip_criterion",
        criterion_id=item.pk,
        reason="Small projects skip the walkthrough.",
        sizes=["small"],
    )
    template = gov.template_create(actor=admin, data={**TEMPLATE, "methodology_id": methodology.pk})
    review = GateReview.objects.create(
        project=governed,
        methodology_version=governed.governance.methodology_version,
        stage=governed.stage,
        requested_by=people["manager"],
    )
    decided = GateReview.objects.create(
        project=governed,
        methodology_version=governed.governance.methodology_version,
        stage="initiation",
        state="decided",
        decision="go_with_conditions",
        rationale="ok",
    )
    condition = GateCondition.objects.create(review=decided, text="Name a data owner")
    return {
        "p": governed.pk, "m": methodology.pk, "draft": draft.pk, "stage": stage.pk,
        "criterion": item.pk, "rule": rule.pk, "template": template.pk, "review": review.pk,
        "condition": condition.pk, "manual": criterion_id(governed, "Business case signed"),
    }  # fmt: skip


def _client(people: dict[str, Any], who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(people[who])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role: str, ctx: dict[str, Any], people: dict[str, Any]) -> None:
    client = _client(people, role)
    failures = []
    for name, method, url, body, expected in MATRIX:
        want = expected[ROLES.index(role)]
        path = "/api/v1" + url(ctx)
        with transaction.atomic():  # each operation starts from the same data
            if body is not None:
                response = getattr(client, method)(path, body(ctx), content_type="application/json")
            elif method == "post":
                response = client.post(path, "{}", content_type="application/json")
            else:
                response = getattr(client, method)(path)
            transaction.set_rollback(True)
        if response.status_code != want:
            failures.append((name, response.status_code, want, response.content[:300]))
        elif want >= 400:
            assert response["Content-Type"] == "application/problem+json", name
    assert not failures, failures


def test_matrix_covers_every_operation() -> None:
    from pmo.api import governance

    operations = {
        op.operation_id
        for view in governance.router.path_operations.values()
        for op in view.operations
    }
    assert operations == {m[0] for m in MATRIX}


def test_the_stage_rule_over_the_api(
    governed: Any, people: dict[str, Any], complete_charter: dict[str, Any]
) -> None:
    url = f"/api/v1/projects/{governed.pk}/stage"
    pm = _client(people, "manager")
    r = pm.post(url, {"to_stage": "planning"}, content_type="application/json")
    assert r.status_code == 409
    body = r.json()
    assert body["detail"].startswith("PRJ-001 leaves initiation only through a passed Initiation")
    assert [m["label"] for m in body["missing"]] == ["Charter approved", "Business case signed"]
    r = pm.post(url, {"to_stage": "planning", "override_reason": "Because I say so"},
                content_type="application/json")  # fmt: skip
    assert r.status_code == 403
    admin = _client(people, "pmo_admin")
    r = admin.post(url, {"to_stage": "planning", "override_reason": "Board minutes 12"},
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and r.json()["stage"] == "planning"


def test_request_and_decide_over_the_api(
    governed: Any, people: dict[str, Any], complete_charter: dict[str, Any]
) -> None:
    pm = _client(people, "manager")
    r = pm.post(
        f"/api/v1/projects/{governed.pk}/gates/reviews", {}, content_type="application/json"
    )
    assert r.status_code == 409
    assert [m["label"] for m in r.json()["missing"]] == ["Charter approved", "Business case signed"]
    approve_charter(governed, people, complete_charter)
    r = pm.post(
        f"/api/v1/projects/{governed.pk}/gates/evidence",
        {"criterion_id": criterion_id(governed, "Business case signed"), "kind": "link",
         "url": "https://example.org/case"},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 201
    gates = pm.get(f"/api/v1/projects/{governed.pk}/gates").json()
    assert gates["current_gate"]["ready"] is True and gates["compliance"] == 100.0
    assert gates["deliverables"] == ["Charter", "Business case"]
    assert "<strong>charter</strong>" in gates["guidance_html"]
    r = pm.post(
        f"/api/v1/projects/{governed.pk}/gates/checklist",
        {"stage": "initiation", "item": "Sponsor named"},
        content_type="application/json",
    )
    assert r.json()["checklist"] == [{"item": "Sponsor named", "done": True},
                                     {"item": "Kick-off held", "done": False}]  # fmt: skip
    r = pm.post(f"/api/v1/projects/{governed.pk}/gates/reviews", {"note": "Ready"},
                content_type="application/json")  # fmt: skip
    assert r.status_code == 201
    review = r.json()["id"]
    analyst = _client(people, "pmo_analyst")
    assert [q["id"] for q in analyst.get("/api/v1/governance/reviews").json()] == [review]
    r = analyst.post(
        f"/api/v1/governance/reviews/{review}/decision",
        {"decision": "go", "rationale": ""},
        content_type="application/json",
    )
    assert r.status_code == 422
    r = analyst.post(f"/api/v1/governance/reviews/{review}/decision",
                     {"decision": "go_with_conditions", "rationale": "Fine",
                      "conditions": [{"text": "Name a data owner", "due_date": "2027-04-01"}]},
                     content_type="application/json")  # fmt: skip
    assert r.status_code == 200
    assert r.json()["decision"] == "go_with_conditions"
    assert r.json()["conditions"][0]["state"] == "open"
    governed.refresh_from_db()
    assert governed.stage == "planning"


def test_a_project_from_a_template_over_the_api(
    people: dict[str, Any], methodology: Methodology
) -> None:
    admin = _client(people, "pmo_admin")
    r = admin.post("/api/v1/governance/templates",
                   {**TEMPLATE, "methodology_id": methodology.pk, "tasks": [
                       {"key": "A", "name": "A", "duration": 3, "parent": "B"}]},
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 422 and "parent 'B' is not an earlier task" in r.json()["detail"]
    r = admin.post("/api/v1/governance/templates", {**TEMPLATE, "methodology_id": methodology.pk},
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 201
    pm = _client(people, "manager")
    r = pm.post(f"/api/v1/governance/templates/{r.json()['id']}/projects",
                {"code": "REL-2", "name": "Release 2", "start": "2027-03-01"},
                content_type="application/json")  # fmt: skip
    assert r.status_code == 201 and r.json()["stage"] == "initiation"
    gates = pm.get(f"/api/v1/projects/{r.json()['id']}/gates").json()
    assert gates["methodology"] == "Stage-gate v1"


def test_gates_of_a_passed_project(
    governed: Any, people: dict[str, Any], complete_charter: dict[str, Any]
) -> None:
    pass_initiation(governed, people, complete_charter)
    gates = _client(people, "sponsor").get(f"/api/v1/projects/{governed.pk}/gates").json()
    assert gates["stage"] == "planning"
    assert gates["current_gate"]["name"] == "Planning gate"
    assert [r["decision"] for r in gates["reviews"]] == ["go"]
