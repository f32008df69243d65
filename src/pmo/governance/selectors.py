"""Reads on governance: methodologies, the gate panel of a project, the review queue, the
compliance score and the portfolio heat map."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import markdown
import nh3
from django.db.models import Prefetch, QuerySet

from pmo.projects.models import Project, Stage
from pmo.projects.policies import visible_projects

from . import gates
from .models import (
    ComplianceSnapshot,
    ConditionState,
    GateCondition,
    GateReview,
    Methodology,
    MethodologyVersion,
    ProjectGovernance,
    ProjectTemplate,
    ReviewState,
    StageDefinition,
    StageOverride,
    VersionState,
)

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def render_guidance(text: str) -> str:
    """A stage's guidance (Markdown) as HTML that is safe to show."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def methodology_list() -> QuerySet[Methodology]:
    return Methodology.objects.prefetch_related(
        Prefetch("versions", queryset=MethodologyVersion.objects.order_by("-number"))
    )


def version_detail(version_id: int) -> MethodologyVersion | None:
    return (
        MethodologyVersion.objects.select_related("methodology", "published_by")
        .prefetch_related(
            Prefetch(
                "stages",
                queryset=StageDefinition.objects.prefetch_related("criteria").order_by("id"),
            ),
            "tailoring_rules__stage",
            "tailoring_rules__criterion",
        )
        .filter(pk=version_id)
        .first()
    )


def published_methodologies() -> QuerySet[Methodology]:
    return Methodology.objects.filter(versions__state=VersionState.PUBLISHED).distinct()


def template_list() -> QuerySet[ProjectTemplate]:
    return ProjectTemplate.objects.select_related("methodology")


# --- a project's gates ---------------------------------------------------------------------------


@dataclass
class GatePanel:
    """Everything the project overview shows about governance."""

    governance: ProjectGovernance | None
    current: gates.GateStatus | None
    stage_definition: StageDefinition | None
    guidance_html: str
    checklist: list[tuple[str, bool]]
    template_checklist: list[tuple[str, bool]]
    open_review: GateReview | None
    reviews: list[GateReview]
    open_conditions: list[GateCondition]
    overrides: list[StageOverride]
    score: float | None


def gate_panel(project: Project) -> GatePanel:
    governance = gates.governance_of(project)
    reviews = list(
        GateReview.objects.filter(project=project)
        .select_related("requested_by", "decided_by")
        .prefetch_related("conditions__owner")
    )
    open_review = next((r for r in reviews if r.state == ReviewState.REQUESTED), None)
    open_conditions = [
        c for r in reviews for c in r.conditions.all() if c.state == ConditionState.OPEN
    ]
    overrides = list(StageOverride.objects.filter(project=project).select_related("actor"))
    if governance is None:
        return GatePanel(
            None, None, None, "", [], [], open_review, reviews, open_conditions, overrides, None
        )
    current = None
    definition = None
    if project.stage != Stage.CLOSED:
        current = gates.evaluate_gate(project, project.stage)
        definition = current.definition if current else None
    done = governance.checklist_done or {}
    checklist = [
        (item, item in done.get(project.stage, []))
        for item in (definition.checklist if definition else [])
    ]
    template_items = governance.template.checklist if governance.template else []
    template_checklist = [(item, item in done.get("template", [])) for item in template_items]
    return GatePanel(
        governance,
        current,
        definition,
        render_guidance(definition.guidance) if definition else "",
        checklist,
        template_checklist,
        open_review,
        reviews,
        open_conditions,
        overrides,
        gates.compliance_score(gates.gates_so_far(project)),
    )


def review_queue() -> QuerySet[GateReview]:
    """Requested reviews, oldest first, for the PMO."""
    return (
        GateReview.objects.filter(state=ReviewState.REQUESTED)
        .select_related("project__manager", "requested_by", "methodology_version__methodology")
        .order_by("requested_at", "id")
    )


def recent_decisions(limit: int = 20) -> QuerySet[GateReview]:
    return (
        GateReview.objects.filter(state=ReviewState.DECIDED)
        .select_related("project", "decided_by")
        .order_by("-decided_at")[:limit]
    )


def open_conditions_all() -> QuerySet[GateCondition]:
    return (
        GateCondition.objects.filter(state=ConditionState.OPEN)
        .select_related("review__project", "owner")
        .order_by("due_date", "id")
    )


# --- compliance ------------------------------------------------------------------------------


@dataclass
class Cell:
    met: bool
    applies: bool
    unavailable: bool
    detail: str
    gate: str


@dataclass
class HeatmapRow:
    project: Project
    score: float | None
    cells: dict[str, Cell] = field(default_factory=dict)


def heatmap_rows(projects: Iterable[Project]) -> list[HeatmapRow]:
    """One row per project that follows a methodology: each criterion of the gates it has
    reached, met or not, and the weighted score."""
    rows = []
    for project in projects:
        so_far = gates.gates_so_far(project)
        if gates.governance_of(project) is None:
            continue
        row = HeatmapRow(project, gates.compliance_score(so_far))
        for gate in so_far:
            for result in gate.results:
                applies = gate.applies and result.applies
                row.cells[result.column] = Cell(
                    result.met,
                    applies,
                    result.unavailable,
                    result.detail if applies else (result.tailoring or gate.tailoring),
                    gate.name,
                )
        rows.append(row)
    return rows


def heatmap_columns(rows: Sequence[HeatmapRow]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for label in row.cells:
            seen.setdefault(label, None)
    return list(seen)


def _prefetch_governance(projects: Iterable[Project]) -> list[Project]:
    projects = list(projects)
    found = {
        g.project_id: g
        for g in ProjectGovernance.objects.filter(project__in=projects).select_related(
            "methodology_version__methodology", "template"
        )
    }
    versions: dict[int, MethodologyVersion] = {}
    for project in projects:
        governance = found.get(project.pk)
        if governance is not None:
            # share one version object so its stages and rules are read once
            version = versions.setdefault(
                governance.methodology_version_id, governance.methodology_version
            )
            governance.methodology_version = version
        project._governance_cache = governance  # type: ignore[attr-defined]
    return projects


def compliance_heatmap(user: Any, *, portfolio_id: int | None = None) -> list[HeatmapRow]:
    qs = visible_projects(user, Project.objects.select_related("manager", "portfolio")).exclude(
        stage=Stage.CLOSED
    )
    if portfolio_id:
        qs = qs.filter(portfolio_id=portfolio_id)
    return heatmap_rows(_prefetch_governance(qs.filter(governance__isnull=False)))


def compliance_by_project(projects: Iterable[Project]) -> dict[int, float | None]:
    """The compliance score (0–100) of each project; None for a project following no
    methodology or with no applicable criterion."""
    out: dict[int, float | None] = {}
    for project in _prefetch_governance(projects):
        if getattr(project, "_governance_cache", None) is None:
            out[project.pk] = None
            continue
        out[project.pk] = gates.compliance_score(gates.gates_so_far(project))
    return out


def compliance_trend(
    projects: Iterable[Project], *, since: dt.date | None = None
) -> dict[str, list[tuple[dt.date, float | None]]]:
    """Per project code, its recorded scores by date."""
    qs = ComplianceSnapshot.objects.filter(project__in=list(projects)).select_related("project")
    if since is not None:
        qs = qs.filter(date__gte=since)
    out: dict[str, list[tuple[dt.date, float | None]]] = {}
    for snap in qs.order_by("date"):
        out.setdefault(snap.project.code, []).append((snap.date, snap.score))
    return out


def portfolio_trend(
    projects: Iterable[Project], *, since: dt.date | None = None
) -> list[tuple[dt.date, float]]:
    """The mean score over the projects, per day a snapshot was taken."""
    by_day: dict[dt.date, list[float]] = {}
    for points in compliance_trend(projects, since=since).values():
        for day, score in points:
            if score is not None:
                by_day.setdefault(day, []).append(score)
    return [(day, round(sum(v) / len(v), 1)) for day, v in sorted(by_day.items())]
