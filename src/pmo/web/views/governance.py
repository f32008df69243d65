"""Governance pages: methodologies and their editor, templates (and a project from one), the gate
panel's actions on a project, the PMO's review queue, the compliance heat map and its export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from pmo.accounts.models import OrgRole, User
from pmo.core.errors import Forbidden, NotFound, ValidationFailed
from pmo.governance import criteria, selectors, services
from pmo.governance.models import (
    CriterionKind,
    Decision,
    EvidenceKind,
    ProjectTemplate,
)
from pmo.portfolio.selectors import portfolio_list
from pmo.projects import services as projects
from pmo.projects.models import STAGE_ORDER, Document, ProjectSize, ProjectType, RiskLevel, Stage
from pmo.projects.policies import check_project_create, is_pmo

from .common import attempt, page, project_and_permissions


def _require_pmo(request: HttpRequest, action: str) -> None:
    if not is_pmo(request.user):
        raise Forbidden(services.ONLY_PMO.format(action=action))


def _is_admin(user: Any) -> bool:
    return bool(user.is_superuser or user.org_role == OrgRole.PMO_ADMIN)


# --- the PMO's governance home and the methodology editor -----------------------------------------


@page("GET", "POST")
def governance_home(request: HttpRequest) -> HttpResponse:
    """Methodologies, templates, and (for the PMO) the review queue at a glance."""
    if request.user.org_role == OrgRole.EXTERNAL_CLIENT:
        raise NotFound("Page not found.")
    if request.method == "POST":
        methodology = attempt(
            request,
            lambda: services.methodology_create(
                actor=request.user,
                name=request.POST.get("name", ""),
                description=request.POST.get("description", ""),
            ),
        )
        if methodology:
            messages.success(request, f"Methodology {methodology.name} created with a draft.")
            return redirect("methodology_version", version_id=methodology.versions.get().pk)
        return redirect("governance_home")
    context = {
        "methodologies": selectors.methodology_list(),
        "templates": selectors.template_list(),
        "queue": selectors.review_queue(),
        "conditions": selectors.open_conditions_all(),
        "decisions": selectors.recent_decisions(10),
        "is_admin": _is_admin(request.user),
        "is_pmo": is_pmo(request.user),
        "may_create": request.user.org_role
        in (OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST, OrgRole.PROJECT_MANAGER),
    }
    return render(request, "web/governance/home.html", context)


def _target(value: str, prefix: str) -> int | None:
    """The rule form names a stage as s<id> and a criterion as c<id>."""
    if value.startswith(prefix) and value[1:].isdigit():
        return int(value[1:])
    return None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@page("GET", "POST")
def methodology_version(request: HttpRequest, version_id: int) -> HttpResponse:
    """One version of a methodology; a PMO admin edits a draft and publishes it."""
    if request.user.org_role == OrgRole.EXTERNAL_CLIENT:
        raise NotFound(services.VERSION_NOT_FOUND.format(id=version_id))
    version = selectors.version_detail(version_id)
    if version is None:
        raise NotFound(services.VERSION_NOT_FOUND.format(id=version_id))
    if request.method == "POST":
        _version_action(request, version)
        return redirect("methodology_version", version_id=_target_version(request, version))
    stages = list(version.stages.all())
    context = {
        "version": version,
        "stages": [
            {"definition": s, "guidance_html": selectors.render_guidance(s.guidance)}
            for s in stages
        ],
        "rules": list(version.tailoring_rules.all()),
        "criteria_options": [(c.key, c.label, c.description) for c in criteria.registered()],
        "all_criteria": [c for s in stages for c in s.criteria.all()],
        "sizes": ProjectSize.choices,
        "types": ProjectType.choices,
        "risks": RiskLevel.choices,
        "others": version.methodology.versions.exclude(pk=version.pk),
        "is_admin": _is_admin(request.user),
    }
    return render(request, "web/governance/version.html", context)


def _target_version(request: HttpRequest, version: Any) -> int:
    new = getattr(request, "_new_version", None)
    return int(new) if new else int(version.pk)


def _version_action(request: HttpRequest, version: Any) -> None:
    p, user, action = request.POST, request.user, request.POST.get("action", "")
    if action == "stage":
        done = attempt(
            request,
            lambda: services.stage_definition_update(
                actor=user,
                stage_id=int(p.get("stage_id", "0") or 0),
                data={
                    "guidance": p.get("guidance", ""),
                    "deliverables": _lines(p.get("deliverables", "")),
                    "checklist": _lines(p.get("checklist", "")),
                    "has_gate": p.get("has_gate") == "on",
                },
            ),
        )
        if done:
            messages.success(request, f"{done.get_stage_display()} saved.")
    elif action == "criterion":
        params: Any = {}
        raw = p.get("params", "").strip()
        if raw:
            try:
                params = json.loads(raw)
            except ValueError:
                messages.error(request, services.BAD_PARAMS)
                return
        kind = p.get("kind", "")
        done = attempt(
            request,
            lambda: services.criterion_add(
                actor=user,
                stage_id=int(p.get("stage_id", "0") or 0),
                kind=kind,
                key=p.get("key", "") if kind == CriterionKind.AUTOMATIC else "",
                label=p.get("label", ""),
                description=p.get("description", ""),
                params=params,
                weight=p.get("weight", "1") or "1",
            ),
        )
        if done:
            messages.success(request, f"Criterion '{done.label or done.key}' added.")
    elif action == "remove_criterion":
        criterion_id = int(p.get("criterion_id", "0") or 0)

        def remove() -> bool:
            services.criterion_remove(actor=user, criterion_id=criterion_id)
            return True

        if attempt(request, remove):
            messages.success(request, "Criterion removed.")
    elif action == "rule":
        effect = p.get("effect", "")
        target = p.get("target", "")
        done = attempt(
            request,
            lambda: services.tailoring_rule_add(
                actor=user,
                version_id=version.pk,
                effect=effect,
                reason=p.get("reason", ""),
                sizes=p.getlist("sizes"),
                project_types=p.getlist("project_types"),
                risk_levels=p.getlist("risk_levels"),
                stage_id=_target(target, "s"),
                criterion_id=_target(target, "c"),
            ),
        )
        if done:
            messages.success(request, "Tailoring rule added.")
    elif action == "remove_rule":
        attempt(
            request,
            lambda: services.tailoring_rule_remove(
                actor=user, rule_id=int(p.get("rule_id", "0") or 0)
            ),
        )
    elif action == "publish":
        done = attempt(request, lambda: services.version_publish(actor=user, version_id=version.pk))
        if done:
            messages.success(request, f"{done} published; new projects follow it.")
    elif action == "draft":
        draft = attempt(
            request,
            lambda: services.version_new_draft(
                actor=user, methodology_id=version.methodology_id, notes=p.get("notes", "")
            ),
        )
        if draft:
            request._new_version = draft.pk  # type: ignore[attr-defined]
            messages.success(request, f"Draft {draft} started from v{version.number}.")
    else:
        messages.error(request, f"Unknown action '{action}'.")


# --- templates ------------------------------------------------------------------------------------


def _parse_rows(text: str, what: str, size: int) -> list[list[str]]:
    rows = []
    for n, line in enumerate(_lines(text), start=1):
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > size:
            raise ValidationFailed(f"{what}, line {n}: at most {size} parts separated by '|'.")
        rows.append(parts + [""] * (size - len(parts)))
    return rows


def _int(value: str, what: str, default: int) -> int:
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed(f"{what}: '{value}' is not a whole number.") from None


def template_data_from_form(post: Any) -> dict[str, Any]:
    """The template editor's text areas as the service's data."""
    tasks = [
        {
            "key": key,
            "name": name,
            "duration": _int(days, f"Task {key}", 1),
            "parent": parent or None,
        }
        for key, name, days, parent in _parse_rows(post.get("tasks", ""), "WBS", 4)
    ]
    links = []
    for pred, succ, kind, lag in _parse_rows(post.get("links", ""), "Links", 4):
        links.append(
            {"predecessor": pred, "successor": succ, "type": kind or "FS",
             "lag": _int(lag, f"Link {pred} → {succ}", 0)}
        )  # fmt: skip
    roles = [
        {"role": role, "count": _int(count, f"Role {role}", 1)}
        for role, count in _parse_rows(post.get("roles", ""), "Roles", 2)
    ]
    risks = [
        {
            "title": title,
            "probability": _int(p, f"Risk {title}", 3),
            "impact": _int(i, f"Risk {title}", 3),
        }
        for title, p, i in _parse_rows(post.get("risks", ""), "Risks", 3)
    ]
    return {
        "name": post.get("name", ""),
        "description": post.get("description", ""),
        "methodology_id": post.get("methodology_id") or None,
        "project_type": post.get("project_type", ProjectType.OTHER),
        "size": post.get("size", ProjectSize.MEDIUM),
        "risk_level": post.get("risk_level", RiskLevel.MEDIUM),
        "tasks": tasks,
        "links": links,
        "roles": roles,
        "risks": risks,
        "deliverables": _lines(post.get("deliverables", "")),
        "checklist": _lines(post.get("checklist", "")),
    }


def _template_text(template: ProjectTemplate | None) -> dict[str, str]:
    if template is None:
        return {}
    return {
        "tasks": "\n".join(
            f"{t['key']} | {t['name']} | {t['duration']}"
            + (f" | {t['parent']}" if t.get("parent") else "")
            for t in template.tasks
        ),
        "links": "\n".join(
            " | ".join(
                [link["predecessor"], link["successor"], link.get("type", "FS"), str(link["lag"])]
            )
            for link in template.links
        ),
        "roles": "\n".join(f"{r['role']} | {r['count']}" for r in template.roles),
        "risks": "\n".join(
            f"{r['title']} | {r['probability']} | {r['impact']}" for r in template.risks
        ),
        "deliverables": "\n".join(template.deliverables),
        "checklist": "\n".join(template.checklist),
    }


@page("GET", "POST")
def template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    _require_pmo(request, "define project templates")
    template = services._template(template_id) if template_id else None
    values: dict[str, Any] = {}
    if template is not None:
        values = {
            "name": template.name,
            "description": template.description,
            "methodology_id": template.methodology_id,
            "project_type": template.project_type,
            "size": template.size,
            "risk_level": template.risk_level,
            **_template_text(template),
        }
    if request.method == "POST":
        values = {**request.POST.dict()}
        if "methodology_id" in values and values["methodology_id"].isdigit():
            values["methodology_id"] = int(values["methodology_id"])

        def save() -> ProjectTemplate:
            data = template_data_from_form(request.POST)
            if template is None:
                return services.template_create(actor=request.user, data=data)
            version = request.POST.get("version", "")
            return services.template_update(
                actor=request.user,
                template_id=template.pk,
                version=int(version) if version.isdigit() else None,
                data=data,
            )

        saved = attempt(request, save)
        if saved:
            messages.success(request, f"Template '{saved.name}' saved.")
            return redirect("template_detail", template_id=saved.pk)
    context = {
        "template": template,
        "values": values,
        "methodologies": selectors.methodology_list(),
        "sizes": ProjectSize.choices,
        "types": ProjectType.choices,
        "risks": RiskLevel.choices,
    }
    return render(request, "web/governance/template_form.html", context)


@page("GET")
def template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    template = services._template(template_id)
    depth: dict[str, int] = {}
    rows = []
    for t in template.tasks:
        depth[t["key"]] = depth.get(t.get("parent") or "", -1) + 1 if t.get("parent") else 0
        rows.append({**t, "depth": depth[t["key"]]})
    context = {"template": template, "rows": rows, "is_pmo": is_pmo(request.user)}
    return render(request, "web/governance/template_detail.html", context)


@page("GET", "POST")
def template_use(request: HttpRequest, template_id: int) -> HttpResponse:
    """Create a project from a template: its facts and the start date of its plan."""
    check_project_create(request.user)
    template = services._template(template_id)
    values = request.POST.dict() if request.method == "POST" else {}
    if request.method == "POST":

        def create() -> Any:
            try:
                start = dt.date.fromisoformat(request.POST.get("start", ""))
            except ValueError:
                raise ValidationFailed("Give the start date of the plan (YYYY-MM-DD).") from None
            facts: dict[str, Any] = {
                "code": request.POST.get("code", ""),
                "name": request.POST.get("name", ""),
                "description": request.POST.get("description", ""),
            }
            for key in ("sponsor_id", "manager_id", "portfolio_id"):
                if request.POST.get(key, "").isdigit():
                    facts[key] = int(request.POST[key])
            return services.project_create_from_template(
                actor=request.user, template_id=template.pk, start=start, **facts
            )

        project = attempt(request, create)
        if project:
            messages.success(
                request,
                f"Project {project.code} created from '{template.name}', its plan scheduled.",
            )
            return redirect("project_detail", project_id=project.pk)
    people = User.objects.filter(is_active=True).exclude(org_role=OrgRole.EXTERNAL_CLIENT)
    context = {
        "template": template,
        "values": values,
        "sponsors": people.order_by("last_name", "first_name"),
        "managers": people.filter(org_role=OrgRole.PROJECT_MANAGER).order_by("last_name"),
        "portfolios": portfolio_list(),
        "is_pmo": is_pmo(request.user),
    }
    return render(request, "web/governance/template_use.html", context)


# --- the project's gate panel: actions ------------------------------------------------------------


@page("POST")
def project_gate_action(request: HttpRequest, project_id: int) -> HttpResponse:
    """Everything the gate panel on a project's overview posts."""
    project, perms = project_and_permissions(request, project_id, internal=True)
    p, user, action = request.POST, request.user, request.POST.get("action", "")
    if action == "methodology":
        if attempt(
            request,
            lambda: services.project_methodology_set(
                actor=user, project_id=project.pk,
                methodology_id=int(p.get("methodology_id", "0") or 0),
            ),
        ):  # fmt: skip
            messages.success(request, "The project now follows the methodology.")
    elif action == "evidence":
        kind = p.get("kind", "")
        if attempt(
            request,
            lambda: services.evidence_record(
                actor=user,
                project_id=project.pk,
                criterion_id=int(p.get("criterion_id", "0") or 0),
                kind=kind,
                document_id=int(p["document_id"]) if p.get("document_id", "").isdigit() else None,
                url=p.get("url", ""),
                comment=p.get("comment", ""),
            ),
        ):
            messages.success(request, "Evidence recorded.")
    elif action == "tick":
        attempt(
            request,
            lambda: services.checklist_tick(
                actor=user, project_id=project.pk, stage=p.get("stage", ""),
                item=p.get("item", ""), done=p.get("done") == "1",
            ),
        )  # fmt: skip
    elif action == "request":
        if attempt(
            request,
            lambda: services.review_request(
                actor=user, project_id=project.pk, note=p.get("note", "")
            ),
        ):
            messages.success(request, "Gate review requested; the PMO has been told.")
    elif action == "withdraw":
        if attempt(
            request,
            lambda: services.review_withdraw(
                actor=user, review_id=int(p.get("review_id", "0") or 0)
            ),
        ):
            messages.success(request, "Gate review withdrawn.")
    elif action == "close_condition":
        if attempt(
            request,
            lambda: services.condition_close(
                actor=user, condition_id=int(p.get("condition_id", "0") or 0),
                note=p.get("note", ""),
            ),
        ):  # fmt: skip
            messages.success(request, "Condition closed.")
    elif action == "override":
        nxt = STAGE_ORDER[min(STAGE_ORDER.index(project.stage) + 1, len(STAGE_ORDER) - 1)]
        moved = attempt(
            request,
            lambda: projects.project_stage_advance(
                actor=user, project_id=project.pk, to_stage=nxt,
                override_reason=p.get("reason", "") or " ",
            ),
        )  # fmt: skip
        if moved:
            messages.success(
                request, f"Override recorded; the project is now in {moved.get_stage_display()}."
            )
    else:
        messages.error(request, f"Unknown action '{action}'.")
    return redirect("project_detail", project_id=project.pk)


def gate_context(request: HttpRequest, project: Any, perms: Any) -> dict[str, Any]:
    """What the project overview needs to show the gate panel."""
    if not perms.view_internal:
        return {}
    panel = selectors.gate_panel(project)
    return {
        "gate": panel,
        "gate_methodologies": selectors.published_methodologies()
        if panel.governance is None and perms.edit and project.stage == Stage.INITIATION
        else [],
        "gate_documents": Document.objects.filter(project=project).only("pk", "title")
        if perms.edit
        else [],
        "gate_evidence_kinds": EvidenceKind.choices,
        "gate_is_admin": _is_admin(request.user),
    }


# --- the PMO's review queue -----------------------------------------------------------------------


@page("GET", "POST")
def review_queue(request: HttpRequest) -> HttpResponse:
    _require_pmo(request, "decide gate reviews")
    if request.method == "POST":
        p = request.POST
        conditions = [{"text": text} for text in _lines(p.get("conditions", ""))]
        decided = attempt(
            request,
            lambda: services.review_decide(
                actor=request.user,
                review_id=int(p.get("review_id", "0") or 0),
                decision=p.get("decision", ""),
                rationale=p.get("rationale", ""),
                conditions=conditions,
                version=int(p["version"]) if p.get("version", "").isdigit() else None,
            ),
        )
        if decided:
            decided.project.refresh_from_db()
            messages.success(
                request,
                f"{decided.project.code} {decided.gate_name}: {decided.get_decision_display()}; "
                f"the project is in {decided.project.get_stage_display()}.",
            )
        return redirect("review_queue")
    queue = list(selectors.review_queue())
    from pmo.governance import gates

    items = []
    for review in queue:
        status = gates.evaluate_gate(
            review.project, review.stage, version=review.methodology_version
        )
        items.append({"review": review, "status": status})
    context = {
        "items": items,
        "decisions": Decision.choices,
        "recent": selectors.recent_decisions(15),
    }
    return render(request, "web/governance/reviews.html", context)


# --- compliance -----------------------------------------------------------------------------------


def _heatmap(request: HttpRequest) -> tuple[list[Any], list[str], int | None]:
    portfolio = request.GET.get("portfolio", "")
    portfolio_id = int(portfolio) if portfolio.isdigit() else None
    rows = selectors.compliance_heatmap(request.user, portfolio_id=portfolio_id)
    return rows, selectors.heatmap_columns(rows), portfolio_id


@page("GET")
def compliance(request: HttpRequest) -> HttpResponse:
    """The portfolio heat map (projects × criteria), each project's score, and the trend."""
    rows, columns, portfolio_id = _heatmap(request)
    since = timezone.localdate() - dt.timedelta(days=180)
    projects_seen = [r.project for r in rows]
    trend = selectors.portfolio_trend(projects_seen, since=since)
    focus = request.GET.get("project", "")
    detail = None
    if focus.isdigit():
        detail = next((r for r in rows if r.project.pk == int(focus)), None)
    per_project = selectors.compliance_trend(projects_seen, since=since)
    context = {
        "rows": rows,
        "columns": columns,
        "table": [{"row": r, "cells": [r.cells.get(c) for c in columns]} for r in rows],
        "portfolios": portfolio_list(),
        "portfolio_id": portfolio_id,
        "detail": detail,
        "detail_cells": sorted(detail.cells.items(), key=lambda kv: kv[1].gate) if detail else [],
        "chart": {
            "days": [d.isoformat() for d, _ in trend],
            "mean": [s for _, s in trend],
            "projects": [
                {"name": code, "data": [[d.isoformat(), s] for d, s in points]}
                for code, points in per_project.items()
            ],
        },
        "query": request.GET.urlencode(),
    }
    return render(request, "web/governance/compliance.html", context)


@page("GET")
def compliance_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The heat map as CSV or Excel: one row per project, one column per criterion."""
    if fmt not in ("csv", "xlsx"):
        raise NotFound(f"No export as '{fmt}'; use csv or xlsx.")
    rows, columns, _ = _heatmap(request)
    header = ["Project", "Name", "Stage", "Compliance %", *columns]

    def value(cell: Any) -> str:
        if cell is None:
            return ""
        if not cell.applies:
            return "n/a"
        if cell.unavailable:
            return "unavailable"
        return "met" if cell.met else "missing"

    body = [
        [
            r.project.code,
            r.project.name,
            r.project.get_stage_display(),
            "" if r.score is None else r.score,
            *[value(r.cells.get(c)) for c in columns],
        ]
        for r in rows
    ]
    name = f"compliance-{timezone.localdate().isoformat()}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(body)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Compliance"
    sheet.append(header)
    for line in body:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
