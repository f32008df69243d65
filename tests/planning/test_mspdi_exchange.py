"""MS Project XML in and out of a plan: preview with a fidelity report, import all or nothing."""

import datetime as dt

import pytest

from pmo.core.errors import Forbidden, ValidationFailed
from pmo.demo.plans import demo_plan
from pmo.planning import services
from pmo.planning.models import Baseline, Calendar, Dependency, Task
from pmo.projects.services import project_create

SAMPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <Name>Office move</Name><StartDate>2027-01-04T08:00:00</StartDate><CalendarUID>1</CalendarUID>
  <Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>
    <Exceptions><Exception><TimePeriod><FromDate>2027-01-06T00:00:00</FromDate>
    <ToDate>2027-01-06T23:59:00</ToDate></TimePeriod><DayWorking>0</DayWorking></Exception>
    </Exceptions></Calendar></Calendars>
  <Tasks>
    <Task><UID>1</UID><ID>1</ID><Name>Prepare</Name><OutlineLevel>1</OutlineLevel>
      <Summary>1</Summary><Duration>PT0H0M0S</Duration></Task>
    <Task><UID>2</UID><ID>2</ID><Name>Pack</Name><OutlineLevel>2</OutlineLevel>
      <Duration>PT16H0M0S</Duration>
      <Baseline><Number>0</Number><Start>2027-01-04T08:00:00</Start>
      <Finish>2027-01-05T17:00:00</Finish><Duration>PT16H0M0S</Duration></Baseline></Task>
    <Task><UID>3</UID><ID>3</ID><Name>Move</Name><OutlineLevel>2</OutlineLevel>
      <Duration>PT12H0M0S</Duration>
      <PredecessorLink><PredecessorUID>2</PredecessorUID><Type>1</Type>
      <LinkLag>4800</LinkLag><LagFormat>7</LagFormat></PredecessorLink></Task>
    <Task><UID>4</UID><ID>4</ID><Name>Moved</Name><OutlineLevel>1</OutlineLevel>
      <Milestone>1</Milestone><Duration>PT0H0M0S</Duration>
      <PredecessorLink><PredecessorUID>3</PredecessorUID><Type>1</Type></PredecessorLink></Task>
  </Tasks>
  <Resources><Resource><UID>1</UID><Name>Movers</Name></Resource></Resources>
  <Assignments><Assignment><UID>1</UID><TaskUID>3</TaskUID><ResourceUID>1</ResourceUID>
  </Assignment></Assignments>
</Project>"""


def test_preview_reports_what_is_taken_adjusted_and_ignored(project, people):
    preview = services.plan_import_preview(
        actor=people["manager"], project_id=project.pk, data=SAMPLE, filename="move.xml"
    )
    assert preview.imported[0] == "4 tasks: 1 summary tasks, 1 milestones."
    assert preview.adjusted == ["'Move': 12 hours rounded to 2 working days."]
    assert preview.ignored == [
        "1 resources and 1 assignments: resources are managed in pmo's resource pool."
    ]
    assert not Task.objects.filter(project=project).exists()


def test_import_creates_calendar_plan_and_baseline(project, people):
    schedule = services.plan_import_mspdi(
        actor=people["manager"], project_id=project.pk, data=SAMPLE, filename="move.xml"
    )
    assert schedule.calendar.project == project
    assert schedule.calendar.exceptions.get().date == dt.date(2027, 1, 6)
    tasks = {t.name: t for t in Task.objects.filter(project=project)}
    # Pack Mon+Tue, 1 day lag skips the Wednesday holiday (Thu), Move Fri + Mon
    assert tasks["Pack"].early_finish == dt.date(2027, 1, 5)
    assert tasks["Move"].early_start == dt.date(2027, 1, 8)
    assert tasks["Move"].early_finish == dt.date(2027, 1, 11)
    assert tasks["Prepare"].is_summary and tasks["Pack"].wbs == "1.1"
    baseline = Baseline.objects.get(project=project)
    assert baseline.is_current and baseline.tasks.get().finish == dt.date(2027, 1, 5)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<Project><Tasks>", "malformed XML"),
        (b'<!DOCTYPE p [<!ENTITY a "aa">]><Project>&a;</Project>', "refused: the file declares"),
        (b"<Plan/>", "not an MSPDI file"),
    ],
)
def test_bad_or_hostile_files_change_nothing(project, people, data, message):
    with pytest.raises(ValidationFailed) as exc:
        services.plan_import_mspdi(
            actor=people["manager"], project_id=project.pk, data=data, filename="x.xml"
        )
    assert exc.value.message.startswith("The file could not be read as MS Project XML: x.xml")
    assert message in exc.value.message
    assert "\n" not in exc.value.message
    assert not Task.objects.filter(project=project).exists()
    assert not Calendar.objects.filter(project=project).exists()


def test_members_cannot_import(project, people):
    with pytest.raises(Forbidden):
        services.plan_import_preview(
            actor=people["member"], project_id=project.pk, data=SAMPLE, filename="x.xml"
        )


def test_export_then_import_round_trips_the_plan(project, people):
    pm = people["manager"]
    tasks, links = demo_plan("RT", packages=10)
    original = services.plan_import(
        actor=pm, project_id=project.pk, tasks=tasks, links=links, start=dt.date(2027, 2, 1)
    )
    services.baseline_capture(actor=pm, project_id=project.pk, name="Plan")
    name, data = services.plan_export_mspdi(actor=people["member"], project_id=project.pk)
    assert name == "PRJ-001.xml" and data.startswith(b"<?xml")
    copy = project_create(actor=pm, code="PRJ-002", name="Copy")
    imported = services.plan_import_mspdi(actor=pm, project_id=copy.pk, data=data, filename=name)
    assert (imported.start, imported.finish) == (original.start, original.finish)

    def shape(p):
        return list(
            Task.objects.filter(project=p)
            .order_by("position")
            .values_list("wbs", "name", "duration", "early_start", "early_finish", "is_critical")
        )

    assert shape(copy) == shape(project)
    assert Dependency.objects.filter(project=copy).count() == len(links)
    assert Baseline.objects.get(project=copy).tasks.count() == len(tasks)
