"""Permission matrix: for every endpoint, the status each kind of person gets.

Each case starts from a fresh database with PRJ-001 (see tests/conftest.py), prepares what the
endpoint needs (`arrange`), then calls it as one person. Invisible things answer 404, visible
things a person may not change answer 403, and nobody is let in without credentials (401).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from pmo.accounts.models import OrgRole
from pmo.accounts.services import api_token_create
from pmo.projects import services
from pmo.projects.models import ProjectRole

from .conftest import API, upload

ROLES = [
    "anonymous",
    "outsider",
    "client",
    "viewer",
    "member",
    "manager",
    "sponsor",
    "pmo_analyst",
    "pmo_admin",
]


@dataclass
class Ctx:
    project: Any
    people: dict[str, Any]
    make_user: Callable[..., Any]
    who: str
    charter: dict[str, Any]
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def p(self) -> str:
        return f"{API}/projects/{self.project.pk}"

    def approve_charter(self) -> None:
        pm, pid = self.people["manager"], self.project.pk
        services.charter_update(actor=pm, project_id=pid, version=None, data=self.charter)
        services.charter_submit(actor=pm, project_id=pid, version=None)
        services.charter_decide(
            actor=self.people["sponsor"], project_id=pid, version=None, decision="approve"
        )


def _stakeholder(ctx: Ctx) -> int:
    return services.stakeholder_create(
        actor=ctx.people["manager"], project_id=ctx.project.pk, data={"name": "Ops director"}
    ).pk


def _document(ctx: Ctx) -> int:
    stored = services.document_upload(
        actor=ctx.people["manager"], project_id=ctx.project.pk, upload=upload(), title="Plan"
    )
    return stored.document_id


def _extra_member(ctx: Ctx) -> int:
    user = ctx.make_user(OrgRole.TEAM_MEMBER, "extra")
    services.member_add(
        actor=ctx.people["manager"],
        project_id=ctx.project.pk,
        user_id=user.pk,
        role=ProjectRole.MEMBER,
    )
    return user.pk


def _submitted(ctx: Ctx) -> None:
    pm, pid = ctx.people["manager"], ctx.project.pk
    services.charter_update(actor=pm, project_id=pid, version=None, data=ctx.charter)
    services.charter_submit(actor=pm, project_id=pid, version=None)


def _own_token(ctx: Ctx) -> int:
    owner = ctx.people["manager" if ctx.who == "anonymous" else ctx.who]
    return api_token_create(user=owner, name="to revoke")[0].pk


def _revised(ctx: Ctx) -> None:
    ctx.approve_charter()
    services.charter_revise(actor=ctx.people["manager"], project_id=ctx.project.pk)


# endpoint: (method, url(ctx), body(ctx) or None, arrange(ctx) or None,
#            expected codes in ROLES order)
READ_ALL = [401, 200, 200, 200, 200, 200, 200, 200, 200]
READ_PROJECT = [401, 404, 200, 200, 200, 200, 200, 200, 200]
READ_INTERNAL = [401, 404, 404, 200, 200, 200, 200, 200, 200]


def edit(ok: int, client: int = 404) -> list[int]:
    """Managers and the PMO may; others who see it may not; clients and outsiders see nothing."""
    return [401, 404, client, 403, 403, ok, 403, ok, ok]


UPLOAD = [401, 404, 404, 403, 201, 201, 403, 201, 201]

MATRIX: dict[str, tuple[Any, ...]] = {
    "project_list": ("get", lambda c: f"{API}/projects", None, None, READ_ALL),
    "project_create": (
        "post",
        lambda c: f"{API}/projects",
        lambda c: {"code": "NEW-1", "name": "New"},
        None,
        [401, 201, 403, 403, 403, 201, 403, 201, 201],
    ),
    "project_get": ("get", lambda c: c.p, None, None, READ_PROJECT),
    "project_update": (
        "patch",
        lambda c: c.p,
        lambda c: {"version": 1, "name": "Renamed"},
        None,
        edit(200, client=403),
    ),
    "project_stage_advance": (
        "post",
        lambda c: f"{c.p}/stage",
        lambda c: {"to_stage": "planning"},
        lambda c: c.approve_charter(),
        edit(200, client=403),
    ),
    "member_list": ("get", lambda c: f"{c.p}/members", None, None, READ_INTERNAL),
    "member_add": (
        "post",
        lambda c: f"{c.p}/members",
        lambda c: {"user_id": c.make_user(OrgRole.TEAM_MEMBER, "newbie").pk, "role": "member"},
        None,
        edit(201),
    ),
    "member_remove": (
        "delete",
        lambda c: f"{c.p}/members/{c.ids['arranged']}",
        None,
        _extra_member,
        edit(204),
    ),
    "charter_get": ("get", lambda c: f"{c.p}/charter", None, None, READ_INTERNAL),
    "charter_update": (
        "patch",
        lambda c: f"{c.p}/charter",
        lambda c: {"version": 1, "purpose": "Why"},
        None,
        edit(200),
    ),
    "charter_version_list": ("get", lambda c: f"{c.p}/charter/versions", None, None, READ_INTERNAL),
    "charter_version_get": (
        "get",
        lambda c: f"{c.p}/charter/versions/1",
        None,
        None,
        READ_INTERNAL,
    ),
    "charter_compare": (
        "get",
        lambda c: f"{c.p}/charter/compare?a=1&b=2",
        None,
        _revised,
        READ_INTERNAL,
    ),
    "charter_submit": (
        "post",
        lambda c: f"{c.p}/charter/submit",
        lambda c: {},
        lambda c: services.charter_update(
            actor=c.people["manager"], project_id=c.project.pk, version=None, data=c.charter
        ),
        edit(200),
    ),
    "charter_decide": (
        "post",
        lambda c: f"{c.p}/charter/decision",
        lambda c: {"decision": "approve"},
        _submitted,
        [401, 404, 404, 403, 403, 403, 200, 403, 403],
    ),
    "charter_revise": (
        "post",
        lambda c: f"{c.p}/charter/revise",
        lambda c: {"change_summary": "More scope"},
        lambda c: c.approve_charter(),
        edit(201),
    ),
    "stakeholder_list": ("get", lambda c: f"{c.p}/stakeholders", None, None, READ_INTERNAL),
    "stakeholder_create": (
        "post",
        lambda c: f"{c.p}/stakeholders",
        lambda c: {"name": "CFO", "influence": 5},
        None,
        edit(201),
    ),
    "stakeholder_get": (
        "get",
        lambda c: f"{c.p}/stakeholders/{c.ids['arranged']}",
        None,
        _stakeholder,
        READ_INTERNAL,
    ),
    "stakeholder_update": (
        "patch",
        lambda c: f"{c.p}/stakeholders/{c.ids['arranged']}",
        lambda c: {"version": 1, "interest": 5},
        _stakeholder,
        edit(200),
    ),
    "stakeholder_delete": (
        "delete",
        lambda c: f"{c.p}/stakeholders/{c.ids['arranged']}",
        None,
        _stakeholder,
        edit(204),
    ),
    "document_list": ("get", lambda c: f"{c.p}/documents", None, _document, READ_PROJECT),
    "document_upload": ("multipart", lambda c: f"{c.p}/documents", None, None, UPLOAD),
    "document_version_upload": (
        "multipart",
        lambda c: f"{c.p}/documents/{c.ids['arranged']}/versions",
        None,
        _document,
        UPLOAD,
    ),
    "document_download": (
        "get",
        lambda c: f"{c.p}/documents/{c.ids['arranged']}/download",
        None,
        _document,
        READ_INTERNAL,  # not shared with the client
    ),
    "document_delete": (
        "delete",
        lambda c: f"{c.p}/documents/{c.ids['arranged']}",
        None,
        _document,
        edit(204),
    ),
    "audit_list": ("get", lambda c: f"{c.p}/audit", None, None, READ_INTERNAL),
    "me_get": ("get", lambda c: f"{API}/me", None, None, READ_ALL),
    "token_list": ("get", lambda c: f"{API}/tokens", None, None, READ_ALL),
    "token_create": (
        "post",
        lambda c: f"{API}/tokens",
        lambda c: {"name": "laptop"},
        None,
        [401, 201, 201, 201, 201, 201, 201, 201, 201],
    ),
    "token_revoke": (
        "delete",
        lambda c: f"{API}/tokens/{c.ids['arranged']}",
        None,
        _own_token,
        [401, 204, 204, 204, 204, 204, 204, 204, 204],
    ),
}

CASES = [
    pytest.param(endpoint, role, spec[4][i], id=f"{endpoint}-{role}")
    for endpoint, spec in MATRIX.items()
    for i, role in enumerate(ROLES)
]


def test_matrix_covers_every_operation_of_these_routers():
    from pmo.api import accounts, projects

    operations = {
        op.operation_id
        for router in (projects.router, accounts.router)
        for view in router.path_operations.values()
        for op in view.operations
    }
    assert operations == set(MATRIX)


@pytest.mark.parametrize(("endpoint", "who", "expected"), CASES)
def test_permission_matrix(
    endpoint, who, expected, api_as, project, people, make_user, complete_charter
):
    ctx = Ctx(
        project=project, people=people, make_user=make_user, who=who, charter=complete_charter
    )
    check_case(MATRIX[endpoint], ctx, api_as(who), expected)


def check_case(entry: tuple[Any, ...], ctx: Ctx, client: Any, expected: int) -> None:
    """Arrange one matrix case, call its endpoint as `client`, and check the status code (and
    that refusals are problem+json)."""
    method, url, body, arrange, _ = entry
    if arrange is not None:
        arranged = arrange(ctx)
        if isinstance(arranged, int):
            ctx.ids["arranged"] = arranged
    if method == "multipart":
        response = client.post(url(ctx), {"file": upload("minutes.txt", b"minutes")})
    elif method in ("post", "patch"):
        data = body(ctx) if body else {}
        response = getattr(client, method)(url(ctx), data, content_type="application/json")
    else:
        response = getattr(client, method)(url(ctx))
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
