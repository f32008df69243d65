"""Support for project managers over the API: the knowledge base, lessons learned (with search
and suggestions), onboarding of new PMs, handing projects over and the PMs' workload.

Each operation parses, calls one service or selector and shapes the answer; the rules live in
pmo.support.services.
"""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from pmo.projects.models import ProjectType, Stage
from pmo.projects.policies import access_project, require_internal
from pmo.support import selectors, services
from pmo.support.models import LessonCategory, LessonSource

from .pagination import Pagination
from .schemas import Id, PathId, Text, UserRef, Version, patch_data, problems

router = Router(tags=["support"])

Words = Annotated[Text, Field(max_length=40)]
Tags = Annotated[list[Words], Field(max_length=12)]
SearchText = Annotated[str, Field(max_length=200)]


class ArticleIn(Schema):
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    summary: Annotated[Text, Field(max_length=300)] = ""
    body: Annotated[Text, Field(min_length=1)]
    tags: Tags = []
    published: bool = True


class ArticlePatch(Schema):
    version: Version
    title: Annotated[Text, Field(min_length=1, max_length=200)] | None = None
    summary: Annotated[Text, Field(max_length=300)] | None = None
    body: Annotated[Text, Field(min_length=1)] | None = None
    tags: Tags | None = None
    published: bool | None = None


class ArticleOut(Schema):
    id: int
    title: str
    summary: str
    body: str
    body_html: str
    tags: list[str]
    published: bool
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return [t.name for t in obj.tags.all()]

    @staticmethod
    def resolve_body_html(obj: Any) -> str:
        return selectors.render_markdown(obj.body)


class LessonIn(Schema):
    project_id: Id | None = None
    category: LessonCategory
    what_happened: Annotated[Text, Field(min_length=1)]
    impact: Text = ""
    recommendation: Annotated[Text, Field(min_length=1)]
    tags: Tags = []
    source: LessonSource = LessonSource.PROJECT


class LessonPatch(Schema):
    version: Version
    category: LessonCategory | None = None
    what_happened: Annotated[Text, Field(min_length=1)] | None = None
    impact: Text | None = None
    recommendation: Annotated[Text, Field(min_length=1)] | None = None
    tags: Tags | None = None
    project_type: ProjectType | None = None


class LessonOut(Schema):
    id: int
    project_id: int | None
    project_code: str | None
    project_type: ProjectType
    category: LessonCategory
    what_happened: str
    impact: str
    recommendation: str
    tags: list[str]
    source: LessonSource
    recorded_by: UserRef | None
    created_at: dt.datetime
    version: int

    @staticmethod
    def resolve_project_code(obj: Any) -> str | None:
        return obj.project.code if obj.project_id else None

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return [t.name for t in obj.tags.all()]


class SuggestionOut(Schema):
    lesson: LessonOut
    score: float
    why: list[str]


class LessonFilters(Schema):
    q: SearchText = Field("", description="Words to find; every word must match.")
    category: LessonCategory | None = None
    project_type: ProjectType | None = None
    tag: Words = ""
    source: LessonSource | None = None


class ArticleFilters(Schema):
    q: SearchText = Field("", description="Words to find; every word must match.")
    tag: Words = ""


class TrackItemIn(Schema):
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    description: Text = ""
    offset_days: Annotated[int, Field(ge=0, le=365)] = 0
    article_id: Id | None = None


class TrackItemOut(Schema):
    id: int
    title: str
    description: str
    offset_days: int
    article_id: int | None


class TrackIn(Schema):
    name: Annotated[Text, Field(min_length=1, max_length=150)]
    description: Text = ""
    items: Annotated[list[TrackItemIn], Field(min_length=1, max_length=100)]


class TrackPatch(Schema):
    version: Version
    name: Annotated[Text, Field(min_length=1, max_length=150)] | None = None
    description: Text | None = None
    active: bool | None = None
    items: Annotated[list[TrackItemIn], Field(min_length=1, max_length=100)] | None = None


class TrackOut(Schema):
    id: int
    name: str
    description: str
    active: bool
    items: list[TrackItemOut]
    version: int

    @staticmethod
    def resolve_items(obj: Any) -> list[Any]:
        return list(obj.items.all())


class OnboardingIn(Schema):
    track_id: Id
    manager_id: Id
    mentor_id: Id
    start: dt.date


class OnboardingItemOut(Schema):
    id: int
    title: str
    description: str
    due_date: dt.date
    article_id: int | None
    done: bool
    done_at: dt.datetime | None
    done_by: UserRef | None

    @staticmethod
    def resolve_done(obj: Any) -> bool:
        return obj.done_at is not None


class ProgressOut(Schema):
    done: int
    total: int
    overdue: int
    percent: int


class OnboardingOut(Schema):
    id: int
    track_id: int
    track_name: str
    manager: UserRef
    mentor: UserRef
    start: dt.date
    progress: ProgressOut
    items: list[OnboardingItemOut] | None = None


class TickIn(Schema):
    done: bool = True


class ManagerIn(Schema):
    user_id: Id
    reason: Annotated[Text, Field(min_length=1, max_length=2000)]


class ManagerChangeOut(Schema):
    id: int
    project_id: int
    previous_manager: UserRef | None
    new_manager: UserRef | None
    reason: str
    assigned_by: UserRef | None
    at: dt.datetime


class ProjectLoadOut(Schema):
    id: int
    code: str
    name: str
    stage: Stage
    health: str
    status: str
    overdue_tasks: int
    overdue_issues: int
    overdue_risks: int


class WorkloadOut(Schema):
    manager: UserRef
    projects: list[ProjectLoadOut]
    overdue: int
    onboarding: ProgressOut | None


def _onboarding_out(onboarding: Any, progress: Any, items: list[Any] | None = None) -> Any:
    return {
        "id": onboarding.pk,
        "track_id": onboarding.track_id,
        "track_name": onboarding.track.name,
        "manager": onboarding.manager,
        "mentor": onboarding.mentor,
        "start": onboarding.start,
        "progress": {**vars(progress), "percent": progress.percent},
        "items": items,
    }


def _lesson(request: HttpRequest, lesson_id: int) -> Any:
    lesson = services.access_lesson(request.auth, lesson_id)
    return selectors.lesson_list(request.auth).get(pk=lesson.pk)


def _article(request: HttpRequest, article_id: int) -> Any:
    services.access_article(request.auth, article_id)
    return selectors.article_list(request.auth).get(pk=article_id)


# --- knowledge base -----------------------------------------------------------------------------


@router.get(
    "/support/articles",
    response={200: list[ArticleOut], **problems(404, 422)},
    operation_id="article_list",
)
@paginate(Pagination)
def article_list(request: HttpRequest, filters: Query[ArticleFilters]) -> Any:
    """Knowledge base articles, best match first when searching (`q`), else by title."""
    return selectors.article_list(request.auth, query=filters.q, tag=filters.tag)


@router.post(
    "/support/articles",
    response={201: ArticleOut, **problems(403, 404, 422)},
    operation_id="article_create",
)
def article_create(request: HttpRequest, payload: ArticleIn) -> Any:
    article = services.article_create(actor=request.auth, data=payload.model_dump())
    return 201, _article(request, article.pk)


@router.get(
    "/support/articles/{article_id}",
    response={200: ArticleOut, **problems(404)},
    operation_id="article_get",
)
def article_get(request: HttpRequest, article_id: PathId) -> Any:
    return _article(request, article_id)


@router.patch(
    "/support/articles/{article_id}",
    response={200: ArticleOut, **problems(403, 404, 409, 422)},
    operation_id="article_update",
)
def article_update(request: HttpRequest, article_id: PathId, payload: ArticlePatch) -> Any:
    services.article_update(
        actor=request.auth,
        article_id=article_id,
        version=payload.version,
        data=patch_data(payload),
    )
    return _article(request, article_id)


@router.delete(
    "/support/articles/{article_id}",
    response={204: None, **problems(403, 404)},
    operation_id="article_delete",
)
def article_delete(request: HttpRequest, article_id: PathId) -> Any:
    services.article_delete(actor=request.auth, article_id=article_id)
    return 204, None


# --- lessons learned ----------------------------------------------------------------------------


@router.get(
    "/support/lessons",
    response={200: list[LessonOut], **problems(404, 422)},
    operation_id="lesson_list",
)
@paginate(Pagination)
def lesson_list(request: HttpRequest, filters: Query[LessonFilters]) -> Any:
    """Lessons of every project, best match first when searching (`q`), else newest first."""
    return selectors.lesson_list(
        request.auth,
        query=filters.q,
        category=filters.category or "",
        project_type=filters.project_type or "",
        tag=filters.tag,
        source=filters.source or "",
    )


@router.post(
    "/support/lessons",
    response={201: LessonOut, **problems(403, 404, 422)},
    operation_id="lesson_record",
)
def lesson_record(request: HttpRequest, payload: LessonIn) -> Any:
    """Record a lesson on a project (anyone inside it but viewers) or, without `project_id`,
    for the whole organisation (the PMO and project managers)."""
    lesson = services.lesson_record(actor=request.auth, **payload.model_dump())
    return 201, _lesson(request, lesson.pk)


@router.get(
    "/support/lessons/{lesson_id}",
    response={200: LessonOut, **problems(404)},
    operation_id="lesson_get",
)
def lesson_get(request: HttpRequest, lesson_id: PathId) -> Any:
    return _lesson(request, lesson_id)


@router.patch(
    "/support/lessons/{lesson_id}",
    response={200: LessonOut, **problems(403, 404, 409, 422)},
    operation_id="lesson_update",
)
def lesson_update(request: HttpRequest, lesson_id: PathId, payload: LessonPatch) -> Any:
    services.lesson_update(
        actor=request.auth, lesson_id=lesson_id, version=payload.version, data=patch_data(payload)
    )
    return _lesson(request, lesson_id)


@router.delete(
    "/support/lessons/{lesson_id}",
    response={204: None, **problems(403, 404)},
    operation_id="lesson_delete",
)
def lesson_delete(request: HttpRequest, lesson_id: PathId) -> Any:
    services.lesson_delete(actor=request.auth, lesson_id=lesson_id)
    return 204, None


@router.get(
    "/projects/{project_id}/lessons",
    response={200: list[LessonOut], **problems(404, 422)},
    operation_id="project_lesson_list",
)
@paginate(Pagination)
def project_lesson_list(request: HttpRequest, project_id: PathId) -> Any:
    project = access_project(request.auth, project_id)
    require_internal(request.auth, project)
    return selectors.lessons_for_project(project).select_related("project")


@router.get(
    "/projects/{project_id}/lesson-suggestions",
    response={200: list[SuggestionOut], **problems(404)},
    operation_id="project_lesson_suggestions",
)
def project_lesson_suggestions(request: HttpRequest, project_id: PathId) -> Any:
    """Lessons of other projects that resemble this one (type, tags, words), each with why."""
    project = access_project(request.auth, project_id)
    require_internal(request.auth, project)
    return selectors.lesson_suggestions(project)


# --- onboarding ---------------------------------------------------------------------------------


@router.get(
    "/support/onboarding-tracks",
    response={200: list[TrackOut], **problems(403, 404)},
    operation_id="track_list",
)
def track_list(request: HttpRequest) -> Any:
    return selectors.track_list(request.auth)


@router.post(
    "/support/onboarding-tracks",
    response={201: TrackOut, **problems(403, 404, 422)},
    operation_id="track_create",
)
def track_create(request: HttpRequest, payload: TrackIn) -> Any:
    data = payload.model_dump()
    track = services.track_create(actor=request.auth, **data)
    return 201, selectors.track_list(request.auth).get(pk=track.pk)


@router.patch(
    "/support/onboarding-tracks/{track_id}",
    response={200: TrackOut, **problems(403, 404, 409, 422)},
    operation_id="track_update",
)
def track_update(request: HttpRequest, track_id: PathId, payload: TrackPatch) -> Any:
    """Rename, describe, retire (`active: false`) or replace the items of a track; the change
    applies to onboardings assigned afterwards."""
    services.track_update(
        actor=request.auth, track_id=track_id, version=payload.version, data=patch_data(payload)
    )
    return selectors.track_list(request.auth).get(pk=track_id)


@router.get(
    "/support/onboardings",
    response={200: list[OnboardingOut], **problems(404)},
    operation_id="onboarding_list",
)
def onboarding_list(request: HttpRequest) -> Any:
    """The onboardings you follow as new PM or mentor; the PMO sees all of them."""
    return [_onboarding_out(o, p) for o, p in selectors.onboarding_list(request.auth)]


@router.post(
    "/support/onboardings",
    response={201: OnboardingOut, **problems(403, 404, 409, 422)},
    operation_id="onboarding_assign",
)
def onboarding_assign(request: HttpRequest, payload: OnboardingIn) -> Any:
    onboarding = services.onboarding_assign(actor=request.auth, **payload.model_dump())
    return 201, onboarding_get(request, onboarding.pk)


@router.get(
    "/support/onboardings/{onboarding_id}",
    response={200: OnboardingOut, **problems(404)},
    operation_id="onboarding_get",
)
def onboarding_get(request: HttpRequest, onboarding_id: PathId) -> Any:
    onboarding = services.access_onboarding(request.auth, onboarding_id)
    items = selectors.onboarding_items(onboarding)
    return _onboarding_out(onboarding, selectors.progress_of(items), items)


@router.post(
    "/support/onboarding-items/{item_id}/tick",
    response={200: OnboardingItemOut, **problems(404, 422)},
    operation_id="onboarding_item_tick",
)
def onboarding_item_tick(request: HttpRequest, item_id: PathId, payload: TickIn) -> Any:
    """The new PM, the mentor or the PMO ticks an item done (`done: false` unticks it)."""
    return services.onboarding_item_tick(actor=request.auth, item_id=item_id, done=payload.done)


# --- project managers ---------------------------------------------------------------------------


@router.post(
    "/projects/{project_id}/manager",
    response={200: ManagerChangeOut, **problems(403, 404, 409, 422)},
    operation_id="manager_assign",
)
def manager_assign(request: HttpRequest, project_id: PathId, payload: ManagerIn) -> Any:
    """A PMO admin hands the project to another manager, with the reason; both are told."""
    return services.manager_assign(
        actor=request.auth, project_id=project_id, **payload.model_dump()
    )


@router.get(
    "/projects/{project_id}/manager-changes",
    response={200: list[ManagerChangeOut], **problems(404)},
    operation_id="manager_change_list",
)
def manager_change_list(request: HttpRequest, project_id: PathId) -> Any:
    project = access_project(request.auth, project_id)
    require_internal(request.auth, project)
    return selectors.manager_history(project)


@router.get(
    "/support/workload",
    response={200: list[WorkloadOut], **problems(403, 404)},
    operation_id="manager_workload",
)
def manager_workload(request: HttpRequest) -> Any:
    """Each project manager with the open projects they manage: stage, health, overdue items."""
    out = []
    for load in selectors.workload(request.auth):
        out.append(
            {
                "manager": load.manager,
                "overdue": load.overdue,
                "onboarding": (
                    {**vars(load.onboarding), "percent": load.onboarding.percent}
                    if load.onboarding
                    else None
                ),
                "projects": [
                    {
                        "id": p.project.pk,
                        "code": p.project.code,
                        "name": p.project.name,
                        "stage": p.project.stage,
                        "health": p.project.health,
                        "status": p.project.status,
                        "overdue_tasks": p.overdue_tasks,
                        "overdue_issues": p.overdue_issues,
                        "overdue_risks": p.overdue_risks,
                    }
                    for p in load.projects
                ],
            }
        )
    return out
