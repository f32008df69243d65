"""Fixtures shared by the Django tests: one person per role and a project they stand around.

`people` holds one user per relation to `project`:
pmo_admin, pmo_analyst, sponsor (executive), manager (project manager), member, viewer, client
(external client), outsider (a project manager with no link to the project).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pmo.accounts.models import OrgRole, User
from pmo.accounts.services import user_create
from pmo.projects.models import Project, ProjectRole
from pmo.projects.services import member_add, project_create

PASSWORD = "correct-horse-battery-staple"


# --- the demo organisation, loaded once per run -------------------------------------------------


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on the loaded demo run last, together: the demo loads once for all of them (in a
    transaction rolled back at the end), and no other test ever sees it."""
    on_demo = [i for i in items if "demo_data" in getattr(i, "fixturenames", ())]
    if on_demo:
        rest = [i for i in items if "demo_data" not in getattr(i, "fixturenames", ())]
        items[:] = rest + on_demo


@pytest.fixture(scope="session")
def demo_data(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The demo organisation (the summary line `demo_load` returns). Each test still runs in its
    own savepoint (ask for `db` too), so what one test changes the next does not see."""
    from django.db import transaction

    from pmo.demo.loader import demo_load

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo_load()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(org_role: str = OrgRole.TEAM_MEMBER, username: str | None = None, **kw: Any) -> User:
        name = username or f"{org_role}{next(counter)}"
        return user_create(
            username=name,
            password=PASSWORD,
            email=f"{name}@example.org",
            first_name=kw.pop("first_name", name.capitalize()),
            last_name=kw.pop("last_name", "Tester"),
            org_role=org_role,
            check_password=False,
            **kw,
        )

    return make


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "pmo_admin": make_user(OrgRole.PMO_ADMIN, "admin"),
        "pmo_analyst": make_user(OrgRole.PMO_ANALYST, "analyst"),
        "sponsor": make_user(OrgRole.EXECUTIVE, "sponsor"),
        "manager": make_user(OrgRole.PROJECT_MANAGER, "manager"),
        "member": make_user(OrgRole.TEAM_MEMBER, "member"),
        "viewer": make_user(OrgRole.TEAM_MEMBER, "viewer"),
        "client": make_user(OrgRole.EXTERNAL_CLIENT, "client"),
        "outsider": make_user(OrgRole.PROJECT_MANAGER, "outsider"),
    }


@pytest.fixture
def project(people: dict[str, User]) -> Project:
    """PRJ-001 in initiation, managed by `manager`, sponsored by `sponsor`, with members."""
    p = project_create(
        actor=people["manager"],
        code="PRJ-001",
        name="Customer portal",
        sponsor_id=people["sponsor"].pk,
    )
    for key, role in (
        ("member", ProjectRole.MEMBER),
        ("viewer", ProjectRole.VIEWER),
        ("client", ProjectRole.CLIENT),
    ):
        member_add(actor=people["manager"], project_id=p.pk, user_id=people[key].pk, role=role)
    p.refresh_from_db()
    return p


COMPLETE_CHARTER: dict[str, Any] = {
    "purpose": "Let customers serve themselves online.",
    "problem": "Call centre volume grows 20% a year.",
    "objectives": [
        {"objective": "Cut calls", "measure": "monthly calls", "target": "-30% by Q4"},
    ],
    "scope_in": "Self-service portal for orders and invoices.",
    "scope_out": "Mobile apps.",
    "deliverables": ["Portal", "Training"],
    "success_criteria": ["Call volume down 30%"],
    "assumptions": ["CRM API available"],
    "constraints": ["Budget 250k"],
    "obstacles": ["Legacy billing system"],
    "milestones": [{"name": "Go-live", "date": "2027-06-30"}],
    "budget_estimate": "250000",
}


@pytest.fixture
def complete_charter() -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in COMPLETE_CHARTER.items()}
