"""The demo organisation loads through the services and shows every stage."""

from pmo.accounts.models import User
from pmo.core.models import AuditEntry
from pmo.demo.loader import PROJECTS, demo_is_loaded, demo_load, demo_logins
from pmo.projects.models import CharterState, CharterVersion, Project, Stage


def test_demo_loads_people_projects_at_every_stage_and_charters(db, demo_data):
    assert demo_data == "Loaded 30 people, 3 portfolios, 12 projects."
    assert demo_is_loaded()
    assert set(Project.objects.values_list("stage", flat=True)) == set(Stage.values)
    states = set(CharterVersion.objects.values_list("state", flat=True))
    assert {CharterState.DRAFT, CharterState.SUBMITTED, CharterState.RETURNED} <= states
    listed = [spec["code"] for spec in PROJECTS]  # the demo also has projects from templates
    approved = CharterVersion.objects.filter(state=CharterState.APPROVED, project__code__in=listed)
    assert approved.count() == 8
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


def test_loading_the_demo_emails_nobody_and_makes_the_executive_pack(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    from pmo.portfolio.models import PackState, ReportPack

    with django_capture_on_commit_callbacks(execute=True):
        demo_load()
    assert mailoutbox == []
    # the task queued when the demo commits generates the executive pack
    pack = ReportPack.objects.get()
    assert pack.state == PackState.DONE and pack.project_count >= 12, pack.error


def test_projects_past_initiation_have_risks_budget_quality_and_communications(db, demo_data):
    from pmo.controls.models import RiskKind
    from pmo.controls.selectors import budget_summary, communication_items

    past = Project.objects.exclude(stage=Stage.INITIATION).select_related("manager")
    assert past.count() == 8
    cells = set()
    for project in past:
        risks = project.risks.all()
        assert 6 <= risks.count() <= 12
        assert risks.filter(kind=RiskKind.OPPORTUNITY).count() == 2
        assert risks.filter(tasks__project=project).exists()
        cells |= set(risks.values_list("probability", "impact"))
        summary = budget_summary(actor=project.manager, project=project)
        assert {row.key for row in summary.categories if row.total} == {
            "labour",
            "materials",
            "contracts",
            "other",
        }
        # the budget covers the tasks' planned cost with a little contingency
        assert summary.tasks.total <= summary.budget.total <= summary.tasks.total * 2
        assert 3 <= project.quality_items.count() <= 6
        plan = list(communication_items(actor=project.manager, project=project))
        assert 3 <= len(plan) <= 5
        assert [c.is_overdue for c in plan].count(True) == 1
        assert any(c.audience.exists() for c in plan)
    assert len(cells) >= 12  # spread over the heat map
    # a project from a template starts with the template's default risks; the others with none
    assert not Project.objects.filter(
        stage=Stage.INITIATION, risks__isnull=False, governance__template__isnull=True
    ).exists()
