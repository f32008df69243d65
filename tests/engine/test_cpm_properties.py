"""The engine agrees with the reference implementation on random networks."""

from __future__ import annotations

from hypothesis import given, settings
from reference import reference_schedule
from strategies import networks

from pmo.engine.cpm import COLUMNS, schedule
from pmo.engine.network import LinkType, Network


def _required_start(link_type: LinkType, lag: int, es: int, ef: int, dur_s: int) -> int:
    return {
        LinkType.FS: ef + lag,
        LinkType.SS: es + lag,
        LinkType.FF: ef + lag - dur_s,
        LinkType.SF: es + lag - dur_s,
    }[link_type]


@settings(max_examples=300, deadline=None)
@given(networks())
def test_schedule_matches_reference_on_random_networks(net: Network) -> None:
    got = schedule(net)
    want = reference_schedule(net)
    assert (got.start, got.finish) == (want.start, want.finish)
    for column in COLUMNS[:-1]:
        got_column = dict(zip(got.ids, getattr(got, column).tolist(), strict=True))
        assert got_column == getattr(want, column), column
    assert got.critical.tolist() == [want.total_float[a] <= 0 for a in got.ids]


@settings(max_examples=150, deadline=None)
@given(networks(constraints=False))
def test_unconstrained_floats_are_non_negative_and_path_spans_the_project(net: Network) -> None:
    result = schedule(net)
    assert (result.total_float >= 0).all()
    assert (result.free_float >= 0).all()
    assert (result.free_float <= result.total_float).all()
    if not net.activities:
        assert result.critical_path == ()
        return
    path = result.critical_path
    rows = [result.index[a] for a in path]
    assert result.early_start[rows[0]] == result.start
    assert result.early_finish[rows[-1]] == result.finish
    assert all(result.critical[rows])
    dur = {a.id: a.duration for a in net.activities}
    for p, s in zip(path, path[1:], strict=False):
        rp, rs = result.index[p], result.index[s]
        assert any(
            link.predecessor == p
            and link.successor == s
            and _required_start(
                link.type,
                link.lag_for(dur[p]),
                int(result.early_start[rp]),
                int(result.early_finish[rp]),
                dur[s],
            )
            == result.early_start[rs]
            for link in net.links
        )


@settings(max_examples=100, deadline=None)
@given(networks())
def test_every_link_is_respected_by_early_dates_without_must_constraints(net: Network) -> None:
    result = schedule(net)
    dur = {a.id: a.duration for a in net.activities}
    fixed = {
        a.id for a in net.activities if a.constraint and a.constraint.type.value in ("MSO", "MFO")
    }
    for link in net.links:
        if link.successor in fixed:
            continue
        rp, rs = result.index[link.predecessor], result.index[link.successor]
        required = _required_start(
            link.type,
            link.lag_for(dur[link.predecessor]),
            int(result.early_start[rp]),
            int(result.early_finish[rp]),
            dur[link.successor],
        )
        assert result.early_start[rs] >= required
