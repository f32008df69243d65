"""Demo resources: job roles with rates, a resource for each internal demo person, two
placeholders, and assignments on the plans of projects in execution, through the services."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from pmo.accounts.models import OrgRole, User
from pmo.planning.models import Task
from pmo.projects.models import Project, ProjectRole, Stage
from pmo.resources import services

# role: (default hourly rate, department)
ROLES: dict[str, tuple[int, str]] = {
    "PMO analyst": (75, "PMO"),
    "Executive": (150, "Executive"),
    "Project manager": (90, "PMO"),
    "Developer": (80, "IT"),
    "Architect": (110, "IT"),
    "Business analyst": (70, "Business"),
    "Tester": (65, "IT"),
    "Infrastructure engineer": (75, "IT"),
    "Designer": (70, "IT"),
    "Specialist": (85, "Corporate"),
}
# username without its number → role
ROLE_OF = {
    "admin": "PMO analyst",
    "analyst": "PMO analyst",
    "ceo": "Executive",
    "cfo": "Executive",
    "cio": "Executive",
    "coo": "Executive",
    "pm": "Project manager",
    "dev": "Developer",
    "data": "Developer",
    "arch": "Architect",
    "ba": "Business analyst",
    "qa": "Tester",
    "ops": "Infrastructure engineer",
    "ux": "Designer",
}
PLACEHOLDERS = ["Developer", "Tester"]
TASKS_PER_PROJECT = 20


def demo_resources(people: dict[str, User]) -> None:
    admin = people["admin"]
    roles = {
        name: services.job_role_create(actor=admin, data={"name": name, "default_rate": rate})
        for name, (rate, _) in ROLES.items()
    }
    by_user: dict[int, int] = {}
    for username, user in people.items():
        if user.org_role == OrgRole.EXTERNAL_CLIENT:
            continue
        role = ROLE_OF.get(re.sub(r"\d+$", "", username), "Specialist")
        resource = services.resource_create(
            actor=admin,
            data={
                "name": user.get_full_name(),
                "user_id": user.pk,
                "role_id": roles[role].pk,
                "department": ROLES[role][1],
                "availability": 20 if role == "Executive" else 100,
            },
        )
        # A raise from next year on, so that rates with effective dates show.
        for year, rise in ((user.date_joined.year, 0), (user.date_joined.year + 1, 5)):
            services.resource_rate_create(
                actor=admin,
                resource_id=resource.pk,
                data={"effective_from": dt.date(year, 1, 1), "hourly_rate": ROLES[role][0] + rise},
            )
        by_user[user.pk] = resource.pk
    placeholders = [
        services.resource_create(
            actor=admin,
            data={
                "name": f"{role} (to be named)",
                "role_id": roles[role].pk,
                "is_placeholder": True,
            },
        ).pk
        for role in PLACEHOLDERS
    ]
    executing = list(
        Project.objects.filter(stage=Stage.EXECUTION).select_related("manager").order_by("code")
    )
    for project in executing:
        _assign(project, by_user, placeholders)
    if executing:
        _overbook(executing[-1], by_user)


def _assign(project: Project, by_user: dict[int, int], placeholders: list[int]) -> None:
    """Members take the work packages in turn; every fifth also needs a placeholder."""
    member_ids = project.memberships.filter(role=ProjectRole.MEMBER).values_list(
        "user_id", flat=True
    )
    team = [by_user[pk] for pk in member_ids if pk in by_user] or [by_user[project.manager_id]]
    tasks = Task.objects.filter(project=project, is_summary=False, duration__gt=0).order_by(
        "position"
    )[:TASKS_PER_PROJECT]
    for i, (task, resource_id) in enumerate(zip(tasks, itertools.cycle(team), strict=False)):
        units = "1" if i % 3 else "0.5"
        wanted = [(resource_id, units)] + ([(placeholders[i % 2], "1")] if i % 5 == 0 else [])
        for rid, share in wanted:
            services.assignment_create(
                actor=project.manager,
                project_id=project.pk,
                data={"task_id": task.pk, "resource_id": rid, "units": share},
            )


def _overbook(project: Project, by_user: dict[int, int]) -> None:
    """One member on three work packages that run at the same time, full time: the project's
    Level resources page then has something to do."""
    member = (
        project.memberships.filter(role=ProjectRole.MEMBER, user_id__in=by_user)
        .order_by("user__username")
        .values_list("user_id", flat=True)
        .first()
    )
    resource_id = by_user[member if member is not None else project.manager_id]
    tasks = list(
        Task.objects.filter(project=project, is_summary=False, duration__gt=2)
        .exclude(early_start__isnull=True)
        .order_by("-early_start", "position")
    )
    # the last work packages of the plan: still to come once the project is under way
    for first in tasks:
        together = [
            t
            for t in tasks
            if t.early_start <= first.early_finish and first.early_start <= t.early_finish
        ]
        if len(together) >= 3:
            break
    else:
        together = tasks[:3]
    for task in together[:3]:
        assigned = dict(task.assignments.values_list("resource_id", "pk"))
        if resource_id in assigned:
            services.assignment_update(
                actor=project.manager, project_id=project.pk,
                assignment_id=assigned[resource_id], version=None, data={"units": "1"},
            )  # fmt: skip
        else:
            services.assignment_create(
                actor=project.manager,
                project_id=project.pk,
                data={"task_id": task.pk, "resource_id": resource_id, "units": "1"},
            )
