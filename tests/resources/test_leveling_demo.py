"""The demo has an executing project whose Level resources page has something to do."""

from pmo.accounts.models import User
from pmo.demo.loader import demo_load
from pmo.projects.models import Project, Stage
from pmo.resources import services


def test_an_executing_demo_project_is_over_allocated_and_levels(db):
    demo_load()
    admin = User.objects.get(username="admin")
    previews = [
        services.leveling_preview(actor=admin, project_id=p.pk)
        for p in Project.objects.filter(stage=Stage.EXECUTION, tasks__assignments__isnull=False)
        .distinct()
        .order_by("code")
    ]
    over = [p for p in previews if p.over_allocations]
    assert over, "no executing demo project is over-allocated"
    assert any(p.acceptable and p.over_capacity_after < p.over_capacity_before for p in over)
