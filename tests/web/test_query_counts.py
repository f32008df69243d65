"""Table pages run a constant number of queries however many rows they show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmo.projects import services

pytestmark = pytest.mark.django_db


def _add_projects(project: Any, people: Any, n: int, start: int) -> None:
    for i in range(start, start + n):
        services.project_create(
            actor=people["manager"], code=f"Q-{i}", name=f"P{i}", sponsor_id=people["sponsor"].pk
        )


def _add_stakeholders(project: Any, people: Any, n: int, start: int) -> None:
    for i in range(start, start + n):
        services.stakeholder_create(
            actor=people["manager"], project_id=project.pk, data={"name": f"S{i}"}
        )


def _add_documents(project: Any, people: Any, n: int, start: int) -> None:
    for i in range(start, start + n):
        stored = services.document_upload(
            actor=people["manager"],
            project_id=project.pk,
            upload=SimpleUploadedFile(f"d{i}.txt", b"x"),
        )
        services.document_upload(
            actor=people["manager"],
            project_id=project.pk,
            upload=SimpleUploadedFile(f"d{i}.txt", b"y"),
            document_id=stored.document_id,
        )


CASES: list[tuple[str, bool, Callable[..., None]]] = [
    ("project_list", False, _add_projects),
    ("my_work", False, _add_projects),
    ("portfolio", False, _add_projects),
    ("stakeholder_list", True, _add_stakeholders),
    ("document_list", True, _add_documents),
    ("project_history", True, _add_stakeholders),
]


@pytest.mark.parametrize(("page", "per_project", "add"), CASES, ids=[c[0] for c in CASES])
def test_query_count_is_constant_as_rows_grow(
    client_as, project, people, settings, tmp_path, page, per_project, add
):
    settings.MEDIA_ROOT = tmp_path
    client = client_as("manager")
    url = reverse(page, args=[project.pk] if per_project else [])
    counts = []
    for start, n in ((0, 2), (2, 8)):
        add(project, people, n, start)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
