"""Governance pages: the gate panel, the editor, templates, the review queue, the heat map."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from pmo.governance import services as gov
from pmo.governance.models import GateReview, ProjectTemplate, StageDefinition
from pmo.projects.models import Project

from .conftest import START, approve_charter, criterion_id
from .test_api import TEMPLATE

pytestmark = pytest.mark.django_db


def _as(people: dict[str, Any], who: str) -> Client:
    client = Client()
    client.force_login(people[who])
    return client


def test_the_gate_panel_shows_what_is_missing_and_why(
    governed: Project, people: dict[str, Any]
) -> None:
    Project.objects.filter(pk=governed.pk).update(size="small")
    page = _as(people, "manager").get(f"/projects/{governed.pk}/").content.decode()
    assert "Initiation gate" in page
    assert "Charter version 1 is draft; the sponsor has not approved it." in page
    assert "No evidence recorded yet" in page
    assert "<strong>charter</strong>" in page and "<script>alert" not in page
    assert "Request the gate review" in page
    # the stage button refuses and says what is missing
    r = _as(people, "manager").post(
        f"/projects/{governed.pk}/stage/", {"to_stage": "planning"}, follow=True
    )
    assert "only through a passed Initiation gate" in r.content.decode()
    # the client sees no gate panel
    assert (
        "Initiation gate"
        not in _as(people, "client").get(f"/projects/{governed.pk}/").content.decode()
    )


def test_request_decide_and_advance_through_the_pages(
    governed: Project, people: dict[str, Any], complete_charter: dict[str, Any]
) -> None:
    pm, analyst = _as(people, "manager"), _as(people, "pmo_analyst")
    approve_charter(governed, people, complete_charter)
    url = f"/projects/{governed.pk}/gates/"
    r = pm.post(url, {"action": "request"}, follow=True)
    assert "missing: Business case signed" in r.content.decode()
    pm.post(url, {"action": "evidence", "kind": "link", "url": "https://example.org/case",
                  "criterion_id": criterion_id(governed, "Business case signed")})  # fmt: skip
    r = pm.post(url, {"action": "request", "note": "Ready"}, follow=True)
    assert "Gate review requested" in r.content.decode()
    review = GateReview.objects.get()
    assert pm.get("/governance/reviews/").status_code == 403
    page = analyst.get("/governance/reviews/").content.decode()
    assert "PRJ-001 Customer portal" in page and "Ready" in page
    r = analyst.post("/governance/reviews/", {"review_id": review.pk, "decision": "go",
                                              "rationale": ""}, follow=True)  # fmt: skip
    assert "Give the rationale" in r.content.decode()
    r = analyst.post("/governance/reviews/", {"review_id": review.pk, "decision": "go",
                                              "rationale": "In order."}, follow=True)  # fmt: skip
    assert "the project is in Planning" in r.content.decode()
    governed.refresh_from_db()
    assert governed.stage == "planning"


def test_the_admin_override_on_the_page(governed: Project, people: dict[str, Any]) -> None:
    url = f"/projects/{governed.pk}/gates/"
    r = _as(people, "manager").post(url, {"action": "override", "reason": "x"}, follow=True)
    assert "Only a PMO admin may move a project on" in r.content.decode()
    r = _as(people, "pmo_admin").post(url, {"action": "override", "reason": ""}, follow=True)
    assert "An override needs the reason" in r.content.decode()
    r = _as(people, "pmo_admin").post(
        url, {"action": "override", "reason": "Board minutes 12"}, follow=True
    )
    assert "Override recorded" in r.content.decode()
    governed.refresh_from_db()
    assert governed.stage == "planning"


def test_the_methodology_editor(people: dict[str, Any]) -> None:
    admin = _as(people, "pmo_admin")
    r = admin.post("/governance/", {"name": "Lean gates"}, follow=True)
    assert r.status_code == 200 and "Lean gates v1" in r.content.decode()
    version = r.context["version"]
    stage = StageDefinition.objects.get(version=version, stage="initiation")
    url = f"/governance/versions/{version.pk}/"
    admin.post(url, {"action": "criterion", "stage_id": stage.pk, "kind": "automatic",
                     "key": "charter_approved", "weight": "2"})  # fmt: skip
    r = admin.post(url, {"action": "criterion", "stage_id": stage.pk, "kind": "automatic",
                         "key": "baseline_exists", "params": "{bad"}, follow=True)  # fmt: skip
    assert "The settings must be an object" in r.content.decode()
    admin.post(url, {"action": "rule", "effect": "skip_gate", "target": f"s{stage.pk}",
                     "sizes": ["small"], "reason": "Small ones start at once."})  # fmt: skip
    r = admin.post(url, {"action": "publish"}, follow=True)
    page = r.content.decode()
    assert "published; new projects follow it" in page and "Small ones start at once." in page
    assert _as(people, "pmo_analyst").post(url, {"action": "draft"}).status_code == 403
    assert _as(people, "client").get(url).status_code == 404


def test_templates_and_a_project_from_one(people: dict[str, Any], methodology: Any) -> None:
    admin = _as(people, "pmo_admin")
    form = {
        "name": "Web release", "methodology_id": methodology.pk, "project_type": "it",
        "size": "medium", "risk_level": "medium",
        "tasks": "A | Analysis | 5\nB | Build | 10\nC | Test | 3",
        "links": "A | B\nB | C | FS | 1", "roles": "Developer | 2",
        "risks": "Vendor late | 3 | 4", "deliverables": "Release notes", "checklist": "Book rooms",
    }  # fmt: skip
    r = admin.post("/governance/templates/new/", {**form, "tasks": "A | Analysis | five"},
                   follow=True)  # fmt: skip
    assert "&#x27;five&#x27; is not a whole number" in r.content.decode()
    r = admin.post("/governance/templates/new/", form, follow=True)
    template = ProjectTemplate.objects.get()
    assert template.links[1] == {"predecessor": "B", "successor": "C", "type": "FS", "lag": 1}
    assert "Vendor late" in r.content.decode()
    pm = _as(people, "manager")
    r = pm.post(
        f"/governance/templates/{template.pk}/use/",
        {"code": "WEB-1", "name": "Web 1", "start": START.isoformat()},
        follow=True,
    )
    assert "created from &#x27;Web release&#x27;" in r.content.decode()
    project = Project.objects.get(code="WEB-1")
    assert project.tasks.count() == 3
    assert "Follows" in r.content.decode() and "1 × Developer" not in r.content.decode()
    assert "2 × Developer" in r.content.decode()
    assert _as(people, "member").get(f"/governance/templates/{template.pk}/use/").status_code == 403


def test_the_heat_map_drill_down_and_exports(
    governed: Project, people: dict[str, Any], complete_charter: dict[str, Any]
) -> None:
    approve_charter(governed, people, complete_charter)
    gov.compliance_snapshot_take()
    admin = _as(people, "pmo_admin")
    page = admin.get(f"/governance/compliance/?project={governed.pk}").content.decode()
    assert "75.0 %" in page and "compliance-trend" in page
    assert "Charter version 1 is approved." in page
    csv_text = admin.get("/governance/compliance.csv").content.decode()
    assert csv_text.splitlines()[0] == (
        "Project,Name,Stage,Compliance %,Charter approved,Business case signed"
    )
    assert csv_text.splitlines()[1] == "PRJ-001,Customer portal,Initiation,75.0,met,missing"
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(admin.get("/governance/compliance.xlsx").content))
    assert book.active["D2"].value == 75.0
    assert admin.get("/governance/compliance.pdf").status_code == 404
    # someone who sees no governed project gets an empty map
    assert (
        "No visible project"
        in _as(people, "outsider").get("/governance/compliance/").content.decode()
    )


def test_pages_render_for_the_pmo(people: dict[str, Any], methodology: Any) -> None:
    gov.template_create(actor=people["pmo_admin"], data=TEMPLATE)
    admin = _as(people, "pmo_admin")
    for url in ("/governance/", "/governance/reviews/", "/governance/compliance/",
                f"/governance/versions/{methodology.versions.get().pk}/"):  # fmt: skip
        assert admin.get(url).status_code == 200, url
    template = ProjectTemplate.objects.get()
    base = f"/governance/templates/{template.pk}/"
    for url in (base, f"{base}edit/", f"{base}use/"):
        assert admin.get(url).status_code == 200, url
    assert _as(people, "client").get("/governance/").status_code == 404


def test_the_overview_with_its_gate_panel_takes_few_queries(
    governed: Project, people: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    pm = _as(people, "manager")
    pm.get(f"/projects/{governed.pk}/")
    with django_assert_max_num_queries(32):
        assert pm.get(f"/projects/{governed.pk}/").status_code == 200
    with django_assert_max_num_queries(18):
        assert pm.get(f"/api/v1/projects/{governed.pk}/gates").status_code == 200
