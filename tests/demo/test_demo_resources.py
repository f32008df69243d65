"""The demo pool: a resource per internal person, placeholders, rates and assignments that show
in the usage heat map."""

from pmo.accounts.models import User
from pmo.projects.models import Project, Stage
from pmo.resources import selectors
from pmo.resources.models import Assignment, Resource


def test_demo_pool_has_people_placeholders_rates_and_assignments(db, demo_data):
    assert Resource.objects.filter(is_placeholder=False).count() == 28
    assert Resource.objects.filter(is_placeholder=True).count() == 2
    assert not Resource.objects.filter(rates__isnull=True, is_placeholder=False).exists()
    executing = Project.objects.filter(stage=Stage.EXECUTION)
    assert executing.exists()
    for project in executing:
        assert Assignment.objects.filter(task__project=project).exists()
    assert set(Assignment.objects.values_list("task__project__stage", flat=True).distinct()) == {
        Stage.EXECUTION
    }
    start = Assignment.objects.order_by("task__early_start").first().task.early_start
    usage = selectors.resource_usage(
        actor=User.objects.get(username="admin"), start=start, weeks=8, group_by="role"
    )
    assert any(cell.demand for row in usage.rows for cell in row.cells)
