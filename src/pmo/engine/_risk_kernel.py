# mypy: allow-untyped-defs
"""The compiled (numba) inner loops of the Monte Carlo schedule risk analysis.

The passes are those of `pmo.engine._kernel` on ``float64`` durations, one iteration per row
of a duration matrix, batches of iterations split over the threads. Also here: the quantile
functions (inverse CDFs) that turn uniform random numbers into durations (numpy has none).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

# Link type codes (see LINK_CODES) and constraint codes (see CONSTRAINT_CODES).
FS, SS, FF, SF = 0, 1, 2, 3
ASAP, ALAP, SNET, SNLT, FNET, FNLT, MSO, MFO = 0, 1, 2, 3, 4, 5, 6, 7
# Distribution codes.
FIXED, UNIFORM, TRIANGULAR, PERT, LOGNORMAL = 0, 1, 2, 3, 4
#: Intervals of a PERT quantile table (knots equally spaced in arccos(1 - 2u) / pi).
TABLE_INTERVALS = 2048
#: Intervals of the middle part of a PERT table (knots equally spaced in u), used for
#: 1/64 <= u <= 63/64.
MIDDLE_INTERVALS = 4096

_A = (-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269,
      -30.66479806614716, 2.506628277459239)  # fmt: skip
_B = (-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
      -13.28068155288572)  # fmt: skip
_C = (-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
      4.374664141464968, 2.938163982698783)  # fmt: skip
_D = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416)
_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)
_TINY = 2.0**-53


@njit(cache=True, nogil=True)
def ndtr(z):
    """Standard normal CDF."""
    return 0.5 * math.erfc(-z / _SQRT2)


@njit(cache=True, nogil=True)
def ndtri(p):
    """Standard normal quantile: Acklam's rational approximation and one Halley step."""
    if p < _TINY:
        p = _TINY
    elif p > 1.0 - _TINY:
        p = 1.0 - _TINY
    if p < 0.02425:
        q = math.sqrt(-2.0 * math.log(p))
        x = (((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5]) / (
            (((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1.0
        )
    elif p <= 1.0 - 0.02425:
        q = p - 0.5
        r = q * q
        x = (
            (((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5])
            * q
            / (((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1.0)
        )
    else:
        q = math.sqrt(-2.0 * math.log(1.0 - p))
        x = -(((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5]) / (
            (((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1.0
        )
    e = ndtr(x) - p
    u = e * _SQRT2PI * math.exp(0.5 * x * x)
    return x - u / (1.0 + 0.5 * x * u)


@njit(cache=True, nogil=True)
def _betacf(a, b, x):
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < tiny:
        d = tiny
    d = 1.0 / d
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        if abs(d) < tiny:
            d = tiny
        c = 1.0 + aa / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        if abs(d) < tiny:
            d = tiny
        c = 1.0 + aa / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return h


@njit(cache=True, nogil=True)
def betainc(a, b, x):
    """Regularized incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


@njit(cache=True, nogil=True)
def _beta_quantile(a, b, u, lo):
    """x with I_x(a, b) = u, by bisection from ``lo`` (a lower bound)."""
    hi = 1.0
    for _ in range(200):
        if hi - lo < 1e-15:
            break
        mid = 0.5 * (lo + hi)
        if betainc(a, b, mid) < u:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@njit(cache=True)
def beta_table(a, b):
    """Quantiles of Beta(a, b): first at u_k = (1 - cos(pi k / K)) / 2 for k = 0..K (fine in
    the tails), then at u_k = k / M for k = 0..M (the middle, looked up without a cosine)."""
    k_max = TABLE_INTERVALS
    table = np.empty(k_max + 1 + MIDDLE_INTERVALS + 1)
    table[0] = 0.0
    table[k_max] = 1.0
    for k in range(1, k_max):
        u = 0.5 * (1.0 - math.cos(math.pi * k / k_max))
        table[k] = _beta_quantile(a, b, u, table[k - 1])
    base = k_max + 1
    table[base] = 0.0
    table[base + MIDDLE_INTERVALS] = 1.0
    for k in range(1, MIDDLE_INTERVALS):
        table[base + k] = _beta_quantile(a, b, k / MIDDLE_INTERVALS, table[base + k - 1])
    return table


@njit(cache=True, nogil=True)
def quantile(kind, p1, p2, p3, table, tables, u):
    """Value of a distribution at probability ``u``.

    uniform: p1=min, p3=max; triangular and PERT: p1=min, p2=mode, p3=max; lognormal:
    p1=mu, p2=sigma of the underlying normal; fixed: p1.
    """
    if kind == FIXED:
        return p1
    if kind == UNIFORM:
        return p1 + u * (p3 - p1)
    if kind == TRIANGULAR:
        width = p3 - p1
        if width <= 0.0:
            return p1
        if u * width < p2 - p1:
            return p1 + math.sqrt(u * width * (p2 - p1))
        return p3 - math.sqrt((1.0 - u) * width * (p3 - p2))
    if kind == PERT:
        if p3 <= p1:
            return p1
        if 0.015625 <= u <= 0.984375:
            pos = u * MIDDLE_INTERVALS
            k = int(pos)
            if k >= MIDDLE_INTERVALS:
                k = MIDDLE_INTERVALS - 1
            frac = pos - k
            m = TABLE_INTERVALS + 1 + k
            x = tables[table, m] + frac * (tables[table, m + 1] - tables[table, m])
            return p1 + (p3 - p1) * x
        c = 1.0 - 2.0 * u
        if c > 1.0:
            c = 1.0
        elif c < -1.0:
            c = -1.0
        pos = math.acos(c) / math.pi * TABLE_INTERVALS
        k = int(pos)
        if k >= TABLE_INTERVALS:
            k = TABLE_INTERVALS - 1
        frac = pos - k
        x = tables[table, k] + frac * (tables[table, k + 1] - tables[table, k])
        return p1 + (p3 - p1) * x
    return math.exp(p1 + p2 * ndtri(u))


@njit(parallel=True, cache=True)
def fill_durations(u, kind, p1, p2, p3, table, tables, column, out):
    """``out[r, column[j]] = quantile_j(u[r, j])`` for every iteration ``r``."""
    rows, k = u.shape
    for r in prange(rows):
        for j in range(k):
            out[r, column[j]] = quantile(kind[j], p1[j], p2[j], p3[j], table[j], tables, u[r, j])


@njit(cache=True, nogil=True)
def quantiles(kind, p1, p2, p3, table, tables, u):
    """One distribution at many probabilities."""
    out = np.empty(u.shape[0])
    for r in range(u.shape[0]):
        out[r] = quantile(kind, p1, p2, p3, table, tables, u[r])
    return out


@njit(parallel=True, cache=True)
def normal_cdf(z):
    """``ndtr`` over a 2-D array."""
    out = np.empty_like(z)
    rows, cols = z.shape
    for r in prange(rows):
        for c in range(cols):
            out[r, c] = ndtr(z[r, c])
    return out


@njit(cache=True, nogil=True)
def _lag(k, d_i, out_lag, out_pct, has_pct):
    if has_pct:
        pct = out_pct[k]
        if pct == pct:  # not NaN: a percentage of the predecessor's duration
            exact = pct * d_i / 100.0
            return math.copysign(math.floor(abs(exact) + 0.5), exact)
    return out_lag[k]


@njit(cache=True, nogil=True)
def _required_start(kind, lag, es_i, ef_i, dur_j):
    if kind == FS:
        return ef_i + lag
    if kind == SS:
        return es_i + lag
    if kind == FF:
        return ef_i + lag - dur_j
    return es_i + lag - dur_j


@njit(cache=True, nogil=True)
def _shift_alap(order, d, out_ptr, out_succ, out_type, out_lag, out_pct, has_pct, ctype,
                finish, es, lf):  # fmt: skip
    """Move ALAP activities by their free float, successors first (as `_kernel.floats`)."""
    n = d.shape[0]
    for idx in range(n - 1, -1, -1):
        i = order[idx]
        if ctype[i] != ALAP:
            continue
        es_i = es[i]
        ef_i = es_i + d[i]
        room = finish - ef_i
        for k in range(out_ptr[i], out_ptr[i + 1]):
            j = out_succ[k]
            lag = _lag(k, d[i], out_lag, out_pct, has_pct)
            slack = es[j] - _required_start(out_type[k], lag, es_i, ef_i, d[j])
            if slack < room:
                room = slack
        total = lf[i] - d[i] - es_i
        if total < room:
            room = total
        if room > 0:
            es[i] += room


#: Iterations a thread carries through the passes together (one SIMD-friendly lane each).
LANES = 16


@njit(parallel=True, cache=True)
def simulate_lanes(order, dur, out_ptr, out_succ, out_type, out_lag, out_pct, has_pct, ctype,
                   coff, deadline, start, has_alap, criticality):  # fmt: skip
    """Finish of every iteration (row of ``dur``) and how often each activity was critical.

    `LANES` iterations go through the passes side by side: each node and link is visited once
    per batch and its arithmetic runs over the lanes (vectorized). Critical means a total float
    <= 0 (up to rounding) in a backward pass from that iteration's own finish, as
    `pmo.engine.cpm` does without a target finish. Results do not depend on the thread count.
    """
    rows, n = dur.shape
    batches = (rows + LANES - 1) // LANES
    finish = np.empty(rows)
    counts = np.zeros((max(batches, 1), n), dtype=np.int64)
    for b in prange(batches):
        r0 = b * LANES
        w = min(LANES, rows - r0)
        d = np.zeros((n, LANES))
        es = np.empty((n, LANES))
        lf = np.empty((n, LANES))
        f = np.full(LANES, start)
        for x in range(w):
            for i in range(n):
                d[i, x] = dur[r0 + x, i]
        for i in range(n):
            for x in range(LANES):
                es[i, x] = start
        for idx in range(n):
            i = order[idx]
            c = ctype[i]
            if c == SNET:
                for x in range(LANES):
                    if coff[i] > es[i, x]:
                        es[i, x] = coff[i]
            elif c == FNET:
                for x in range(LANES):
                    if coff[i] - d[i, x] > es[i, x]:
                        es[i, x] = coff[i] - d[i, x]
            elif c == MSO:
                for x in range(LANES):
                    es[i, x] = coff[i]
            elif c == MFO:
                for x in range(LANES):
                    es[i, x] = coff[i] - d[i, x]
            for x in range(LANES):
                ef = es[i, x] + d[i, x]
                if ef > f[x]:
                    f[x] = ef
            for k in range(out_ptr[i], out_ptr[i + 1]):
                j = out_succ[k]
                t = out_type[k]
                lag = out_lag[k]
                from_finish = 1.0 - t % 2  # FS, FF leave the finish
                to_finish = 1.0 if t >= FF else 0.0  # FF, SF bind the finish
                pct = out_pct[k] if has_pct else math.nan
                if pct == pct:
                    for x in range(LANES):
                        exact = pct * d[i, x] / 100.0
                        lag_x = math.copysign(math.floor(abs(exact) + 0.5), exact)
                        req = es[i, x] + from_finish * d[i, x] + lag_x - to_finish * d[j, x]
                        if req > es[j, x]:
                            es[j, x] = req
                else:
                    for x in range(LANES):
                        req = es[i, x] + from_finish * d[i, x] + lag - to_finish * d[j, x]
                        if req > es[j, x]:
                            es[j, x] = req
        for x in range(w):
            finish[r0 + x] = f[x]
        if not criticality:
            continue
        for idx in range(n - 1, -1, -1):
            i = order[idx]
            for x in range(LANES):
                lf[i, x] = f[x]
            for k in range(out_ptr[i], out_ptr[i + 1]):
                j = out_succ[k]
                t = out_type[k]
                lag = out_lag[k]
                to_start = 1.0 if t < FF else 0.0
                from_start = 1.0 * (t % 2)
                pct = out_pct[k] if has_pct else math.nan
                if pct == pct:
                    for x in range(LANES):
                        exact = pct * d[i, x] / 100.0
                        lag_x = math.copysign(math.floor(abs(exact) + 0.5), exact)
                        bound = lf[j, x] - to_start * d[j, x] - lag_x + from_start * d[i, x]
                        if bound < lf[i, x]:
                            lf[i, x] = bound
                else:
                    for x in range(LANES):
                        bound = lf[j, x] - to_start * d[j, x] - lag + from_start * d[i, x]
                        if bound < lf[i, x]:
                            lf[i, x] = bound
            c = ctype[i]
            for x in range(LANES):
                best = lf[i, x]
                if c == SNLT and coff[i] + d[i, x] < best:
                    best = coff[i] + d[i, x]
                elif c == FNLT and coff[i] < best:
                    best = coff[i]
                if deadline[i] < best:
                    best = deadline[i]
                if c == MSO:
                    best = coff[i] + d[i, x]
                elif c == MFO:
                    best = coff[i]
                lf[i, x] = best
        if has_alap:
            for x in range(w):
                _shift_alap(order, d[:, x].copy(), out_ptr, out_succ, out_type, out_lag,
                            out_pct, has_pct, ctype, f[x], es[:, x], lf[:, x])  # fmt: skip
        for i in range(n):
            for x in range(w):
                if lf[i, x] - d[i, x] - es[i, x] <= 1e-9 * (1.0 + abs(f[x])):
                    counts[b, i] += 1
    return finish, counts.sum(axis=0)
