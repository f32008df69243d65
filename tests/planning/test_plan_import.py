"""A whole plan arrives in one transaction, or not at all."""

import datetime as dt

import pytest

from pmo.core.errors import ValidationFailed
from pmo.demo.plans import demo_plan
from pmo.planning import services
from pmo.planning.models import Dependency, Task

TASKS = [
    {"key": "1", "name": "Phase", "duration": 0},
    {"key": "1.1", "name": "Analyse", "duration": 2, "parent": "1"},
    {"key": "1.2", "name": "Build", "duration": 3, "parent": "1"},
    {"key": "2", "name": "Done", "duration": 0},
]
LINKS = [
    {"predecessor": "1.1", "successor": "1.2", "type": "FS"},
    {"predecessor": "1", "successor": "2"},
]


def test_plan_import_creates_the_wbs_links_and_schedule(project, people):
    schedule = services.plan_import(
        actor=people["manager"],
        project_id=project.pk,
        tasks=TASKS,
        links=LINKS,
        start=dt.date(2027, 1, 4),
    )
    assert schedule.finish == dt.date(2027, 1, 8)
    assert list(Task.objects.filter(project=project).values_list("wbs", "is_summary")) == [
        ("1", True),
        ("1.1", False),
        ("1.2", False),
        ("2", False),
    ]
    assert Dependency.objects.filter(project=project).count() == 2


@pytest.mark.parametrize(
    ("tasks", "links", "message"),
    [
        (TASKS + [TASKS[0]], LINKS, "Task key '1' appears twice."),
        (
            TASKS,
            [{"predecessor": "1.1", "successor": "9"}],
            "Unknown task '9' in a link from '1.1' to '9'.",
        ),
        (
            [{"key": "a", "name": "A", "duration": 1, "parent": "z"}],
            [],
            "Unknown task 'z' in the parent of 'a'.",
        ),
        (
            TASKS,
            [{"predecessor": "1.2", "successor": "1.1"}, *LINKS[:1]],
            "This change would make a loop of dependencies: 'Analyse' → 'Build' → 'Analyse'.",
        ),
    ],
)
def test_a_bad_plan_is_refused_whole(project, people, tasks, links, message):
    with pytest.raises(ValidationFailed) as exc:
        services.plan_import(
            actor=people["manager"], project_id=project.pk, tasks=tasks, links=links
        )
    assert exc.value.message == message
    assert not Task.objects.filter(project=project).exists()


def test_import_needs_an_empty_plan(project, people):
    services.plan_import(actor=people["manager"], project_id=project.pk, tasks=TASKS, links=LINKS)
    with pytest.raises(ValidationFailed, match="already has a plan of 4 tasks"):
        services.plan_import(actor=people["manager"], project_id=project.pk, tasks=TASKS, links=[])


def test_demo_plans_have_between_50_and_300_tasks_and_schedule(project, people):
    small, big = demo_plan("A", packages=8), demo_plan("B", packages=55)
    assert len(small[0]) >= 50 and len(big[0]) <= 300
    schedule = services.plan_import(
        actor=people["manager"], project_id=project.pk, tasks=big[0], links=big[1]
    )
    assert schedule.finish is not None
    assert Task.objects.filter(project=project, is_critical=True).exists()
