"""The Support pages: knowledge base, lessons, onboarding, workload and the project panels."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from pmo.projects.models import Project
from pmo.support import services
from pmo.support.models import Article, Lesson, Onboarding

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_answer_by_role(people, project, article, lesson):
    pages = {
        "/support/": (200, 200, 404),
        f"/support/articles/{article.pk}/": (200, 200, 404),
        "/support/articles/new/": (200, 403, 404),
        f"/support/articles/{article.pk}/edit/": (200, 403, 404),
        "/support/lessons/": (200, 200, 404),
        "/support/lessons/new/": (200, 200, 404),
        f"/support/lessons/{lesson.pk}/edit/": (200, 200, 404),
        "/support/onboarding/": (200, 200, 404),
        "/support/onboarding/tracks/new/": (200, 403, 404),
        "/support/workload/": (200, 403, 404),
    }
    for n, who in enumerate(("pmo_admin", "manager", "client")):
        c = client_for(people[who])
        for url, codes in pages.items():
            assert c.get(url).status_code == codes[n], (who, url)
    assert Client().get("/support/").status_code == 302  # to the login page
    assert (
        client_for(people["member"]).get(f"/support/lessons/{lesson.pk}/edit/").status_code == 403
    )


def test_nav_has_support_but_not_for_clients(people, project):
    assert ">Support</a>" in client_for(people["member"]).get("/", follow=True).content.decode()
    page = client_for(people["client"]).get(f"/projects/{project.pk}/").content.decode()
    assert ">Support</a>" not in page


def test_knowledge_base_search_and_article(people, article):
    c = client_for(people["member"])
    page = c.get("/support/", {"q": 'objective "measure'}).content.decode()
    assert article.title in page
    page = c.get("/support/", {"q": "penguins"}).content.decode()
    assert "No article matches" in page
    page = c.get(f"/support/articles/{article.pk}/").content.decode()
    assert "<strong>measure</strong>" in page


def test_pmo_writes_an_article_through_the_page(people):
    c = client_for(people["pmo_analyst"])
    r = c.post(
        "/support/articles/new/",
        {"title": "Stage gates", "body": "## Gate\nBring the charter.", "tags": "planning, Gates"},
    )
    article = Article.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/support/articles/{article.pk}/"
    assert sorted(t.name for t in article.tags.all()) == ["gates", "planning"]
    r = c.post(
        f"/support/articles/{article.pk}/edit/",
        {"title": "Stage gates", "body": "x", "tags": "bad tag!", "version": article.version},
    )
    assert r.status_code == 200 and "is not a tag" in r.content.decode()


def test_record_and_search_lessons_through_the_pages(people, project, lesson):
    c = client_for(people["member"])
    r = c.post(
        "/support/lessons/new/",
        {
            "project": project.pk,
            "category": "stakeholders",
            "what_happened": "The steering committee met too rarely to decide on time.",
            "recommendation": "Agree a fortnightly steering slot at initiation.",
            "tags": "governance",
        },
    )
    assert r.status_code == 302
    new = Lesson.objects.exclude(pk=lesson.pk).get()
    assert new.recorded_by == people["member"] and new.project == project
    page = c.get("/support/lessons/", {"q": "steering"}).content.decode()
    assert f"L-{new.pk}" in page and f"L-{lesson.pk}" not in page
    for q in ['"', "AND", "NEAR(", "*"]:
        assert c.get("/support/lessons/", {"q": q}).status_code == 200
    page = c.get("/support/lessons/", {"project": project.pk, "category": "procurement"})
    assert f"L-{lesson.pk}" in page.content.decode()
    viewer = client_for(people["viewer"])
    r = viewer.post(
        "/support/lessons/new/",
        {"project": project.pk, "category": "risk", "what_happened": "a", "recommendation": "b"},
    )
    assert r.status_code == 403


def test_project_overview_shows_stage_help_and_suggestions(people, project, article, make_user):
    past = Project.objects.create(code="OLD-1", name="Old portal", project_type="other")
    services.lesson_record(
        actor=people["pmo_admin"],
        project_id=past.pk,
        category="scope",
        what_happened="The customer portal scope grew every sprint.",
        impact="",
        recommendation="Freeze the portal scope per release.",
        tags=["scope-creep"],
    )
    page = client_for(people["manager"]).get(f"/projects/{project.pk}/").content.decode()
    assert "Help for this stage" in page and article.title in page
    assert "Freeze the portal scope per release." in page
    assert "Why suggested:" in page and "portal" in page
    client_page = client_for(people["client"]).get(f"/projects/{project.pk}/").content.decode()
    assert "Help for this stage" not in client_page


def test_onboarding_through_the_pages(people):
    services.track_create(
        actor=people["pmo_admin"], name="New PMs", items=[{"title": "Meet the PMO"}]
    )
    pmo = client_for(people["pmo_admin"])
    r = pmo.post(
        "/support/onboarding/tracks/new/",
        {"name": "Seniors", "items": "0: Meet the sponsor\n 10 | Run a gate review\n\n"},
    )
    assert r.status_code == 302
    r = pmo.post("/support/onboarding/tracks/new/", {"name": "Bad", "items": "400: Too late"})
    assert "Line 1:" in r.content.decode()
    from pmo.support.models import OnboardingTrack

    seniors = OnboardingTrack.objects.get(name="Seniors")
    assert [(i.offset_days, i.title) for i in seniors.items.all()] == [
        (0, "Meet the sponsor"),
        (10, "Run a gate review"),
    ]
    r = pmo.post(
        "/support/onboarding/",
        {
            "track": seniors.pk,
            "manager": people["outsider"].pk,
            "mentor": people["manager"].pk,
            "start": dt.date.today() - dt.timedelta(days=30),
        },
    )
    onboarding = Onboarding.objects.get()
    assert r.status_code == 302
    new_pm = client_for(people["outsider"])
    page = new_pm.get(f"/support/onboarding/{onboarding.pk}/").content.decode()
    assert "overdue" in page and "0 of 2 done" in page
    item = onboarding.items.first()
    new_pm.post(f"/support/onboarding/{onboarding.pk}/", {"item": item.pk, "done": "1"})
    page = new_pm.get(f"/support/onboarding/{onboarding.pk}/").content.decode()
    assert "1 of 2 done" in page
    assert (
        client_for(people["member"]).get(f"/support/onboarding/{onboarding.pk}/").status_code == 404
    )
    r = pmo.post(
        "/support/onboarding/",
        {"action": "retire", "track": seniors.pk, "version": seniors.version},
    )
    assert r.status_code == 302
    seniors.refresh_from_db()
    assert not seniors.active
    form = pmo.get("/support/onboarding/").content.decode()
    choices = form.split('name="track"')[1].split("</select>")[0]
    assert f'value="{seniors.pk}"' not in choices
    r = client_for(people["manager"]).post(
        "/support/onboarding/", {"action": "reactivate", "track": seniors.pk}
    )
    assert r.status_code == 403


def test_workload_and_hand_over_page(people, project):
    admin = client_for(people["pmo_admin"])
    page = admin.get("/support/workload/").content.decode()
    assert "PRJ-001" in page and "Hand over" in page
    r = admin.post(
        "/support/workload/",
        {"project": project.pk, "manager": people["outsider"].pk, "reason": "Leave"},
    )
    assert r.status_code == 302
    project.refresh_from_db()
    assert project.manager == people["outsider"]
    page = admin.get("/support/workload/").content.decode()
    assert "Recent hand-overs" in page and "Leave" in page
    analyst = client_for(people["pmo_analyst"])
    assert "Hand over" not in analyst.get("/support/workload/").content.decode()
    r = analyst.post(
        "/support/workload/",
        {"project": project.pk, "manager": people["manager"].pk, "reason": "Back"},
    )
    assert r.status_code == 403


def test_workload_page_queries_stay_flat(people, project, django_assert_max_num_queries):
    admin = client_for(people["pmo_admin"])
    admin.get("/support/workload/")
    for n in range(4):
        Project.objects.create(code=f"P-{n}", name=f"P{n}", manager=people["outsider"])
    with django_assert_max_num_queries(14):
        assert admin.get("/support/workload/").status_code == 200


@pytest.mark.parametrize("url", ["/support/", "/support/lessons/", "/support/onboarding/"])
def test_support_lists_take_the_same_queries_for_one_row_or_four(people, project, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = client_for(people["pmo_admin"])
    track = services.track_create(actor=people["pmo_admin"], name="T", items=[{"title": "a"}])
    pms = [people["outsider"], people["manager"], people["pmo_analyst"], people["sponsor"]]

    def make(n: int) -> None:
        services.article_create(
            actor=people["pmo_admin"], data={"title": f"A{n}", "body": "b", "tags": [f"t{n}"]}
        )
        services.lesson_record(
            actor=people["manager"],
            project_id=project.pk,
            category="risk",
            what_happened="w",
            impact="",
            recommendation="r",
            tags=[f"t{n}"],
        )
        services.onboarding_assign(
            actor=people["pmo_admin"],
            track_id=track.pk,
            manager_id=pms[n].pk,
            mentor_id=people["member"].pk,
            start=dt.date(2027, 1, 4),
        )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get(url).status_code == 200
        return len(ctx.captured_queries)

    make(0)
    one = count()
    for n in range(1, 4):
        make(n)
    assert count() == one
