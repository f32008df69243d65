"""The demo has an executing project whose Level resources page has something to do."""

import time

from django.test import Client

from pmo.accounts.models import User
from pmo.projects.models import Project, Stage
from pmo.resources import services


def test_an_executing_demo_project_is_over_allocated_and_levels(db, demo_data):
    admin = User.objects.get(username="admin")
    projects = list(
        Project.objects.filter(stage=Stage.EXECUTION, tasks__assignments__isnull=False)
        .distinct()
        .order_by("code")
    )
    previews = {p.pk: services.leveling_preview(actor=admin, project_id=p.pk) for p in projects}
    over = [pk for pk, p in previews.items() if p.over_allocations]
    assert over, "no executing demo project is over-allocated"
    levels = [
        pk
        for pk in over
        if previews[pk].acceptable
        and previews[pk].over_capacity_after < previews[pk].over_capacity_before
    ]
    assert levels
    client = Client()
    client.force_login(admin)
    began = time.perf_counter()
    page = client.get(f"/projects/{levels[0]}/level/")
    assert page.status_code == 200
    assert "Accept levelling" in page.content.decode()
    assert time.perf_counter() - began < 10
