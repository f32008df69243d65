"""Support for project managers: the knowledge base, lessons learned, onboarding of new PMs and
the PMO's view of its project managers' workload (with handing projects over)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from pmo.core.errors import Forbidden
from pmo.projects.models import Project, ProjectType, Stage
from pmo.projects.policies import visible_projects
from pmo.support import selectors, services
from pmo.support.models import LessonCategory, LessonSource, OnboardingTrack
from pmo.support.policies import (
    is_pmo,
    is_pmo_admin,
    may_edit_lesson,
    require_pmo,
    require_reader,
)

from .common import attempt, page

LESSONS_PER_PAGE = 25
TRACK_LINE = re.compile(r"^\s*(?:(\d{1,3})\s*[:|]\s*)?(.+?)\s*$")
TRACK_LINE_HELP = (
    "One item per line, with the day it falls due after the start: "
    "'0: Meet the PMO', '10: Read the methodology'."
)
BAD_TRACK_LINE = "Line {n}: write 'days: what to do', with 0 to 365 days."


def _tag_list(text: str) -> list[str]:
    return [t for t in re.split(r"[,;]", text) if t.strip()]


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(max_length=300, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), help_text="Markdown.")
    tags = forms.CharField(
        required=False,
        max_length=500,
        help_text="Separated by commas. Tag with a stage (initiation, planning, execution, "
        "closing) to show the article on projects in that stage.",
    )
    published = forms.BooleanField(required=False, initial=True)


class LessonForm(forms.Form):
    project = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    category = forms.ChoiceField(choices=LessonCategory.choices)
    what_happened = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    impact = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    recommendation = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    tags = forms.CharField(required=False, max_length=500, help_text="Separated by commas.")

    def __init__(self, *args: Any, projects: list[tuple[int, str]] | None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        if projects is None:
            del self.fields["project"]
        else:
            self.fields["project"].choices = [("", "— the whole organisation —"), *projects]


class TrackForm(forms.Form):
    name = forms.CharField(max_length=150)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    items = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), help_text=TRACK_LINE_HELP, label="Checklist"
    )

    def clean_items(self) -> list[dict[str, Any]]:
        items = []
        for n, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            if not line.strip():
                continue
            match = TRACK_LINE.match(line)
            if match is None or int(match.group(1) or 0) > 365:
                raise forms.ValidationError(BAD_TRACK_LINE.format(n=n))
            items.append({"title": match.group(2)[:200], "offset_days": int(match.group(1) or 0)})
        return items


class OnboardingForm(forms.Form):
    track = forms.TypedChoiceField(coerce=int)
    manager = forms.TypedChoiceField(coerce=int, label="New project manager")
    mentor = forms.TypedChoiceField(coerce=int)
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        people = [(u.pk, str(u)) for u in selectors.candidate_managers()]
        self.fields["manager"].choices = people
        self.fields["mentor"].choices = people
        self.fields["track"].choices = [
            (t.pk, t.name) for t in OnboardingTrack.objects.filter(active=True)
        ]
        self.fields["start"].initial = timezone.localdate()


class ReassignForm(forms.Form):
    project = forms.IntegerField(widget=forms.HiddenInput)
    manager = forms.TypedChoiceField(coerce=int, label="New manager")
    reason = forms.CharField(max_length=2000)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["manager"].choices = [(u.pk, str(u)) for u in selectors.candidate_managers()]


# --- knowledge base -----------------------------------------------------------------------------


@page("GET")
def support_home(request: HttpRequest) -> HttpResponse:
    """The knowledge base: search, tags, articles."""
    query = request.GET.get("q", "")[:200]
    tag = request.GET.get("tag", "")[:40]
    articles = selectors.article_list(request.user, query=query, tag=tag)
    return render(
        request,
        "web/support/home.html",
        {
            "articles": articles[:100],
            "query": query,
            "tag": tag,
            "tags": selectors.tag_list(),
            "can_write": is_pmo(request.user),
            "section": "knowledge",
        },
    )


@page("GET")
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    article = services.access_article(request.user, article_id)
    return render(
        request,
        "web/support/article.html",
        {
            "article": article,
            "html": selectors.render_markdown(article.body),
            "tags": [t.name for t in article.tags.all()],
            "can_write": is_pmo(request.user),
            "section": "knowledge",
        },
    )


@page("GET", "POST")
def article_edit(request: HttpRequest, article_id: int | None = None) -> HttpResponse:
    require_pmo(request.user, "write knowledge base articles")
    article = services.access_article(request.user, article_id) if article_id else None
    initial = {}
    if article is not None:
        initial = {
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "tags": ", ".join(t.name for t in article.tags.all()),
            "published": article.published,
        }
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "tags": _tag_list(form.cleaned_data["tags"])}
        if article is None:
            saved = attempt(
                request, lambda: services.article_create(actor=request.user, data=data), form=form
            )
        else:
            version = int(request.POST.get("version") or 0) or None
            saved = attempt(
                request,
                lambda: services.article_update(
                    actor=request.user, article_id=article.pk, version=version, data=data
                ),
                form=form,
            )
        if saved is not None:
            messages.success(request, f"Article '{saved.title}' saved.")
            return redirect("support_article", saved.pk)
    return render(
        request,
        "web/support/article_form.html",
        {"form": form, "article": article, "section": "knowledge"},
    )


# --- lessons learned ----------------------------------------------------------------------------


@page("GET")
def lesson_list(request: HttpRequest) -> HttpResponse:
    require_reader(request.user)
    g = request.GET
    filters = {
        "query": g.get("q", "")[:200],
        "category": g.get("category", "") if g.get("category") in LessonCategory.values else "",
        "project_type": g.get("type", "") if g.get("type") in ProjectType.values else "",
        "tag": g.get("tag", "")[:40],
        "source": g.get("source", "") if g.get("source") in LessonSource.values else "",
    }
    project = None
    if g.get("project", "").isdigit():
        project = visible_projects(request.user).filter(pk=int(g["project"])).first()
    lessons = selectors.lesson_list(
        request.user, **filters, project_id=project.pk if project else None
    )
    paginator = Paginator(lessons, LESSONS_PER_PAGE)
    page_obj = paginator.get_page(g.get("page"))
    params = g.copy()
    params.pop("page", None)
    return render(
        request,
        "web/support/lessons.html",
        {
            "page_obj": page_obj,
            "lessons": page_obj.object_list,
            "filters": filters,
            "project": project,
            "params": params.urlencode(),
            "categories": LessonCategory.choices,
            "types": ProjectType.choices,
            "sources": LessonSource.choices,
            "section": "lessons",
        },
    )


def _recordable_projects(user: Any) -> list[tuple[int, str]]:
    rows = visible_projects(user).exclude(stage=Stage.CLOSED).order_by("code")
    return [(p.pk, f"{p.code} {p.name}") for p in rows.only("pk", "code", "name")]


@page("GET", "POST")
def lesson_edit(request: HttpRequest, lesson_id: int | None = None) -> HttpResponse:
    require_reader(request.user)
    lesson = services.access_lesson(request.user, lesson_id) if lesson_id else None
    if lesson is not None and not may_edit_lesson(request.user, lesson):
        raise Forbidden(services.MAY_NOT_EDIT_LESSON.format(id=lesson.pk))
    initial: dict[str, Any] = {}
    if lesson is None:
        initial["project"] = request.GET.get("project")
    else:
        initial = {
            "category": lesson.category,
            "what_happened": lesson.what_happened,
            "impact": lesson.impact,
            "recommendation": lesson.recommendation,
            "tags": ", ".join(t.name for t in lesson.tags.all()),
        }
    form = LessonForm(
        request.POST or None,
        initial=initial,
        projects=_recordable_projects(request.user) if lesson is None else None,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        tags = _tag_list(d["tags"])
        if lesson is None:
            saved = attempt(
                request,
                lambda: services.lesson_record(
                    actor=request.user,
                    project_id=d.get("project"),
                    category=d["category"],
                    what_happened=d["what_happened"],
                    impact=d["impact"],
                    recommendation=d["recommendation"],
                    tags=tags,
                ),
                form=form,
            )
        else:
            version = int(request.POST.get("version") or 0) or None
            fields = {k: d[k] for k in ("category", "what_happened", "impact", "recommendation")}
            saved = attempt(
                request,
                lambda: services.lesson_update(
                    actor=request.user,
                    lesson_id=lesson.pk,
                    version=version,
                    data={**fields, "tags": tags},
                ),
                form=form,
            )
        if saved is not None:
            messages.success(request, f"Lesson L-{saved.pk} recorded. Thank you.")
            if saved.project_id:
                return redirect(f"/support/lessons/?project={saved.project_id}")
            return redirect("support_lessons")
    return render(
        request,
        "web/support/lesson_form.html",
        {"form": form, "lesson": lesson, "section": "lessons"},
    )


# --- onboarding ---------------------------------------------------------------------------------


@page("GET", "POST")
def onboarding_list(request: HttpRequest) -> HttpResponse:
    """New PMs and mentors see their checklists; the PMO sees all and assigns tracks."""
    pmo = is_pmo(request.user)
    form = OnboardingForm(request.POST or None) if pmo else None
    if request.method == "POST" and request.POST.get("action") in ("retire", "reactivate"):
        active = request.POST["action"] == "reactivate"
        track = attempt(
            request,
            lambda: services.track_update(
                actor=request.user,
                track_id=request.POST.get("track", ""),
                version=int(request.POST.get("version") or 0) or None,
                data={"active": active},
            ),
        )
        if track is not None:
            verb = "can be assigned again" if active else "is retired: no new onboardings"
            messages.success(request, f"The track '{track.name}' {verb}.")
        return redirect("support_onboarding")
    if request.method == "POST":
        require_pmo(request.user, "assign onboarding")
        assert form is not None
        if form.is_valid():
            d = form.cleaned_data
            done = attempt(
                request,
                lambda: services.onboarding_assign(
                    actor=request.user,
                    track_id=d["track"],
                    manager_id=d["manager"],
                    mentor_id=d["mentor"],
                    start=d["start"],
                ),
                form=form,
            )
            if done is not None:
                messages.success(request, f"{done.manager} starts '{done.track}' on {done.start}.")
                return redirect("support_onboarding_detail", done.pk)
    return render(
        request,
        "web/support/onboarding_list.html",
        {
            "onboardings": selectors.onboarding_list(request.user),
            "tracks": selectors.track_list(request.user) if pmo else [],
            "form": form,
            "is_pmo": pmo,
            "section": "onboarding",
        },
    )


@page("GET", "POST")
def onboarding_detail(request: HttpRequest, onboarding_id: int) -> HttpResponse:
    onboarding = services.access_onboarding(request.user, onboarding_id)
    if request.method == "POST":
        item_id = request.POST.get("item", "")
        done = request.POST.get("done") == "1"
        if attempt(
            request,
            lambda: services.onboarding_item_tick(actor=request.user, item_id=item_id, done=done),
        ):
            messages.success(request, "Ticked." if done else "Marked as not done.")
        return redirect("support_onboarding_detail", onboarding.pk)
    items = selectors.onboarding_items(onboarding)
    return render(
        request,
        "web/support/onboarding_detail.html",
        {
            "onboarding": onboarding,
            "items": items,
            "progress": selectors.progress_of(items),
            "today": timezone.localdate(),
            "section": "onboarding",
        },
    )


@page("GET", "POST")
def track_create(request: HttpRequest) -> HttpResponse:
    require_pmo(request.user, "define onboarding tracks")
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        track = attempt(
            request,
            lambda: services.track_create(
                actor=request.user, name=d["name"], description=d["description"], items=d["items"]
            ),
            form=form,
        )
        if track is not None:
            messages.success(request, f"Track '{track.name}' created.")
            return redirect("support_onboarding")
    return render(request, "web/support/track_form.html", {"form": form, "section": "onboarding"})


# --- project managers ---------------------------------------------------------------------------


@page("GET", "POST")
def workload(request: HttpRequest) -> HttpResponse:
    """Each PM with their projects (stage, health, overdue items); PMO admins hand projects over."""
    loads = selectors.workload(request.user)
    admin = is_pmo_admin(request.user)
    form = ReassignForm(request.POST or None) if admin else None
    if request.method == "POST":
        if form is None:
            raise Forbidden("Only a PMO admin may assign project managers.")
        if form.is_valid():
            d = form.cleaned_data
            change = attempt(
                request,
                lambda: services.manager_assign(
                    actor=request.user,
                    project_id=d["project"],
                    user_id=d["manager"],
                    reason=d["reason"],
                ),
            )
            if change is not None:
                code = Project.objects.values_list("code", flat=True).get(pk=change.project_id)
                messages.success(request, f"{change.new_manager} now manages {code}.")
                return redirect("support_workload")
        else:
            for errors in form.errors.values():
                for e in errors:
                    messages.error(request, e)
    return render(
        request,
        "web/support/workload.html",
        {
            "loads": loads,
            "can_assign": admin,
            "managers": selectors.candidate_managers() if admin else [],
            "hand_overs": selectors.recent_hand_overs(request.user),
            "section": "workload",
            "today": timezone.localdate(),
        },
    )
