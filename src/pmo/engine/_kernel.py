# mypy: allow-untyped-defs
"""The compiled (numba) inner loops of the critical path method.

Kept apart from `pmo.engine.cpm` so that the public module reads as plain Python; every
function here works on the integer arrays of `pmo.engine.network.CompiledNetwork`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Link type codes (see LINK_CODES) and constraint codes (see CONSTRAINT_CODES).
FS, SS, FF, SF = 0, 1, 2, 3
ASAP, ALAP, SNET, SNLT, FNET, FNLT, MSO, MFO = 0, 1, 2, 3, 4, 5, 6, 7
BIG = 2**62


@njit(cache=True, nogil=True)
def topological_order(n, out_ptr, out_succ):
    """Kahn's algorithm; returns the order and how many nodes it reached (< n on a cycle)."""
    indegree = np.zeros(n, dtype=np.int64)
    for k in range(out_succ.shape[0]):
        indegree[out_succ[k]] += 1
    order = np.empty(n, dtype=np.int64)
    head = 0
    tail = 0
    for i in range(n):
        if indegree[i] == 0:
            order[tail] = i
            tail += 1
    while head < tail:
        i = order[head]
        head += 1
        for k in range(out_ptr[i], out_ptr[i + 1]):
            j = out_succ[k]
            indegree[j] -= 1
            if indegree[j] == 0:
                order[tail] = j
                tail += 1
    return order, tail


@njit(cache=True, nogil=True)
def _required_start(kind, lag, es_i, ef_i, dur_j):
    """Earliest start of the successor that one link allows."""
    if kind == FS:
        return ef_i + lag
    if kind == SS:
        return es_i + lag
    if kind == FF:
        return ef_i + lag - dur_j
    return es_i + lag - dur_j


@njit(cache=True, nogil=True)
def forward(order, dur, out_ptr, out_succ, out_type, out_lag, ctype, coff, start):
    """Early start of every node and the node that drove it (-1: start or a constraint)."""
    n = dur.shape[0]
    es = np.full(n, start, dtype=np.int64)
    driver = np.full(n, -1, dtype=np.int64)
    for idx in range(n):
        i = order[idx]
        c = ctype[i]
        if c == SNET and coff[i] > es[i]:
            es[i] = coff[i]
            driver[i] = -1
        elif c == FNET and coff[i] - dur[i] > es[i]:
            es[i] = coff[i] - dur[i]
            driver[i] = -1
        elif c == MSO:
            es[i] = coff[i]
            driver[i] = -1
        elif c == MFO:
            es[i] = coff[i] - dur[i]
            driver[i] = -1
        es_i = es[i]
        ef_i = es_i + dur[i]
        for k in range(out_ptr[i], out_ptr[i + 1]):
            j = out_succ[k]
            req = _required_start(out_type[k], out_lag[k], es_i, ef_i, dur[j])
            # A link that only ties with the project start still drives (a start milestone).
            if req > es[j] or (req == es[j] and driver[j] < 0):
                es[j] = req
                driver[j] = i
    return es, driver


@njit(cache=True, nogil=True)
def backward(order, dur, out_ptr, out_succ, out_type, out_lag, ctype, coff, deadline, finish):
    """Late finish of every node, successors first."""
    n = dur.shape[0]
    lf = np.empty(n, dtype=np.int64)
    for idx in range(n - 1, -1, -1):
        i = order[idx]
        d = dur[i]
        best = finish
        for k in range(out_ptr[i], out_ptr[i + 1]):
            j = out_succ[k]
            kind = out_type[k]
            lag = out_lag[k]
            if kind == FS:
                bound = lf[j] - dur[j] - lag
            elif kind == SS:
                bound = lf[j] - dur[j] - lag + d
            elif kind == FF:
                bound = lf[j] - lag
            else:
                bound = lf[j] - lag + d
            if bound < best:
                best = bound
        c = ctype[i]
        if c == SNLT and coff[i] + d < best:
            best = coff[i] + d
        elif c == FNLT and coff[i] < best:
            best = coff[i]
        if deadline[i] < best:
            best = deadline[i]
        if c == MSO:
            best = coff[i] + d
        elif c == MFO:
            best = coff[i]
        lf[i] = best
    return lf


@njit(cache=True, nogil=True)
def _free_float(i, es, dur, out_ptr, out_succ, out_type, out_lag, finish):
    es_i = es[i]
    ef_i = es_i + dur[i]
    best = finish - ef_i
    for k in range(out_ptr[i], out_ptr[i + 1]):
        j = out_succ[k]
        slack = es[j] - _required_start(out_type[k], out_lag[k], es_i, ef_i, dur[j])
        if slack < best:
            best = slack
    return best


@njit(cache=True, nogil=True)
def floats(order, es, lf, dur, out_ptr, out_succ, out_type, out_lag, ctype, finish):
    """Shift ALAP nodes by their free float (successors first), then total and free float.

    ``es`` is updated in place for ALAP nodes.
    """
    n = dur.shape[0]
    for idx in range(n - 1, -1, -1):
        i = order[idx]
        if ctype[i] == ALAP:
            room = _free_float(i, es, dur, out_ptr, out_succ, out_type, out_lag, finish)
            total = lf[i] - dur[i] - es[i]
            if total < room:
                room = total
            if room > 0:
                es[i] += room
    tf = np.empty(n, dtype=np.int64)
    ff = np.empty(n, dtype=np.int64)
    for i in range(n):
        tf[i] = lf[i] - dur[i] - es[i]
        free = _free_float(i, es, dur, out_ptr, out_succ, out_type, out_lag, finish)
        ff[i] = free if free < tf[i] else tf[i]
    return tf, ff


@njit(cache=True, nogil=True)
def cpm(
    dur, out_ptr, out_succ, out_type, out_lag, ctype, coff, deadline, start, finish, from_finish
):
    """Both passes and the floats in one call.

    ``finish`` < -BIG // 2 means "no target finish: use the latest early finish". Returns
    ``(reached, order, es, lf, tf, ff, driver, start, finish)``; when ``reached`` < n the
    network has a cycle and the other arrays are meaningless.
    """
    n = dur.shape[0]
    order, reached = topological_order(n, out_ptr, out_succ)
    if reached < n:
        empty = np.zeros(0, dtype=np.int64)
        return reached, order, empty, empty, empty, empty, empty, start, finish
    if from_finish:
        lf = backward(
            order, dur, out_ptr, out_succ, out_type, out_lag, ctype, coff, deadline, finish
        )
        start = finish
        for i in range(n):
            if lf[i] - dur[i] < start:
                start = lf[i] - dur[i]
        es, driver = forward(order, dur, out_ptr, out_succ, out_type, out_lag, ctype, coff, start)
    else:
        es, driver = forward(order, dur, out_ptr, out_succ, out_type, out_lag, ctype, coff, start)
        if finish < -BIG // 2:
            finish = start
            for i in range(n):
                if es[i] + dur[i] > finish:
                    finish = es[i] + dur[i]
        lf = backward(
            order, dur, out_ptr, out_succ, out_type, out_lag, ctype, coff, deadline, finish
        )
    tf, ff = floats(order, es, lf, dur, out_ptr, out_succ, out_type, out_lag, ctype, finish)
    return reached, order, es, lf, tf, ff, driver, start, finish
