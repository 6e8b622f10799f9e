"""The symbolic analysis behind the interior-point method (``ipm.py``), once per problem shape.

The quasi-definite KKT matrix of the conic problem keeps its pattern from solve to solve. So its
fill-reducing ordering (minimum fill, ``kkt_ordering``), its elimination tree and the pattern of
its LDL' factor are found once per shape. So is a right-looking update schedule: every position
of L or D that each column's elimination updates. Each iteration of the method then only fills
in numbers. The analyses are kept on disk (``kkt_store``): a later process reads a shape's back.
"""

from __future__ import annotations

import numpy as np

from boostback.guidance.kkt_ordering import _minimum_fill
from boostback.guidance.kkt_store import stored
from boostback.jit import jit

_ONE = np.uint64(1)  # unsigned positions: numba leaves out its negative-index tests


@jit
def _etree(n, Ap, Ai):
    """Elimination tree of an upper-triangular CSC pattern (as QDLDL computes it)."""
    work = np.zeros(n, dtype=np.int64)
    etree = np.full(n, -1, dtype=np.int64)
    for j in range(n):
        work[j] = j
        for p in range(Ap[j], Ap[j + 1]):
            i = Ai[p]
            while work[i] != j:
                if etree[i] == -1:
                    etree[i] = j
                work[i] = j
                i = etree[i]
    return etree


@jit
def _row_reach(k, kp, ki, etree, flag, out):
    """The columns j < k where row k of L has a nonzero: the elimination-tree paths from each
    K[i, k], i < k, up to k (as QDLDL finds them). Writes them to ``out``, returns how many;
    ``flag`` marks the nodes seen for row k."""
    flag[k] = k
    cnt = 0
    for p in range(kp[k], kp[k + 1]):
        i = ki[p]
        while flag[i] != k:
            out[cnt] = i
            cnt += 1
            flag[i] = k
            i = etree[i]
    return cnt


@jit
def _factor_pattern(size, kp, ki, ke, etree, n_entries):
    """Pattern of L by columns, rows ascending, from the upper triangle of the permuted KKT
    pattern (column k holds its rows i <= k, ``ke`` the entry each came from) and its
    elimination tree: a pass to count each column's rows, then one to list them; and where each
    KKT entry is stored (L's value, or D[k] after L): the entry (k, j), j < k, of row k sits
    where row k lands in column j, which the second pass writes (every such j is on row k's
    reach)."""
    flag = np.full(size, -1, dtype=np.int64)
    reach = np.empty(size, dtype=np.int64)
    Lp = np.zeros(size + 1, dtype=np.int64)
    for k in range(size):
        for t in range(_row_reach(k, kp, ki, etree, flag, reach)):
            Lp[reach[t] + 1] += 1
    for j in range(size):
        Lp[j + 1] += Lp[j]
    nnz_l = Lp[size]
    Li = np.empty(nnz_l, dtype=np.int64)
    src = np.empty(n_entries, dtype=np.int64)
    nxt = Lp[:size].copy()
    flag[:] = -1
    for k in range(size):  # rows arrive in increasing k: each column comes out sorted
        for t in range(_row_reach(k, kp, ki, etree, flag, reach)):
            j = reach[t]
            Li[nxt[j]] = k
            nxt[j] += 1
        for p in range(kp[k], kp[k + 1]):
            j = ki[p]
            src[ke[p]] = nnz_l + k if j == k else nxt[j] - 1
    return Lp, Li, src


@jit
def _schedule(Lp, Li):
    """Right-looking update schedule: column j's pairs (p >= q) of rows update L[r_p, r_q], or
    D[r_q] when p = q. Their storage positions, column by column, and where each column's start
    (the last entry is the total). The rows r_p > r_q of column j are all in column r_q's
    pattern, and both lists are ascending: one walk down column r_q finds them all."""
    size = Lp.size - 1
    nnz_l = Lp[size]
    tp = np.zeros(size + 1, dtype=np.int64)
    for j in range(size):
        cnt = Lp[j + 1] - Lp[j]
        tp[j + 1] = tp[j] + cnt * (cnt + 1) // 2
    if max(nnz_l + size, tp[size]) >= 2**32:
        raise ValueError("the KKT pattern does not fit 32-bit indices")
    tgt = np.empty(tp[size], dtype=np.uint32)
    lp = Lp.astype(np.uint64)  # unsigned positions: no negative-index tests in the walk
    li = Li.astype(np.uint64)
    t = 0
    for j in range(size):
        for qi in range(lp[j], lp[j + 1]):
            cq = li[qi]
            tgt[t] = np.uint64(nnz_l) + cq
            t += 1
            pos = lp[cq]
            end = lp[cq + _ONE]
            for pi in range(qi + _ONE, lp[j + 1]):
                r = li[pi]
                while pos < end and li[pos] < r:
                    pos += _ONE
                if pos == end or li[pos] != r:
                    raise AssertionError("an update outside the pattern of L")
                tgt[t] = pos
                t += 1
    return tp, tgt


@jit
def _entries(n, n_eq, n_lp, soc_starts, soc_dims, indptr, indices):
    """The KKT matrix's entries (row, column), in the order the numeric code writes their
    values: the x diagonal, A (its rows after the n primal nodes), the diagonal of the equality
    and linear rows, and the upper triangle of each cone's block, row by row. ``soc_starts``
    count from the first row after the equalities."""
    count = n + indices.size + n_eq + n_lp
    for c in range(soc_dims.size):
        count += soc_dims[c] * (soc_dims[c] + 1) // 2
    rows = np.empty(count, dtype=np.int64)
    cols = np.empty(count, dtype=np.int64)
    t = 0
    for i in range(n):
        rows[t] = i
        cols[t] = i
        t += 1
    for j in range(n):
        for p in range(indptr[j], indptr[j + 1]):
            rows[t] = n + indices[p]
            cols[t] = j
            t += 1
    for r in range(n, n + n_eq + n_lp):
        rows[t] = r
        cols[t] = r
        t += 1
    for c in range(soc_dims.size):
        base = n + n_eq + soc_starts[c]
        for p in range(soc_dims[c]):
            for q in range(p, soc_dims[c]):
                rows[t] = base + p
                cols[t] = base + q
                t += 1
    return rows, cols


def kkt_entries(
    n: int,
    n_eq: int,
    n_lp: int,
    soc_starts: np.ndarray,
    soc_dims: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The KKT matrix's entries (row, column), in the order the numeric code writes their
    values: the x diagonal, A (its rows after the n primal nodes), the diagonal of the equality
    and linear rows, and the upper triangle of each cone's block. ``soc_starts`` count from the
    first row after the equalities."""
    ints = [np.asarray(a, dtype=np.int64) for a in (soc_starts, soc_dims, indptr, indices)]
    return _entries(n, n_eq, n_lp, *ints)


@jit
def _analysis(n, m, n_eq, n_lp, soc_starts, soc_dims, indptr, indices):
    """The whole symbolic analysis of one shape, in one compiled call: the KKT entries, their
    ordering, the permuted upper triangle by columns, its elimination tree, the pattern of L,
    where each entry is stored and the update schedule; the index arrays unsigned (32-bit)."""
    rows, cols = _entries(n, n_eq, n_lp, soc_starts, soc_dims, indptr, indices)
    size = n + m
    perm = _minimum_fill(size, rows, cols, n)
    pinv = np.empty(size, dtype=np.int64)
    for k in range(size):
        pinv[perm[k]] = k
    lo = np.empty(rows.size, dtype=np.int64)  # permuted, upper triangle: lo <= hi
    hi = np.empty(rows.size, dtype=np.int64)
    kp = np.zeros(size + 1, dtype=np.int64)
    for e in range(rows.size):
        a = pinv[rows[e]]
        b = pinv[cols[e]]
        lo[e] = min(a, b)
        hi[e] = max(a, b)
        kp[hi[e] + 1] += 1
    for j in range(size):
        kp[j + 1] += kp[j]
    ki = np.empty(rows.size, dtype=np.int64)
    ke = np.empty(rows.size, dtype=np.int64)  # the entry each came from
    nxt = kp[:size].copy()
    for e in range(rows.size):
        ki[nxt[hi[e]]] = lo[e]
        ke[nxt[hi[e]]] = e
        nxt[hi[e]] += 1
    flag = np.full(size, -1, dtype=np.int64)
    for j in range(size):
        for p in range(kp[j], kp[j + 1]):
            if flag[ki[p]] == j:
                raise AssertionError("duplicate KKT entries")
            flag[ki[p]] = j
    etree = _etree(size, kp, ki)
    Lp, Li, src_map = _factor_pattern(size, kp, ki, ke, etree, rows.size)
    tp, tgt = _schedule(Lp, Li)
    # every index below the values' length (L, then D), the schedule's or A's
    if max(Lp[size] + size, tp[size], indptr[n], m + 1) >= 2**32:
        raise ValueError("the KKT pattern does not fit 32-bit indices")
    u = np.uint32
    return (
        perm.astype(u),
        Lp.astype(u),
        Li.astype(u),
        src_map.astype(u),
        tp.astype(u),
        tgt,
    )


def _sound(parts: tuple[np.ndarray, ...], size: int, entries: int) -> bool:
    """Whether ``parts`` read back from disk have the sizes of an analysis of a KKT matrix of
    ``size`` unknowns and ``entries`` entries: perm, Lp, Li, src_map, tp, tgt."""
    if len(parts) != 6 or parts[1].size != size + 1 or parts[4].size != size + 1:
        return False
    want = (size, size + 1, int(parts[1][-1]), entries, size + 1, int(parts[4][-1]))
    return all(a.size == k for a, k in zip(parts, want, strict=True))


class KktPattern:
    """The KKT pattern of one problem shape, its ordering and the pattern of its factor.

    ``A`` is Clarabel's constraint matrix (m x n, CSC pattern ``indptr``/``indices``), its rows the
    ``n_eq`` equalities, then ``n_lp`` inequalities, then second-order cones of ``soc_dims``.
    The KKT unknowns are (x, z) with z the m duals in the same row order.
    """

    def __init__(
        self,
        n: int,
        m: int,
        n_eq: int,
        n_lp: int,
        soc_dims: np.ndarray,
        indptr: np.ndarray,
        indices: np.ndarray,
    ) -> None:
        self.n, self.m, self.n_eq, self.n_lp = n, m, n_eq, n_lp
        dims = np.asarray(soc_dims, dtype=np.int64)
        starts = n_lp + np.concatenate([[0], np.cumsum(dims)[:-1]]).astype(np.int64)
        if n_eq + n_lp + int(dims.sum()) != m:
            raise ValueError("cone dimensions do not add up to the rows of A")
        ptr = np.asarray(indptr, dtype=np.int64)
        idx = np.asarray(indices, dtype=np.int64)
        self.size = size = n + m
        entries = n + idx.size + n_eq + n_lp + int((dims * (dims + 1) // 2).sum())

        (self.perm, self.Lp, self.Li, self.src_map, self.tp, self.tgt) = stored(
            (np.array([n, m, n_eq, n_lp]), dims, ptr, idx),
            lambda: _analysis(n, m, n_eq, n_lp, starts, dims, ptr, idx),
            lambda parts: _sound(parts, size, entries),
        )
        self.nnz_l = int(self.Lp[-1])  # values live in one vector: L by columns, then D
        self.sign = np.where(self.perm < n, 1.0, -1.0)  # + for x, - for the duals
        # The compiled code indexes with these. Unsigned, numba drops its negative-index
        # wrap-around test on every access: the factorisation runs in 34 us instead of 56 us.
        u = np.uint32
        self.soc_dims, self.soc_starts = dims.astype(u), starts.astype(u)  # (within the cone
        self.indptr, self.indices = ptr.astype(u), idx.astype(u)  # rows, after the equalities)
