"""A plan (Design → Build → Test) with the member assigned to Build; a real SMTP server."""

from __future__ import annotations

import datetime as dt
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from pmo.planning import services as planning
from pmo.projects.models import Project
from pmo.resources import services as resources

MONDAY = dt.date(2027, 3, 1)

# The test server's own chatter ("EOF received"), written from its thread, sometimes after
# pytest has closed the stream it captured: nothing the tests read.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@pytest.fixture
def plan(project: Project, people: dict[str, Any]) -> dict[str, Any]:
    pm = people["manager"]
    planning.schedule_update(actor=pm, project_id=project.pk, version=None, data={"start": MONDAY})
    tasks = {
        name: planning.task_create(
            actor=pm, project_id=project.pk, data={"name": name, "duration": days}
        )
        for name, days in (("Design", 5), ("Build", 10), ("Test", 5))
    }
    planning.dependency_create(
        actor=pm,
        project_id=project.pk,
        predecessor_id=tasks["Design"].pk,
        successor_id=tasks["Build"].pk,
    )
    planning.dependency_create(
        actor=pm,
        project_id=project.pk,
        predecessor_id=tasks["Build"].pk,
        successor_id=tasks["Test"].pk,
    )
    admin = people["pmo_admin"]
    role = resources.job_role_create(actor=admin, data={"name": "Developer", "default_rate": 50})
    ada = resources.resource_create(
        actor=admin, data={"name": "Ada", "role_id": role.pk, "user_id": people["member"].pk}
    )
    resources.assignment_create(
        actor=pm,
        project_id=project.pk,
        data={"task_id": tasks["Build"].pk, "resource_id": ada.pk, "work_hours": 80},
    )
    for t in tasks.values():
        t.refresh_from_db()
    return tasks


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    """A real SMTP server on a free local port, with Django's SMTP backend pointed at it."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def api_as(people: dict[str, Any]) -> Any:
    """`api_as("manager")` is a client with that person's API token; "anonymous" has none."""
    from django.test import Client

    from pmo.accounts.services import api_token_create

    def as_(who: str) -> Any:
        if who == "anonymous":
            return Client()
        _, raw = api_token_create(user=people[who], name="tests")
        return Client(headers={"authorization": f"Bearer {raw}"})

    return as_
