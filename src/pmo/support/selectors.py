"""Reads of the support context, shaped for its pages and endpoints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import markdown
import nh3
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from pmo.accounts.models import OrgRole, User
from pmo.changes.models import Issue, IssueStatus
from pmo.controls.models import Risk, RiskStatus
from pmo.projects.models import Project, Stage, Status

from . import similarity
from .models import (
    Article,
    Lesson,
    LessonCategory,
    ManagerChange,
    Onboarding,
    OnboardingItem,
    OnboardingTrack,
    Tag,
)
from .policies import is_pmo, require_pmo, require_reader
from .search import search

SUGGESTION_POOL = 2000  # the most recent lessons compared with a project
ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def render_markdown(text: str) -> str:
    """An article's Markdown as HTML that is safe to show: only plain formatting and links."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def tag_list() -> list[str]:
    return list(Tag.objects.values_list("name", flat=True))


# --- knowledge base -----------------------------------------------------------------------------


def article_list(user: Any, *, query: str = "", tag: str = "") -> QuerySet[Article]:
    """Articles `user` may read: matching `query` (best first) and filed under `tag`."""
    require_reader(user)
    qs = Article.objects.prefetch_related("tags")
    if not is_pmo(user):
        qs = qs.filter(published=True)
    if tag:
        qs = qs.filter(tags__name=tag.strip().lower())
    if query.strip():
        return search(qs, query)
    return qs.order_by("title")


def stage_articles(project: Project, limit: int = 6) -> list[Article]:
    """Published articles tagged with the project's stage (e.g. `initiation`), for its page."""
    return list(
        Article.objects.filter(published=True, tags__name=project.stage).order_by("title")[:limit]
    )


def stage_guidance(project: Project) -> str:
    """The methodology's guidance for the project's stage as safe HTML, where the project follows
    a methodology (the governance context); empty otherwise. Read only: a help, never a reason
    for the page to fail."""
    try:
        from pmo.governance import gates
        from pmo.governance.models import StageDefinition
        from pmo.governance.selectors import render_guidance
    except ImportError:  # pragma: no cover - an installation without governance
        return ""
    governance = gates.governance_of(project)
    if governance is None:
        return ""
    text = (
        StageDefinition.objects.filter(
            version_id=governance.methodology_version_id, stage=project.stage
        )
        .values_list("guidance", flat=True)
        .first()
    )
    return render_guidance(text) if text else ""


# --- lessons learned ----------------------------------------------------------------------------


def lessons_for_project(project: Project) -> QuerySet[Lesson]:
    """The lessons recorded on `project`, newest first."""
    return (
        Lesson.objects.filter(project=project)
        .select_related("recorded_by")
        .prefetch_related("tags")
        .order_by("-created_at", "-id")
    )


def lesson_list(
    user: Any,
    *,
    query: str = "",
    category: str = "",
    project_type: str = "",
    tag: str = "",
    source: str = "",
    project_id: int | None = None,
) -> QuerySet[Lesson]:
    require_reader(user)
    qs = Lesson.objects.select_related("project", "recorded_by").prefetch_related("tags")
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    if category:
        qs = qs.filter(category=category)
    if project_type:
        qs = qs.filter(project_type=project_type)
    if source:
        qs = qs.filter(source=source)
    if tag:
        qs = qs.filter(tags__name=tag.strip().lower())
    if query.strip():
        return search(qs, query)
    return qs.order_by("-created_at", "-id")


def category_counts() -> dict[str, int]:
    rows = Lesson.objects.values_list("category").annotate(n=Count("id"))
    found = dict(rows)
    return {c: found.get(c, 0) for c in LessonCategory.values}


@dataclass(frozen=True)
class Suggestion:
    lesson: Lesson
    score: float
    why: list[str]


def project_text(project: Project) -> str:
    """What a project says about itself: name, description and its newest charter."""
    parts = [project.name, project.description]
    charter = project.charters.order_by("-number").first()
    if charter is not None:
        parts += [charter.purpose, charter.problem, charter.desired_results, charter.scope_in]
        for entry in [*charter.deliverables, *charter.objectives]:
            parts.append(" ".join(entry.values()) if isinstance(entry, dict) else str(entry))
    return "\n".join(str(p) for p in parts if p)


def lesson_suggestions(project: Project, limit: int = 5) -> list[Suggestion]:
    """Lessons of other projects that resemble `project`, best first, each with why."""
    pool = list(
        Lesson.objects.exclude(project=project)
        .select_related("project")
        .prefetch_related("tags")
        .order_by("-created_at", "-id")[:SUGGESTION_POOL]
    )
    by_pk = {lesson.pk: lesson for lesson in pool}
    candidates = [
        similarity.Candidate(
            key=lesson.pk,
            text=f"{lesson.what_happened}\n{lesson.impact}\n{lesson.recommendation}",
            tags=frozenset(t.name for t in lesson.tags.all()),
            project_type=lesson.project_type,
        )
        for lesson in pool
    ]
    matches = similarity.rank(
        text=project_text(project),
        project_type=project.project_type,
        candidates=candidates,
        known_tags=tag_list(),
        limit=limit,
    )
    type_label = project.get_project_type_display()
    out = []
    for m in matches:
        why = []
        if m.same_type:
            why.append(f"same project type ({type_label})")
        if m.shared_tags:
            why.append("tags: " + ", ".join(m.shared_tags))
        if m.shared_words:
            why.append("shared words: " + ", ".join(m.shared_words))
        out.append(Suggestion(lesson=by_pk[m.key], score=m.score, why=why))
    return out


# --- onboarding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def onboarding_list(user: Any, today: dt.date | None = None) -> list[tuple[Onboarding, Progress]]:
    """The onboardings `user` follows (the PMO: all of them) with their progress."""
    require_reader(user)
    today = today or timezone.localdate()
    qs = Onboarding.objects.select_related("track", "manager", "mentor").annotate(
        n_total=Count("items"),
        n_done=Count("items", filter=Q(items__done_at__isnull=False)),
        n_overdue=Count("items", filter=Q(items__done_at__isnull=True, items__due_date__lt=today)),
    )
    if not is_pmo(user):
        qs = qs.filter(Q(manager=user) | Q(mentor=user))
    return [
        (o, Progress(done=o.n_done, total=o.n_total, overdue=o.n_overdue))
        for o in qs.order_by("-start", "-id")
    ]


def onboarding_items(onboarding: Onboarding) -> list[OnboardingItem]:
    return list(onboarding.items.select_related("article", "done_by"))


def progress_of(items: Sequence[OnboardingItem], today: dt.date | None = None) -> Progress:
    today = today or timezone.localdate()
    return Progress(
        done=sum(1 for i in items if i.done_at),
        total=len(items),
        overdue=sum(1 for i in items if not i.done_at and i.due_date < today),
    )


def track_list(user: Any) -> QuerySet[OnboardingTrack]:
    require_pmo(user, "see the onboarding tracks")
    return OnboardingTrack.objects.prefetch_related("items").annotate(
        n_assigned=Count("onboardings")
    )


# --- project managers' workload -----------------------------------------------------------------


@dataclass
class ProjectLoad:
    project: Project
    overdue_tasks: int = 0
    overdue_issues: int = 0
    overdue_risks: int = 0

    @property
    def overdue(self) -> int:
        return self.overdue_tasks + self.overdue_issues + self.overdue_risks


@dataclass
class ManagerLoad:
    manager: User
    projects: list[ProjectLoad]
    onboarding: Progress | None = None

    @property
    def active(self) -> int:
        return sum(1 for p in self.projects if p.project.status == Status.ACTIVE)

    @property
    def red(self) -> int:
        return sum(1 for p in self.projects if p.project.health == "red")

    @property
    def overdue(self) -> int:
        return sum(p.overdue for p in self.projects)

    def by_stage(self) -> dict[str, int]:
        counts = {label: 0 for value, label in Stage.choices if value != Stage.CLOSED}
        for p in self.projects:
            if p.project.stage != Stage.CLOSED:
                counts[Stage(p.project.stage).label] += 1
        return counts


def workload(user: Any, today: dt.date | None = None) -> list[ManagerLoad]:
    """Each project manager with the open projects they manage (stage, health, overdue items).

    Managers with no project are listed too (new PMs waiting for one). A fixed number of queries
    whatever the number of managers and projects.
    """
    require_pmo(user, "see the project managers' workload")
    today = today or timezone.localdate()
    open_projects = Project.objects.exclude(stage=Stage.CLOSED).exclude(status=Status.CANCELLED)
    projects = list(
        open_projects.filter(manager__isnull=False)
        .select_related("manager")
        .annotate(
            overdue_tasks=Count(
                "tasks",
                filter=Q(
                    tasks__is_summary=False,
                    tasks__early_finish__lt=today,
                    tasks__percent_complete__lt=100,
                ),
                distinct=True,
            )
        )
        .order_by("code")
    )
    ids = [p.pk for p in projects]
    issues = dict(
        Issue.objects.filter(
            project_id__in=ids,
            status__in=[IssueStatus.OPEN, IssueStatus.IN_PROGRESS],
            due_date__lt=today,
        )
        .values_list("project_id")
        .annotate(n=Count("id"))
    )
    risks = dict(
        Risk.objects.filter(project_id__in=ids, status=RiskStatus.OPEN, review_date__lt=today)
        .values_list("project_id")
        .annotate(n=Count("id"))
    )
    managers: dict[int, ManagerLoad] = {}
    for user_row in User.objects.filter(is_active=True, org_role=OrgRole.PROJECT_MANAGER).order_by(
        "last_name", "first_name", "username"
    ):
        managers[user_row.pk] = ManagerLoad(manager=user_row, projects=[])
    for p in projects:
        load = managers.setdefault(p.manager_id, ManagerLoad(manager=p.manager, projects=[]))
        load.projects.append(
            ProjectLoad(
                project=p,
                overdue_tasks=p.overdue_tasks,  # type: ignore[attr-defined]
                overdue_issues=issues.get(p.pk, 0),
                overdue_risks=risks.get(p.pk, 0),
            )
        )
    for o, progress in _onboarding_progress(list(managers), today):
        if managers[o].onboarding is None:
            managers[o].onboarding = progress
    return sorted(managers.values(), key=lambda m: (-len(m.projects), str(m.manager)))


def _onboarding_progress(manager_ids: list[int], today: dt.date) -> list[tuple[int, Progress]]:
    rows = (
        Onboarding.objects.filter(manager_id__in=manager_ids)
        .annotate(
            n_total=Count("items"),
            n_done=Count("items", filter=Q(items__done_at__isnull=False)),
            n_overdue=Count(
                "items", filter=Q(items__done_at__isnull=True, items__due_date__lt=today)
            ),
        )
        .order_by("-start")
    )
    return [
        (o.manager_id, Progress(done=o.n_done, total=o.n_total, overdue=o.n_overdue)) for o in rows
    ]


def manager_history(project: Project) -> QuerySet[ManagerChange]:
    return ManagerChange.objects.filter(project=project).select_related(
        "previous_manager", "new_manager", "assigned_by"
    )


def recent_hand_overs(user: Any, limit: int = 10) -> list[ManagerChange]:
    """The latest hand-overs of projects between managers, for the PMO."""
    require_pmo(user, "see the hand-overs")
    return list(
        ManagerChange.objects.select_related(
            "project", "previous_manager", "new_manager", "assigned_by"
        )[:limit]
    )


def candidate_managers() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        org_role__in=[OrgRole.PROJECT_MANAGER, OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST],
    ).order_by("last_name", "first_name", "username")
