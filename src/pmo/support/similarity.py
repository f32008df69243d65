"""Which past lessons resemble a project: computed here, from words, tags and type, with no
outside service.

The score of a lesson for a project is a weighted sum of three parts, each between 0 and 1:

- **text**: cosine similarity of TF-IDF word vectors (the project's name, description and
  charter against the lesson's text and tags), IDF taken over the lessons compared;
- **tags**: Jaccard overlap of the lesson's tags with the project's keywords (the known tags that
  appear among the project's words);
- **type**: 1 when the lesson comes from a project of the same type.

Pure Python: no Django, no database.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = ["Candidate", "Match", "WEIGHTS", "keywords", "rank", "words"]

WEIGHTS = {"text": 0.55, "tags": 0.25, "type": 0.20}
MIN_SCORE = 0.12
MIN_WORD = 3
# Words too common in project writing to say anything about similarity.
COMMON = frozenset(
    """about after again all also and are been before being but can could did does each for from
    had has have how into its more most must not now off once only other our out over own same
    should some such than that the their them then there these they this those through too under
    until very was were what when where which while who why will with within would your
    project projects team new use used using work deliver delivered delivery live time times
    day days week weeks month months year years first second third plan planned""".split()  # noqa: SIM905
)


def words(text: str) -> list[str]:
    """Lower-case words of three letters or more, without the common ones.

    >>> words("The vendor's data migration slipped; migration again.")
    ['vendor', 'data', 'migration', 'slipped', 'migration']
    """
    return [
        w for w in re.findall(r"[^\W\d_]+", text.lower()) if len(w) >= MIN_WORD and w not in COMMON
    ]


SUFFIXES = ("ations", "ation", "ating", "ated", "ates", "ate", "ions", "ion", "ings", "ing")
SUFFIXES += ("ies", "ed", "es", "s", "e")
MIN_STEM = 4


def stem(word: str) -> str:
    """A crude English stem, so that *migrate*, *migration* and *migrating* meet.

    >>> [stem(w) for w in ("migrate", "migration", "migrating", "data", "vendors")]
    ['migr', 'migr', 'migr', 'data', 'vendor']
    """
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def keywords(text_words: Iterable[str], known_tags: Iterable[str]) -> set[str]:
    """The known tags found among the words (a tag `data-migration` needs both words)."""
    present = set(text_words)
    found = set()
    for tag in known_tags:
        parts = [p for p in re.split(r"[-_\s]+", tag.lower()) if p]
        if parts and all(p in present for p in parts):
            found.add(tag)
    return found


@dataclass(frozen=True)
class Candidate:
    """A lesson as the similarity sees it."""

    key: int
    text: str
    tags: frozenset[str]
    project_type: str


@dataclass(frozen=True)
class Match:
    key: int
    score: float
    text_score: float
    tag_score: float
    same_type: bool
    shared_tags: tuple[str, ...] = ()
    shared_words: tuple[str, ...] = field(default=())


def _tfidf(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    total = sum(counts.values()) or 1
    return {w: (c / total) * idf.get(w, 0.0) for w, c in counts.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(w, 0.0) for w, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def rank(
    *,
    text: str,
    project_type: str,
    candidates: Sequence[Candidate],
    known_tags: Iterable[str] = (),
    limit: int = 5,
    min_score: float = MIN_SCORE,
) -> list[Match]:
    """The candidates most like a project, best first, at most `limit`, above `min_score`.

    >>> crm = "Data migration from the legacy CRM took twice as long"
    >>> lessons = [
    ...     Candidate(1, crm, frozenset({"data-migration"}), "it"),
    ...     Candidate(2, "Scaffolding permits were late", frozenset({"permits"}), "infrastructure"),
    ... ]
    >>> [m.key for m in rank(text="Migrate the CRM data to the new platform", project_type="it",
    ...                      candidates=lessons, known_tags=["data-migration", "permits"])]
    [1]
    """
    surface = words(text)
    project_tags = keywords(surface, known_tags)
    shown: dict[str, str] = {}
    for w in surface:
        shown.setdefault(stem(w), w)  # the project's own word, to explain a match
    project_words = [stem(w) for w in surface]
    docs = [
        Counter(stem(w) for w in words(c.text + " " + " ".join(c.tags).replace("-", " ")))
        for c in candidates
    ]
    n = len(docs) + 1
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.keys())
    df.update(set(project_words))
    # smoothed IDF: a word in every document still counts a little
    idf = {w: math.log((1 + n) / (1 + k)) + 1.0 for w, k in df.items()}
    project_vec = _tfidf(Counter(project_words), idf)
    matches = []
    for cand, doc in zip(candidates, docs, strict=True):
        text_score = _cosine(project_vec, _tfidf(doc, idf))
        union = project_tags | cand.tags
        tag_score = len(project_tags & cand.tags) / len(union) if union else 0.0
        same = bool(project_type) and cand.project_type == project_type
        score = WEIGHTS["text"] * text_score + WEIGHTS["tags"] * tag_score + WEIGHTS["type"] * same
        if score < min_score or (text_score == 0 and tag_score == 0):
            continue  # the type alone says nothing about this particular project
        shared_words = sorted(
            set(project_vec) & set(doc), key=lambda w: (-project_vec[w] * idf[w], w)
        )[:5]
        matches.append(
            Match(
                key=cand.key,
                score=round(score, 4),
                text_score=round(text_score, 4),
                tag_score=round(tag_score, 4),
                same_type=same,
                shared_tags=tuple(sorted(project_tags & cand.tags)),
                shared_words=tuple(shown[w] for w in shared_words),
            )
        )
    matches.sort(key=lambda m: (-m.score, m.key))
    return matches[:limit]
