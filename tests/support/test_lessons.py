"""Lessons learned: who records them, what is refused, full-text search, the gate criterion."""

from __future__ import annotations

from typing import Any

import pytest

from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.models import AuditEntry
from pmo.governance.criteria import criterion
from pmo.projects.models import Project, Stage
from pmo.support import selectors, services
from pmo.support.models import Lesson
from pmo.support.search import terms

pytestmark = pytest.mark.django_db


def record(actor: Any, project: Project | None, **kw: Any) -> Lesson:
    data = {
        "category": "schedule",
        "what_happened": "Testing started late because the environments were not ready.",
        "impact": "",
        "recommendation": "Book test environments at planning.",
        "tags": [],
    }
    data.update(kw)
    return services.lesson_record(actor=actor, project_id=project.pk if project else None, **data)


def test_lesson_takes_the_project_type_tags_and_is_audited(lesson: Lesson, project: Project):
    assert lesson.project_id == project.pk
    assert lesson.project_type == project.project_type
    assert lesson.source == "project"
    assert sorted(t.name for t in lesson.tags.all()) == ["data-migration", "vendor"]
    assert "data-migration" in lesson.search_text
    entry = AuditEntry.objects.get(object_type="support.lesson", object_id=str(lesson.pk))
    assert entry.project_id == project.pk
    assert list(selectors.lessons_for_project(project)) == [lesson]


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("pmo_admin", True),
        ("pmo_analyst", True),
        ("manager", True),
        ("sponsor", True),
        ("member", True),
        ("viewer", False),
        ("client", False),
        ("outsider", False),
    ],
)
def test_who_records_lessons_on_a_project(people, project, who, allowed):
    if allowed:
        assert record(people[who], project).recorded_by == people[who]
    else:
        with pytest.raises((Forbidden, NotFound)):
            record(people[who], project)
        assert not Lesson.objects.exists()


def test_outsiders_and_clients_hear_not_found(people, project):
    with pytest.raises(NotFound):
        record(people["outsider"], project)
    with pytest.raises(NotFound):
        record(people["client"], project)
    with pytest.raises(Forbidden, match="You may not record lessons on project PRJ-001."):
        record(people["viewer"], project)


def test_lessons_outside_a_project_come_from_the_pmo_and_project_managers(people):
    assert record(people["outsider"], None).project is None
    with pytest.raises(Forbidden, match=services.MAY_NOT_RECORD_ORG):
        record(people["member"], None)


def test_closing_lessons_are_marked_so(people, project):
    assert record(people["manager"], project, source="closing").source == "closing"
    with pytest.raises(ValidationFailed, match="Unknown source 'pir'"):
        record(people["manager"], project, source="pir")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("category", "luck", "Unknown category 'luck'"),
        ("what_happened", "   ", "Say what happened."),
        ("recommendation", "", "Say what you recommend."),
        ("tags", ["ok", "not a tag!"], "'not a tag!' is not a tag"),
        ("tags", "vendor", "Tags must be a list of words."),
        ("tags", [f"t{i}" for i in range(13)], "At most 12 tags."),
        ("impact", "bad\x00byte", "Text may not contain NUL characters."),
    ],
)
def test_bad_lessons_are_refused_and_nothing_is_written(people, project, field, value, message):
    with pytest.raises(ValidationFailed, match=message.replace("(", r"\(").replace("?", r"\?")):
        record(people["manager"], project, **{field: value})
    assert not Lesson.objects.exists()


def test_a_closed_project_takes_no_more_lessons(people, project):
    Project.objects.filter(pk=project.pk).update(stage=Stage.CLOSED)
    with pytest.raises(Forbidden, match="is closed and read-only"):
        record(people["manager"], project)


def test_the_recorder_or_the_pmo_edit_a_lesson_and_stale_edits_conflict(people, lesson):
    updated = services.lesson_update(
        actor=people["manager"],
        lesson_id=lesson.pk,
        version=lesson.version,
        data={"recommendation": "Contract penalties for late migration scripts.", "tags": ["x"]},
    )
    assert updated.version == lesson.version + 1
    assert "penalties" in Lesson.objects.get(pk=lesson.pk).search_text
    with pytest.raises(Conflict):
        services.lesson_update(
            actor=people["pmo_admin"], lesson_id=lesson.pk, version=1, data={"impact": "None."}
        )
    with pytest.raises(Forbidden, match=f"L-{lesson.pk}"):
        services.lesson_update(
            actor=people["member"], lesson_id=lesson.pk, version=None, data={"impact": "None."}
        )
    with pytest.raises(NotFound):
        services.lesson_update(
            actor=people["client"], lesson_id=lesson.pk, version=None, data={"impact": "x"}
        )


def test_search_finds_stems_prefixes_and_tags_best_first(people, project, lesson):
    other = record(
        people["manager"],
        project,
        what_happened="Vendor invoices arrived without purchase orders.",
        tags=["invoicing"],
    )
    record(people["manager"], project)  # about test environments
    user = people["member"]
    assert list(selectors.lesson_list(user, query="migrations")) == [lesson]
    assert list(selectors.lesson_list(user, query="migr")) == [lesson]
    assert set(selectors.lesson_list(user, query="vendor")) == {lesson, other}
    assert list(selectors.lesson_list(user, query="invoicing vendor")) == [other]
    assert list(selectors.lesson_list(user, query="vendor", tag="data-migration")) == [lesson]
    assert list(selectors.lesson_list(user, query="penguin")) == []


@pytest.mark.parametrize(
    "query",
    [
        '"vendor',
        "vendor*",
        "vendor AND",
        "NEAR(vendor",
        "(",
        '"',
        "*",
        "-vendor",
        "vendor:",
        "'; --",
    ],
)
def test_search_syntax_from_people_never_fails(people, lesson, query):
    found = list(selectors.lesson_list(people["member"], query=query))
    assert found in ([lesson], [])


def test_search_terms_drop_operators_and_punctuation():
    assert terms('"Budget" AND vendor* NEAR( or') == ["budget", "vendor"]
    assert terms("*()") == []


def test_search_follows_edits_and_deletes(people, lesson):
    services.lesson_update(
        actor=people["manager"],
        lesson_id=lesson.pk,
        version=None,
        data={"what_happened": "Scaffolding permits were late."},
    )
    user = people["member"]
    assert list(selectors.lesson_list(user, query="scaffolding")) == [lesson]
    assert list(selectors.lesson_list(user, query="scripts")) == []
    services.lesson_delete(actor=people["pmo_admin"], lesson_id=lesson.pk)
    assert list(selectors.lesson_list(user, query="scaffolding")) == []


def test_clients_do_not_read_lessons(people, lesson):
    with pytest.raises(NotFound):
        selectors.lesson_list(people["client"])


def test_gate_criterion_lessons_recorded(people, project):
    check = criterion("lessons_recorded")
    outcome = check.evaluate(project)
    assert not outcome.met
    assert outcome.detail == "0 lesson(s) recorded; the gate asks for at least one lesson."
    record(people["manager"], project)
    assert check.evaluate(project).met
    assert check.evaluate(project).detail == "1 lesson(s) recorded."
    assert not check.evaluate(project, {"minimum": 2}).met


def test_the_full_text_index_is_there_and_used(people, lesson):
    from django.db import connection

    qs = selectors.lesson_list(people["member"], query="vendor migration")
    assert list(qs) == [lesson]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the GIN index is reached through a bitmap scan: leave the planner nothing else
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            assert "support_lesson_search" in qs.explain()
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'support_%_fts'"
            )
            assert sorted(r[0] for r in cursor.fetchall()) == [
                "support_article_fts",
                "support_lesson_fts",
            ]
