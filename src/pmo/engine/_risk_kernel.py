# mypy: allow-untyped-defs
"""The compiled (numba) inner loops of the Monte Carlo schedule risk analysis.

One kernel draws the random numbers (a counter-based generator: any iteration's numbers
directly), turns them into durations (the quantile functions, inverse CDFs; numpy has
none) and runs the passes of `pmo.engine._kernel` on ``float64`` durations, `LANES`
iterations side by side, batches of them split over the threads.
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

# ----------------------------------------------------------------------------- random numbers
# A counter-based generator: the probability of stream s in iteration i is a hash of
# (key, i, s), so any lane draws any number directly, whatever thread runs it. The hash is
# SplitMix64's (Steele, Lea and Flood 2014; Vigna's finalizer): iteration i's state is output
# i + 1 of a SplitMix64 sequence seeded with the key, stream s is output s + 1 of a SplitMix64
# sequence seeded with that state.

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_ONE = np.uint64(1)
#: First stream of the risk events (activities use their row as stream).
EVENT_STREAM = 1 << 40


@njit(cache=True, nogil=True)
def mix64(z):
    """SplitMix64's output function: a bijection of 64-bit words that scrambles every bit."""
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit(cache=True, nogil=True)
def iteration_state(key, iteration):
    """The 64-bit state of an iteration."""
    return mix64(key + (np.uint64(iteration) + _ONE) * _GOLDEN)


@njit(cache=True, nogil=True)
def uniform(state, stream):
    """Probability of ``stream`` in the iteration with ``state``: in (0, 1), 53 bits."""
    z = mix64(state + (np.uint64(stream) + _ONE) * _GOLDEN)
    return (float(np.int64(z >> _S11)) + 0.5) * _TINY


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
def _beta_quantile(a, b, u, lo, x):
    """x with I_x(a, b) = u: Newton's method from ``x`` (the previous knot), kept inside a
    bracket that starts at ``lo`` (a lower bound) and falls back to bisection."""
    hi = 1.0
    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    if not lo < x < hi:
        x = 0.5 * (lo + hi)
    for _ in range(200):
        excess = betainc(a, b, x) - u
        if excess < 0.0:
            lo = x
        else:
            hi = x
        density = math.exp((a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x) - log_beta)
        step = x - excess / density if density > 0.0 else -1.0
        if not lo < step < hi:
            step = 0.5 * (lo + hi)
        if abs(step - x) < 1e-15 or hi - lo < 1e-15:
            return step
        x = step
    return x


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
        guess = 2.0 * table[k - 1] - table[k - 2] if k > 1 else u
        table[k] = _beta_quantile(a, b, u, table[k - 1], guess)
    base = k_max + 1
    table[base] = 0.0
    table[base + MIDDLE_INTERVALS] = 1.0
    for k in range(1, MIDDLE_INTERVALS):
        previous = table[base + k - 1]
        guess = 2.0 * previous - table[base + k - 2] if k > 1 else 0.5 / MIDDLE_INTERVALS
        table[base + k] = _beta_quantile(a, b, k / MIDDLE_INTERVALS, previous, guess)
    return table


@njit(parallel=True, cache=True)
def beta_tables(alphas):
    """`beta_table` of the PERT shape ``(alpha, 6 - alpha)`` for each of ``alphas``, in
    parallel."""
    out = np.empty((alphas.shape[0], TABLE_INTERVALS + 1 + MIDDLE_INTERVALS + 1))
    for k in prange(alphas.shape[0]):
        out[k] = beta_table(alphas[k], 6.0 - alphas[k])
    return out


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


#: Link groups of the compiled passes, each a run of a node's in- or out-links: the four
#: types with a fixed lag, then the links with a percentage lag (any type).
GROUPS = 5
PCT = 4


@njit(cache=True, nogil=True)
def _shift_alap(d, out_bound, out_node, out_type, out_lag, out_pct, ctype, finish, es, lf):
    """Move ALAP activities by their free float, successors first (as `_kernel.floats`);
    activities are numbered in topological order."""
    n = d.shape[0]
    for i in range(n - 1, -1, -1):
        if ctype[i] != ALAP:
            continue
        es_i = es[i]
        ef_i = es_i + d[i]
        room = finish - ef_i
        for k in range(out_bound[GROUPS * i], out_bound[GROUPS * i + GROUPS]):
            j = out_node[k]
            lag = _lag(k, d[i], out_lag, out_pct, True)
            slack = es[j] - _required_start(out_type[k], lag, es_i, ef_i, d[j])
            if slack < room:
                room = slack
        total = lf[i] - d[i] - es_i
        if total < room:
            room = total
        if room > 0:
            es[i] += room


#: Iterations a thread carries through the passes together ("lanes"): each node and link is
#: visited once per batch. 8 keeps a thread's working set near its core's cache (16 was
#: 1.7 x slower on 10,000 activities, 4 slower too).
LANES = 8


@njit(cache=True, nogil=True)
def _passes(d, es, ef, lf, ls, acc, f, w, in_bound, in_node, in_type, in_lag, in_pct,
            out_bound, out_node, out_type, out_lag, out_pct, ctype, coff, deadline, start,
            has_alap, criticality, counts):  # fmt: skip
    """Forward pass, and backward pass with the critical count, of `LANES` iterations side by
    side. Activities are numbered in topological order; ``d``, ``es``, ``ef``, ``lf``, ``ls``
    are ``(activities, LANES)``, lanes ``w..`` are padding. Links come grouped per node
    (``*_bound[GROUPS * i + g]`` starts group ``g`` of node ``i``).

    Each node gathers from its predecessors (forward) or successors (backward) once, the
    arithmetic running over the lanes. ``f`` receives each lane's finish;
    ``counts[i]`` grows by the lanes in which activity ``i`` is critical: total float <= 0
    (up to rounding) in a backward pass from the lane's own finish, as `pmo.engine.cpm`
    does without a target finish. The arithmetic is that of `pmo.engine._kernel`, grouped:
    a maximum (minimum) of sums minus (plus) the same duration is that duration off the
    maximum (minimum), also in floating point.
    """
    n = d.shape[0]
    for x in range(LANES):
        f[x] = start
    for i in range(n):
        g0 = GROUPS * i
        for x in range(LANES):
            es[i, x] = start
        for k in range(in_bound[g0 + FS], in_bound[g0 + SS]):
            p = in_node[k]
            lag = in_lag[k]
            for x in range(LANES):
                es[i, x] = max(es[i, x], ef[p, x] + lag)
        for k in range(in_bound[g0 + SS], in_bound[g0 + FF]):
            p = in_node[k]
            lag = in_lag[k]
            for x in range(LANES):
                es[i, x] = max(es[i, x], es[p, x] + lag)
        if in_bound[g0 + FF] < in_bound[g0 + PCT]:
            for x in range(LANES):
                acc[x] = -math.inf
            for k in range(in_bound[g0 + FF], in_bound[g0 + SF]):
                p = in_node[k]
                lag = in_lag[k]
                for x in range(LANES):
                    acc[x] = max(acc[x], ef[p, x] + lag)
            for k in range(in_bound[g0 + SF], in_bound[g0 + PCT]):
                p = in_node[k]
                lag = in_lag[k]
                for x in range(LANES):
                    acc[x] = max(acc[x], es[p, x] + lag)
            for x in range(LANES):
                es[i, x] = max(es[i, x], acc[x] - d[i, x])
        for k in range(in_bound[g0 + PCT], in_bound[g0 + GROUPS]):
            p = in_node[k]
            t = in_type[k]
            pct = in_pct[k]
            from_finish = 1.0 - t % 2  # FS, FF leave the finish
            to_finish = 1.0 if t >= FF else 0.0  # FF, SF bind the finish
            for x in range(LANES):
                exact = pct * d[p, x] / 100.0
                lag_x = math.copysign(math.floor(abs(exact) + 0.5), exact)
                req = es[p, x] + from_finish * d[p, x] + lag_x - to_finish * d[i, x]
                if req > es[i, x]:
                    es[i, x] = req
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
            ef[i, x] = es[i, x] + d[i, x]
            f[x] = max(f[x], ef[i, x])
    if not criticality:
        return
    count_now = not has_alap
    for x in range(LANES):  # acc holds the tolerance of "total float <= 0" (none in padding)
        acc[x] = 1e-9 * (1.0 + abs(f[x])) if x < w else -math.inf
    tol = acc.copy()
    for i in range(n - 1, -1, -1):
        g0 = GROUPS * i
        for x in range(LANES):
            lf[i, x] = f[x]
        for k in range(out_bound[g0 + FS], out_bound[g0 + SS]):
            j = out_node[k]
            lag = out_lag[k]
            for x in range(LANES):
                lf[i, x] = min(lf[i, x], ls[j, x] - lag)
        for k in range(out_bound[g0 + FF], out_bound[g0 + SF]):
            j = out_node[k]
            lag = out_lag[k]
            for x in range(LANES):
                lf[i, x] = min(lf[i, x], lf[j, x] - lag)
        if out_bound[g0 + SS] < out_bound[g0 + FF] or out_bound[g0 + SF] < out_bound[g0 + PCT]:
            for x in range(LANES):
                acc[x] = math.inf
            for k in range(out_bound[g0 + SS], out_bound[g0 + FF]):
                j = out_node[k]
                lag = out_lag[k]
                for x in range(LANES):
                    acc[x] = min(acc[x], ls[j, x] - lag)
            for k in range(out_bound[g0 + SF], out_bound[g0 + PCT]):
                j = out_node[k]
                lag = out_lag[k]
                for x in range(LANES):
                    acc[x] = min(acc[x], lf[j, x] - lag)
            for x in range(LANES):
                lf[i, x] = min(lf[i, x], acc[x] + d[i, x])
        for k in range(out_bound[g0 + PCT], out_bound[g0 + GROUPS]):
            j = out_node[k]
            t = out_type[k]
            pct = out_pct[k]
            to_start = 1.0 if t < FF else 0.0
            from_start = 1.0 * (t % 2)
            for x in range(LANES):
                exact = pct * d[i, x] / 100.0
                lag_x = math.copysign(math.floor(abs(exact) + 0.5), exact)
                bound = lf[j, x] - to_start * d[j, x] - lag_x + from_start * d[i, x]
                if bound < lf[i, x]:
                    lf[i, x] = bound
        c = ctype[i]
        if c != ASAP or deadline[i] != math.inf:
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
        for x in range(LANES):
            ls[i, x] = lf[i, x] - d[i, x]
        if count_now:
            critical = 0
            for x in range(LANES):
                critical += ls[i, x] - es[i, x] <= tol[x]
            counts[i] += critical
    if count_now:
        return
    for x in range(w):
        _shift_alap(d[:, x].copy(), out_bound, out_node, out_type, out_lag, out_pct, ctype,
                    f[x], es[:, x], lf[:, x])  # fmt: skip
    for i in range(n):
        for x in range(w):
            if lf[i, x] - d[i, x] - es[i, x] <= 1e-9 * (1.0 + abs(f[x])):
                counts[i] += 1


@njit(cache=True, nogil=True)
def _sample(key, first, w, base, column, stream, kind, p1, p2, p3, table, tables, correlated,
            factor, ev_ptr, ev_col, ev_prob, ev_dur, ev_dur_table, ev_cost, ev_cost_table,
            rate, has_rate, base_cost, d, cost, occurred, state, z):  # fmt: skip
    """Durations ``d`` (``(activities, LANES)``) and cost of iterations ``first..first + w``.

    Uncertain activity ``q`` (kernel row ``column[q]``) draws from ``stream[q]``; risk event
    ``e`` uses the streams ``EVENT_STREAM + 3e`` (occurs), ``+ 1`` (duration), ``+ 2`` (cost).
    """
    n = d.shape[0]
    for x in range(LANES):
        state[x] = iteration_state(key, first + x)
    for i in range(n):
        for x in range(LANES):
            d[i, x] = base[i]
    middle = TABLE_INTERVALS + 1
    probability = np.empty(LANES)
    for q in range(column.shape[0]):
        r = column[q]
        s = stream[q]
        if kind[q] == PERT and p3[q] > p1[q]:  # the common case, inlined: the table's middle
            low = p1[q]
            width = p3[q] - low
            t = table[q]
            for x in range(LANES):  # hash, lookup, interpolation
                u = uniform(state[x], s)
                probability[x] = u
                pos = u * MIDDLE_INTERVALS
                k = min(int(pos), MIDDLE_INTERVALS - 1)
                a = tables[t, middle + k]
                value = a + (pos - k) * (tables[t, middle + k + 1] - a)
                d[r, x] = low + width * value
            for x in range(LANES):  # about 1 in 32: the tail table (as `quantile`, inlined)
                u = probability[x]
                if 0.015625 <= u <= 0.984375:
                    continue
                c = min(max(1.0 - 2.0 * u, -1.0), 1.0)
                pos = math.acos(c) / math.pi * TABLE_INTERVALS
                k = min(int(pos), TABLE_INTERVALS - 1)
                a = tables[t, k]
                value = a + (pos - k) * (tables[t, k + 1] - a)
                d[r, x] = low + width * value
        elif kind[q] == UNIFORM:
            low = p1[q]
            width = p3[q] - low
            for x in range(LANES):
                d[r, x] = low + uniform(state[x], s) * width
        elif kind[q] == TRIANGULAR and p3[q] > p1[q]:
            low = p1[q]
            high = p3[q]
            width = high - low
            left = p2[q] - low
            right = high - p2[q]
            for x in range(LANES):
                u = uniform(state[x], s)
                if u * width < left:
                    d[r, x] = low + math.sqrt(u * width * left)
                else:
                    d[r, x] = high - math.sqrt((1.0 - u) * width * right)
        else:
            for x in range(LANES):
                u = uniform(state[x], s)
                d[r, x] = quantile(kind[q], p1[q], p2[q], p3[q], table[q], tables, u)
    m = correlated.shape[0]
    if m:  # Gaussian copula: correlated normal scores from the activities' own streams
        for x in range(LANES):
            for g in range(m):
                z[g] = ndtri(uniform(state[x], stream[correlated[g]]))
            for g in range(m):
                score = 0.0
                for h in range(m):
                    score += factor[g, h] * z[h]
                q = correlated[g]
                d[column[q], x] = quantile(
                    kind[q], p1[q], p2[q], p3[q], table[q], tables, ndtr(score)
                )
    for x in range(LANES):
        cost[x] = base_cost
    events = ev_prob.shape[0]
    for e in range(events):
        stream = EVENT_STREAM + 3 * e
        for x in range(LANES):
            hit = uniform(state[x], stream) < ev_prob[e]
            if x < w:
                occurred[x, e] = hit
            if not hit:
                continue
            delta = quantile(int(ev_dur[e, 0]), ev_dur[e, 1], ev_dur[e, 2], ev_dur[e, 3],
                             ev_dur_table[e], tables, uniform(state[x], stream + 1))  # fmt: skip
            for k in range(ev_ptr[e], ev_ptr[e + 1]):
                d[ev_col[k], x] += delta
            cost[x] += quantile(int(ev_cost[e, 0]), ev_cost[e, 1], ev_cost[e, 2],
                                ev_cost[e, 3], ev_cost_table[e], tables,
                                uniform(state[x], stream + 2))  # fmt: skip
    for k in range(ev_col.shape[0]):  # a delay cannot make a duration negative
        r = ev_col[k]
        for x in range(LANES):
            if d[r, x] < 0.0:
                d[r, x] = 0.0
    if has_rate:
        for i in range(n):
            if rate[i] != 0.0:
                for x in range(LANES):
                    cost[x] += rate[i] * d[i, x]


@njit(parallel=True, cache=True)
def simulate_block(key, first, rows, base, column, stream, kind, p1, p2, p3, table, tables,
                   correlated, factor, ev_ptr, ev_col, ev_prob, ev_dur, ev_dur_table, ev_cost,
                   ev_cost_table, rate, has_rate, base_cost, in_bound, in_node, in_type, in_lag,
                   in_pct, out_bound, out_node, out_type, out_lag, out_pct, ctype, coff,
                   deadline, start, has_alap, criticality, finish, cost, occurred,
                   counts):  # fmt: skip
    """Iterations ``first..first + rows`` from the random numbers to the passes, in batches of
    `LANES` split over the threads: ``finish``, ``cost``, ``occurred`` (rows x events) are
    filled, ``counts`` (batches x activities) receives the critical counts of each batch.

    Every random number is a function of (key, iteration, stream) alone, so the results do not
    depend on the thread count or on how the iterations are cut into calls.
    """
    n = base.shape[0]
    batches = (rows + LANES - 1) // LANES
    for b in prange(batches):
        r0 = b * LANES
        w = min(LANES, rows - r0)
        d = np.empty((n, LANES))
        es = np.empty((n, LANES))
        ef = np.empty((n, LANES))
        lf = np.empty((n, LANES))
        ls = np.empty((n, LANES))
        acc = np.empty(LANES)
        f = np.empty(LANES)
        c = np.empty(LANES)
        state = np.empty(LANES, dtype=np.uint64)
        z = np.empty(correlated.shape[0])
        _sample(key, first + r0, w, base, column, stream, kind, p1, p2, p3, table, tables,
                correlated, factor, ev_ptr, ev_col, ev_prob, ev_dur, ev_dur_table, ev_cost,
                ev_cost_table, rate, has_rate, base_cost, d, c, occurred[r0 : r0 + w], state,
                z)  # fmt: skip
        _passes(d, es, ef, lf, ls, acc, f, w, in_bound, in_node, in_type, in_lag, in_pct,
                out_bound, out_node, out_type, out_lag, out_pct, ctype, coff, deadline, start,
                has_alap, criticality, counts[b])  # fmt: skip
        for x in range(w):
            finish[r0 + x] = f[x]
            cost[r0 + x] = c[x]


@njit(parallel=True, cache=True)
def simulate_lanes(dur, in_bound, in_node, in_type, in_lag, in_pct, out_bound, out_node,
                   out_type, out_lag, out_pct, ctype, coff, deadline, start, has_alap,
                   criticality):  # fmt: skip
    """The passes on given durations (one iteration per row of ``dur``, activities in
    topological order): the finish of every row and the critical count per (batch of
    `LANES` rows, activity)."""
    rows, n = dur.shape
    batches = (rows + LANES - 1) // LANES
    finish = np.empty(rows)
    counts = np.zeros((batches, n), dtype=np.int64)
    for b in prange(batches):
        r0 = b * LANES
        w = min(LANES, rows - r0)
        d = np.zeros((n, LANES))
        es = np.empty((n, LANES))
        ef = np.empty((n, LANES))
        lf = np.empty((n, LANES))
        ls = np.empty((n, LANES))
        acc = np.empty(LANES)
        f = np.empty(LANES)
        for x in range(w):
            for i in range(n):
                d[i, x] = dur[r0 + x, i]
        _passes(d, es, ef, lf, ls, acc, f, w, in_bound, in_node, in_type, in_lag, in_pct,
                out_bound, out_node, out_type, out_lag, out_pct, ctype, coff, deadline, start,
                has_alap, criticality, counts[b])  # fmt: skip
        for x in range(w):
            finish[r0 + x] = f[x]
    return finish, counts


@njit(parallel=True, cache=True, fastmath={"reassoc", "contract"})
def rank_sums(key, iterations, stream, independent, ranks):
    """For each uncertain activity ``q`` with ``independent[q]``: the sum of its probabilities,
    of their squares and of their products with ``ranks`` (the finish's rank per iteration),
    redrawn from the streams (the sensitivity's rank correlation; no stored sample)."""
    k = stream.shape[0]
    states = np.empty(iterations, dtype=np.uint64)
    for it in prange(iterations):
        states[it] = iteration_state(key, it)
    sums = np.zeros((k, 3))
    for q in prange(k):
        if not independent[q]:
            continue
        r = stream[q]
        s = 0.0
        ss = 0.0
        sr = 0.0
        for it in range(iterations):
            u = uniform(states[it], r)
            s += u
            ss += u * u
            sr += u * ranks[it]
        sums[q, 0] = s
        sums[q, 1] = ss
        sums[q, 2] = sr
    return sums


@njit(parallel=True, cache=True)
def correlated_rank_sums(key, iterations, stream, correlated, factor, ranks):
    """`rank_sums` for the correlated activities, whose probabilities come out of the copula:
    per chunk of `LANES` iterations, then added up in chunk order (same sums whatever the
    thread count)."""
    m = correlated.shape[0]
    chunks = (iterations + LANES - 1) // LANES
    partial = np.zeros((chunks, m, 3))
    for b in prange(chunks):
        z = np.empty(m)
        for it in range(b * LANES, min((b + 1) * LANES, iterations)):
            state = iteration_state(key, it)
            for g in range(m):
                z[g] = ndtri(uniform(state, stream[correlated[g]]))
            for g in range(m):
                score = 0.0
                for h in range(m):
                    score += factor[g, h] * z[h]
                u = ndtr(score)
                partial[b, g, 0] += u
                partial[b, g, 1] += u * u
                partial[b, g, 2] += u * ranks[it]
    sums = np.zeros((m, 3))
    for b in range(chunks):
        for g in range(m):
            for t in range(3):
                sums[g, t] += partial[b, g, t]
    return sums
