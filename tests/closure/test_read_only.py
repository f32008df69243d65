"""A closed project is read-only: every write service of every app that takes a project refuses
it with the same clear message, for the PM and the PMO alike, and so does every write endpoint
of the API. Services are found by walking each installed app's `services` module, so a service
added later is covered without editing this test."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from pmo.core.errors import Forbidden
from pmo.core.models import AuditEntry
from pmo.projects.models import Project, Stage
from pmo.projects.policies import PROJECT_CLOSED, ProjectClosed

from .conftest import close

pytestmark = pytest.mark.django_db

# the writes a closed project still takes, on purpose
STILL_ALLOWED = {
    "pmo.closure.services.project_reopen",  # how it stops being closed
    "pmo.closure.services.benefit_measure",  # benefits are tracked after closure
    "pmo.closure.services.archive_build",  # the archive of the closed project
    # a program's composition is the PMO's portfolio decision; the project's records stay as
    # they are (a closed project may leave a program's list)
    "pmo.portfolio.services.program_remove_project",
    # the PMO reviews the last status report, submitted before the project closed
    "pmo.monitoring.services.report_review",
}
# their endpoints: reopen, a benefit's measurements, building the archive
STILL_ALLOWED_ENDPOINTS = ("/reopen", "/measurements", "/archives")


def write_services() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every transactional function of every app's services module that names a project."""
    for config in apps.get_app_configs():
        if not config.name.startswith("pmo."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.services")
        except ModuleNotFoundError:
            continue
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if func.__module__ != module.__name__ or name.startswith("_"):
                continue
            if not hasattr(func, "__wrapped__"):  # not @transaction.atomic: not a write
                continue
            if "project_id" not in inspect.signature(func).parameters:
                continue
            path = f"{module.__name__}.{name}"
            if path not in STILL_ALLOWED:
                yield path, func


def dummy(name: str, param: inspect.Parameter) -> Any:
    """A value of the right shape; the closed project must be refused before it is looked at."""
    if name == "upload":
        return SimpleUploadedFile("x.txt", b"x", content_type="text/plain")
    if name in ("data", "values", "changes"):
        return {}
    if name.endswith("_ids") or name in ("lines", "tasks", "links", "hours", "tags", "edits"):
        return []
    if name.endswith("_id") or name == "version":
        return 1
    if name in ("date", "start", "day", "week_start", "closure_date", "status_date"):
        return dt.date(2026, 1, 5)
    return ""


SERVICES = sorted(write_services())


@pytest.fixture
def closed(closing: Any, people: dict[str, Any]) -> Project:
    return close(closing, people)


def test_the_walk_finds_the_writes_of_every_context():
    modules = {path.rsplit(".", 1)[0] for path, _ in SERVICES}
    for app in ("projects", "planning", "controls", "resources", "execution", "changes"):
        assert f"pmo.{app}.services" in modules
    assert len(SERVICES) > 40


def test_every_write_service_refuses_a_closed_project(closed, people):
    for who in ("manager", "pmo_admin"):
        _walk(closed, people, who)
    closed.refresh_from_db()
    assert closed.stage == Stage.CLOSED


def _walk(closed: Project, people: dict[str, Any], who: str) -> None:
    refused, accepted = [], []
    for path, func in SERVICES:
        kwargs = {
            name: dummy(name, param)
            for name, param in inspect.signature(func).parameters.items()
            if param.default is inspect.Parameter.empty
        }
        kwargs.update(actor=people[who], project_id=closed.pk)
        audited = AuditEntry.objects.count()
        try:
            func(**kwargs)
        except ProjectClosed as exc:
            assert exc.message == PROJECT_CLOSED.format(code=closed.code)
            refused.append(path)
        except Forbidden:
            if who == "pmo_admin":  # the PMO may do anything else: only the closure may refuse
                raise
            refused.append(path)  # refused to the PM for their role, before the closure
        except Exception as exc:  # anything else means the service looked past the closure
            accepted.append(f"{path}: {type(exc).__name__}: {exc}")
        else:
            if AuditEntry.objects.count() == audited:  # an empty batch: nothing was written
                refused.append(path)
            else:
                accepted.append(f"{path}: succeeded")
    assert accepted == [], who
    assert len(refused) == len(SERVICES)


def project_write_endpoints() -> list[tuple[str, str]]:
    from pmo.api.main import api

    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = re.sub(r"/+", "/", f"/api/v1/{prefix}/{path}")
            if not full.startswith("/api/v1/projects/{project_id}"):
                continue  # e.g. a program's list of projects: the PMO's, not the project's
            for operation in path_view.operations:
                for method in operation.methods:
                    if method in ("POST", "PUT", "PATCH", "DELETE"):
                        found.append((method, full))
    return sorted(set(found))


def test_every_project_write_endpoint_answers_403_with_the_reason(closed, people, api_as, client):
    api = api_as("manager")
    endpoints = project_write_endpoints()
    assert len(endpoints) > 30
    wrong, refused = [], 0
    for method, path in endpoints:
        if path.endswith(STILL_ALLOWED_ENDPOINTS):
            continue
        url = re.sub(r"\{project_id\}", str(closed.pk), path)
        url = re.sub(r"\{[a-z_]+\}", "1", url)
        response = api.generic(method, url, data="{}", content_type="application/json")
        body = response.json() if response.headers.get("content-type", "").endswith("json") else {}
        if response.status_code in (405, 422):
            continue  # the body (or the route) is checked before the service runs; the service
            # walk covers it
        if response.status_code != 403 or "is closed and read-only" not in body.get("detail", ""):
            wrong.append(f"{method} {path}: {response.status_code} {body}")
        else:
            refused += 1
    assert wrong == []
    assert refused >= 20  # the deletes and the actions that need no body reach the service
    # and the pages: an edit form of a closed project answers forbidden
    client.force_login(people["manager"])
    assert client.get(f"/projects/{closed.pk}/edit/").status_code == 403


def test_time_is_not_booked_on_a_closed_project(closing, people):
    """Timesheets belong to a person, not a project: they check each project line instead."""
    from pmo.execution import services as execution

    design = closing["tasks"]["Design"]  # complete: its assignment outlives the release
    monday = dt.date(2026, 3, 2)
    line = {"task_id": design.pk, "hours": [4, 4, 0, 0, 0, 0, 0]}
    sheet = execution.timesheet_save(
        actor=people["member"], week_start=monday, version=None, lines=[line]
    )
    close(closing, people)
    with pytest.raises(ProjectClosed):
        execution.timesheet_submit(actor=people["member"], timesheet_id=sheet.pk, version=None)
    with pytest.raises(ProjectClosed):
        execution.timesheet_save(
            actor=people["member"],
            week_start=monday + dt.timedelta(days=7),
            version=None,
            lines=[line],
        )
    with pytest.raises(ProjectClosed):
        execution.timesheet_save(
            actor=people["member"],
            week_start=monday,
            version=None,
            lines=[{**line, "hours": [8, 4, 0, 0, 0, 0, 0]}],
        )
