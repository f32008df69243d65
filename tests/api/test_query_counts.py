"""Every list endpoint runs a constant number of queries however many rows it returns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.accounts.models import OrgRole
from pmo.accounts.services import api_token_create
from pmo.projects import services
from pmo.projects.models import CharterVersion, ProjectRole

from .conftest import API, upload


def _projects(ctx: dict[str, Any], n: int) -> None:
    for _ in range(n):
        services.project_create(
            actor=ctx["people"]["manager"],
            code=f"Q-{ctx['serial']()}",
            name="Q",
            sponsor_id=ctx["people"]["sponsor"].pk,
        )


def _members(ctx: dict[str, Any], n: int) -> None:
    for _ in range(n):
        user = ctx["make_user"](OrgRole.TEAM_MEMBER)
        services.member_add(
            actor=ctx["people"]["manager"],
            project_id=ctx["project"].pk,
            user_id=user.pk,
            role=ProjectRole.MEMBER,
        )


def _stakeholders(ctx: dict[str, Any], n: int) -> None:
    for _ in range(n):
        services.stakeholder_create(
            actor=ctx["people"]["manager"],
            project_id=ctx["project"].pk,
            data={"name": f"S{ctx['serial']()}"},
        )


def _documents(ctx: dict[str, Any], n: int) -> None:
    for _ in range(n):
        services.document_upload(
            actor=ctx["people"]["member"],
            project_id=ctx["project"].pk,
            upload=upload(f"d{ctx['serial']()}.txt"),
        )


def _charter_versions(ctx: dict[str, Any], n: int) -> None:
    project = ctx["project"]
    start = CharterVersion.objects.filter(project=project).count() + 1
    CharterVersion.objects.bulk_create(
        CharterVersion(
            project=project,
            number=start + i,
            state="superseded",
            submitted_by=ctx["people"]["manager"],
            decided_by=ctx["people"]["sponsor"],
        )
        for i in range(n)
    )


def _tokens(ctx: dict[str, Any], n: int) -> None:
    for _ in range(n):
        api_token_create(user=ctx["people"]["manager"], name="t")


LISTS: dict[str, tuple[Callable[[dict[str, Any]], str], Callable[..., None]]] = {
    "projects": (lambda c: f"{API}/projects", _projects),
    "members": (lambda c: f"{API}/projects/{c['project'].pk}/members", _members),
    "stakeholders": (lambda c: f"{API}/projects/{c['project'].pk}/stakeholders", _stakeholders),
    "documents": (lambda c: f"{API}/projects/{c['project'].pk}/documents", _documents),
    "audit": (lambda c: f"{API}/projects/{c['project'].pk}/audit", _stakeholders),
    "charter_versions": (
        lambda c: f"{API}/projects/{c['project'].pk}/charter/versions",
        _charter_versions,
    ),
    "tokens": (lambda c: f"{API}/tokens", _tokens),
}


@pytest.mark.parametrize("name", LISTS)
def test_list_query_count_does_not_grow_with_rows(name, api_as, project, people, make_user):
    counter = iter(range(1, 10_000))
    ctx = {
        "project": project,
        "people": people,
        "make_user": make_user,
        "serial": lambda: next(counter),
    }
    url, grow = LISTS[name]
    client = api_as("manager")
    client.get(url(ctx))  # the token's first use records it; later calls do not write

    def count_for_request() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(ctx))
        assert response.status_code == 200
        return len(queries), len(response.json()["items"])

    grow(ctx, 2)
    few, few_rows = count_for_request()
    grow(ctx, 8)
    many, many_rows = count_for_request()
    assert many_rows > few_rows
    assert many == few, f"{name}: {few} queries for {few_rows} rows, {many} for {many_rows}"
    assert few <= 8
