"""Template helpers: readable audit values and the power–interest grid picture."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django import template

register = template.Library()

SCORES = 5
GRID_WIDTH, GRID_HEIGHT, GRID_MARGIN = 720, 440, 36
GRID_LABEL_CHARS = 18
# Scores of 3 and above count as high (see Stakeholder.grid_quadrant): the dividing line sits
# between 2 and 3.
GRID_SPLIT = 2 / SCORES


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
        left = interest == SCORES  # labels of the last column go left of the dot, inside
        for index, s in enumerate(group):
            dy = 12 * index - 6 * (len(group) - 1)
            label_x = x - 8 if left else x + 8
            dots.append(
                {
                    "x": x,
                    "y": y + dy,
                    "who": s,
                    "left": left,
                    "label_x": label_x,
                    "label_y": y + dy + 4,
                }
            )
    inner_w, inner_h = GRID_WIDTH - 2 * GRID_MARGIN, GRID_HEIGHT - 2 * GRID_MARGIN
    return {
        "width": GRID_WIDTH,
        "height": GRID_HEIGHT,
        "m": GRID_MARGIN,
        "inner_w": inner_w,
        "inner_h": inner_h,
        "mid_x": GRID_MARGIN + inner_w * GRID_SPLIT,
        "mid_y": GRID_MARGIN + inner_h * (1 - GRID_SPLIT),
        "hot_w": inner_w * (1 - GRID_SPLIT),
        "hot_h": inner_h * (1 - GRID_SPLIT),
        "label_chars": GRID_LABEL_CHARS,
        "centre_x": GRID_MARGIN + inner_w / 2,
        "centre_y": GRID_MARGIN + inner_h / 2,
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
