"""Change requests, issues and the inbox over the API: who may do what, answers, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from pmo.changes import services
from pmo.core.notifications import notify

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ("pmo_admin", "sponsor", "manager", "member", "viewer", "client", "outsider", "anonymous")


def _cr(project: Any, people: Any, plan: Any, days: int = 12) -> Any:
    return services.change_create(
        actor=people["manager"],
        project_id=project.pk,
        data={
            "title": "Longer build",
            "description": "SSO",
            "edits": [{"kind": "duration", "task_id": plan["Build"].pk, "duration": days}],
        },
    )


def _issue(project: Any, people: Any) -> Any:
    return services.issue_create(
        actor=people["manager"], project_id=project.pk, data={"title": "Vendor late"}
    )


# (name, method, url(ctx), body(ctx), expected per role in ROLES order)
MATRIX: list[tuple[str, str, Any, Any, tuple[int, ...]]] = [
    ("change_list", "get", lambda c: f"/projects/{c['p']}/changes", None,
     (200, 200, 200, 200, 200, 404, 404, 401)),
    ("change_create", "post", lambda c: f"/projects/{c['p']}/changes",
     lambda c: {"title": "T", "description": "D",
                "edits": [{"kind": "duration", "task_id": c["build"], "duration": 11}]},
     (201, 201, 201, 201, 201, 404, 404, 401)),
    ("change_get", "get", lambda c: f"/projects/{c['p']}/changes/{c['cr']}", None,
     (200, 200, 200, 200, 200, 404, 404, 401)),
    ("change_preview_refresh", "post", lambda c: f"/projects/{c['p']}/changes/{c['cr']}/preview",
     None, (200, 200, 200, 200, 200, 404, 404, 401)),
    ("change_decide", "post", lambda c: f"/projects/{c['p']}/changes/{c['cr']}/decision",
     lambda c: {"decision": "approve"}, (200, 200, 200, 403, 403, 404, 404, 401)),
    ("change_withdraw", "post", lambda c: f"/projects/{c['p']}/changes/{c['cr']}/withdraw", None,
     (200, 403, 200, 403, 403, 404, 404, 401)),
    ("change_thresholds_get", "get", lambda c: f"/projects/{c['p']}/change-thresholds", None,
     (200, 200, 200, 200, 200, 404, 404, 401)),
    ("change_thresholds_set", "put", lambda c: f"/projects/{c['p']}/change-thresholds",
     lambda c: {"max_days": 3, "max_cost": "100"}, (200, 403, 403, 403, 403, 404, 404, 401)),
    ("issue_list", "get", lambda c: f"/projects/{c['p']}/issues", None,
     (200, 200, 200, 200, 200, 404, 404, 401)),
    ("issue_create", "post", lambda c: f"/projects/{c['p']}/issues", lambda c: {"title": "X"},
     (201, 403, 201, 403, 403, 404, 404, 401)),
    ("issue_get", "get", lambda c: f"/projects/{c['p']}/issues/{c['issue']}", None,
     (200, 200, 200, 200, 200, 404, 404, 401)),
    ("issue_update", "patch", lambda c: f"/projects/{c['p']}/issues/{c['issue']}",
     lambda c: {"version": 1, "priority": "high"}, (200, 403, 200, 403, 403, 404, 404, 401)),
    ("issue_escalate", "post", lambda c: f"/projects/{c['p']}/issues/{c['issue']}/escalate",
     lambda c: {"ask": "Help"}, (200, 403, 200, 403, 403, 404, 404, 401)),
    ("escalation_queue", "get", lambda c: "/escalations", None,
     (200, 200, 200, 200, 200, 200, 200, 401)),
    ("notification_list", "get", lambda c: "/notifications", None,
     (200, 200, 200, 200, 200, 200, 200, 401)),
    ("notification_unread", "get", lambda c: "/notifications/unread", None,
     (200, 200, 200, 200, 200, 200, 200, 401)),
    ("notification_mark_read", "post", lambda c: f"/notifications/{c['note']}/read",
     lambda c: {"read": True}, (404, 404, 200, 404, 404, 404, 404, 401)),
    ("notification_mark_all_read", "post", lambda c: "/notifications/read-all", lambda c: {},
     (200, 200, 200, 200, 200, 200, 200, 401)),
    ("notification_preferences_get", "get", lambda c: "/notification-preferences", None,
     (200, 200, 200, 200, 200, 200, 200, 401)),
    ("notification_preferences_update", "patch", lambda c: "/notification-preferences",
     lambda c: {"issue": "digest"}, (200, 200, 200, 200, 200, 200, 200, 401)),
]  # fmt: skip


@pytest.mark.parametrize("case", MATRIX, ids=[m[0] for m in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(case, role, project, people, plan, api_as):
    name, method, url, body, expected = case
    ctx = {"p": project.pk, "build": plan["Build"].pk}
    ctx["cr"] = _cr(project, people, plan).pk
    ctx["issue"] = _issue(project, people).pk
    with transaction.atomic():
        ctx["note"] = notify(users=[people["manager"]], subject="For the PM", body="")[0].pk
    client = api_as(role)
    path = "/api/v1" + url(ctx)
    if body and method == "post" and not body(ctx):
        response = client.post(path, "{}", content_type="application/json")
    elif body:
        response = getattr(client, method)(path, body(ctx), content_type="application/json")
    else:
        response = getattr(client, method)(path)
    want = expected[ROLES.index(role)]
    assert response.status_code == want, (name, role, response.content)
    if want >= 400:
        assert response["Content-Type"] == "application/problem+json"


def test_issue_response_only_by_the_pmo(project, people, plan, api_as):
    issue = _issue(project, people)
    services.issue_escalate(
        actor=people["manager"], project_id=project.pk, issue_id=issue.pk, ask="?"
    )
    url = f"/api/v1/projects/{project.pk}/issues/{issue.pk}/response"
    for role, status in (("manager", 403), ("sponsor", 403), ("outsider", 404)):
        r = api_as(role).post(url, {"response": "ok"}, content_type="application/json")
        assert r.status_code == status
    queue = api_as("pmo_admin").get("/api/v1/escalations").json()
    assert [row["number"] for row in queue["items"]] == [1]
    r = api_as("pmo_analyst").post(url, {"response": "ok"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["escalation"] == "answered"
    assert api_as("pmo_admin").get("/api/v1/escalations").json()["items"] == []


def test_decision_on_a_moved_plan_answers_409(project, people, plan, api_as):
    cr = _cr(project, people, plan)
    from pmo.planning import services as planning

    planning.task_update(
        actor=people["manager"], project_id=project.pk, task_id=plan["Design"].pk,
        version=None, data={"duration": 9},
    )  # fmt: skip
    url = f"/api/v1/projects/{project.pk}/changes/{cr.pk}/decision"
    r = api_as("manager").post(url, {"decision": "approve"}, content_type="application/json")
    assert r.status_code == 409 and "refresh the preview" in r.json()["detail"]


def test_inbox_only_ones_own_and_mark_read(people, api_as):
    with transaction.atomic():
        (mine,) = notify(users=[people["member"]], subject="Mine", body="")
        (theirs,) = notify(users=[people["manager"]], subject="Theirs", body="")
    member = api_as("member")
    items = member.get("/api/v1/notifications").json()["items"]
    assert [i["subject"] for i in items] == ["Mine"]
    r = member.post(f"/api/v1/notifications/{theirs.pk}/read", {}, content_type="application/json")
    assert r.status_code == 404
    r = member.post(f"/api/v1/notifications/{mine.pk}/read", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["read_at"]
    assert member.get("/api/v1/notifications/unread").json() == {"unread": 0}
    r = member.patch(
        "/api/v1/notification-preferences", {"issue": "pigeon"}, content_type="application/json"
    )
    assert r.status_code == 422


@pytest.mark.parametrize("what", ["changes", "issues"])
def test_lists_take_constant_queries(project, people, plan, api_as, what):
    client = api_as("manager")
    url = f"/api/v1/projects/{project.pk}/{what}"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    make = (
        (lambda: _cr(project, people, plan))
        if what == "changes"
        else (lambda: _issue(project, people))
    )
    make()
    count()  # the first call of a token records its use
    one = count()
    for _ in range(4):
        make()
    assert count() == one


def test_matrix_covers_every_operation():
    from pmo.api import changes, notifications

    operations = {
        op.operation_id
        for router in (changes.router, notifications.router)
        for view in router.path_operations.values()
        for op in view.operations
    }
    # the PMO's response needs an escalated issue: test_issue_response_only_by_the_pmo
    assert operations == {m[0] for m in MATRIX} | {"issue_respond"}
