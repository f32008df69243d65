"""Programs: the PMO groups projects; the program rolls up their schedule, cost, risk, health."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.models import AuditEntry
from pmo.portfolio import selectors, services
from pmo.portfolio.models import Program

from .world import build_projects

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(people: dict[str, Any], portfolio: Any) -> Program:
    return services.program_create(
        actor=people["pmo_admin"],
        data={
            "name": "Branch renewal",
            "portfolio_id": portfolio.pk,
            "manager_id": people["manager"].pk,
            "objectives": "Renew 40 branches\nHalve energy use",
        },
    )


def test_pmo_creates_a_program_and_it_is_audited(program: Program) -> None:
    assert program.objective_lines == ["Renew 40 branches", "Halve energy use"]
    entry = AuditEntry.objects.get(object_type="portfolio.program", object_id=str(program.pk))
    assert entry.action == "create"


@pytest.mark.parametrize("who", ["pmo_analyst", "pmo_admin"])
def test_the_pmo_may_create_programs(people: dict[str, Any], who: str) -> None:
    assert services.program_create(actor=people[who], data={"name": f"P {who}"}).pk


@pytest.mark.parametrize("who", ["sponsor", "manager", "member", "client"])
def test_only_the_pmo_creates_programs(people: dict[str, Any], who: str) -> None:
    with pytest.raises(Forbidden, match="Only the PMO may create programs."):
        services.program_create(actor=people[who], data={"name": "Mine"})
    assert not Program.objects.exists()


def test_program_names_are_unique(people: dict[str, Any], program: Program) -> None:
    with pytest.raises(Conflict, match="A program called 'branch renewal' already exists."):
        services.program_create(actor=people["pmo_admin"], data={"name": "branch renewal"})


def test_program_refuses_unknown_fields_and_people(people: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed, match="These fields cannot be changed here: budget."):
        services.program_create(actor=people["pmo_admin"], data={"name": "X", "budget": 1})
    with pytest.raises(ValidationFailed, match="No active user with id 999999."):
        services.program_create(actor=people["pmo_admin"], data={"name": "X", "manager_id": 999999})
    with pytest.raises(ValidationFailed, match="No portfolio with id 999999."):
        services.program_create(
            actor=people["pmo_admin"], data={"name": "X", "portfolio_id": 999999}
        )


def test_stale_program_update_is_refused(people: dict[str, Any], program: Program) -> None:
    services.program_update(
        actor=people["pmo_admin"], program_id=program.pk, version=1, data={"description": "a"}
    )
    with pytest.raises(Conflict):
        services.program_update(
            actor=people["pmo_admin"], program_id=program.pk, version=1, data={"description": "b"}
        )
    program.refresh_from_db()
    assert program.description == "a"


def test_a_project_is_in_one_program_at_most(
    people: dict[str, Any], program: Program, project: Any
) -> None:
    admin = people["pmo_admin"]
    added = services.program_add_projects(
        actor=admin, program_id=program.pk, project_ids=[project.pk]
    )
    assert [p.code for p in added] == ["PRJ-001"]
    # adding it again to the same program changes nothing
    assert (
        services.program_add_projects(actor=admin, program_id=program.pk, project_ids=[project.pk])
        == []
    )
    other = services.program_create(actor=admin, data={"name": "Other"})
    with pytest.raises(Conflict, match="PRJ-001 is already in program 'Branch renewal'"):
        services.program_add_projects(actor=admin, program_id=other.pk, project_ids=[project.pk])
    with pytest.raises(ValidationFailed, match="No project with id 999999."):
        services.program_add_projects(actor=admin, program_id=other.pk, project_ids=[999999])
    services.program_remove_project(actor=admin, program_id=program.pk, project_id=project.pk)
    with pytest.raises(NotFound, match=f"Project {project.pk} is not in this program."):
        services.program_remove_project(actor=admin, program_id=program.pk, project_id=project.pk)
    services.program_add_projects(actor=admin, program_id=other.pk, project_ids=[project.pk])


def test_adding_several_projects_is_all_or_nothing(
    people: dict[str, Any], program: Program, project: Any
) -> None:
    with pytest.raises(ValidationFailed):
        services.program_add_projects(
            actor=people["pmo_admin"], program_id=program.pk, project_ids=[project.pk, 999999]
        )
    assert not program.links.exists()


def test_programs_are_seen_by_the_pmo_executives_and_their_manager(
    people: dict[str, Any], program: Program
) -> None:
    for who in ("pmo_admin", "pmo_analyst", "sponsor", "manager"):
        assert selectors.program_get(actor=people[who], program_id=program.pk) == program
    for who in ("member", "client", "outsider"):
        with pytest.raises(NotFound, match=f"Program {program.pk} not found."):
            selectors.program_get(actor=people[who], program_id=program.pk)


def test_program_rolls_up_schedule_cost_risk_and_health(
    people: dict[str, Any], program: Program
) -> None:
    projects = build_projects(4, manager=people["manager"])
    services.program_add_projects(
        actor=people["pmo_admin"], program_id=program.pk, project_ids=[p.pk for p in projects]
    )
    r = selectors.program_rollup(actor=people["pmo_admin"], program=program)
    t = r.totals
    assert t.projects == 4
    assert t.start == dt.date(2026, 1, 1)
    assert t.finish == dt.date(2026, 6, 30) + dt.timedelta(days=21)
    assert t.budget == Decimal(1000 + 2000 + 3000 + 4000)
    # expenses 500·(i+1) plus 10 approved hours at 50 on each project
    assert t.actual == Decimal(500 + 1000 + 1500 + 2000) + 4 * Decimal(500)
    # threats 4×1, 4×2, 4×3, 4×4: two of them score 10 or more
    assert t.open_risks == 4 and t.high_risks == 2
    assert t.slipped_milestones == 2  # projects 0 and 2: go-live 4 May against 1 May
    assert t.escalated_issues == 2  # projects 0 and 3
    # project 3 is closed, so the running ones are green, amber, red: the program is red
    assert t.health == {"green": 1, "amber": 1, "red": 1}
    assert t.overall_health == "red"
    assert [x.rank for x in r.top_risks] == [16, 12, 8, 4]
    # no task progress: nothing earned, so EAC = actual + budget
    assert t.eac == t.actual + t.budget


def test_program_rollup_shows_only_the_projects_the_reader_sees(
    people: dict[str, Any], program: Program, make_user: Any
) -> None:
    other_manager = make_user("project_manager")
    mine = build_projects(2, manager=people["manager"], prefix="M")
    theirs = build_projects(1, manager=other_manager, prefix="T")
    services.program_add_projects(
        actor=people["pmo_admin"],
        program_id=program.pk,
        project_ids=[p.pk for p in mine + theirs],
    )
    r = selectors.program_rollup(actor=people["manager"], program=program)
    assert [f.code for f in r.projects] == ["M-0000", "M-0001"]
    assert r.hidden == 1


def test_dissolving_a_program_keeps_its_projects(
    people: dict[str, Any], program: Program, project: Any
) -> None:
    services.program_add_projects(
        actor=people["pmo_admin"], program_id=program.pk, project_ids=[project.pk]
    )
    with pytest.raises(Conflict):
        services.program_delete(actor=people["pmo_admin"], program_id=program.pk, version=1)
    services.program_delete(actor=people["pmo_admin"], program_id=program.pk, version=2)
    assert not Program.objects.exists()
    project.refresh_from_db()


def test_actual_cost_matches_the_project_cost_page_to_the_cent(people: dict[str, Any]) -> None:
    """Labour at the rate of each day, a new rate starting mid-week, fractional hours."""
    from pmo.execution.models import LineState, Timesheet, TimesheetLine
    from pmo.execution.selectors import budget_vs_actual
    from pmo.planning.models import Task
    from pmo.portfolio import rollup
    from pmo.projects.models import Project
    from pmo.resources.models import JobRole, Resource, ResourceRate

    [project] = build_projects(1, manager=people["manager"], prefix="C")
    role = JobRole.objects.create(name="Welder", default_rate=Decimal("61.37"))
    welder = Resource.objects.create(name="Wes", role=role)
    ResourceRate.objects.create(
        resource=welder, effective_from=dt.date(2026, 4, 8), hourly_rate=Decimal("77.77")
    )
    sheet = Timesheet.objects.create(person=people["member"], week_start=dt.date(2026, 4, 6))
    TimesheetLine.objects.create(
        timesheet=sheet, project=project, task=Task.objects.filter(project=project).first(),
        resource=welder, hours=[7.5, 8.25, 0.33, 3, 1.07, 0, 2.5], state=LineState.APPROVED,
    )  # fmt: skip
    page = budget_vs_actual(actor=people["pmo_admin"], project=project).actual_total
    assert rollup.actual_costs(Project.objects.filter(pk=project.pk))[project.pk] == page
