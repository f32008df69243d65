"""The executive pack's server-side SVG charts: well-formed, labels escaped, values placed."""

from __future__ import annotations

from defusedxml.ElementTree import fromstring

from pmo.portfolio import charts

NS = "{http://www.w3.org/2000/svg}"


def test_grouped_bars_escape_labels_and_scale_to_the_largest_value() -> None:
    svg = charts.grouped_bars(
        ["R&D <lab>", "Ops"], [("Budget", [1000.0, 500.0]), ("Actual", [250.0, 0.0])]
    )
    root = fromstring(svg)
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "R&D <lab>" in texts and "1.0k" in texts
    widths = [float(r.get("width")) for r in root.iter(f"{NS}rect") if r.get("height") == "13"]
    assert widths[0] == max(widths) and widths[0] == 4 * widths[1]  # 1000 against 250


def test_count_bar_splits_the_width_by_count() -> None:
    root = fromstring(charts.count_bar([("Green", 3, "#0a0"), ("Red", 1, "#a00")], width=400))
    bars = [float(r.get("width")) for r in root.iter(f"{NS}rect") if r.get("height") == "20"]
    assert bars == [300.0, 100.0]


def test_bubbles_put_higher_risk_higher_and_bigger_cost_bigger() -> None:
    root = fromstring(
        charts.bubbles(
            [
                charts.Bubble("A", -100.0, 5, 1000.0, "#0a0"),
                charts.Bubble("B", 300.0, 20, 4000.0, "#a00"),
            ]
        )
    )
    circles = {c.get("fill"): c for c in root.iter(f"{NS}circle")}
    a, b = circles["#0a0"], circles["#a00"]
    assert float(b.get("cy")) < float(a.get("cy"))  # SVG y grows downwards
    assert float(b.get("cx")) > float(a.get("cx"))
    assert float(b.get("r")) > float(a.get("r"))


def test_empty_charts_are_still_valid_svg() -> None:
    for svg in (
        charts.bubbles([]),
        charts.grouped_bars([], [("Budget", [])]),
        charts.count_bar([]),
    ):
        assert fromstring(svg).tag == f"{NS}svg"
