"""Knowledge base, onboarding of new PMs, handing projects over, workload and suggestions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pmo.accounts.models import OrgRole
from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.models import Notification
from pmo.projects.models import Membership, Project, ProjectRole, ProjectType
from pmo.projects.services import charter_update, project_update
from pmo.support import selectors, services
from pmo.support.models import Article, ManagerChange, Onboarding
from pmo.support.similarity import Candidate, rank

pytestmark = pytest.mark.django_db
START = dt.date(2027, 1, 4)
ITEMS = [
    {"title": "Meet the PMO", "offset_days": 0},
    {"title": "Read the methodology", "offset_days": 5},
    {"title": "Shadow a gate review", "offset_days": 20},
]


# --- knowledge base -----------------------------------------------------------------------------


def test_articles_are_the_pmos_to_write(people, article):
    assert sorted(t.name for t in article.tags.all()) == ["charter", "initiation"]
    for who in ("manager", "member", "sponsor"):
        with pytest.raises(Forbidden, match="Only the PMO may write knowledge base articles."):
            services.article_create(actor=people[who], data={"title": "x", "body": "y"})
    with pytest.raises(NotFound):
        services.article_create(actor=people["client"], data={"title": "x", "body": "y"})
    with pytest.raises(ValidationFailed, match="already exists"):
        services.article_create(
            actor=people["pmo_admin"], data={"title": article.title.upper(), "body": "y"}
        )
    with pytest.raises(ValidationFailed, match="These fields cannot be changed here: slug."):
        services.article_create(
            actor=people["pmo_admin"], data={"title": "x", "body": "y", "slug": "x"}
        )


def test_article_search_and_tags_and_unpublished_drafts(people, article):
    draft = services.article_create(
        actor=people["pmo_analyst"],
        data={"title": "Risk workshops", "body": "Run one per stage.", "published": False},
    )
    pm, pmo = people["manager"], people["pmo_admin"]
    assert list(selectors.article_list(pm, query="objectives measure")) == [article]
    assert list(selectors.article_list(pm, tag="initiation")) == [article]
    assert list(selectors.article_list(pm, query="workshop")) == []
    assert list(selectors.article_list(pmo, query="workshop")) == [draft]
    with pytest.raises(NotFound):
        services.access_article(pm, draft.pk)
    with pytest.raises(NotFound):
        selectors.article_list(people["client"])


def test_article_update_reindexes_and_detects_stale_versions(people, article):
    pmo = people["pmo_admin"]
    services.article_update(
        actor=pmo,
        article_id=article.pk,
        version=article.version,
        data={"body": "Name the sponsor early.", "tags": ["planning"]},
    )
    assert list(selectors.article_list(pmo, query="sponsor early")) == [article]
    assert list(selectors.article_list(pmo, tag="initiation")) == []
    with pytest.raises(Conflict):
        services.article_update(
            actor=pmo, article_id=article.pk, version=article.version, data={"tags": ["x"]}
        )
    services.article_delete(actor=pmo, article_id=article.pk)
    assert not Article.objects.exists()


def test_markdown_is_sanitised():
    html = selectors.render_markdown(
        "**bold** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.org)"
    )
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html
    assert 'href="https://example.org"' in html


def test_stage_articles_follow_the_project_stage(people, project, article):
    assert selectors.stage_articles(project) == [article]
    Project.objects.filter(pk=project.pk).update(stage="planning")
    project.refresh_from_db()
    assert selectors.stage_articles(project) == []


# --- onboarding ---------------------------------------------------------------------------------


@pytest.fixture
def track(people: dict[str, Any]) -> Any:
    return services.track_create(
        actor=people["pmo_admin"], name="New project managers", items=ITEMS
    )


@pytest.fixture
def onboarding(people: dict[str, Any], track: Any) -> Onboarding:
    return services.onboarding_assign(
        actor=people["pmo_admin"],
        track_id=track.pk,
        manager_id=people["outsider"].pk,
        mentor_id=people["manager"].pk,
        start=START,
    )


def test_onboarding_items_fall_due_from_the_start_and_both_are_told(people, onboarding):
    items = selectors.onboarding_items(onboarding)
    assert [(i.title, i.due_date) for i in items] == [
        ("Meet the PMO", START),
        ("Read the methodology", START + dt.timedelta(days=5)),
        ("Shadow a gate review", START + dt.timedelta(days=20)),
    ]
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"outsider", "manager"}


def test_onboarding_refusals(people, track, onboarding):
    pmo = people["pmo_admin"]
    with pytest.raises(Conflict, match="already on the track"):
        services.onboarding_assign(
            actor=pmo,
            track_id=track.pk,
            manager_id=people["outsider"].pk,
            mentor_id=people["pmo_analyst"].pk,
            start=START,
        )
    with pytest.raises(ValidationFailed, match=services.MENTOR_IS_MANAGER):
        services.onboarding_assign(
            actor=pmo,
            track_id=track.pk,
            manager_id=people["manager"].pk,
            mentor_id=people["manager"].pk,
            start=START,
        )
    with pytest.raises(ValidationFailed, match="external client"):
        services.onboarding_assign(
            actor=pmo,
            track_id=track.pk,
            manager_id=people["manager"].pk,
            mentor_id=people["client"].pk,
            start=START,
        )
    with pytest.raises(Forbidden):
        services.onboarding_assign(
            actor=people["manager"],
            track_id=track.pk,
            manager_id=people["member"].pk,
            mentor_id=people["manager"].pk,
            start=START,
        )
    with pytest.raises(ValidationFailed, match="Item 2: offset_days"):
        services.track_create(
            actor=pmo, name="Other", items=[{"title": "a"}, {"title": "b", "offset_days": -1}]
        )
    with pytest.raises(ValidationFailed, match=services.TRACK_NO_ITEMS):
        services.track_create(actor=pmo, name="Empty", items=[])


def test_pm_and_mentor_tick_items_others_hear_not_found(people, onboarding):
    first, second, third = selectors.onboarding_items(onboarding)
    services.onboarding_item_tick(actor=people["outsider"], item_id=first.pk)
    services.onboarding_item_tick(actor=people["manager"], item_id=second.pk)
    services.onboarding_item_tick(actor=people["manager"], item_id=second.pk)  # twice: no change
    for who in ("member", "sponsor", "client"):
        with pytest.raises(NotFound):
            services.onboarding_item_tick(actor=people[who], item_id=third.pk)
        with pytest.raises(NotFound):
            services.access_onboarding(people[who], onboarding.pk)
    services.onboarding_item_tick(actor=people["pmo_analyst"], item_id=first.pk, done=False)
    progress = selectors.progress_of(
        selectors.onboarding_items(onboarding), today=START + dt.timedelta(days=10)
    )
    assert (progress.done, progress.total, progress.overdue, progress.percent) == (1, 3, 1, 33)
    seen = {u: selectors.onboarding_list(people[u]) for u in ("outsider", "manager", "member")}
    assert [o.pk for o, _ in seen["outsider"]] == [onboarding.pk]
    assert [o.pk for o, _ in seen["manager"]] == [onboarding.pk]
    assert seen["member"] == []


def test_retired_tracks_take_no_new_onboarding(people, track):
    services.track_update(
        actor=people["pmo_admin"], track_id=track.pk, version=None, data={"active": False}
    )
    with pytest.raises(ValidationFailed, match="retired"):
        services.onboarding_assign(
            actor=people["pmo_admin"],
            track_id=track.pk,
            manager_id=people["outsider"].pk,
            mentor_id=people["manager"].pk,
            start=START,
        )


# --- handing a project to another manager -------------------------------------------------------


def test_pmo_admin_hands_a_project_over(people, project):
    new, old = people["outsider"], people["manager"]
    change = services.manager_assign(
        actor=people["pmo_admin"], project_id=project.pk, user_id=new.pk, reason="Parental leave"
    )
    project.refresh_from_db()
    assert project.manager == new
    assert (change.previous_manager, change.new_manager, change.reason) == (
        old,
        new,
        "Parental leave",
    )
    roles = dict(Membership.objects.filter(project=project).values_list("user__username", "role"))
    assert roles["outsider"] == ProjectRole.MANAGER
    assert roles["manager"] == ProjectRole.MEMBER
    subjects = dict(Notification.objects.values_list("recipient__username", "subject"))
    assert subjects["outsider"] == "[PRJ-001] You now manage Customer portal"
    assert subjects["manager"] == "[PRJ-001] Outsider Tester now manages Customer portal"
    assert list(selectors.manager_history(project)) == [change]


def test_only_a_pmo_admin_hands_projects_over(people, project):
    for who in ("pmo_analyst", "manager"):
        with pytest.raises(Forbidden, match="Only a PMO admin may assign project managers."):
            services.manager_assign(
                actor=people[who], project_id=project.pk, user_id=people["outsider"].pk, reason="x"
            )
    with pytest.raises(NotFound):
        services.manager_assign(
            actor=people["outsider"],
            project_id=project.pk,
            user_id=people["outsider"].pk,
            reason="x",
        )
    assert not ManagerChange.objects.exists()


@pytest.mark.parametrize(
    ("who", "reason", "message"),
    [
        ("outsider", "  ", "Say why the project changes hands."),
        ("member", "Cover", "is not a project manager or in the PMO"),
        ("manager", "Cover", "already manages PRJ-001"),
    ],
)
def test_hand_over_refusals(people, project, who, reason, message):
    with pytest.raises(ValidationFailed, match=message):
        services.manager_assign(
            actor=people["pmo_admin"], project_id=project.pk, user_id=people[who].pk, reason=reason
        )
    project.refresh_from_db()
    assert project.manager == people["manager"]
    assert not ManagerChange.objects.exists()


def test_workload_lists_each_pm_with_projects_and_onboarding(
    people, project, onboarding, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        loads = {m.manager.username: m for m in selectors.workload(people["pmo_admin"])}
    assert [p.project for p in loads["manager"].projects] == [project]
    assert loads["manager"].by_stage()["Initiation"] == 1
    assert loads["outsider"].projects == []
    assert loads["outsider"].onboarding is not None
    assert loads["outsider"].onboarding.total == 3
    with pytest.raises(Forbidden):
        selectors.workload(people["manager"])


# --- suggestions --------------------------------------------------------------------------------


def test_similarity_weighs_text_tags_and_type():
    cands = [
        Candidate(1, "Data migration from the legacy CRM slipped", frozenset({"crm"}), "it"),
        Candidate(2, "Data migration of the archive slipped", frozenset(), "infrastructure"),
        Candidate(3, "Permits for scaffolding came late", frozenset({"permits"}), "it"),
    ]
    found = rank(
        text="Replace the legacy CRM and migrate its data",
        project_type="it",
        candidates=cands,
        known_tags=["crm", "permits"],
    )
    assert [m.key for m in found] == [1, 2]
    assert found[0].same_type and found[0].shared_tags == ("crm",)
    assert "legacy" in found[0].shared_words
    assert rank(text="", project_type="it", candidates=cands) == []


def test_projects_in_initiation_get_lessons_of_similar_projects(people, project, make_user):
    pm = people["manager"]
    project_update(
        actor=pm, project_id=project.pk, version=None, data={"project_type": ProjectType.IT}
    )
    charter_update(
        actor=pm,
        project_id=project.pk,
        version=None,
        data={"purpose": "Move customer accounts off the legacy CRM with a data migration."},
    )
    past = Project.objects.create(code="OLD-1", name="CRM upgrade", project_type=ProjectType.IT)
    Project.objects.filter(pk=past.pk).update(manager=pm)
    admin = people["pmo_admin"]
    good = services.lesson_record(
        actor=admin,
        project_id=past.pk,
        category="technical",
        what_happened="The legacy CRM data migration found duplicate customer accounts.",
        impact="",
        recommendation="Profile and clean the data before migrating.",
        tags=["data-migration"],
    )
    services.lesson_record(
        actor=admin,
        project_id=None,
        category="procurement",
        what_happened="Scaffolding permits took six weeks.",
        impact="",
        recommendation="Apply early.",
        tags=["permits"],
    )
    own = services.lesson_record(
        actor=pm,
        project_id=project.pk,
        category="technical",
        what_happened="Legacy CRM data migration again.",
        impact="",
        recommendation="x",
        tags=[],
    )
    project.refresh_from_db()
    found = selectors.lesson_suggestions(project)
    assert [s.lesson for s in found] == [good]
    assert own not in [s.lesson for s in found]
    why = found[0].why
    assert why[0] == "same project type (IT and digital)"
    assert "tags: data-migration" in why
    assert any(w.startswith("shared words:") and "legacy" in w for w in why)


def test_new_pm_candidates_are_project_managers_and_pmo(people, make_user):
    make_user(OrgRole.TEAM_MEMBER, "dev")
    names = {u.username for u in selectors.candidate_managers()}
    assert names == {"admin", "analyst", "manager", "outsider"}


def test_stage_guidance_of_the_projects_methodology(project):
    from pmo.governance.models import (
        Methodology,
        MethodologyVersion,
        ProjectGovernance,
        StageDefinition,
    )

    assert selectors.stage_guidance(project) == ""
    method = Methodology.objects.create(name="Waterfall")
    version = MethodologyVersion.objects.create(methodology=method, number=1)
    StageDefinition.objects.create(
        version=version, stage="initiation", guidance="Name the **sponsor** <script>x</script>"
    )
    ProjectGovernance.objects.create(project=project, methodology_version=version)
    project = Project.objects.get(pk=project.pk)
    html = selectors.stage_guidance(project)
    assert "<strong>sponsor</strong>" in html and "<script" not in html


def test_too_long_titles_are_refused_not_failed(people):
    with pytest.raises(ValidationFailed, match="title"):
        services.article_create(actor=people["pmo_admin"], data={"title": "x" * 201, "body": "b"})
    with pytest.raises(ValidationFailed, match="name"):
        services.track_create(actor=people["pmo_admin"], name="n" * 151, items=[{"title": "a"}])
