"""The demo organisation loads through the services and shows every stage."""

from pmo.accounts.models import User
from pmo.core.models import AuditEntry
from pmo.demo.loader import demo_is_loaded, demo_load, demo_logins
from pmo.projects.models import CharterState, CharterVersion, Project, Stage


def test_demo_loads_people_projects_at_every_stage_and_charters(db):
    assert not demo_is_loaded()
    summary = demo_load()
    assert summary == "Loaded 30 people, 3 portfolios, 12 projects."
    assert demo_is_loaded()
    assert set(Project.objects.values_list("stage", flat=True)) == set(Stage.values)
    states = set(CharterVersion.objects.values_list("state", flat=True))
    assert {CharterState.DRAFT, CharterState.SUBMITTED, CharterState.RETURNED} <= states
    assert CharterVersion.objects.filter(state=CharterState.APPROVED).count() == 8
    assert all(p.stakeholders.count() >= 4 for p in Project.objects.all())
    assert AuditEntry.objects.filter(object_type="projects.project").exists()
    assert [login[0] for login in demo_logins()] == [
        "admin",
        "analyst",
        "ceo",
        "pm",
        "dev",
        "client",
    ]
    assert User.objects.get(username="pm").check_password(demo_logins()[0][2])


def test_loading_the_demo_emails_nobody(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo_load()
    assert mailoutbox == []
