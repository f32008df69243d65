"""MS Project XML: reading, writing, round trips and refusal of hostile or broken files."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from strategies import networks

from pmo.engine import ConstraintType, LinkType, Network, schedule
from pmo.engine.calendar import Calendar
from pmo.interop.errors import InteropError
from pmo.interop.formats import read_plan
from pmo.interop.mspdi import SAMPLE, MspdiProject, parse_mspdi, read_mspdi, to_mspdi, write_mspdi
from pmo.interop.plan import PlanFile

RICH = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <Name>Office move</Name><StartDate>2025-01-06T08:00:00</StartDate><CalendarUID>1</CalendarUID>
  <Calendars>
    <Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>
      <WeekDays>
        <WeekDay><DayType>1</DayType><DayWorking>0</DayWorking></WeekDay>
        <WeekDay><DayType>2</DayType><DayWorking>1</DayWorking><WorkingTimes>
          <WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>
          <WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime>
        </WorkingTimes></WeekDay>
        <WeekDay><DayType>0</DayType><DayWorking>0</DayWorking><TimePeriod>
          <FromDate>2025-01-08T00:00:00</FromDate><ToDate>2025-01-08T23:59:00</ToDate></TimePeriod></WeekDay>
      </WeekDays>
      <Exceptions><Exception><TimePeriod><FromDate>2025-01-10T00:00:00</FromDate>
        <ToDate>2025-01-10T23:59:00</ToDate></TimePeriod><DayWorking>1</DayWorking>
        <WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>10:00:00</ToTime></WorkingTime>
        </WorkingTimes></Exception></Exceptions>
    </Calendar>
    <Calendar><UID>2</UID><Name>Night shift</Name><BaseCalendarUID>1</BaseCalendarUID></Calendar>
  </Calendars>
  <Tasks>
    <Task><UID>0</UID><ID>0</ID><OutlineLevel>0</OutlineLevel></Task>
    <Task><UID>10</UID><ID>1</ID><Name>Plan</Name><WBS>A</WBS><OutlineNumber>1</OutlineNumber>
      <OutlineLevel>1</OutlineLevel><Summary>1</Summary><Duration>PT24H0M0S</Duration></Task>
    <Task><UID>11</UID><ID>2</ID><Name>Survey</Name><WBS>A.1</WBS><OutlineNumber>1.1</OutlineNumber>
      <OutlineLevel>2</OutlineLevel><Duration>PT8H0M0S</Duration>
      <ConstraintType>4</ConstraintType><ConstraintDate>2025-01-07T08:00:00</ConstraintDate>
      <CalendarUID>2</CalendarUID>
      <Baseline><Number>0</Number><Start>2025-01-06T08:00:00</Start>
        <Finish>2025-01-06T17:00:00</Finish><Duration>PT8H0M0S</Duration></Baseline></Task>
    <Task><UID>12</UID><ID>3</ID><Name>Design</Name><WBS>A.2</WBS><OutlineNumber>1.2</OutlineNumber>
      <OutlineLevel>2</OutlineLevel><Duration>PT16H0M0S</Duration>
      <Deadline>2025-01-13T17:00:00</Deadline>
      <PredecessorLink><PredecessorUID>11</PredecessorUID><Type>3</Type>
        <LinkLag>500</LinkLag><LagFormat>19</LagFormat></PredecessorLink></Task>
    <Task><UID>20</UID><ID>4</ID><Name>Move</Name><WBS>B</WBS><OutlineNumber>2</OutlineNumber>
      <OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
      <ConstraintType>7</ConstraintType><ConstraintDate>2025-01-20T17:00:00</ConstraintDate>
      <PredecessorLink><PredecessorUID>10</PredecessorUID><Type>1</Type>
        <LinkLag>-2400</LinkLag><LagFormat>5</LagFormat></PredecessorLink></Task>
    <Task><UID>21</UID><ID>5</ID><Name>Done</Name><OutlineNumber>3</OutlineNumber>
      <OutlineLevel>1</OutlineLevel><Duration>PT0H0M0S</Duration><Milestone>1</Milestone>
      <PredecessorLink><PredecessorUID>20</PredecessorUID><Type>0</Type></PredecessorLink></Task>
  </Tasks>
  <Resources>
    <Resource><UID>0</UID><Name>Unassigned</Name></Resource>
    <Resource><UID>1</UID><Name>Movers</Name><MaxUnits>3.00</MaxUnits></Resource>
  </Resources>
  <Assignments>
    <Assignment><UID>1</UID><TaskUID>20</TaskUID><ResourceUID>1</ResourceUID><Units>2</Units></Assignment>
    <Assignment><UID>2</UID><TaskUID>21</TaskUID><ResourceUID>-65535</ResourceUID><Units>1</Units></Assignment>
  </Assignments>
</Project>
"""


def test_reads_outline_links_constraints_calendars_resources_and_baselines() -> None:
    project = parse_mspdi(RICH)
    net = project.plan.network
    by_id = {a.id: a for a in net.activities}
    assert [a.id for a in net.activities] == ["10", "11", "12", "20", "21"]
    assert by_id["11"].parent == "10" and by_id["20"].parent is None
    assert by_id["11"].constraint is not None
    assert (by_id["11"].constraint.type, by_id["11"].constraint.offset) == (
        ConstraintType.SNET,
        480,
    )
    assert by_id["11"].calendar == "2"
    assert by_id["12"].deadline == 4 * 480 + 120  # Wednesday 8th off, Friday 10th two hours
    links = {(k.predecessor, k.successor): k for k in net.links}
    assert links["11", "12"].type is LinkType.SS and links["11", "12"].lag_percent == 50
    assert links["10", "20"].lag == -240
    assert links["20", "21"].type is LinkType.FF
    assert by_id["20"].demands == {"1": 2.0}
    assert net.resources[0].capacity == 3.0
    assert project.tasks["11"].baselines[0].duration == 480
    assert project.tasks["12"].wbs == "A.2"
    calendar = project.plan.calendar
    assert calendar is not None
    assert calendar.periods_on(dt.date(2025, 1, 8)) == ()
    assert calendar.minutes_on(dt.date(2025, 1, 10)) == 120
    assert project.plan.calendars["2"].minutes_on(dt.date(2025, 1, 10)) == 120
    result = schedule(net)
    assert result.activity("10")["early_start"] == 480


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    project = parse_mspdi(RICH)
    path = tmp_path / "out.xml"
    write_mspdi(project, path, schedule(project.plan.network))
    again = read_mspdi(path)
    assert again.plan.network == project.plan.network
    assert again.tasks == project.tasks
    assert again.assignments == project.assignments
    assert again.plan.calendar == project.plan.calendar
    assert again.plan.origin == project.plan.origin
    assert read_plan(path).network == project.plan.network


@settings(max_examples=40, deadline=None)
@given(networks(max_activities=8))
def test_random_networks_round_trip(net: Network) -> None:
    if net.schedule_from == "start":
        net = dataclasses.replace(net, start=0, finish=None)
    else:
        net = dataclasses.replace(net, start=0)
    plan = PlanFile(net, dt.datetime(2025, 1, 6, 8), Calendar(unit=1))
    again = parse_mspdi(to_mspdi(MspdiProject(plan))).plan.network
    assert again.activities == net.activities
    assert set(again.links) == set(net.links)  # MSPDI lists links under their successor
    assert (again.start, again.finish, again.schedule_from) == (0, net.finish, net.schedule_from)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&lol2;</Name></Project>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&xxe;</Name></Project>"""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (BILLION_LAUGHS, "p.xml: refused: the file declares a DTD or entities"),
        (EXTERNAL, "p.xml: refused: the file declares a DTD or entities"),
        ("<Project><Tasks></Project>", "p.xml:1:19: malformed XML: mismatched tag"),
        ("<Other/>", "p.xml: not an MSPDI file: root element is 'Other'"),
        (
            RICH.replace("PT16H0M0S", "sixteen hours"),
            "p.xml: Task UID 12: not an MSPDI duration: 'sixteen hours'",
        ),
    ],
)
def test_hostile_or_broken_files_get_one_clear_line(content: str, message: str) -> None:
    with pytest.raises(InteropError) as caught:
        parse_mspdi(content, source="p.xml")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_task_calendars_are_used_by_calendar_scheduling() -> None:
    from pmo.interop.plan import schedule_on_calendars

    xml = SAMPLE.replace(
        "</Calendar></Calendars>",
        "</Calendar><Calendar><UID>2</UID><Name>24 Hours</Name><IsBaseCalendar>1</IsBaseCalendar>"
        + "".join(
            f"<WeekDays><WeekDay><DayType>{d}</DayType><DayWorking>1</DayWorking><WorkingTimes>"
            "<WorkingTime><FromTime>00:00:00</FromTime><ToTime>00:00:00</ToTime></WorkingTime>"
            "</WorkingTimes></WeekDay></WeekDays>"
            for d in range(1, 8)
        )
        + "</Calendar></Calendars>",
    ).replace(
        "<Duration>PT16H0M0S</Duration></Task>\n    <Task><UID>3",
        "<Duration>PT16H0M0S</Duration><CalendarUID>2</CalendarUID></Task>\n    <Task><UID>3",
    )
    project = parse_mspdi(xml)
    build = project.plan.network.activities[1]
    assert build.calendar == "2"
    result = schedule_on_calendars(project.plan)
    row = result.activity("2")
    # 16 hours round the clock from Monday 08:00; the 8-hour lag counts in the standard week
    # (Monday 08:00-17:00 is past): the milestone ends Tuesday 17:00, and a start shows as
    # the next working moment.
    assert row["early_finish"] == dt.datetime(2025, 1, 7, 0, 0)
    milestone = result.activity("3")
    assert milestone["early_finish"] == dt.datetime(2025, 1, 7, 17, 0)
    assert milestone["early_start"] == dt.datetime(2025, 1, 8, 8, 0)
