"""The demo's projects under way have progress, approved timesheets and actual costs."""

from __future__ import annotations

from pmo.execution import selectors
from pmo.execution.models import ActualCost, LineState, TimesheetLine
from pmo.planning.models import Schedule, Task
from pmo.projects.models import Project, Stage


def test_demo_execution(db: None, demo_data: str) -> None:
    executing = list(Project.objects.filter(stage=Stage.EXECUTION))
    assert executing
    for project in executing:
        assert Schedule.objects.get(project=project).status_date is not None
        assert Task.objects.filter(project=project, percent_complete=100).exists()
        # three costs of its own (the closing demo adds invoices against contracts on some)
        assert ActualCost.objects.filter(project=project).count() >= 3
    approved = TimesheetLine.objects.filter(state=LineState.APPROVED, project__isnull=False)
    assert approved.count() > len(executing)
    assert not TimesheetLine.objects.exclude(state=LineState.APPROVED).exists()
    costs = [selectors.budget_vs_actual(actor=p.manager, project=p).labour_cost for p in executing]
    assert sum(costs) > 0

    # Every execution page renders on the demo's data, for the people who use it.
    from django.test import Client
    from django.urls import reverse

    from pmo.accounts.models import User

    for project in executing:
        client = Client()
        client.force_login(project.manager)
        for name in ("execution_progress", "execution_costs"):
            assert client.get(reverse(name, args=[project.pk])).status_code == 200
        assert client.get(reverse("timesheet_approvals")).status_code == 200
    dev = User.objects.get(username="dev")
    client = Client()
    client.force_login(dev)
    assert "My tasks" in client.get(reverse("my_work")).content.decode()
    assert client.get(reverse("timesheet_current"), follow=True).status_code == 200
