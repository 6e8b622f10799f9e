"""A purpose-built interior-point solver for the fast path's conic problem.

Solves Clarabel's form ``min c'x  s.t.  b - A x in K`` with K = zero cone x nonnegative cone x
second-order cones, and P = 0, by the homogeneous self-dual embedding with Nesterov-Todd scaling
and Mehrotra's predictor-corrector (the method of ECOS, Domahidi, Chu & Boyd 2013, and of CVXOPT's
``conelp``). The embedding gives a certificate when the problem is infeasible, which the
time-of-flight searches rely on.

The speed comes from the fixed sparsity of one problem shape: the quasi-definite KKT matrix

    [[ d I,   A' ],
     [ A,   -H - d I ]],   H = 0 on the equalities, s/z on the inequalities, W'W per cone

keeps its pattern from solve to solve, so its fill-reducing ordering (minimum degree), the
elimination tree and the pattern of L are found once per shape in Python (``KktShape``); each
iteration is a numeric LDL' (QDLDL's up-looking algorithm, with static and dynamic
regularisation) and a few triangular solves, all compiled with numba.

Numba's on-disk cache is invalidated only when the file of a compiled function changes, not the
files of the functions it calls: every compiled helper lives in this file for that reason.
"""

from __future__ import annotations

import heapq

import numpy as np
from numba import njit

SOLVED, PRIMAL_INFEASIBLE, DUAL_INFEASIBLE, MAX_ITER, NUMERICAL = 0, 1, 2, 3, 4
STATUS_NAMES = ("Solved", "PrimalInfeasible", "DualInfeasible", "MaxIterations", "NumericalError")

STATIC_REG = 1e-8
DYN_EPS = 1e-9  # true pivots of the regularised quasi-definite K are at least STATIC_REG
DYN_DELTA = 2e-7
MAX_ITER_DEFAULT = 50
STEP_FRACTION = 0.99
REFINE_STEPS = 0


# --------------------------------------------------------------------------------------------
# Symbolic analysis, once per shape (Python)
# --------------------------------------------------------------------------------------------


def _minimum_degree(n: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Minimum-degree elimination order of a symmetric pattern (explicit elimination graph;
    the KKT systems here have about a thousand rows and little fill, so this is quick)."""
    adj: list[set[int]] = [set() for _ in range(n)]
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if i != j:
            adj[i].add(j)
            adj[j].add(i)
    alive = np.ones(n, dtype=bool)
    heap = [(len(adj[i]), i) for i in range(n)]
    heapq.heapify(heap)
    order: list[int] = []
    while heap:
        deg, i = heapq.heappop(heap)
        if not alive[i] or deg != len(adj[i]):
            continue
        alive[i] = False
        order.append(i)
        nb = adj[i]
        for j in nb:
            aj = adj[j]
            aj.discard(i)
            aj |= nb
            aj.discard(j)
            heapq.heappush(heap, (len(aj), j))
        adj[i] = set()
    return np.asarray(order, dtype=np.int64)


@njit(cache=True)
def _etree(n, Ap, Ai):
    """Elimination tree and column counts of L for an upper-triangular CSC pattern (QDLDL)."""
    work = np.zeros(n, dtype=np.int64)
    lnz = np.zeros(n, dtype=np.int64)
    etree = np.full(n, -1, dtype=np.int64)
    for j in range(n):
        work[j] = j
        for p in range(Ap[j], Ap[j + 1]):
            i = Ai[p]
            while work[i] != j:
                if etree[i] == -1:
                    etree[i] = j
                lnz[i] += 1
                work[i] = j
                i = etree[i]
    return etree, lnz


class KktShape:
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
        self.soc_dims = np.asarray(soc_dims, dtype=np.int64)
        self.soc_starts = n_lp + np.concatenate([[0], np.cumsum(self.soc_dims)[:-1]]).astype(
            np.int64
        )  # within the cone rows (after the equalities)
        if n_eq + n_lp + int(self.soc_dims.sum()) != m:
            raise ValueError("cone dimensions do not add up to the rows of A")
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.indices = np.asarray(indices, dtype=np.int64)
        a_cols = np.repeat(np.arange(n), np.diff(self.indptr))
        # Sources of KKT entries, in the order the numeric code writes their values:
        # x diagonal, A, equality and inequality diagonals, upper triangles of the cone blocks.
        src_r = [np.arange(n), n + self.indices, n + np.arange(n_eq + n_lp)]
        src_c = [np.arange(n), a_cols, n + np.arange(n_eq + n_lp)]
        for start, dim in zip(self.soc_starts, self.soc_dims, strict=True):
            iu, ju = np.triu_indices(int(dim))
            base = n + n_eq + start
            src_r.append(base + iu)
            src_c.append(base + ju)
        r = np.concatenate(src_r)
        c = np.concatenate(src_c)
        size = n + m
        self.size = size
        perm = _minimum_degree(size, r, c)
        pinv = np.empty(size, dtype=np.int64)
        pinv[perm] = np.arange(size)
        pr, pc = pinv[r], pinv[c]
        row, col = np.minimum(pr, pc), np.maximum(pr, pc)
        order = np.lexsort((row, col))
        if np.any((np.diff(col[order]) == 0) & (np.diff(row[order]) == 0)):
            raise AssertionError("duplicate KKT entries")
        kp = np.concatenate([[0], np.cumsum(np.bincount(col, minlength=size))]).astype(np.int64)
        ki = row[order].astype(np.int64)
        etree, _ = _etree(size, kp, ki)
        # Pattern of L by columns: a column's rows are its own below the diagonal and its
        # children's (in the elimination tree) other than itself.
        lower: list[list[int]] = [[] for _ in range(size)]
        for j in range(size):
            for i in ki[kp[j] : kp[j + 1]].tolist():
                if i != j:
                    lower[i].append(j)
        struct: list[set[int]] = [set() for _ in range(size)]
        for j in range(size):
            struct[j].update(lower[j])
            struct[j].discard(j)
            parent = int(etree[j])
            if parent >= 0:
                struct[parent].update(x for x in struct[j] if x != parent)
        cols = [np.array(sorted(st_j), dtype=np.int64) for st_j in struct]
        counts = np.array([c_.size for c_ in cols], dtype=np.int64)
        self.Lp = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.Li = np.concatenate(cols) if counts.sum() else np.zeros(0, dtype=np.int64)
        nnz_l = int(self.Lp[-1])
        self.nnz_l = nnz_l

        def position(i: int, j: int) -> int:  # storage of L[i, j] (i > j), or of D[j]
            if i == j:
                return nnz_l + j
            lo, hi = self.Lp[j], self.Lp[j + 1]
            k = lo + int(np.searchsorted(self.Li[lo:hi], i))
            if k >= hi or self.Li[k] != i:
                raise AssertionError("KKT entry outside the pattern of L")
            return k

        # Values live in one vector: L's nonzeros by columns, then D.
        self.src_map = np.array(
            [position(int(max(a, b_)), int(min(a, b_))) for a, b_ in zip(pr, pc, strict=True)],
            dtype=np.int64,
        )
        # Right-looking update schedule: column j's pairs (p >= q) of rows update L[r_p, r_q]
        # (or D[r_q] when p = q); their storage positions are listed once here.
        tgt: list[np.ndarray] = []
        tp = [0]
        for j in range(size):
            rows_j = cols[j]
            for qi in range(rows_j.size):
                cq = int(rows_j[qi])
                lo, hi = self.Lp[cq], self.Lp[cq + 1]
                below = rows_j[qi + 1 :]
                pos = lo + np.searchsorted(self.Li[lo:hi], below)
                tgt.append(np.concatenate([[nnz_l + cq], pos]).astype(np.int64))
            tp.append(tp[-1] + rows_j.size * (rows_j.size + 1) // 2)
        self.tgt = np.concatenate(tgt) if tgt else np.zeros(0, dtype=np.int64)
        self.tp = np.asarray(tp, dtype=np.int64)
        self.perm = perm
        self.sign = np.where(perm < n, 1.0, -1.0)  # + for x, - for the duals

    def solve(
        self,
        data: np.ndarray,
        b: np.ndarray,
        c: np.ndarray,
        max_iter: int = MAX_ITER_DEFAULT,
        tol_feas: float = 1e-8,
        tol_gap_abs: float = 1e-8,
        tol_gap_rel: float = 1e-8,
        tol_infeas: float = 1e-8,
        refine: int = REFINE_STEPS,
        verbose: bool = False,
    ) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
        """Solve with the nonzeros ``data`` of A (CSC order), b and c.

        Returns (status, iterations, x, z, s); z in Clarabel's convention (c + A'z = 0, z in K*),
        meaningful when solved; when primal infeasible z is the certificate (A'z = 0, b'z = -1).
        """
        x = np.zeros(self.n)
        z = np.zeros(self.m)
        s = np.zeros(self.m)
        status, iters = _ipm(
            self.n,
            self.n_eq,
            self.n_lp,
            self.soc_starts,
            self.soc_dims,
            self.indptr,
            self.indices,
            np.ascontiguousarray(data, dtype=np.float64),
            np.ascontiguousarray(b, dtype=np.float64),
            np.ascontiguousarray(c, dtype=np.float64),
            self.src_map,
            self.perm,
            self.Lp,
            self.Li,
            self.tp,
            self.tgt,
            self.sign,
            max_iter,
            tol_feas,
            tol_gap_abs,
            tol_gap_rel,
            tol_infeas,
            x,
            z,
            s,
            refine,
            verbose,
        )
        return status, iters, x, z, s


# --------------------------------------------------------------------------------------------
# Numeric LDL' (QDLDL's algorithm with a fixed pattern and regularisation)
# --------------------------------------------------------------------------------------------


@njit(cache=True)
def _ldl_factor(V, Lp, tp, tgt, sign, Dinv, tmp):
    """In-place LDL' of the values V (L's pattern by columns, then D) by the precomputed
    right-looking schedule; pivots of the wrong sign or too small are regularised."""
    N = Lp.size - 1
    nnz_l = Lp[N]
    for j in range(N):
        d = V[nnz_l + j]
        if sign[j] * d <= DYN_EPS:  # dynamic regularisation keeps the quasi-definite signs
            d = sign[j] * DYN_DELTA
            V[nnz_l + j] = d
        dinv = 1.0 / d
        Dinv[j] = dinv
        p0 = Lp[j]
        cnt = Lp[j + 1] - p0
        for k in range(cnt):
            t = V[p0 + k]
            tmp[k] = t
            V[p0 + k] = t * dinv
        t = tp[j]
        for qi in range(cnt):
            a = tmp[qi]
            for pi in range(qi, cnt):
                V[tgt[t]] -= V[p0 + pi] * a
                t += 1


@njit(cache=True)
def _ldl_solve(perm, Lp, Li, Lx, Dinv, rhs, out, work):
    n = perm.size
    for k in range(n):
        work[k] = rhs[perm[k]]
    for i in range(n):
        wi = work[i]
        for j in range(Lp[i], Lp[i + 1]):
            work[Li[j]] -= Lx[j] * wi
    for i in range(n):
        work[i] *= Dinv[i]
    for i in range(n - 1, -1, -1):
        acc = work[i]
        for j in range(Lp[i], Lp[i + 1]):
            acc -= Lx[j] * work[Li[j]]
        work[i] = acc
    for k in range(n):
        out[perm[k]] = work[k]


# --------------------------------------------------------------------------------------------
# Cone operations (the cone rows: n_lp nonnegative, then second-order cones)
# --------------------------------------------------------------------------------------------


@njit(cache=True)
def _nt_scaling(s, z, n_lp, starts, dims, wb, eta, lam, lamj):
    """Nesterov-Todd scaling of the cone rows: per row sqrt(s/z) (nonnegative part), per cone
    eta and the normalised point wbar; and lambda = W z. False if a point left its cone."""
    for i in range(n_lp):
        if s[i] <= 0.0 or z[i] <= 0.0:
            return False
        wb[i] = np.sqrt(s[i] / z[i])
        lam[i] = np.sqrt(s[i] * z[i])
    for c in range(starts.size):
        o = starts[c]
        d = dims[c]
        # J-norms as (u0 - |u1|)(u0 + |u1|): no cancellation near the boundary
        s1 = 0.0
        z1 = 0.0
        for i in range(1, d):
            s1 += s[o + i] * s[o + i]
            z1 += z[o + i] * z[o + i]
        s1 = np.sqrt(s1)
        z1 = np.sqrt(z1)
        if s[o] - s1 <= 0.0 or z[o] - z1 <= 0.0:
            return False
        ss = (s[o] - s1) * (s[o] + s1)
        zz = (z[o] - z1) * (z[o] + z1)
        sn = np.sqrt(ss)
        zn = np.sqrt(zz)
        dot = 0.0
        dot = s[o] * z[o] / (sn * zn)
        for i in range(1, d):
            dot += s[o + i] * z[o + i] / (sn * zn)
        gamma = np.sqrt(0.5 * (1.0 + dot))
        wb[o] = (s[o] / sn + z[o] / zn) / (2.0 * gamma)
        for i in range(1, d):
            wb[o + i] = (s[o + i] / sn - z[o + i] / zn) / (2.0 * gamma)
        eta[c] = np.sqrt(sn / zn)
        lamj[c] = sn * zn  # lambda' J lambda
    _w_apply(z, lam, n_lp, starts, dims, wb, eta, False)
    return True


@njit(cache=True)
def _w_apply(v, out, n_lp, starts, dims, wb, eta, inverse):
    """out = W v (or W^-1 v) on the cone rows; W is symmetric."""
    for i in range(n_lp):
        out[i] = v[i] / wb[i] if inverse else v[i] * wb[i]
    for c in range(starts.size):
        o = starts[c]
        d = dims[c]
        w0 = wb[o]
        dot = 0.0
        for i in range(1, d):
            dot += wb[o + i] * v[o + i]
        sg = -1.0 if inverse else 1.0
        f = eta[c] if not inverse else 1.0 / eta[c]
        out0 = w0 * v[o] + sg * dot
        coef = sg * v[o] + dot / (1.0 + w0)
        for i in range(1, d):
            out[o + i] = f * (v[o + i] + coef * wb[o + i])
        out[o] = f * out0


@njit(cache=True)
def _jordan(u, v, out, n_lp, starts, dims):
    """out = u o v (Jordan product)."""
    for i in range(n_lp):
        out[i] = u[i] * v[i]
    for c in range(starts.size):
        o = starts[c]
        d = dims[c]
        acc = 0.0
        for i in range(d):
            acc += u[o + i] * v[o + i]
        u0 = u[o]
        v0 = v[o]
        for i in range(1, d):
            out[o + i] = u0 * v[o + i] + v0 * u[o + i]
        out[o] = acc


@njit(cache=True)
def _jordan_div(lam, lamj, u, out, n_lp, starts, dims):
    """out = lam \\ u, the v with lam o v = u."""
    for i in range(n_lp):
        out[i] = u[i] / lam[i]
    for c in range(starts.size):
        o = starts[c]
        d = dims[c]
        l0 = lam[o]
        rho = lamj[c]
        dot = 0.0
        for i in range(1, d):
            dot += lam[o + i] * u[o + i]
        v0 = (l0 * u[o] - dot) / rho
        for i in range(1, d):
            out[o + i] = (u[o + i] - v0 * lam[o + i]) / l0
        out[o] = v0


@njit(cache=True)
def _max_step(u, du, n_lp, starts, dims):
    """Largest step alpha (capped at 1e30) with u + alpha du in the cone."""
    amax = 1e30
    for i in range(n_lp):
        if du[i] < 0.0:
            a = -u[i] / du[i]
            if a < amax:
                amax = a
    for c in range(starts.size):
        o = starts[c]
        d = dims[c]
        # f(a) = qa a^2 + 2 qb a + qc, (u0 + a du0)^2 - |u1 + a du1|^2
        qa = du[o] * du[o]
        qb = u[o] * du[o]
        qc = u[o] * u[o]
        for i in range(1, d):
            qa -= du[o + i] * du[o + i]
            qb -= u[o + i] * du[o + i]
            qc -= u[o + i] * u[o + i]
        a = 1e30
        if qc <= 0.0:
            a = 0.0
        elif qa == 0.0:
            if qb < 0.0:
                a = -qc / (2.0 * qb)
        else:
            disc = qb * qb - qa * qc
            if disc >= 0.0:
                sq = np.sqrt(disc)
                q = -(qb + sq) if qb >= 0.0 else -(qb - sq)
                r1 = q / qa
                r2 = qc / q if q != 0.0 else 1e30
                if r1 > 0.0 and r1 < a:
                    a = r1
                if r2 > 0.0 and r2 < a:
                    a = r2
        if du[o] < 0.0:
            a0 = -u[o] / du[o]
            if a0 < a:
                a = a0
        if a < amax:
            amax = a
    return amax


@njit(cache=True)
def _shift_into_cone(u, n_lp, starts, dims):
    """CVXOPT's initial point: u + (1 + alpha) e if u is not strictly inside the cone."""
    alpha = -1e300
    for i in range(n_lp):
        if -u[i] > alpha:
            alpha = -u[i]
    for c in range(starts.size):
        o = starts[c]
        d = dims[c]
        nrm = 0.0
        for i in range(1, d):
            nrm += u[o + i] * u[o + i]
        e = np.sqrt(nrm) - u[o]
        if e > alpha:
            alpha = e
    if alpha >= 0.0:
        for i in range(n_lp):
            u[i] += 1.0 + alpha
        for c in range(starts.size):
            u[starts[c]] += 1.0 + alpha


# --------------------------------------------------------------------------------------------
# KKT assembly, products and solves
# --------------------------------------------------------------------------------------------


@njit(cache=True)
def _assemble(n, n_eq, n_lp, starts, dims, data, wb, eta, src_map, Kx, identity):
    """KKT values: +reg on the x diagonal, A, and -H - reg on the dual diagonal blocks."""
    Kx[:] = 0.0
    k = 0
    for _ in range(n):
        Kx[src_map[k]] = STATIC_REG
        k += 1
    for i in range(data.size):
        Kx[src_map[k]] = data[i]
        k += 1
    for _ in range(n_eq):
        Kx[src_map[k]] = -STATIC_REG
        k += 1
    for i in range(n_lp):
        h = 1.0 if identity else wb[i] * wb[i]
        Kx[src_map[k]] = -h - STATIC_REG
        k += 1
    for c in range(starts.size):
        o = starts[c]
        d = dims[c]
        e2 = eta[c] * eta[c]
        for i in range(d):
            for j in range(i, d):
                if identity:
                    h = 1.0 if i == j else 0.0
                elif i == 0 and j == 0:
                    h = e2 * (2.0 * wb[o] * wb[o] - 1.0)
                elif i == j:
                    h = e2 * (2.0 * wb[o + i] * wb[o + i] + 1.0)
                else:
                    h = e2 * 2.0 * wb[o + i] * wb[o + j]
                if i == j:
                    h += STATIC_REG
                Kx[src_map[k]] = -h
                k += 1


@njit(cache=True)
def _kkt_times(n, n_eq, n_lp, starts, dims, Aptr, Aidx, data, wb, eta, identity, u, out, tmp, tmp2):
    """out = K u with the unregularised K (for iterative refinement)."""
    m = out.size - n
    for i in range(n, n + m):
        out[i] = 0.0
    for j in range(n):
        acc = 0.0
        uj = u[j]
        for p in range(Aptr[j], Aptr[j + 1]):
            r = Aidx[p]
            acc += data[p] * u[n + r]
            out[n + r] += data[p] * uj
        out[j] = acc
    mc = m - n_eq
    if identity:
        for i in range(mc):
            out[n + n_eq + i] -= u[n + n_eq + i]
    else:
        for i in range(mc):
            tmp[i] = u[n + n_eq + i]
        _w_apply(tmp, tmp2, n_lp, starts, dims, wb, eta, False)
        _w_apply(tmp2, tmp, n_lp, starts, dims, wb, eta, False)
        for i in range(mc):
            out[n + n_eq + i] -= tmp[i]


# --------------------------------------------------------------------------------------------
# The interior-point method
# --------------------------------------------------------------------------------------------


@njit(cache=True)
def _ipm(
    n,
    n_eq,
    n_lp,
    starts,
    dims,
    Aptr,
    Aidx,
    data,
    b,
    c,
    src_map,
    perm,
    Lp,
    Li,
    tp,
    tgt,
    sign,
    max_iter,
    tol_feas,
    tol_gap_abs,
    tol_gap_rel,
    tol_infeas,
    x_out,
    z_out,
    s_out,
    refine,
    verbose=False,
):
    m = b.size
    mc = m - n_eq
    N = n + m
    nc = starts.size
    degree = n_lp + nc
    # factor storage
    V = np.zeros(Lp[N] + N)
    Dinv = np.zeros(N)
    ftmp = np.zeros(N)
    work = np.zeros(N)
    # iterate
    x = np.zeros(n)
    yz = np.zeros(m)  # duals: equalities then cone rows
    s = np.zeros(mc)
    tau = 1.0
    kap = 1.0
    # scaling
    wb = np.ones(mc)
    eta = np.ones(nc)
    lam = np.zeros(mc)
    lamj = np.ones(nc)
    # work vectors
    rhs = np.zeros(N)
    u1 = np.zeros(N)
    u2 = np.zeros(N)
    res = np.zeros(N)
    corr = np.zeros(N)
    kt = np.zeros(N)
    t1 = np.zeros(mc)
    k1 = np.zeros(mc)
    k2 = np.zeros(mc)
    t2 = np.zeros(mc)
    t3 = np.zeros(mc)
    ds = np.zeros(mc)
    dsa = np.zeros(mc)
    dza = np.zeros(mc)
    dz = np.zeros(mc)
    dss = np.zeros(mc)
    r1 = np.zeros(n)
    rA = np.zeros(m)

    def kkt_solve(identity, rhs, out):
        _ldl_solve(perm, Lp, Li, V, Dinv, rhs, out, work)
        rn = 0.0
        for i in range(N):
            if abs(rhs[i]) > rn:
                rn = abs(rhs[i])
        for _ in range(refine):
            _kkt_times(
                n, n_eq, n_lp, starts, dims, Aptr, Aidx, data, wb, eta, identity, out, kt, k1, k2
            )
            en = 0.0
            for i in range(N):
                res[i] = rhs[i] - kt[i]
                if abs(res[i]) > en:
                    en = abs(res[i])
            if en <= 1e-13 * (1.0 + rn):
                break
            _ldl_solve(perm, Lp, Li, V, Dinv, res, corr, work)
            for i in range(N):
                out[i] += corr[i]

    # ---- initial point (W = I) ----
    _assemble(n, n_eq, n_lp, starts, dims, data, wb, eta, src_map, V, True)
    _ldl_factor(V, Lp, tp, tgt, sign, Dinv, ftmp)
    for i in range(n):
        rhs[i] = 0.0
    for i in range(m):
        rhs[n + i] = b[i]
    kkt_solve(True, rhs, u1)
    for i in range(n):
        x[i] = u1[i]
    for i in range(mc):
        s[i] = -u1[n + n_eq + i]
    _shift_into_cone(s, n_lp, starts, dims)
    for i in range(n):
        rhs[i] = -c[i]
    for i in range(m):
        rhs[n + i] = 0.0
    kkt_solve(True, rhs, u1)
    for i in range(m):
        yz[i] = u1[n + i]
    z = yz[n_eq:]
    _shift_into_cone(z, n_lp, starts, dims)

    nb = 0.0
    for i in range(m):
        nb = max(nb, abs(b[i]))
    ncn = 0.0
    for i in range(n):
        ncn = max(ncn, abs(c[i]))

    status = MAX_ITER
    it = 0
    while True:
        # ---- residuals ----
        # r1 = A'yz + c tau, rA = A x - b tau + (0, s)
        for i in range(m):
            rA[i] = -b[i] * tau
        for i in range(mc):
            rA[n_eq + i] += s[i]
        cx = 0.0
        aty_n = 0.0
        r1_n = 0.0
        for j in range(n):
            acc = 0.0
            xj = x[j]
            for p in range(Aptr[j], Aptr[j + 1]):
                r = Aidx[p]
                acc += data[p] * yz[r]
                rA[r] += data[p] * xj
            aty_n = max(aty_n, abs(acc))
            r1[j] = acc + c[j] * tau
            r1_n = max(r1_n, abs(r1[j]))
            cx += c[j] * xj
        by = 0.0
        for i in range(m):
            by += b[i] * yz[i]
        r4 = kap + cx + by
        ra_n = 0.0
        ax_n = 0.0
        for i in range(m):
            ra_n = max(ra_n, abs(rA[i]))
            # A x + (0, s) without the b tau term, for the dual infeasibility test
            v = rA[i] + b[i] * tau
            ax_n = max(ax_n, abs(v))
        nx = 0.0
        for i in range(n):
            nx = max(nx, abs(x[i]))
        ns = 0.0
        sz = 0.0
        for i in range(mc):
            ns = max(ns, abs(s[i]))
            sz += s[i] * z[i]
        nz = 0.0
        for i in range(m):
            nz = max(nz, abs(yz[i]))
        # ---- termination ----
        pcost = cx / tau
        dcost = -by / tau
        gap = abs(pcost - dcost)
        if (
            ra_n / tau <= tol_feas * max(1.0, nb + (nx + ns) / tau)
            and r1_n / tau <= tol_feas * max(1.0, ncn + (nx + nz) / tau)
            and (gap <= tol_gap_abs or gap <= tol_gap_rel * max(1.0, min(abs(pcost), abs(dcost))))
        ):
            status = SOLVED
            break
        if by < 0.0 and aty_n <= tol_infeas * (-by) * max(1.0, nz / (-by)):
            status = PRIMAL_INFEASIBLE
            break
        if cx < 0.0 and ax_n <= tol_infeas * (-cx) * max(1.0, (nx + ns) / (-cx)):
            status = DUAL_INFEASIBLE
            break
        if verbose:
            print(it, ra_n / tau, r1_n / tau, pcost, dcost, tau, kap, by, aty_n, sz)
        if not (tau > 0.0 and np.isfinite(r4) and np.isfinite(ra_n) and np.isfinite(r1_n)):
            status = NUMERICAL
            break
        if it >= max_iter:
            status = MAX_ITER
            break
        it += 1
        # ---- scaling and factorisation ----
        if not _nt_scaling(s, z, n_lp, starts, dims, wb, eta, lam, lamj):
            status = NUMERICAL
            break
        _assemble(n, n_eq, n_lp, starts, dims, data, wb, eta, src_map, V, False)
        _ldl_factor(V, Lp, tp, tgt, sign, Dinv, ftmp)
        # u1 = K \ (-c, b)
        for i in range(n):
            rhs[i] = -c[i]
        for i in range(m):
            rhs[n + i] = b[i]
        kkt_solve(False, rhs, u1)
        den = -kap / tau
        for i in range(n):
            den += c[i] * u1[i]
        for i in range(m):
            den += b[i] * u1[n + i]
        mu = (sz + kap * tau) / (degree + 1)
        dtau_a = 0.0
        dkap_a = 0.0
        sigma = 0.0
        dtau = 0.0
        dkap = 0.0
        for phase in range(2):
            # ds: complementarity target of the scaled variables
            _jordan(lam, lam, ds, n_lp, starts, dims)
            dkap_rhs = kap * tau
            f = 1.0
            if phase == 1:
                _w_apply(dsa, t1, n_lp, starts, dims, wb, eta, True)  # W^-1 ds_a
                _w_apply(dza, t2, n_lp, starts, dims, wb, eta, False)  # W dz_a
                _jordan(t1, t2, t3, n_lp, starts, dims)
                for i in range(mc):
                    ds[i] += t3[i]
                for i in range(n_lp):
                    ds[i] -= sigma * mu
                for cc in range(nc):
                    ds[starts[cc]] -= sigma * mu
                dkap_rhs += dkap_a * dtau_a - sigma * mu
                f = 1.0 - sigma
            # rhs2 = (-f r1, -f rA_eq, -f r3 + W (lam \ ds))
            _jordan_div(lam, lamj, ds, t1, n_lp, starts, dims)
            _w_apply(t1, t2, n_lp, starts, dims, wb, eta, False)
            for i in range(n):
                rhs[i] = -f * r1[i]
            for i in range(n_eq):
                rhs[n + i] = -f * rA[i]
            for i in range(mc):
                rhs[n + n_eq + i] = -f * rA[n_eq + i] + t2[i]
            kkt_solve(False, rhs, u2)
            num = dkap_rhs / tau - f * r4
            for i in range(n):
                num -= c[i] * u2[i]
            for i in range(m):
                num -= b[i] * u2[n + i]
            dtau = num / den
            for i in range(N):
                u2[i] += dtau * u1[i]
            # ds = -W (lam \ ds + W dz)
            for i in range(mc):
                dz[i] = u2[n + n_eq + i]
            _w_apply(dz, t3, n_lp, starts, dims, wb, eta, False)
            for i in range(mc):
                t3[i] += t1[i]
            _w_apply(t3, dss, n_lp, starts, dims, wb, eta, False)
            for i in range(mc):
                dss[i] = -dss[i]
            dkap = -(dkap_rhs + kap * dtau) / tau
            alpha = min(_max_step(s, dss, n_lp, starts, dims), _max_step(z, dz, n_lp, starts, dims))
            if dtau < 0.0:
                alpha = min(alpha, -tau / dtau)
            if dkap < 0.0:
                alpha = min(alpha, -kap / dkap)
            if phase == 0:
                alpha = min(alpha, 1.0)
                sigma = (1.0 - alpha) ** 3
                sigma = min(max(sigma, 1e-4), 1.0)
                for i in range(mc):
                    dsa[i] = dss[i]
                    dza[i] = dz[i]
                dtau_a = dtau
                dkap_a = dkap
            else:
                alpha = min(1.0, STEP_FRACTION * alpha)
            if verbose:
                print("   phase", phase, "alpha", alpha, "dtau", dtau, "sigma", sigma)
        if not alpha > 1e-10:
            status = NUMERICAL
            break
        for i in range(n):
            x[i] += alpha * u2[i]
        for i in range(m):
            yz[i] += alpha * u2[n + i]
        for i in range(mc):
            s[i] += alpha * dss[i]
        tau += alpha * dtau
        kap += alpha * dkap

    if status == PRIMAL_INFEASIBLE:
        scale = -1.0 / by
        for i in range(m):
            z_out[i] = yz[i] * scale
        for i in range(n):
            x_out[i] = 0.0
    elif status == DUAL_INFEASIBLE:
        scale = -1.0 / cx
        for i in range(n):
            x_out[i] = x[i] * scale
    else:
        for i in range(n):
            x_out[i] = x[i] / tau
        for i in range(m):
            z_out[i] = yz[i] / tau
        for i in range(mc):
            s_out[n_eq + i] = s[i] / tau
    return status, it
