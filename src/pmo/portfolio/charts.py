"""Small charts drawn as SVG on the server, for the executive pack (a PDF has no JavaScript).

Each function takes plain numbers and labels and returns an SVG document as a string; every
label is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

HEALTH_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828"}
SERIES = ("#1f5fa8", "#e07b00", "#7b1fa2")
FONT = 'font-family="DejaVu Sans, sans-serif"'


def _money(value: float) -> str:
    """1 234 567 → 1.2M, 12 300 → 12.3k."""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}{suffix}"
    return f"{value:.0f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return float(step * exponent)
    return float(10 * exponent)


def grouped_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    width: int = 640,
    row_height: int = 16,
) -> str:
    """Horizontal bars, one group per label, one bar per series (e.g. budget, actual, EAC)."""
    n = max(len(labels), 1)
    group = row_height * len(series) + 10
    left, top, right = 170, 28, 60
    height = top + n * group + 24
    top_value = _nice_max(max((v for _, values in series for v in values), default=0.0))
    scale = (width - left - right) / top_value
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {FONT} font-size="10">'
    ]
    for i, (name, _) in enumerate(series):
        x = left + i * 110
        out.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{SERIES[i % 3]}"/>')
        out.append(f'<text x="{x + 14}" y="15">{escape(name)}</text>')
    for k in range(5):
        x = left + (width - left - right) * k / 4
        out.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 20}" '
            'stroke="#ddd" stroke-width="0.5"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="#555">'
            f"{_money(top_value * k / 4)}</text>"
        )
    for row, label in enumerate(labels):
        y0 = top + row * group
        out.append(
            f'<text x="{left - 6}" y="{y0 + group / 2:.1f}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(label[:28])}</text>'
        )
        for i, (_, values) in enumerate(series):
            value = values[row] if row < len(values) else 0.0
            y = y0 + i * row_height
            w = max(value * scale, 0.0)
            out.append(
                f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{row_height - 3}" '
                f'fill="{SERIES[i % 3]}"/>'
            )
            out.append(
                f'<text x="{left + w + 3:.1f}" y="{y + row_height - 6}" fill="#333">'
                f"{_money(value)}</text>"
            )
    out.append("</svg>")
    return "".join(out)


def count_bar(
    segments: Sequence[tuple[str, int, str]], *, width: int = 640, height: int = 44
) -> str:
    """One stacked bar of counts (label, count, colour) with a legend underneath."""
    total = sum(n for _, n, _ in segments) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {FONT} font-size="10">'
    ]
    x = 0.0
    for _label, n, colour in segments:
        w = width * n / total
        if w > 0:
            out.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="20" fill="{colour}"/>')
            if w > 24:
                out.append(
                    f'<text x="{x + w / 2:.1f}" y="14" text-anchor="middle" fill="#fff">{n}</text>'
                )
        x += w
    x = 0.0
    for label, n, colour in segments:
        out.append(f'<rect x="{x:.1f}" y="28" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14:.1f}" y="37">{escape(label)} ({n})</text>')
        x += max(90.0, 8.0 * len(label) + 40)
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class Bubble:
    label: str
    value: float
    risk: float
    size: float
    colour: str


def bubbles(points: Sequence[Bubble], *, width: int = 640, height: int = 320) -> str:
    """Value (x) against risk (y, 0–25), the area of each bubble proportional to its size."""
    left, bottom, top, right = 60, 36, 14, 20
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [p.value for p in points] or [0.0]
    low, high = min(min(values), 0.0), max(max(values), 0.0)
    if high == low:
        high = low + 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    biggest = max((p.size for p in points), default=0.0) or 1.0

    def sx(v: float) -> float:
        return left + (v - low) / (high - low) * plot_w

    def sy(r: float) -> float:  # 25 sits below the top edge so its bubbles are not cut
        return top + plot_h - r / 28 * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {FONT} font-size="9">',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#999" stroke-width="0.5"/>',
    ]
    for r in (0, 5, 10, 15, 20, 25):
        out.append(
            f'<text x="{left - 5}" y="{sy(r) + 3:.1f}" text-anchor="end" fill="#555">{r}</text>'
        )
    for k in range(5):
        v = low + (high - low) * k / 4
        out.append(
            f'<text x="{sx(v):.1f}" y="{height - bottom + 12}" text-anchor="middle" '
            f'fill="#555">{_money(v)}</text>'
        )
    if low < 0 < high:
        out.append(
            f'<line x1="{sx(0):.1f}" y1="{top}" x2="{sx(0):.1f}" y2="{top + plot_h}" '
            'stroke="#bbb" stroke-dasharray="3,3"/>'
        )
    out.append(
        f'<text x="{left + plot_w / 2}" y="{height - 4}" text-anchor="middle">'
        "Value: net present value of the business case</text>"
    )
    out.append(
        f'<text x="12" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + plot_h / 2})">Worst open risk (P × I)</text>'
    )
    for p in sorted(points, key=lambda p: -p.size):
        radius = 4 + 22 * math.sqrt(max(p.size, 0.0) / biggest)
        x, y = sx(p.value), sy(p.risk)
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{p.colour}" '
            'fill-opacity="0.55" stroke="#333" stroke-width="0.4"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{y + 3:.1f}" text-anchor="middle">{escape(p.label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
