# mypy: allow-untyped-defs
"""The compiled (numba) genetic search of the levelling: activity lists decoded by serial schedule
generation and improved by forward-backward justification (Hartmann's activity-list genetic
algorithm with the justification of Valls, Ballestín and Quintanilla).

Every list the search handles follows the links (each activity after all its predecessors), so
serial generation always decodes it to a schedule that keeps the links, the release dates and
the capacities left by fixed loads. Random numbers come from a SplitMix64 state the caller
seeds, so a search of the same number of generations is the same for the same seed whatever
the thread that runs it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["evolve", "first_generation", "lft_keys"]

_NONE = np.int64(-1)
_FAR = np.int64(1) << 60
#: Forward-backward rounds per decoded list (each stops early when it gains nothing).
ROUNDS = 1


@njit(cache=True, nogil=True)
def _next(state):  # pragma: no cover - compiled
    state[0] += np.uint64(0x9E3779B97F4A7C15)
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True)
def _below(state, k):  # pragma: no cover - compiled
    """A uniform whole number in [0, k)."""
    return int(_next(state) % np.uint64(k))


@njit(cache=True, nogil=True)
def _uniform(state):  # pragma: no cover - compiled
    return float(_next(state) >> np.uint64(11)) / 9007199254740992.0


@njit(cache=True, nogil=True)
def _fits(free, res_ptr, res_idx, res_need, j, t, d):  # pragma: no cover - compiled
    """-1 when activity j fits over [t, t + d), else the last time unit that blocks it."""
    for tau in range(t + d - 1, t - 1, -1):
        for k in range(res_ptr[j], res_ptr[j + 1]):
            if free[res_idx[k], tau] < res_need[k]:
                return tau
    return -1


@njit(cache=True, nogil=True)
def _book(free, res_ptr, res_idx, res_need, j, t, d):  # pragma: no cover - compiled
    for k in range(res_ptr[j], res_ptr[j + 1]):
        r = res_idx[k]
        for tau in range(t, t + d):
            free[r, tau] -= res_need[k]


@njit(cache=True, nogil=True)
def _serial(
    order, d, rel, in_ptr, in_src, in_lag, res_ptr, res_idx, res_need, base, free, start
):  # pragma: no cover - compiled
    """Serial generation of ``order``: the makespan, or _FAR when the horizon is too short."""
    free[:, :] = base
    horizon = free.shape[1]
    span = 0
    for j in order:
        t = rel[j]
        for k in range(in_ptr[j], in_ptr[j + 1]):
            v = start[in_src[k]] + in_lag[k]
            if v > t:
                t = v
        if d[j] > 0 and res_ptr[j + 1] > res_ptr[j]:
            while True:
                if t + d[j] > horizon:
                    return _FAR
                blocked = _fits(free, res_ptr, res_idx, res_need, j, t, d[j])
                if blocked < 0:
                    break
                t = blocked + 1
            _book(free, res_ptr, res_idx, res_need, j, t, d[j])
        start[j] = t
        if t + d[j] > span:
            span = t + d[j]
    return span


@njit(cache=True, nogil=True)
def _before(key, a, b):  # pragma: no cover - compiled
    """Activity a comes out of the heap before b: smaller key, then smaller number."""
    return key[a] < key[b] or (key[a] == key[b] and a < b)


@njit(cache=True, nogil=True)
def _push(key, heap, size, i):  # pragma: no cover - compiled
    heap[size] = i
    c = size
    while c > 0:
        p = (c - 1) // 2
        if _before(key, heap[p], heap[c]):
            break
        heap[p], heap[c] = heap[c], heap[p]
        c = p
    return size + 1


@njit(cache=True, nogil=True)
def _pop(key, heap, size):  # pragma: no cover - compiled
    top = heap[0]
    size -= 1
    heap[0] = heap[size]
    c = 0
    while True:
        best = 2 * c + 1
        if best >= size:
            break
        if best + 1 < size and _before(key, heap[best + 1], heap[best]):
            best += 1
        if _before(key, heap[c], heap[best]):
            break
        heap[c], heap[best] = heap[best], heap[c]
        c = best
    return top, size


@njit(cache=True, nogil=True)
def _topological(key, ptr, adj, indegree, heap, order):  # pragma: no cover - compiled
    """A list that follows the arcs ``ptr``/``adj``, smallest ``key`` first among the free."""
    n = key.shape[0]
    size = 0
    for i in range(n):
        if indegree[i] == 0:
            size = _push(key, heap, size, i)
    m = 0
    while size > 0:
        i, size = _pop(key, heap, size)
        order[m] = i
        m += 1
        for k in range(ptr[i], ptr[i + 1]):
            j = adj[k]
            indegree[j] -= 1
            if indegree[j] == 0:
                size = _push(key, heap, size, j)
    return m


@njit(cache=True, nogil=True)
def _decode(
    order, d, rel, in_ptr, in_src, in_lag, out_ptr, out_dst, out_lag, indeg_in, indeg_out,
    res_ptr, res_idx, res_need, base, free, start, late, key, work, heap, better,
):  # fmt: skip  # pragma: no cover - compiled
    """Serial generation of ``order`` then forward-backward justification until it stops
    gaining; ``order`` is rewritten as the list of the final schedule. The makespan."""
    n = d.shape[0]
    span = _serial(order, d, rel, in_ptr, in_src, in_lag, res_ptr, res_idx, res_need, base, free,
                   start)  # fmt: skip
    if span >= _FAR:
        return span
    for _round in range(ROUNDS):
        # right-justify against the makespan, latest finish first (following the links back)
        for i in range(n):
            key[i] = -((start[i] + d[i]) * (n + 1) + start[i])
            work[i] = indeg_out[i]
        _topological(key, in_ptr, in_src, work, heap, better)
        free[:, :] = base
        ok = True
        for i in better:
            t = span - d[i]
            for k in range(out_ptr[i], out_ptr[i + 1]):
                v = late[out_dst[k]] - out_lag[k]
                if v < t:
                    t = v
            if d[i] > 0 and res_ptr[i + 1] > res_ptr[i]:
                while True:
                    if t < rel[i]:
                        ok = False
                        break
                    blocked = -1
                    for tau in range(t, t + d[i]):
                        for k in range(res_ptr[i], res_ptr[i + 1]):
                            if free[res_idx[k], tau] < res_need[k]:
                                blocked = tau
                                break
                        if blocked >= 0:
                            break
                    if blocked < 0:
                        break
                    t = blocked - d[i]
                if not ok:
                    break
                _book(free, res_ptr, res_idx, res_need, i, t, d[i])
            elif t < rel[i]:
                ok = False
                break
            late[i] = t
        if not ok:
            break
        # left-justify, earliest right-justified start first
        for i in range(n):
            key[i] = late[i] * (n + 1) + i
            work[i] = indeg_in[i]
        _topological(key, out_ptr, out_dst, work, heap, better)
        new = _serial(better, d, rel, in_ptr, in_src, in_lag, res_ptr, res_idx, res_need, base,
                      free, late)  # fmt: skip
        if new > span:
            break
        for i in range(n):
            start[i] = late[i]
        gained = new < span
        span = new
        if not gained:
            break
    # the list of the schedule kept: by start, following the links
    for i in range(n):
        key[i] = start[i] * (n + 1) + i
        work[i] = indeg_in[i]
    _topological(key, out_ptr, out_dst, work, heap, order)
    return span


@njit(cache=True, nogil=True)
def lft_keys(d, order, out_ptr, out_dst, out_lag, horizon):  # pragma: no cover - compiled
    """Latest finish of each activity against ``horizon``, resources ignored."""
    n = d.shape[0]
    late = np.empty(n, dtype=np.int64)
    for i in range(n):
        late[i] = horizon - d[i]
    for m in range(n - 1, -1, -1):
        i = order[m]
        for k in range(out_ptr[i], out_ptr[i + 1]):
            v = late[out_dst[k]] - out_lag[k]
            if v < late[i]:
                late[i] = v
    return late + d


@njit(cache=True, nogil=True)
def _workspace(base, n):  # pragma: no cover - compiled
    """The capacity profile and the six arrays of n whole numbers `_decode` works in."""
    return (
        np.empty_like(base), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
    )  # fmt: skip


@njit(cache=True, nogil=True)
def _shifted(source, out, moves, state, in_ptr, in_src, out_ptr, out_dst, pos):
    # pragma: no cover - compiled
    n = source.shape[0]
    out[:] = source
    for k in range(n):
        pos[out[k]] = k
    for _move in range(moves):
        a = _below(state, n)
        x = out[a]
        lo = 0
        for e in range(in_ptr[x], in_ptr[x + 1]):
            if pos[in_src[e]] + 1 > lo:
                lo = pos[in_src[e]] + 1
        hi = n - 1
        for e in range(out_ptr[x], out_ptr[x + 1]):
            if pos[out_dst[e]] - 1 < hi:
                hi = pos[out_dst[e]] - 1
        if hi <= lo:
            continue
        b = lo + _below(state, hi - lo + 1)
        if b > a:
            for k in range(a, b):
                out[k] = out[k + 1]
                pos[out[k]] = k
        else:
            for k in range(a, b, -1):
                out[k] = out[k - 1]
                pos[out[k]] = k
        out[b] = x
        pos[x] = b


@njit(cache=True, nogil=True)
def first_generation(
    population, spans, seed_lists, lft, state, moves,
    d, rel, in_ptr, in_src, in_lag, out_ptr, out_dst, out_lag, indeg_in, indeg_out,
    res_ptr, res_idx, res_need, base,
):  # fmt: skip  # pragma: no cover - compiled
    """Fill ``population``: the given lists first, then lists by latest finish with noise, or,
    with ``moves`` > 0, the first given list with that many random shifts (each activity moved
    to a random place between its last predecessor and its first successor)."""
    size, n = population.shape
    free, start, late, key, work, heap, better = _workspace(base, n)
    spread = 1 + (lft.max() - lft.min()) // 4 if n else 1
    for p in range(size):
        if p < seed_lists.shape[0]:
            population[p, :] = seed_lists[p]
        elif moves > 0:
            _shifted(seed_lists[0], population[p], moves, state, in_ptr, in_src, out_ptr,
                     out_dst, work)  # fmt: skip
        else:
            for i in range(n):
                key[i] = lft[i] * 1024 + _below(state, spread * 1024)
                work[i] = indeg_in[i]
            _topological(key, out_ptr, out_dst, work, heap, population[p])
        spans[p] = _decode(population[p], d, rel, in_ptr, in_src, in_lag, out_ptr, out_dst,
                           out_lag, indeg_in, indeg_out, res_ptr, res_idx, res_need, base, free,
                           start, late, key, work, heap, better)  # fmt: skip


@njit(cache=True, nogil=True)
def evolve(
    population, spans, generations, target, state, mutation,
    d, rel, in_ptr, in_src, in_lag, out_ptr, out_dst, out_lag, indeg_in, indeg_out,
    res_ptr, res_idx, res_need, base,
):  # fmt: skip  # pragma: no cover - compiled
    """``generations`` rounds: two-point crossover of tournament-picked parents, mutation by
    random shifts that keep the links, decoding, and the best of parents and children kept.
    Stops early when the best makespan reaches ``target``. Returns the generations run."""
    size, n = population.shape
    free, start, late, key, work, heap, better = _workspace(base, n)
    taken = np.zeros(n, dtype=np.bool_)
    children = np.empty_like(population)
    child_spans = np.empty_like(spans)
    pool = np.empty((2 * size, n), dtype=np.int64)
    pool_spans = np.empty(2 * size, dtype=np.int64)
    hashes = np.empty(2 * size, dtype=np.uint64)
    used = np.zeros(2 * size, dtype=np.bool_)
    chosen = np.zeros(size, dtype=np.int64)
    ran = 0
    for _generation in range(generations):
        if spans.min() <= target:
            break
        ran += 1
        for c in range(size):
            a = _below(state, size)
            b = _below(state, size)
            mother = a if spans[a] <= spans[b] else b
            a = _below(state, size)
            b = _below(state, size)
            father = a if spans[a] <= spans[b] else b
            q1 = _below(state, n + 1)
            q2 = _below(state, n + 1)
            if q1 > q2:
                q1, q2 = q2, q1
            taken[:] = False
            child = children[c]
            m = 0
            for k in range(q1):
                child[m] = population[mother, k]
                taken[child[m]] = True
                m += 1
            for k in range(n):
                if m >= q2:
                    break
                j = population[father, k]
                if not taken[j]:
                    child[m] = j
                    taken[j] = True
                    m += 1
            for k in range(n):
                j = population[mother, k]
                if not taken[j]:
                    child[m] = j
                    taken[j] = True
                    m += 1
            # mutation: each position, with chance ``mutation``, adds one random shift of an
            # activity to a place between its last predecessor and its first successor
            moves = 0
            for _position in range(n):
                if _uniform(state) < mutation:
                    moves += 1
            if moves:
                _shifted(child, child, moves, state, in_ptr, in_src, out_ptr, out_dst, heap)
            child_spans[c] = _decode(child, d, rel, in_ptr, in_src, in_lag, out_ptr, out_dst,
                                     out_lag, indeg_in, indeg_out, res_ptr, res_idx, res_need,
                                     base, free, start, late, key, work, heap, better)  # fmt: skip
        pool[:size] = population
        pool[size:] = children
        pool_spans[:size] = spans
        pool_spans[size:] = child_spans
        # keep the best, children first among equals (they move the search on), and each
        # list once while there are enough different ones (clones end the search early)
        for p in range(2 * size):
            pool_spans[p] = pool_spans[p] * 2 + (0 if p >= size else 1)
            h = np.uint64(1469598103934665603)
            for k in range(n):
                h = (h ^ np.uint64(pool[p, k])) * np.uint64(1099511628211)
            hashes[p] = h
        ranked = np.argsort(pool_spans, kind="mergesort")
        kept = 0
        for stage in range(2):
            for r in range(2 * size):
                if kept == size:
                    break
                p = ranked[r]
                if stage == 0:
                    clone = False
                    for q in range(kept):
                        if (
                            pool_spans[chosen[q]] // 2 == pool_spans[p] // 2
                            and hashes[chosen[q]] == hashes[p]
                        ):
                            clone = True
                            break
                    if clone:
                        used[p] = False
                        continue
                    used[p] = True
                elif used[p]:
                    continue
                chosen[kept] = p
                kept += 1
        for p in range(size):
            population[p] = pool[chosen[p]]
            spans[p] = pool_spans[chosen[p]] // 2
    return ran
