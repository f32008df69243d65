"""The support context over the API: who may do what, answers, refusals, query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pmo.accounts.services import api_token_create
from pmo.support import services

pytestmark = pytest.mark.django_db

ROLES = (
    "pmo_admin", "pmo_analyst", "sponsor", "manager", "member", "viewer", "client", "outsider",
    "anonymous",
)  # fmt: skip
LESSON = {"category": "risk", "what_happened": "A", "recommendation": "B", "tags": ["x"]}


@pytest.fixture
def api_as(people: dict[str, Any]) -> Any:
    def as_(who: str) -> Client:
        if who == "anonymous":
            return Client()
        _, raw = api_token_create(user=people[who], name="tests")
        return Client(headers={"authorization": f"Bearer {raw}"})

    return as_


@pytest.fixture
def ctx(project: Any, people: dict[str, Any], article: Any, lesson: Any) -> dict[str, int]:
    track = services.track_create(
        actor=people["pmo_admin"], name="New PMs", items=[{"title": "Meet the PMO"}]
    )
    onboarding = services.onboarding_assign(
        actor=people["pmo_admin"],
        track_id=track.pk,
        manager_id=people["outsider"].pk,
        mentor_id=people["manager"].pk,
        start=dt.date(2027, 1, 4),
    )
    return {
        "p": project.pk,
        "a": article.pk,
        "l": lesson.pk,
        "t": track.pk,
        "o": onboarding.pk,
        "i": onboarding.items.get().pk,
        "member": people["member"].pk,
        "sponsor": people["sponsor"].pk,
        "outsider": people["outsider"].pk,
    }


READ_ALL = (200, 200, 200, 200, 200, 200, 404, 200, 401)
INSIDE = (200, 200, 200, 200, 200, 200, 404, 404, 401)
PMO_ONLY = (200, 200, 403, 403, 403, 403, 404, 403, 401)
ONBOARDING = (200, 200, 404, 200, 404, 404, 404, 200, 401)

# (name, method, url(ctx), body(ctx), expected per role in ROLES order)
MATRIX: list[tuple[str, str, Any, Any, tuple[int, ...]]] = [
    ("article_list", "get", lambda c: "/support/articles?q=objective", None, READ_ALL),
    ("article_create", "post", lambda c: "/support/articles",
     lambda c: {"title": "Gates", "body": "How gates work", "tags": ["Planning"]},
     (201, 201, 403, 403, 403, 403, 404, 403, 401)),
    ("article_get", "get", lambda c: f"/support/articles/{c['a']}", None, READ_ALL),
    ("article_update", "patch", lambda c: f"/support/articles/{c['a']}",
     lambda c: {"version": 1, "summary": "New"}, PMO_ONLY),
    ("article_delete", "delete", lambda c: f"/support/articles/{c['a']}", None,
     (204, 204, 403, 403, 403, 403, 404, 403, 401)),
    ("lesson_list", "get", lambda c: "/support/lessons?q=vendor&category=procurement", None,
     READ_ALL),
    ("lesson_record", "post", lambda c: "/support/lessons",
     lambda c: {**LESSON, "project_id": c["p"]}, (201, 201, 201, 201, 201, 403, 404, 404, 401)),
    ("lesson_get", "get", lambda c: f"/support/lessons/{c['l']}", None, READ_ALL),
    ("lesson_update", "patch", lambda c: f"/support/lessons/{c['l']}",
     lambda c: {"version": 1, "impact": "Less"}, (200, 200, 403, 200, 403, 403, 404, 403, 401)),
    ("lesson_delete", "delete", lambda c: f"/support/lessons/{c['l']}", None,
     (204, 204, 403, 403, 403, 403, 404, 403, 401)),
    ("project_lesson_list", "get", lambda c: f"/projects/{c['p']}/lessons", None, INSIDE),
    ("project_lesson_suggestions", "get", lambda c: f"/projects/{c['p']}/lesson-suggestions",
     None, INSIDE),
    ("track_list", "get", lambda c: "/support/onboarding-tracks", None, PMO_ONLY),
    ("track_create", "post", lambda c: "/support/onboarding-tracks",
     lambda c: {"name": "Seniors", "items": [{"title": "Coach a PM", "offset_days": 30}]},
     (201, 201, 403, 403, 403, 403, 404, 403, 401)),
    ("track_update", "patch", lambda c: f"/support/onboarding-tracks/{c['t']}",
     lambda c: {"version": 1, "description": "For every new PM"}, PMO_ONLY),
    ("onboarding_list", "get", lambda c: "/support/onboardings", None, READ_ALL),
    ("onboarding_assign", "post", lambda c: "/support/onboardings",
     lambda c: {"track_id": c["t"], "manager_id": c["member"], "mentor_id": c["sponsor"],
                "start": "2027-02-01"},
     (201, 201, 403, 403, 403, 403, 404, 403, 401)),
    ("onboarding_get", "get", lambda c: f"/support/onboardings/{c['o']}", None, ONBOARDING),
    ("onboarding_item_tick", "post", lambda c: f"/support/onboarding-items/{c['i']}/tick",
     lambda c: {"done": True}, ONBOARDING),
    ("manager_assign", "post", lambda c: f"/projects/{c['p']}/manager",
     lambda c: {"user_id": c["outsider"], "reason": "Workload"},
     (200, 403, 403, 403, 403, 403, 404, 404, 401)),
    ("manager_change_list", "get", lambda c: f"/projects/{c['p']}/manager-changes", None, INSIDE),
    ("manager_workload", "get", lambda c: "/support/workload", None, PMO_ONLY),
]  # fmt: skip


@pytest.mark.parametrize("case", MATRIX, ids=[m[0] for m in MATRIX])
def test_permission_matrix(case, ctx, api_as):
    name, method, url, body, expected = case
    for role, want in zip(ROLES, expected, strict=True):
        with transaction.atomic():  # each role meets the same untouched data
            client = api_as(role)
            path = "/api/v1" + url(ctx)
            if body:
                response = getattr(client, method)(path, body(ctx), content_type="application/json")
            else:
                response = getattr(client, method)(path)
            assert response.status_code == want, (name, role, response.content)
            if want >= 400:
                assert response["Content-Type"] == "application/problem+json"
            transaction.set_rollback(True)


def test_matrix_covers_every_operation():
    from pmo.api import support

    operations = {
        op.operation_id
        for view in support.router.path_operations.values()
        for op in view.operations
    }
    assert operations == {m[0] for m in MATRIX}


@pytest.mark.parametrize("query", ['"', "AND", "NEAR(", "*", "vendor*)", "a" * 200])
def test_search_syntax_never_fails(ctx, api_as, query):
    r = api_as("member").get("/api/v1/support/lessons", {"q": query})
    assert r.status_code == 200, r.content


def test_lesson_answers_and_refusals(ctx, api_as, project):
    pm = api_as("manager")
    r = pm.post(
        "/api/v1/support/lessons",
        {**LESSON, "project_id": project.pk, "tags": ["Data migration", "vendor"]},
        content_type="application/json",
    )
    assert r.status_code == 201
    body = r.json()
    assert body["project_code"] == "PRJ-001"
    assert body["tags"] == ["data-migration", "vendor"]
    assert body["recorded_by"]["username"] == "manager"
    bad = pm.post(
        "/api/v1/support/lessons",
        {**LESSON, "project_id": project.pk, "tags": ["no good!"]},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("'no good!' is not a tag")
    stale = pm.patch(
        f"/api/v1/support/lessons/{body['id']}",
        {"version": 7, "impact": "x"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    unknown = pm.post(
        "/api/v1/support/lessons", {**LESSON, "category": "luck"}, content_type="application/json"
    )
    assert unknown.status_code == 422


def test_article_html_is_sanitised(ctx, api_as):
    r = api_as("pmo_admin").post(
        "/api/v1/support/articles",
        {"title": "XSS", "body": "hi <script>alert(1)</script>"},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert "<script" not in r.json()["body_html"]


def test_onboarding_progress_over_the_api(ctx, api_as):
    pm = api_as("outsider")
    r = pm.post(f"/api/v1/support/onboarding-items/{ctx['i']}/tick", {}, "application/json")
    assert r.status_code == 200 and r.json()["done"] is True
    got = pm.get(f"/api/v1/support/onboardings/{ctx['o']}").json()
    assert got["progress"] == {"done": 1, "total": 1, "overdue": 0, "percent": 100}


@pytest.mark.parametrize("what", ["lessons", "articles"])
def test_lists_take_constant_queries(ctx, people, api_as, what):
    client = api_as("member")
    url = f"/api/v1/support/{what}"

    def count() -> int:
        with CaptureQueriesContext(connection) as c:
            assert client.get(url).status_code == 200
        return len(c.captured_queries)

    def make(n: int) -> None:
        if what == "lessons":
            services.lesson_record(
                actor=people["manager"],
                project_id=ctx["p"],
                impact="",
                **{**LESSON, "tags": [f"t{n}"]},
            )
        else:
            services.article_create(
                actor=people["pmo_admin"], data={"title": f"A{n}", "body": "b", "tags": [f"t{n}"]}
            )

    count()  # the first call of a token records its use
    one = count()
    for n in range(4):
        make(n)
    assert count() == one
