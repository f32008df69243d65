"""Writes of the support context: articles, lessons learned, onboarding and handing projects to
another project manager. Each write checks its policy, validates, writes in one transaction,
audits and tells the people concerned once it commits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from pmo.accounts.models import OrgRole, User
from pmo.core.audit import audit_record, snapshot
from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.notifications import notify
from pmo.core.services import full_clean, only_fields, versioned_update
from pmo.projects import services as projects
from pmo.projects.models import Membership, ProjectRole
from pmo.projects.policies import access_project, permissions_or_404, require, require_internal

from .models import (
    Article,
    Lesson,
    LessonCategory,
    LessonSource,
    ManagerChange,
    Onboarding,
    OnboardingItem,
    OnboardingTrack,
    Tag,
    TrackItem,
)
from .policies import (
    LESSON_RELATIONS,
    LESSON_WRITERS_WITHOUT_PROJECT,
    is_pmo,
    may_edit_lesson,
    require_pmo,
    require_pmo_admin,
    require_reader,
)
from .search import search_document

ARTICLE_NOT_FOUND = "Article {id} not found."
ARTICLE_TITLE_TAKEN = "An article titled '{title}' already exists."
LESSON_NOT_FOUND = "Lesson {id} not found."
TRACK_NOT_FOUND = "Onboarding track {id} not found."
ONBOARDING_NOT_FOUND = "Onboarding {id} not found."
ITEM_NOT_FOUND = "Onboarding item {id} not found."
TRACK_NAME_TAKEN = "An onboarding track named '{name}' already exists."
TRACK_INACTIVE = "The track '{name}' is retired; choose an active one."
TRACK_NO_ITEMS = "A track needs at least one item."
ITEM_SHAPE = "Item {n}: {problem}."
ALREADY_ONBOARDING = "{user} is already on the track '{track}'."
MENTOR_IS_MANAGER = "A new project manager cannot mentor themselves."
UNKNOWN_USER = "No active user with id {id}."
NOT_INTERNAL = "{user} is an external client; {what} is someone inside the organisation."
NOT_A_MANAGER = "{user} is not a project manager or in the PMO; only they manage projects."
SAME_MANAGER = "{user} already manages {code}."
REASON_NEEDED = "Say why the project changes hands."
MAY_NOT_RECORD = "You may not record lessons on project {code}."
MAY_NOT_RECORD_ORG = "Only the PMO and project managers record lessons outside a project."
MAY_NOT_EDIT_LESSON = "Only the PMO or the person who recorded lesson L-{id} may change it."
UNKNOWN_CATEGORY = "Unknown category '{value}'; expected one of {values}."
UNKNOWN_SOURCE = "Unknown source '{value}'; expected 'project' or 'closing'."
TEXT_NEEDED = "Say {what}."
BAD_TAG = (
    "'{tag}' is not a tag: use up to 40 lower-case letters, digits and dashes, "
    "starting with a letter or digit."
)
TOO_MANY_TAGS = "At most {max} tags."
NOT_A_TAG_LIST = "Tags must be a list of words."
UNKNOWN_ARTICLE = "No article with id {id}."
NUL_CHARACTER = "Text may not contain NUL characters."

MAX_TAGS = 12
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
ARTICLE_FIELDS = {"title", "summary", "body", "tags", "published"}
LESSON_FIELDS = {"category", "what_happened", "impact", "recommendation", "tags", "project_type"}
MANAGER_ROLES = {OrgRole.PROJECT_MANAGER, OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST}


# --- helpers ------------------------------------------------------------------------------------


def _no_nul(values: Iterable[Any]) -> None:
    for value in values:
        if isinstance(value, str) and "\x00" in value:
            raise ValidationFailed(NUL_CHARACTER)


def tag_names(tags: Any) -> list[str]:
    """Tags as the PMO writes them ("Data migration", "vendor ") made canonical, or refused."""
    if isinstance(tags, str) or not isinstance(tags, list | tuple):
        raise ValidationFailed(NOT_A_TAG_LIST, extra={"errors": {"tags": [NOT_A_TAG_LIST]}})
    names: list[str] = []
    for raw in tags:
        if not isinstance(raw, str):
            raise ValidationFailed(NOT_A_TAG_LIST, extra={"errors": {"tags": [NOT_A_TAG_LIST]}})
        name = re.sub(r"[\s_]+", "-", raw.strip().lower())
        if not name:
            continue
        if not TAG_PATTERN.match(name):
            msg = BAD_TAG.format(tag=raw.strip()[:60])
            raise ValidationFailed(msg, extra={"errors": {"tags": [msg]}})
        if name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        msg = TOO_MANY_TAGS.format(max=MAX_TAGS)
        raise ValidationFailed(msg, extra={"errors": {"tags": [msg]}})
    return names


def _tags(names: Sequence[str]) -> list[Tag]:
    found = {t.name: t for t in Tag.objects.filter(name__in=names)}
    for name in names:
        if name not in found:
            try:
                with transaction.atomic():
                    found[name] = Tag.objects.create(name=name)
            except IntegrityError:  # created by a concurrent write
                found[name] = Tag.objects.get(name=name)
    return [found[n] for n in names]


def _active_user(user_id: Any) -> User:
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        raise ValidationFailed(UNKNOWN_USER.format(id=user_id)) from None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise ValidationFailed(UNKNOWN_USER.format(id=user_id))
    return user


def _pk(value: Any, missing: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(missing.format(id=value)) from None


def _text(value: Any, what: str, field: str, *, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        msg = TEXT_NEEDED.format(what=what)
        raise ValidationFailed(msg, extra={"errors": {field: [msg]}})
    return text


# --- knowledge base -----------------------------------------------------------------------------


def _article_index(article: Article, tags: Sequence[str]) -> None:
    text = search_document(article.title, article.summary, article.body, " ".join(tags))
    Article.objects.filter(pk=article.pk).update(search_text=text)
    article.search_text = text


def access_article(actor: Any, article_id: Any, *, for_update: bool = False) -> Article:
    """The article, if `actor` may read it; an unpublished one only to the PMO."""
    require_reader(actor, ARTICLE_NOT_FOUND.format(id=article_id))
    pk = _pk(article_id, ARTICLE_NOT_FOUND)
    qs = Article.objects.all()
    if not is_pmo(actor):
        qs = qs.filter(published=True)
    if for_update:
        qs = qs.select_for_update()
    article = qs.filter(pk=pk).first()
    if article is None:
        raise NotFound(ARTICLE_NOT_FOUND.format(id=article_id))
    return article


@transaction.atomic
def article_create(*, actor: User, data: Mapping[str, Any]) -> Article:
    require_pmo(actor, "write knowledge base articles")
    only_fields(data, ARTICLE_FIELDS)
    _no_nul(data.values())
    names = tag_names(data.get("tags", []))
    title = _text(data.get("title"), "the article's title", "title")
    if Article.objects.filter(title__iexact=title).exists():
        raise ValidationFailed(ARTICLE_TITLE_TAKEN.format(title=title))
    article = Article(
        title=title,
        summary=_text(data.get("summary"), "", "summary", required=False),
        body=_text(data.get("body"), "what the article says", "body"),
        published=bool(data.get("published", True)),
        created_by=actor,
    )
    full_clean(article)
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError as exc:  # the same title created at the same moment
        raise ValidationFailed(ARTICLE_TITLE_TAKEN.format(title=title)) from exc
    article.tags.set(_tags(names))
    _article_index(article, names)
    audit_record(
        actor=actor,
        action="create",
        obj=article,
        changes={
            **{k: [None, v] for k, v in snapshot(article, ["title", "published"]).items()},
            "tags": [None, names],
        },
    )
    return article


@transaction.atomic
def article_update(
    *, actor: User, article_id: int, version: int | None, data: Mapping[str, Any]
) -> Article:
    require_pmo(actor, "edit knowledge base articles")
    article = access_article(actor, article_id, for_update=True)
    only_fields(data, ARTICLE_FIELDS)
    _no_nul(data.values())
    fields = {k: v for k, v in data.items() if k != "tags"}
    for key in ("title", "body"):
        if key in fields:
            fields[key] = _text(fields[key], f"the article's {key}", key)
    if "summary" in fields:
        fields["summary"] = _text(fields["summary"], "", "summary", required=False)
    if "published" in fields:
        fields["published"] = bool(fields["published"])
    title = fields.get("title")
    if title and Article.objects.filter(title__iexact=title).exclude(pk=article.pk).exists():
        raise ValidationFailed(ARTICLE_TITLE_TAKEN.format(title=title))
    if version is not None and version != article.version and not fields:
        fields["title"] = article.title  # let the stale check answer even for a tags-only edit
    article = versioned_update(
        article,
        actor=actor,
        data=fields,
        expected_version=version,
        project_id=None,
        thing=f"The article '{article.title}'",
    )
    names = (
        tag_names(data["tags"])
        if "tags" in data
        else list(article.tags.values_list("name", flat=True))
    )
    if "tags" in data:
        before = sorted(article.tags.values_list("name", flat=True))
        if before != sorted(names):
            article.tags.set(_tags(names))
            audit_record(
                actor=actor, action="update", obj=article, changes={"tags": [before, names]}
            )
    _article_index(article, names)
    return article


@transaction.atomic
def article_delete(*, actor: User, article_id: int) -> None:
    require_pmo(actor, "delete knowledge base articles")
    article = access_article(actor, article_id, for_update=True)
    audit_record(actor=actor, action="delete", obj=article)
    article.delete()


# --- lessons learned ----------------------------------------------------------------------------


def _lesson_index(lesson: Lesson, tags: Sequence[str]) -> None:
    text = search_document(
        lesson.what_happened, lesson.impact, lesson.recommendation, " ".join(tags)
    )
    Lesson.objects.filter(pk=lesson.pk).update(search_text=text)
    lesson.search_text = text


def _category(value: Any) -> str:
    if value not in LessonCategory.values:
        msg = UNKNOWN_CATEGORY.format(value=value, values=", ".join(LessonCategory.values))
        raise ValidationFailed(msg, extra={"errors": {"category": [msg]}})
    return str(value)


@transaction.atomic
def lesson_record(
    *,
    actor: Any,
    project_id: int | None,
    category: str,
    what_happened: str,
    impact: str,
    recommendation: str,
    tags: list[str],
    source: str = "project",
) -> Lesson:
    """Record a lesson, from a project (anyone inside it but viewers and clients) or for the whole
    organisation (the PMO and project managers). `source` "closing" marks the lessons of a
    post-implementation review. The lesson takes the project's type, for the suggestions."""
    require_reader(actor)
    if source not in LessonSource.values:
        raise ValidationFailed(UNKNOWN_SOURCE.format(value=source))
    project = None
    if project_id is not None:
        project = access_project(actor, project_id, for_update=True)
        perms = require_internal(actor, project)
        require(
            perms.relation in LESSON_RELATIONS,
            action="record lessons",
            project=project,
        )
    elif actor.org_role not in LESSON_WRITERS_WITHOUT_PROJECT and not actor.is_superuser:
        raise Forbidden(MAY_NOT_RECORD_ORG)
    _no_nul([what_happened, impact, recommendation])
    names = tag_names(tags)
    lesson = Lesson(
        project=project,
        project_type=project.project_type if project is not None else "other",
        category=_category(category),
        what_happened=_text(what_happened, "what happened", "what_happened"),
        impact=_text(impact, "", "impact", required=False),
        recommendation=_text(recommendation, "what you recommend", "recommendation"),
        source=source,
        recorded_by=actor,
    )
    full_clean(lesson)
    lesson.save()
    lesson.tags.set(_tags(names))
    _lesson_index(lesson, names)
    audit_record(
        actor=actor,
        action="create",
        obj=lesson,
        project_id=project.pk if project else None,
        changes={
            **{
                k: [None, v]
                for k, v in snapshot(lesson, ["category", "source", "project_type"]).items()
            },
            "tags": [None, names],
        },
    )
    return lesson


def access_lesson(actor: Any, lesson_id: Any, *, for_update: bool = False) -> Lesson:
    require_reader(actor, LESSON_NOT_FOUND.format(id=lesson_id))
    pk = _pk(lesson_id, LESSON_NOT_FOUND)
    qs = Lesson.objects.select_related("project", "recorded_by")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    lesson = qs.filter(pk=pk).first()
    if lesson is None:
        raise NotFound(LESSON_NOT_FOUND.format(id=lesson_id))
    return lesson


@transaction.atomic
def lesson_update(
    *, actor: User, lesson_id: int, version: int | None, data: Mapping[str, Any]
) -> Lesson:
    lesson = access_lesson(actor, lesson_id, for_update=True)
    if not may_edit_lesson(actor, lesson):
        raise Forbidden(MAY_NOT_EDIT_LESSON.format(id=lesson.pk))
    only_fields(data, LESSON_FIELDS)
    _no_nul(data.values())
    fields = {k: v for k, v in data.items() if k != "tags"}
    if "category" in fields:
        fields["category"] = _category(fields["category"])
    for key, what in (("what_happened", "what happened"), ("recommendation", "what you recommend")):
        if key in fields:
            fields[key] = _text(fields[key], what, key)
    if "impact" in fields:
        fields["impact"] = _text(fields["impact"], "", "impact", required=False)
    names = tag_names(data["tags"]) if "tags" in data else None
    lesson = versioned_update(
        lesson,
        actor=actor,
        data=fields,
        expected_version=version,
        project_id=lesson.project_id,
        thing=f"Lesson L-{lesson.pk}",
    )
    current = list(lesson.tags.values_list("name", flat=True))
    if names is not None and sorted(current) != sorted(names):
        lesson.tags.set(_tags(names))
        audit_record(
            actor=actor,
            action="update",
            obj=lesson,
            project_id=lesson.project_id,
            changes={"tags": [current, names]},
        )
        current = names
    _lesson_index(lesson, current)
    return lesson


@transaction.atomic
def lesson_delete(*, actor: User, lesson_id: int) -> None:
    require_pmo(actor, "delete lessons")
    lesson = access_lesson(actor, lesson_id, for_update=True)
    audit_record(actor=actor, action="delete", obj=lesson, project_id=lesson.project_id)
    lesson.delete()


# --- onboarding ---------------------------------------------------------------------------------


def _track_items(items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list | tuple) or not items:
        raise ValidationFailed(TRACK_NO_ITEMS, extra={"errors": {"items": [TRACK_NO_ITEMS]}})
    clean = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            raise ValidationFailed(ITEM_SHAPE.format(n=n, problem="expected an object"))
        unknown = set(item) - {"title", "description", "offset_days", "article_id"}
        if unknown:
            raise ValidationFailed(
                ITEM_SHAPE.format(n=n, problem=f"unknown fields {', '.join(sorted(unknown))}")
            )
        title = item.get("title")
        if not isinstance(title, str) or not title.strip():
            raise ValidationFailed(ITEM_SHAPE.format(n=n, problem="say what the item is"))
        offset = item.get("offset_days", 0)
        if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= 365:
            raise ValidationFailed(
                ITEM_SHAPE.format(n=n, problem="offset_days is a whole number of days, 0 to 365")
            )
        article_id = item.get("article_id")
        if article_id is not None and not Article.objects.filter(pk=article_id).exists():
            raise ValidationFailed(ITEM_SHAPE.format(n=n, problem=f"no article {article_id}"))
        description = item.get("description") or ""
        _no_nul([title, description])
        clean.append(
            {
                "title": title.strip()[:200],
                "description": str(description).strip(),
                "offset_days": offset,
                "article_id": article_id,
            }
        )
    return clean


@transaction.atomic
def track_create(
    *, actor: User, name: str, description: str = "", items: Sequence[Mapping[str, Any]]
) -> OnboardingTrack:
    """A new induction checklist for new PMs; each item falls due `offset_days` after the start."""
    require_pmo(actor, "define onboarding tracks")
    _no_nul([name, description])
    name = _text(name, "the track's name", "name")
    if OnboardingTrack.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(TRACK_NAME_TAKEN.format(name=name))
    clean = _track_items(list(items))
    track = OnboardingTrack(name=name, description=description.strip())
    full_clean(track)
    try:
        with transaction.atomic():
            track.save()
    except IntegrityError as exc:  # the same name created at the same moment
        raise ValidationFailed(TRACK_NAME_TAKEN.format(name=name)) from exc
    TrackItem.objects.bulk_create(
        TrackItem(track=track, position=i, **item) for i, item in enumerate(clean)
    )
    audit_record(
        actor=actor,
        action="create",
        obj=track,
        changes={"name": [None, name], "items": [None, len(clean)]},
    )
    return track


@transaction.atomic
def track_update(
    *, actor: User, track_id: int, version: int | None, data: Mapping[str, Any]
) -> OnboardingTrack:
    """Rename, describe or retire a track; new items apply to onboardings assigned afterwards."""
    require_pmo(actor, "change onboarding tracks")
    pk = _pk(track_id, TRACK_NOT_FOUND)
    track = OnboardingTrack.objects.select_for_update().filter(pk=pk).first()
    if track is None:
        raise NotFound(TRACK_NOT_FOUND.format(id=track_id))
    only_fields(data, {"name", "description", "active", "items"})
    _no_nul(data.values())
    fields = {k: v for k, v in data.items() if k != "items"}
    if "name" in fields:
        fields["name"] = _text(fields["name"], "the track's name", "name")
        taken = OnboardingTrack.objects.filter(name__iexact=fields["name"]).exclude(pk=pk)
        if taken.exists():
            raise ValidationFailed(TRACK_NAME_TAKEN.format(name=fields["name"]))
    if "active" in fields:
        fields["active"] = bool(fields["active"])
    if "items" in data:
        clean = _track_items(data["items"])
        if not fields:
            fields["name"] = track.name  # the version still guards an items-only edit
    track = versioned_update(
        track,
        actor=actor,
        data=fields,
        expected_version=version,
        project_id=None,
        thing=f"The track '{track.name}'",
    )
    if "items" in data:
        track.items.all().delete()
        TrackItem.objects.bulk_create(
            TrackItem(track=track, position=i, **item) for i, item in enumerate(clean)
        )
        audit_record(actor=actor, action="update", obj=track, changes={"items": [None, len(clean)]})
    return track


def _internal_user(user_id: Any, what: str) -> User:
    user = _active_user(user_id)
    if user.org_role == OrgRole.EXTERNAL_CLIENT:
        raise ValidationFailed(NOT_INTERNAL.format(user=user, what=what))
    return user


@transaction.atomic
def onboarding_assign(
    *, actor: User, track_id: int, manager_id: int, mentor_id: int, start: dt.date
) -> Onboarding:
    """The PMO puts a new project manager on a track with a mentor; the items fall due from
    `start`. Both the PM and the mentor are told."""
    require_pmo(actor, "assign onboarding")
    pk = _pk(track_id, TRACK_NOT_FOUND)
    track = OnboardingTrack.objects.filter(pk=pk).first()
    if track is None:
        raise NotFound(TRACK_NOT_FOUND.format(id=track_id))
    if not track.active:
        raise ValidationFailed(TRACK_INACTIVE.format(name=track.name))
    manager = _internal_user(manager_id, "the new project manager")
    mentor = _internal_user(mentor_id, "the mentor")
    if manager.pk == mentor.pk:
        raise ValidationFailed(
            MENTOR_IS_MANAGER, extra={"errors": {"mentor_id": [MENTOR_IS_MANAGER]}}
        )
    if Onboarding.objects.filter(track=track, manager=manager).exists():
        raise Conflict(ALREADY_ONBOARDING.format(user=manager, track=track.name))
    onboarding = Onboarding(
        track=track, manager=manager, mentor=mentor, start=start, assigned_by=actor
    )
    full_clean(onboarding, exclude=["track", "manager", "mentor"])
    try:
        with transaction.atomic():
            onboarding.save()
    except IntegrityError as exc:  # the same assignment made at the same moment
        raise Conflict(ALREADY_ONBOARDING.format(user=manager, track=track.name)) from exc
    OnboardingItem.objects.bulk_create(
        OnboardingItem(
            onboarding=onboarding,
            position=item.position,
            title=item.title,
            description=item.description,
            due_date=start + dt.timedelta(days=item.offset_days),
            article_id=item.article_id,
        )
        for item in track.items.all()
    )
    audit_record(
        actor=actor,
        action="create",
        obj=onboarding,
        changes={
            "manager": [None, str(manager)],
            "mentor": [None, str(mentor)],
            "start": [None, start.isoformat()],
        },
    )
    link = f"/support/onboarding/{onboarding.pk}/"
    count = onboarding.items.count()
    notify(
        users=[manager],
        subject=f"Your onboarding: {track.name}",
        body=f"{count} item(s) from {start:%d %b %Y}, with {mentor} as your mentor.",
        link=link,
    )
    notify(
        users=[mentor],
        subject=f"You mentor {manager} on {track.name}",
        body=f"{manager} starts the track on {start:%d %b %Y}; you can tick items with them.",
        link=link,
    )
    return onboarding


def access_onboarding(actor: Any, onboarding_id: Any) -> Onboarding:
    """The onboarding, to its new PM, its mentor and the PMO; *not found* to anyone else."""
    require_reader(actor, ONBOARDING_NOT_FOUND.format(id=onboarding_id))
    pk = _pk(onboarding_id, ONBOARDING_NOT_FOUND)
    row = Onboarding.objects.select_related("track", "manager", "mentor").filter(pk=pk).first()
    if row is None or not (is_pmo(actor) or actor.pk in (row.manager_id, row.mentor_id)):
        raise NotFound(ONBOARDING_NOT_FOUND.format(id=onboarding_id))
    return row


@transaction.atomic
def onboarding_item_tick(*, actor: User, item_id: int, done: bool = True) -> OnboardingItem:
    """The new PM, the mentor or the PMO ticks an item done (or not done after all)."""
    require_reader(actor, ITEM_NOT_FOUND.format(id=item_id))
    pk = _pk(item_id, ITEM_NOT_FOUND)
    item = (
        OnboardingItem.objects.select_for_update(of=("self",))
        .select_related("onboarding")
        .filter(pk=pk)
        .first()
    )
    ob = item.onboarding if item else None
    if ob is None or not (is_pmo(actor) or actor.pk in (ob.manager_id, ob.mentor_id)):
        raise NotFound(ITEM_NOT_FOUND.format(id=item_id))
    if bool(item.done_at) == done:
        return item  # ticking twice changes nothing
    before = item.done_at
    item.done_at = timezone.now() if done else None
    item.done_by = actor if done else None
    item.save(update_fields=["done_at", "done_by"])
    audit_record(
        actor=actor,
        action="update",
        obj=item,
        changes={"done": [before is not None, done]},
        note=f"onboarding {ob.pk}",
    )
    return item


# --- project managers ---------------------------------------------------------------------------


@transaction.atomic
def manager_assign(*, actor: User, project_id: int, user_id: int, reason: str) -> ManagerChange:
    """A PMO admin hands a project to another project manager, with the reason. The previous
    manager stays on the team as a member; both managers are told."""
    project = access_project(actor, project_id, for_update=True)
    require_pmo_admin(actor, "assign project managers")
    permissions_or_404(actor, project)
    _no_nul([reason])
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationFailed(REASON_NEEDED, extra={"errors": {"reason": [REASON_NEEDED]}})
    new = _active_user(user_id)
    if new.org_role not in MANAGER_ROLES:
        raise ValidationFailed(
            NOT_A_MANAGER.format(user=new), extra={"errors": {"user_id": ["role"]}}
        )
    if project.manager_id == new.pk:
        raise ValidationFailed(SAME_MANAGER.format(user=new, code=project.code))
    previous = project.manager
    projects.project_update(
        actor=actor, project_id=project.pk, version=None, data={"manager_id": new.pk}
    )
    if previous is not None:
        # the previous manager keeps the project's knowledge, no longer its decisions
        if Membership.objects.filter(project=project, user=previous).exists():
            projects.member_remove(actor=actor, project_id=project.pk, user_id=previous.pk)
        projects.member_add(
            actor=actor, project_id=project.pk, user_id=previous.pk, role=ProjectRole.MEMBER
        )
    change = ManagerChange.objects.create(
        project=project,
        previous_manager=previous,
        new_manager=new,
        reason=reason,
        assigned_by=actor,
    )
    audit_record(
        actor=actor,
        action="transition",
        obj=project,
        project_id=project.pk,
        changes={"manager": [str(previous) if previous else None, str(new)]},
        note=reason,
    )
    link = f"/projects/{project.pk}/"
    notify(
        users=[new],
        subject=f"[{project.code}] You now manage {project.name}",
        body=f"{actor} handed you the project"
        + (f" from {previous}" if previous else "")
        + f": {reason}",
        link=link,
    )
    if previous is not None:
        notify(
            users=[previous],
            subject=f"[{project.code}] {new} now manages {project.name}",
            body=f"{actor} handed the project to {new}: {reason}. "
            "You stay on the team as a member.",
            link=link,
        )
    return change
