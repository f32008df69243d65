"""Template helpers: readable audit values and the power–interest grid picture."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django import template

register = template.Library()

GRID_WIDTH, GRID_HEIGHT, GRID_MARGIN = 560, 420, 36
SCORES = 5


@register.filter
def readable(value: Any) -> str:
    """A stored value (text, list, record) as a short plain text for history and comparisons."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict):
        return " | ".join(str(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, list):
        return "; ".join(readable(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _position(score: int, size: int, *, invert: bool = False) -> float:
    fraction = (score - 0.5) / SCORES
    return GRID_MARGIN + (1 - fraction if invert else fraction) * (size - 2 * GRID_MARGIN)


@register.inclusion_tag("web/stakeholders/_grid.html")
def power_interest_grid(stakeholders: Iterable[Any]) -> dict[str, Any]:
    """Dots placed by interest (x) and influence (y); several in one cell fan out, labelled."""
    cells: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for s in stakeholders:
        cells[(s.interest, s.influence)].append(s)
    dots = []
    for (interest, influence), group in cells.items():
        x, y = _position(interest, GRID_WIDTH), _position(influence, GRID_HEIGHT, invert=True)
        for index, s in enumerate(group):
            dots.append({"x": x, "y": y - 10 * (len(group) - 1) / 2 + 10 * index, "who": s})
    inner_w, inner_h = GRID_WIDTH - 2 * GRID_MARGIN, GRID_HEIGHT - 2 * GRID_MARGIN
    return {
        "width": GRID_WIDTH,
        "height": GRID_HEIGHT,
        "m": GRID_MARGIN,
        "inner_w": inner_w,
        "inner_h": inner_h,
        "half_w": inner_w / 2,
        "half_h": inner_h / 2,
        "mid_x": GRID_MARGIN + inner_w / 2,
        "mid_y": GRID_MARGIN + inner_h / 2,
        "right": GRID_WIDTH - GRID_MARGIN,
        "bottom": GRID_HEIGHT - GRID_MARGIN,
        "dots": dots,
    }


CHARTER_LISTS = [
    ("deliverables", "Deliverables"),
    ("success_criteria", "Success criteria"),
    ("assumptions", "Assumptions"),
    ("constraints", "Constraints"),
    ("obstacles", "Obstacles that may prevent completion"),
]


@register.simple_tag
def charter_lists(charter: Any) -> list[tuple[str, list[str]]]:
    """The charter's plain list fields with their headings, in reading order."""
    return [(title, getattr(charter, name)) for name, title in CHARTER_LISTS]
