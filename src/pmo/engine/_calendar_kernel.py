# mypy: allow-untyped-defs
"""The compiled (numba) passes of calendar scheduling (see `pmo.engine.calendar_cpm`).

Times are minutes from the origin ("moments") or working minutes of one calendar from the
origin ("offsets"). Calendar ``c`` is the table rows ``cptr[c]:cptr[c + 1]`` of ``cs``, ``ce``
(period start and end moments) and ``cb`` (offset at each period start); calendar 0 is the
project calendar. A lookup outside a table sets ``flag[0]`` so that the caller can retry with a
longer horizon.

The four conversions, for a calendar ``W(m)`` = working minutes between the origin and ``m``:

* ``work(m)``: ``W(m)``;
* ``start_at(x)``: the moment the working minute ``x`` starts (a start offset's moment);
* ``finish_at(y)``: ``start_at(y - 1) + 1``, the moment the working minute ``y - 1`` ends;
* ``se(x) >= m`` iff ``x >= W(m)``, ``fe(y) <= r`` iff ``y <= W(r)``, ``se(x) <= r`` iff
  ``x <= W(r + 1) - 1``: the forward requirements and their exact duals below rely on these.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from pmo.engine._kernel import ALAP, FF, FNET, FNLT, FS, MFO, MSO, SNET, SNLT, SS, topological_order

BIG = 2**62


@njit(cache=True, nogil=True)
def _last_at_most(values, a, b, v):
    """The last row k in ``[a, b)`` with ``values[k] <= v`` (``a - 1`` if none): bisection."""
    lo = a
    hi = b
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] <= v:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


@njit(cache=True, nogil=True)
def work(c, m, cs, ce, cb, cptr, clo, chi, flag):
    """Working minutes of calendar ``c`` between the origin and moment ``m``."""
    a = cptr[c]
    b = cptr[c + 1]
    if m < clo[c] or m > chi[c] or a == b:
        flag[0] = 1
        return 0
    k = _last_at_most(cs, a, b, m)
    if k < a:
        return cb[a]
    inside = m - cs[k]
    length = ce[k] - cs[k]
    return cb[k] + (inside if inside < length else length)


@njit(cache=True, nogil=True)
def start_at(c, x, cs, ce, cb, cptr, flag):
    """Moment at which working minute ``x`` of calendar ``c`` starts."""
    a = cptr[c]
    b = cptr[c + 1]
    if a == b or x < cb[a] or x >= cb[b - 1] + ce[b - 1] - cs[b - 1]:
        flag[0] = 1
        return 0
    k = _last_at_most(cb, a, b, x)
    return cs[k] + (x - cb[k])


@njit(cache=True, nogil=True)
def finish_at(c, y, cs, ce, cb, cptr, flag):
    """Moment at which working minute ``y - 1`` of calendar ``c`` ends."""
    return start_at(c, y - 1, cs, ce, cb, cptr, flag) + 1


@njit(cache=True, nogil=True)
def _lag_forward(m, lag, cs, ce, cb, cptr, clo, chi, flag):
    """Moment ``m`` plus ``lag`` working minutes of the project calendar (0: ``m`` itself)."""
    if lag == 0:
        return m
    return finish_at(0, work(0, m, cs, ce, cb, cptr, clo, chi, flag) + lag, cs, ce, cb, cptr, flag)


@njit(cache=True, nogil=True)
def _lag_backward(q, lag, cs, ce, cb, cptr, clo, chi, flag):
    """The latest moment ``p`` with ``_lag_forward(p, lag) <= q``."""
    if lag == 0:
        return q
    return start_at(0, work(0, q, cs, ce, cb, cptr, clo, chi, flag) - lag, cs, ce, cb, cptr, flag)


@njit(cache=True, nogil=True)
def _required(i, es_i, j, kind, lag, dur, cal, cs, ce, cb, cptr, clo, chi, flag):
    """Earliest start offset of ``j`` (in its calendar) that one link from ``i`` allows."""
    ci = cal[i]
    if kind in (FS, FF):  # from the predecessor's finish
        p = finish_at(ci, es_i + dur[i], cs, ce, cb, cptr, flag)
    else:
        p = start_at(ci, es_i, cs, ce, cb, cptr, flag)
    m = _lag_forward(p, lag, cs, ce, cb, cptr, clo, chi, flag)
    w = work(cal[j], m, cs, ce, cb, cptr, clo, chi, flag)
    if kind in (FS, SS):
        return w
    return w - dur[j]


@njit(cache=True, nogil=True)
def _allowed(i, kind, lag, offset_j, cj, dur_i, ci, cs, ce, cb, cptr, clo, chi, flag):
    """Latest finish offset of ``i`` that one link allows, given the successor's start
    (FS, SS) or finish (FF, SF) offset ``offset_j``."""
    q = start_at(cj, offset_j, cs, ce, cb, cptr, flag)
    r = _lag_backward(q, lag, cs, ce, cb, cptr, clo, chi, flag)
    if kind in (FS, FF):
        return work(ci, r, cs, ce, cb, cptr, clo, chi, flag)
    return work(ci, r + 1, cs, ce, cb, cptr, clo, chi, flag) - 1 + dur_i


@njit(cache=True, nogil=True)
def forward(order, dur, cal, out_ptr, out_succ, out_type, out_lag, ctype, cmom, m0, tables):
    """Early start offsets and drivers, from the project start moment ``m0``."""
    cs, ce, cb, cptr, clo, chi, flag = tables
    n = dur.shape[0]
    es = np.empty(n, dtype=np.int64)
    for i in range(n):
        es[i] = work(cal[i], m0, cs, ce, cb, cptr, clo, chi, flag)
    driver = np.full(n, -1, dtype=np.int64)
    for idx in range(n):
        i = order[idx]
        c = ctype[i]
        if c in (SNET, FNET, MSO, MFO):
            w = work(cal[i], cmom[i], cs, ce, cb, cptr, clo, chi, flag)
            if c in (FNET, MFO):
                w -= dur[i]
            if c in (MSO, MFO) or w > es[i]:
                es[i] = w
                driver[i] = -1
        es_i = es[i]
        for k in range(out_ptr[i], out_ptr[i + 1]):
            j = out_succ[k]
            req = _required(
                i, es_i, j, out_type[k], out_lag[k], dur, cal, cs, ce, cb, cptr, clo, chi, flag
            )
            if req > es[j] or (req == es[j] and driver[j] < 0):
                es[j] = req
                driver[j] = i
    return es, driver


@njit(cache=True, nogil=True)
def backward(order, dur, cal, out_ptr, out_succ, out_type, out_lag, ctype, cmom, dmom, mf, tables):
    """Late finish offsets, successors first, back from the project finish moment ``mf``."""
    cs, ce, cb, cptr, clo, chi, flag = tables
    n = dur.shape[0]
    lf = np.empty(n, dtype=np.int64)
    for idx in range(n - 1, -1, -1):
        i = order[idx]
        ci = cal[i]
        d = dur[i]
        best = work(ci, mf, cs, ce, cb, cptr, clo, chi, flag)
        for k in range(out_ptr[i], out_ptr[i + 1]):
            j = out_succ[k]
            kind = out_type[k]
            at = lf[j] - dur[j] if kind in (FS, SS) else lf[j]
            bound = _allowed(
                i, kind, out_lag[k], at, cal[j], d, ci, cs, ce, cb, cptr, clo, chi, flag
            )
            if bound < best:
                best = bound
        c = ctype[i]
        w = 0
        if c in (SNLT, FNLT, MSO, MFO):
            w = work(ci, cmom[i], cs, ce, cb, cptr, clo, chi, flag)
            if c in (SNLT, MSO):
                w += d
        if (c in (SNLT, FNLT)) and w < best:
            best = w
        if dmom[i] < BIG:
            dl = work(ci, dmom[i], cs, ce, cb, cptr, clo, chi, flag)
            if dl < best:
                best = dl
        if c in (MSO, MFO):
            best = w
        lf[i] = best
    return lf


@njit(cache=True, nogil=True)
def _free_float(i, es, dur, cal, out_ptr, out_succ, out_type, out_lag, mf, tables):
    cs, ce, cb, cptr, clo, chi, flag = tables
    ci = cal[i]
    ef_i = es[i] + dur[i]
    best = work(ci, mf, cs, ce, cb, cptr, clo, chi, flag) - ef_i
    for k in range(out_ptr[i], out_ptr[i + 1]):
        j = out_succ[k]
        kind = out_type[k]
        at = es[j] if kind in (FS, SS) else es[j] + dur[j]
        slack = (
            _allowed(i, kind, out_lag[k], at, cal[j], dur[i], ci, cs, ce, cb, cptr, clo, chi, flag)
            - ef_i
        )
        if slack < best:
            best = slack
    return best


@njit(cache=True, nogil=True)
def floats(order, es, lf, dur, cal, out_ptr, out_succ, out_type, out_lag, ctype, mf, tables):
    """Shift ALAP nodes by their free float (successors first), then total and free float."""
    n = dur.shape[0]
    for idx in range(n - 1, -1, -1):
        i = order[idx]
        if ctype[i] == ALAP:
            room = _free_float(i, es, dur, cal, out_ptr, out_succ, out_type, out_lag, mf, tables)
            total = lf[i] - dur[i] - es[i]
            if total < room:
                room = total
            if room > 0:
                es[i] += room
    tf = np.empty(n, dtype=np.int64)
    ff = np.empty(n, dtype=np.int64)
    for i in range(n):
        tf[i] = lf[i] - dur[i] - es[i]
        free = _free_float(i, es, dur, cal, out_ptr, out_succ, out_type, out_lag, mf, tables)
        ff[i] = free if free < tf[i] else tf[i]
    return tf, ff


@njit(cache=True, nogil=True)
def moments(es, lf, dur, cal, tables):
    """Moments of the early and late start and finish offsets."""
    cs, ce, cb, cptr, _clo, _chi, flag = tables
    n = dur.shape[0]
    out = np.empty((4, n), dtype=np.int64)
    for i in range(n):
        c = cal[i]
        out[0, i] = start_at(c, es[i], cs, ce, cb, cptr, flag)
        out[1, i] = finish_at(c, es[i] + dur[i], cs, ce, cb, cptr, flag)
        out[2, i] = start_at(c, lf[i] - dur[i], cs, ce, cb, cptr, flag)
        out[3, i] = finish_at(c, lf[i], cs, ce, cb, cptr, flag)
    return out


@njit(cache=True, nogil=True)
def cpm(
    dur, cal, out_ptr, out_succ, out_type, out_lag, ctype, cstart, cfinish, dfinish,
    start, finish, from_finish, cs, ce, cb, cptr, clo, chi,
):  # fmt: skip
    """Both passes, ALAP and floats on calendars; all offsets and lags in working minutes.

    ``cstart``/``cfinish`` are the project-calendar offsets of start/finish constraints and
    ``dfinish`` of deadlines (``BIG``: none); ``finish`` < -BIG // 2: no target finish.
    Returns ``(flag, reached, order, es, lf, tf, ff, driver, m_start, m_finish, stamps)``.
    """
    flag = np.zeros(1, dtype=np.int64)
    tables = (cs, ce, cb, cptr, clo, chi, flag)
    n = dur.shape[0]
    order, reached = topological_order(n, out_ptr, out_succ)
    empty = np.zeros(0, dtype=np.int64)
    if reached < n:
        return (
            flag,
            reached,
            order,
            empty,
            empty,
            empty,
            empty,
            empty,
            0,
            0,
            np.zeros((4, 0), dtype=np.int64),
        )
    cmom = np.zeros(n, dtype=np.int64)
    dmom = np.full(n, BIG, dtype=np.int64)
    for i in range(n):
        c = ctype[i]
        if c in (SNET, SNLT, MSO):
            cmom[i] = start_at(0, cstart[i], cs, ce, cb, cptr, flag)
        elif c in (FNET, FNLT, MFO):
            cmom[i] = finish_at(0, cfinish[i], cs, ce, cb, cptr, flag)
        if dfinish[i] < BIG:
            dmom[i] = finish_at(0, dfinish[i], cs, ce, cb, cptr, flag)
    if from_finish:
        mf = finish_at(0, finish, cs, ce, cb, cptr, flag)
        lf = backward(
            order, dur, cal, out_ptr, out_succ, out_type, out_lag, ctype, cmom, dmom, mf, tables
        )
        m0 = mf
        for i in range(n):
            s = start_at(cal[i], lf[i] - dur[i], cs, ce, cb, cptr, flag)
            if s < m0:
                m0 = s
        es, driver = forward(
            order, dur, cal, out_ptr, out_succ, out_type, out_lag, ctype, cmom, m0, tables
        )
    else:
        m0 = start_at(0, start, cs, ce, cb, cptr, flag)
        es, driver = forward(
            order, dur, cal, out_ptr, out_succ, out_type, out_lag, ctype, cmom, m0, tables
        )
        if finish < -BIG // 2:
            mf = finish_at(0, start, cs, ce, cb, cptr, flag)
            for i in range(n):
                f = finish_at(cal[i], es[i] + dur[i], cs, ce, cb, cptr, flag)
                if f > mf:
                    mf = f
        else:
            mf = finish_at(0, finish, cs, ce, cb, cptr, flag)
        lf = backward(
            order, dur, cal, out_ptr, out_succ, out_type, out_lag, ctype, cmom, dmom, mf, tables
        )
    tf, ff = floats(
        order, es, lf, dur, cal, out_ptr, out_succ, out_type, out_lag, ctype, mf, tables
    )
    stamps = moments(es, lf, dur, cal, tables)
    return flag, reached, order, es, lf, tf, ff, driver, m0, mf, stamps
