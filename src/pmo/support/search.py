"""Full-text search of articles and lessons through one interface, whatever the database.

SQLite: an FTS5 table per model (external content, porter stemming) kept in sync by triggers
that migration 0002 creates. PostgreSQL: `to_tsvector('english', search_text)` with a GIN index
(the same migration), ranked with `ts_rank`. Either way the person's words are reduced to plain
terms first, so quotes, `*`, `AND`, `NEAR(` or a stray parenthesis are only ever words: a search
never fails on its syntax. Every term must match, as a word or the start of one.
"""

from __future__ import annotations

import re
from typing import TypeVar

from django.db import connection, models
from django.db.models import Case, F, IntegerField, QuerySet, Value, When

M = TypeVar("M", bound=models.Model)

MAX_TERMS = 12
MAX_HITS = 500
# Words that carry nothing in a search (PostgreSQL's english dictionary drops them anyway;
# dropping them here keeps both databases answering alike) and FTS5's operators.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "near",
        "not",
        "of",
        "on",
        "or",
        "the",
        "to",
        "was",
        "with",
    ]
)
SEARCHABLE = {"support_article", "support_lesson"}

__all__ = ["search", "search_document", "terms"]


def terms(query: str) -> list[str]:
    """The words of a search, lower case, without operators or stop words (at most 12).

    >>> terms('"budget" AND vendor* NEAR(')
    ['budget', 'vendor']
    """
    words = re.findall(r"\w+", query.lower())
    seen: list[str] = []
    for word in words:
        word = word[:40]
        if word not in STOP_WORDS and word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def search_document(*parts: str) -> str:
    """The text a row is found by: its parts on separate lines."""
    return "\n".join(p.strip() for p in parts if p and p.strip())


def search(qs: QuerySet[M], query: str) -> QuerySet[M]:
    """The rows of `qs` that match every term of `query`, best match first.

    A query with no words left (only punctuation or stop words) matches nothing.
    """
    words = terms(query)
    if not words:
        return qs.none()
    table = qs.model._meta.db_table
    if table not in SEARCHABLE:  # pragma: no cover - a programming error
        raise ValueError(f"{table} has no full-text index")
    if connection.vendor == "postgresql":
        return _postgres(qs, words)
    return _sqlite(qs, table, words)


def _sqlite(qs: QuerySet[M], table: str, words: list[str]) -> QuerySet[M]:
    # Each word quoted (it holds only word characters, so no quote can break out) and a prefix.
    match = " ".join(f'"{w}"*' for w in words)
    fts = f"{table}_fts"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s ORDER BY bm25({fts}) LIMIT %s",  # noqa: S608 - table names are ours
            [match, MAX_HITS],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return qs.none()
    rank = Case(
        *[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)],
        output_field=IntegerField(),
    )
    return qs.filter(pk__in=ids).annotate(search_rank=rank).order_by("search_rank", "-pk")


def _postgres(qs: QuerySet[M], words: list[str]) -> QuerySet[M]:
    from django.contrib.postgres.search import SearchQuery, SearchRank

    query = SearchQuery(" & ".join(f"{w}:*" for w in words), search_type="raw", config="english")
    return (
        qs.alias(search_document=vector())
        .filter(search_document=query)
        .annotate(search_rank=SearchRank(F("search_document"), query))
        .order_by("-search_rank", "-pk")
    )


def vector() -> object:
    """The indexed expression on PostgreSQL (the GIN index is built on exactly this)."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector("search_text", config="english")
