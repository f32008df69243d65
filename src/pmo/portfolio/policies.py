"""Who may see and do what on intake requests, scoring and scenarios.

Anyone internal may draft a request; its requester edits it while it is a draft. The PMO
(pmo_admin, pmo_analyst) assesses, scores, decides and converts, and keeps goals, scoring models
and scenarios. Requests are seen by their requester and sponsor, by the executive who owns their
portfolio once submitted, and by the PMO once submitted. A request someone may not see answers
*not found*, like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from pmo.accounts.models import OrgRole
from pmo.core.errors import Forbidden, NotFound
from pmo.projects.policies import is_pmo

from .models import IntakeRequest, Program, ReportPack, RequestState

REQUEST_NOT_FOUND = "Request {id} not found."
MAY_NOT_DRAFT = "External clients may not propose requests."
PMO_ONLY = "Only the PMO may {action}."
PORTFOLIO_READERS = "Only the PMO and executives see scenarios and rankings."


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(user.is_active)


def may_draft(user: Any) -> bool:
    return _active(user) and user.org_role != OrgRole.EXTERNAL_CLIENT


def require_draft(user: Any) -> None:
    if not may_draft(user):
        raise Forbidden(MAY_NOT_DRAFT)


def require_pmo(user: Any, action: str) -> None:
    if not is_pmo(user):
        raise Forbidden(PMO_ONLY.format(action=action))


def may_read_portfolio(user: Any) -> bool:
    """Scenarios, rankings and goals: the PMO and executives."""
    return _active(user) and (is_pmo(user) or user.org_role == OrgRole.EXECUTIVE)


def require_portfolio_reader(user: Any) -> None:
    if not may_read_portfolio(user):
        raise Forbidden(PORTFOLIO_READERS)


def visible_requests(
    user: Any, qs: QuerySet[IntakeRequest] | None = None
) -> QuerySet[IntakeRequest]:
    qs = IntakeRequest.objects.all() if qs is None else qs
    if not may_draft(user):
        return qs.none()
    own = Q(requester=user) | Q(sponsor=user)
    if is_pmo(user):
        return qs.filter(own | ~Q(state=RequestState.DRAFT))
    if user.org_role == OrgRole.EXECUTIVE:
        return qs.filter(own | (Q(portfolio__owner=user) & ~Q(state=RequestState.DRAFT)))
    return qs.filter(own)


def access_request(actor: Any, request_id: Any, *, for_update: bool = False) -> IntakeRequest:
    try:
        pk = int(request_id)
    except (TypeError, ValueError):
        raise NotFound(REQUEST_NOT_FOUND.format(id=request_id)) from None
    qs = visible_requests(
        actor, IntakeRequest.objects.select_related("requester", "sponsor", "portfolio")
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    request = qs.filter(pk=pk).first()
    if request is None:
        raise NotFound(REQUEST_NOT_FOUND.format(id=request_id))
    return request


def may_edit(user: Any, request: IntakeRequest) -> bool:
    """The requester edits a draft; the PMO corrects a request it has not decided yet."""
    if request.state == RequestState.DRAFT:
        return request.requester_id == user.pk
    return is_pmo(user) and request.state in (RequestState.SUBMITTED, RequestState.IN_ASSESSMENT)


def may_submit(user: Any, request: IntakeRequest) -> bool:
    return request.state == RequestState.DRAFT and request.requester_id == user.pk


def may_decide(user: Any, request: IntakeRequest) -> bool:
    return is_pmo(user)


# --- programs, dashboard, executive packs -------------------------------------------------------

PROGRAM_NOT_FOUND = "Program {id} not found."
PACK_NOT_FOUND = "Executive pack {id} not found."
DASHBOARD_READERS = "Only the PMO and executives see the portfolio dashboard and its reports."


def require_dashboard_reader(user: Any) -> None:
    """The dashboard, exports and executive packs: the PMO and executives (each over the
    projects they see)."""
    if not may_read_portfolio(user):
        raise Forbidden(DASHBOARD_READERS)


def visible_programs(user: Any, qs: QuerySet[Program] | None = None) -> QuerySet[Program]:
    """The PMO and executives see every program; a program manager sees their own."""
    qs = Program.objects.all() if qs is None else qs
    if not _active(user):
        return qs.none()
    if may_read_portfolio(user):
        return qs
    return qs.filter(manager=user)


def access_program(actor: Any, program_id: Any, *, for_update: bool = False) -> Program:
    try:
        pk = int(program_id)
    except (TypeError, ValueError):
        raise NotFound(PROGRAM_NOT_FOUND.format(id=program_id)) from None
    qs = visible_programs(actor, Program.objects.select_related("portfolio", "manager"))
    if for_update:
        qs = qs.select_for_update(of=("self",))
    program = qs.filter(pk=pk).first()
    if program is None:
        raise NotFound(PROGRAM_NOT_FOUND.format(id=program_id))
    return program


def visible_packs(user: Any) -> QuerySet[ReportPack]:
    """A pack shows the projects its requester saw: the PMO sees every pack, an executive their
    own."""
    qs = ReportPack.objects.select_related("requested_by", "portfolio")
    if not may_read_portfolio(user):
        return qs.none()
    if is_pmo(user):
        return qs
    return qs.filter(requested_by=user)


def access_pack(actor: Any, pack_id: Any) -> ReportPack:
    try:
        pk = int(pack_id)
    except (TypeError, ValueError):
        raise NotFound(PACK_NOT_FOUND.format(id=pack_id)) from None
    pack = visible_packs(actor).filter(pk=pk).first()
    if pack is None:
        raise NotFound(PACK_NOT_FOUND.format(id=pack_id))
    return pack
