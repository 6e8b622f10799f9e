"""The sparsity structure of the fast path's conic problem, and its numbers for one solve.

Clarabel solves ``min q'x  s.t.  b - A x in K``. Variables, in blocks: r (n+1, 3), u (n+1, 3),
s (n+1), w (n+1), and for the error mode one epigraph variable e (velocity is eliminated).

The sparsity pattern of ``A`` is built once per shape (node count, mode, discretisation,
vertical-descent length, glide slope on or off) together with the permutation into CSC order.
Every nonzero of ``A`` is a coefficient times one of a few numbers of the solve (1, dt^2,
alpha dt / 2, 1/dt, dt, cos tilt, tan glide slope, and mu1, mu2, sqrt(2 mu1) per node), so the
structure also keeps that linear map as a sparse matrix: a solve evaluates all nonzeros in one
sparse product instead of assembling them block by block.
"""

from __future__ import annotations

from dataclasses import dataclass

import clarabel
import numpy as np
from scipy import sparse

from boostback.guidance.discretize import Discretized
from boostback.jit import jit

_N_SCALARS = 7  # one, h2, had, inv_dt, dt, cos_tilt, tan


class _Coeffs:
    """The numbers the nonzeros of ``A`` are linear in, unpacked from one parameter vector."""

    def __init__(self, p: np.ndarray, n1: int) -> None:
        self.one, self.h2, self.had, self.inv_dt, self.dt, self.cos_tilt, self.tan = (
            float(v) for v in p[:_N_SCALARS]
        )
        k = _N_SCALARS
        self.mu1 = p[k : k + n1]
        self.mu2 = p[k + n1 : k + 2 * n1]
        self.sq2mu1 = p[k + 2 * n1 : k + 3 * n1]


def coefficient_vector(d: Discretized) -> np.ndarray:
    """The parameter vector of ``_Coeffs`` for one discretised problem."""
    dt = d.dt_s
    n1 = d.mu1.size
    p = np.empty(_N_SCALARS + 3 * n1)
    p[:_N_SCALARS] = (1.0, dt * dt, d.alpha * dt / 2, 1.0 / dt, dt, d.cos_tilt, d.tan_gs)
    p[_N_SCALARS : _N_SCALARS + n1] = d.mu1
    p[_N_SCALARS + n1 : _N_SCALARS + 2 * n1] = d.mu2
    np.sqrt(2.0 * d.mu1, out=p[_N_SCALARS + 2 * n1 :])
    return p


class _Rows:
    """Accumulates constraint rows as COO triplets whose values are filled per solve."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.n_rows = 0

    def add(self, count: int, entries: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """Add ``count`` rows; each entry is (row offsets in 0..count-1, column indices)."""
        base = self.n_rows
        for r, c in entries:
            self.rows.append(base + np.asarray(r, dtype=np.int64))
            self.cols.append(np.asarray(c, dtype=np.int64))
        self.n_rows += count
        return np.arange(base, base + count)


@dataclass
class _Layout:
    n: int
    mode: str
    discretization: str
    n_vert: int  # vertical-descent nodes before the final one
    glide: bool
    cap: bool = False  # thrust acceleration capped on the vertical-descent nodes and the last

    def __post_init__(self) -> None:
        # In the fuel mode the landing point is the target: constraints relative to r_N use the
        # target's numbers instead, which keeps r_N out of every node's rows (less fill-in).
        self.pinned = self.mode == "fuel"
        n1 = self.n + 1
        self.i_r = np.arange(3 * n1).reshape(n1, 3)
        self.i_u = 3 * n1 + np.arange(3 * n1).reshape(n1, 3)
        self.i_s = 6 * n1 + np.arange(n1)
        self.i_w = 7 * n1 + np.arange(n1)
        self.n_x = 8 * n1 + (1 if self.mode == "error" else 0)
        self.i_e = 8 * n1


class _Structure:
    """Fixed sparsity pattern, cones and the recipe for the nonzeros of one problem shape."""

    def __init__(self, lay: _Layout) -> None:
        self.lay = lay
        n, n1 = lay.n, lay.n + 1
        R, U, S, W = lay.i_r, lay.i_u, lay.i_s, lay.i_w
        k = np.arange(n)
        rows = _Rows()
        # Each block records (row offsets, cols) in a fixed order; values are produced in the same
        # order by `_values`, so one concatenation lines them up.
        zero: list[tuple[np.ndarray, np.ndarray]] = []

        def eq3(start_rows: int, cols: np.ndarray) -> None:
            zero.append((start_rows + np.arange(cols.size), cols.ravel()))

        # --- equalities (zero cone) ---
        # Velocity is eliminated: with the control held over each interval, the double
        # integrator gives r_{k+2} - 2 r_{k+1} + r_k in terms of u alone, plus one relation at
        # each end that brings in the initial and the final velocity. N + 1 position rows replace
        # 2N rows of velocity and position dynamics, and 3(N + 1) velocity unknowns go away.
        foh = lay.discretization == "foh"
        n_eq = 0
        eq3(n_eq, R[0])
        n_eq += 3
        zero.append((np.array([n_eq]), np.array([W[0]])))
        n_eq += 1
        ri = n_eq + np.arange(3)  # first interval: brings in v0
        zero += [(ri, R[1]), (ri, R[0]), (ri, U[0])]
        if foh:
            zero.append((ri, U[1]))
        n_eq += 3
        km = np.arange(n - 1)
        rm = (n_eq + np.arange(3 * (n - 1)).reshape(n - 1, 3)).ravel()
        zero += [
            (rm, R[km + 2].ravel()),
            (rm, R[km + 1].ravel()),
            (rm, R[km].ravel()),
            (rm, U[km].ravel()),
            (rm, U[km + 1].ravel()),
        ]
        if foh:
            zero.append((rm, U[km + 2].ravel()))
        n_eq += 3 * (n - 1)
        rf = n_eq + np.arange(3)  # last interval: brings in the touchdown velocity
        zero += [(rf, R[n]), (rf, R[n - 1]), (rf, U[n - 1])]
        if foh:
            zero.append((rf, U[n]))
        n_eq += 3
        wr = n_eq + k
        n_eq += n
        zero += [(wr, W[1:]), (wr, W[:-1]), (wr, S[:-1])]
        if foh:
            zero.append((wr, S[1:]))
        zero.append((np.array([n_eq]), np.array([R[n, 2]])))
        n_eq += 1
        if lay.mode == "fuel":
            eq3(n_eq, R[n, :2])
            n_eq += 2
        # vertical descent: nodes n - n_vert .. n-1 hold r_h = r_N,h and v_h = 0, with v_k
        # written in positions and controls as above
        kv = np.arange(n - lay.n_vert, n)
        if kv.size:
            hr = n_eq + np.arange(2 * kv.size).reshape(kv.size, 2)
            zero.append((hr.ravel(), R[kv, :2].ravel()))
            if not lay.pinned:
                zero.append((hr.ravel(), np.tile(R[n, :2], kv.size)))
            n_eq += 2 * kv.size
            vr = (n_eq + np.arange(2 * kv.size)).reshape(kv.size, 2).ravel()
            zero += [(vr, R[kv + 1, :2].ravel()), (vr, R[kv, :2].ravel()), (vr, U[kv, :2].ravel())]
            if foh:
                zero.append((vr, U[kv + 1, :2].ravel()))
            n_eq += 2 * kv.size
        rows.add(n_eq, zero)
        self.n_eq = n_eq

        # --- inequalities (nonnegative cone): A x <= b ---
        ineq: list[tuple[np.ndarray, np.ndarray]] = []
        ni = 0
        up = ni + np.arange(n1)  # s + mu2 w <= mu2
        ineq += [(up, S), (up, W)]
        ni += n1
        ineq.append((ni + np.arange(n1), W))  # -w <= 0
        ni += n1
        ineq.append((ni + np.arange(n1), W))  # w <= w_max
        ni += n1
        ineq.append((np.array([ni]), np.array([W[n]])))  # -w_N <= -w_final_min
        ni += 1
        pt = ni + np.arange(n1)  # cos s - u_z <= 0
        ineq += [(pt, S), (pt, U[:, 2])]
        ni += n1
        if not lay.glide:  # stay above the landing point: -r_k,z <= -target_z
            ineq.append((ni + k, R[:-1, 2]))
            ni += n
        if lay.cap:  # s_k <= sigma_cap over the vertical descent
            ineq.append((ni + np.arange(lay.n_vert + 1), S[n - lay.n_vert :]))
            ni += lay.n_vert + 1
        rows.add(ni, ineq)
        self.n_ineq = ni

        # --- second-order cones ---
        soc: list[tuple[np.ndarray, np.ndarray]] = []
        dims: list[int] = []
        ns = 0
        tr = ns + 4 * np.arange(n1)  # (s, u) for each node
        soc += [(tr, S), (tr[:, None] + 1 + np.arange(3), U)]
        ns += 4 * n1
        dims += [4] * n1
        lo = ns + 3 * np.arange(n1)  # (t + 1, t - 1, 2x): lower thrust bound
        soc += [(lo, S), (lo, W), (lo + 1, S), (lo + 1, W), (lo + 2, W)]
        ns += 3 * n1
        dims += [3] * n1
        if lay.glide:  # (r_k,z - target_z, tan * (r_k,h - r_N,h))
            gs = ns + 3 * k
            soc += [(gs, R[:-1, 2]), (gs[:, None] + 1 + np.arange(2), R[:-1, :2])]
            if not lay.pinned:
                soc.append((gs[:, None] + 1 + np.arange(2), np.tile(R[n, :2], (n, 1))))
            ns += 3 * n
            dims += [3] * n
        if lay.mode in ("error", "fuel_bounded"):
            er = np.array([ns])
            if lay.mode == "error":
                soc.append((er, np.array([lay.i_e])))
            soc.append((er + 1 + np.arange(2), R[n, :2]))
            ns += 3
            dims.append(3)
        rows.add(ns, soc)

        r_idx = np.concatenate([np.ravel(x) for x in rows.rows])
        c_idx = np.concatenate([np.ravel(x) for x in rows.cols])
        self.m = rows.n_rows
        order = sparse.csc_matrix(
            (np.arange(1, r_idx.size + 1, dtype=float), (r_idx, c_idx)), shape=(self.m, lay.n_x)
        )
        order.sort_indices()
        if order.nnz != r_idx.size:
            raise AssertionError("duplicate entries in the conic structure")
        self.perm = order.data.astype(np.int64) - 1
        self.indptr = order.indptr
        self.indices = order.indices
        self.cones = [
            clarabel.ZeroConeT(self.n_eq),
            clarabel.NonnegativeConeT(self.n_ineq),
            *[clarabel.SecondOrderConeT(d) for d in dims],
        ]
        self.nnz_col = np.repeat(np.arange(lay.n_x), np.diff(self.indptr))
        # Nondimensional variables are of order one except log-mass, which moves by tenths.
        self.col_scale = np.ones(lay.n_x)
        self.col_scale[lay.i_w] = 0.1
        q = np.zeros(lay.n_x)
        if lay.mode == "error":
            q[lay.i_e] = 1.0
        else:
            q[lay.i_w[n]] = -1.0
        self.q = q * self.col_scale  # the objective in the scaled variables the solvers see
        self.P = sparse.csc_matrix((lay.n_x, lay.n_x))

        self.coef_map = self._coefficient_map(n1)  # a row per nonzero: scale it as its column
        self.coef_map.data *= np.repeat(self.col_scale[self.nnz_col], np.diff(self.coef_map.indptr))
        # unsigned copies for the compiled kernel (no negative-index test on each access)
        self._kernel_map = (
            self.coef_map.indptr.astype(np.uint32),
            self.coef_map.indices.astype(np.uint32),
            self.coef_map.data,
            self.indices.astype(np.uint32),
        )
        self.n_lin = self.n_eq + self.n_ineq
        self.soc_dims = np.asarray(dims, dtype=np.int64)
        self.soc_starts = np.concatenate([[0], np.cumsum(self.soc_dims)[:-1]]).astype(np.int64)

    def _coefficient_map(self, n1: int) -> sparse.csr_matrix:
        """The linear map from the parameter vector (``coefficient_vector``) to the nonzeros in
        CSC order, found by probing ``_raw_values``.

        Each nonzero here is a constant times one parameter, so one probe per scalar and two per
        node-wise group find the map: all of the group's nodes at one, then at distinct tags
        that name the node. A probe at arbitrary values checks the result against
        ``_raw_values``; should a nonzero ever mix the parameters otherwise, the map is found
        with one probe per parameter instead (~20 times the work)."""
        n_p = _N_SCALARS + 3 * n1

        def values(p: np.ndarray) -> np.ndarray:
            return self._raw_values(_Coeffs(p, n1))[self.perm]

        rows, cols, coefs = [], [], []
        for j in range(_N_SCALARS):
            p = np.zeros(n_p)
            p[j] = 1.0
            v = values(p)
            nz = np.flatnonzero(v)
            rows.append(nz)
            cols.append(np.full(nz.size, j))
            coefs.append(v[nz])
        for g in range(3):
            lo = _N_SCALARS + g * n1
            p = np.zeros(n_p)
            p[lo : lo + n1] = 1.0
            ones = values(p)
            p[lo : lo + n1] = np.arange(1.0, n1 + 1.0)
            tagged = values(p)
            nz = np.flatnonzero(ones)
            rows.append(nz)
            cols.append(lo + np.rint(tagged[nz] / ones[nz]).astype(np.int64) - 1)
            coefs.append(ones[nz])
        shape = (self.perm.size, n_p)
        row, col = np.concatenate(rows), np.concatenate(cols)
        ok = bool(np.all((col >= 0) & (col < n_p)))
        if ok:
            found = sparse.csr_matrix((np.concatenate(coefs), (row, col)), shape=shape)
            found.sort_indices()
            check = 1.5 + np.sin(1.7 * np.arange(n_p))  # arbitrary, no two alike
            want = values(check)
            ok = np.allclose(found @ check, want, rtol=1e-13, atol=1e-13 * np.abs(want).max())
        if ok:
            return found
        probes = np.empty(shape)
        for j in range(n_p):
            p = np.zeros(n_p)
            p[j] = 1.0
            probes[:, j] = values(p)
        return sparse.csr_matrix(probes)

    def _raw_values(self, c: _Coeffs) -> np.ndarray:
        """The nonzeros of A in structure order, as linear functions of the numbers in ``c``."""
        lay = self.lay
        n, n1 = lay.n, lay.n + 1
        foh = lay.discretization == "foh"
        one, h2, dt = c.one, c.h2, c.dt

        def k(size: int, coef: float = 1.0) -> np.ndarray:
            return np.full(size, coef * one)

        m3 = 3 * (n - 1)
        vals: list[np.ndarray] = [k(3), k(1)]
        # first interval: r1 - r0 - c0 u0 (- c1 u1) = dt v0 + dt^2/2 a0
        vals += [k(3), k(3, -1.0), np.full(3, -(h2 / 3 if foh else h2 / 2))]
        if foh:
            vals.append(np.full(3, -h2 / 6))
        # second differences: r_{k+2} - 2 r_{k+1} + r_k - dt^2 (w0 u_k + w1 u_{k+1} + w2 u_{k+2})
        w0, w1 = (1 / 6, 2 / 3) if foh else (0.5, 0.5)
        vals += [k(m3), k(m3, -2.0), k(m3), np.full(m3, -h2 * w0), np.full(m3, -h2 * w1)]
        if foh:
            vals.append(np.full(m3, -h2 / 6))
        # last interval: r_N - r_{N-1} + b0 u_{N-1} (+ b1 u_N) = dt v_N - dt^2/2 a_{N-1}
        vals += [k(3), k(3, -1.0), np.full(3, h2 / 6 if foh else h2 / 2)]
        if foh:
            vals.append(np.full(3, h2 / 3))
        had = c.had
        vals += [k(n), k(n, -1.0), np.full(n, had if foh else 2 * had)]
        if foh:
            vals.append(np.full(n, had))
        vals.append(k(1))
        if lay.mode == "fuel":
            vals.append(k(2))
        nv = lay.n_vert
        if nv:
            vals += [k(2 * nv)] + ([] if lay.pinned else [k(2 * nv, -1.0)])
            # v_k,h = (r_{k+1} - r_k)/dt - g0 u_k (- g1 u_{k+1}) - dt/2 a_k = 0
            vals += [np.full(2 * nv, c.inv_dt), np.full(2 * nv, -c.inv_dt)]
            vals.append(np.full(2 * nv, -(dt / 3 if foh else dt / 2)))
            if foh:
                vals.append(np.full(2 * nv, -dt / 6))
        # inequalities
        vals += [k(n1), c.mu2, k(n1, -1.0), k(n1), k(1, -1.0)]
        vals += [np.full(n1, c.cos_tilt), k(n1, -1.0)]
        if not lay.glide:
            vals.append(k(n, -1.0))
        if lay.cap:
            vals.append(k(lay.n_vert + 1))
        # cones: (s, u) -> b - A x = (s, u) so A = -I
        vals += [k(n1, -1.0), k(3 * n1, -1.0)]
        vals += [k(n1, -1.0), -c.mu1, k(n1, -1.0), -c.mu1, -c.sq2mu1]
        if lay.glide:
            vals += [k(n, -1.0), np.full(2 * n, -c.tan)]
            if not lay.pinned:
                vals.append(np.full(2 * n, c.tan))
        if lay.mode == "error":
            vals.append(k(1, -1.0))
        if lay.mode in ("error", "fuel_bounded"):
            vals.append(k(2, -1.0))
        return np.concatenate(vals)

    def rhs(self, d: Discretized, err_max: float) -> np.ndarray:
        """The vector b."""
        lay = self.lay
        b = np.empty(self.m)
        _fill_rhs(
            b,
            lay.n,
            lay.n_vert,
            _MODE_CODE[lay.mode],
            lay.glide,
            lay.cap,
            d.dt_s,
            d.a_ext,
            d.r0,
            d.v0,
            d.vf,
            d.target,
            d.dz0,
            d.mu1,
            d.mu2,
            d.w_max,
            d.w_final_min,
            d.sigma_cap,
            d.tan_gs,
            err_max,
        )
        return b

    def scaled_data(
        self, d: Discretized, err_max: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The nonzeros of A (CSC order, columns scaled) and b, each linear row and each cone
        as a block scaled to unit largest coefficient; and the row scale used."""
        data = np.empty(self.indices.size)
        b = self.rhs(d, err_max)
        scale = np.empty(self.m)
        map_ptr, map_idx, map_val, rows = self._kernel_map
        _scaled_values(
            map_ptr,
            map_idx,
            map_val,
            coefficient_vector(d),
            rows,
            self.n_lin,
            self.soc_starts,
            self.soc_dims,
            data,
            b,
            scale,
        )
        return data, b, scale

    def value_rate(
        self,
        lower: Discretized,
        upper: Discretized,
        step: float,
        err_max: float,
        scale: np.ndarray,
        x: np.ndarray,
        z: np.ndarray,
    ) -> float:
        """Derivative of the optimal value along a path of problem data (envelope theorem).

        For ``min q'x s.t. b - A x in K`` with optimal primal ``x`` and dual ``z`` (scaled, as
        Clarabel returns them), ``dV = z' (dA x - db)``; dA and db are central differences of
        the data between ``lower`` and ``upper``, ``step`` apart, in the same row scale.
        """
        dp = coefficient_vector(upper) - coefficient_vector(lower)
        da = (self.coef_map @ dp) * scale[self.indices]
        db = (self.rhs(upper, err_max) - self.rhs(lower, err_max)) * scale
        dax = np.bincount(self.indices, weights=da * x[self.nnz_col], minlength=self.m)
        return float(z @ (dax - db)) / step


_MODE_CODE = {"fuel": 0, "error": 1, "fuel_bounded": 2}


@jit
def _fill_rhs(
    b: np.ndarray,
    n: int,
    nv: int,
    mode: int,
    glide: bool,
    cap: bool,
    dt: float,
    a: np.ndarray,
    r0: np.ndarray,
    v0: np.ndarray,
    vf: np.ndarray,
    target: np.ndarray,
    dz0: np.ndarray,
    mu1: np.ndarray,
    mu2: np.ndarray,
    w_max: np.ndarray,
    w_final_min: float,
    sigma_cap: float,
    tan_gs: float,
    err_max: float,
) -> None:
    """b, row by row in the order ``_Structure`` lays the rows out."""
    n1 = n + 1
    h2 = dt * dt
    pinned = mode == 0
    i = 0
    for j in range(3):
        b[i + j] = r0[j]
    b[i + 3] = 0.0
    i += 4
    for j in range(3):
        b[i + j] = dt * v0[j] + 0.5 * h2 * a[0, j]
    i += 3
    for k in range(n - 1):
        for j in range(3):
            b[i] = 0.5 * h2 * (a[k, j] + a[k + 1, j])
            i += 1
    for j in range(3):
        b[i + j] = dt * vf[j] - 0.5 * h2 * a[n - 1, j]
    i += 3
    for k in range(n):
        b[i + k] = dz0[k]
    i += n
    b[i] = target[2]
    i += 1
    if mode == 0:
        b[i] = target[0]
        b[i + 1] = target[1]
        i += 2
    for _ in range(nv):
        b[i] = target[0] if pinned else 0.0
        b[i + 1] = target[1] if pinned else 0.0
        i += 2
    for k in range(n - nv, n):
        b[i] = 0.5 * dt * a[k, 0]
        b[i + 1] = 0.5 * dt * a[k, 1]
        i += 2
    # inequalities
    for k in range(n1):
        b[i + k] = mu2[k]
        b[i + n1 + k] = 0.0
        b[i + 2 * n1 + k] = w_max[k]
    i += 3 * n1
    b[i] = -w_final_min
    i += 1
    for k in range(n1):
        b[i + k] = 0.0
    i += n1
    if not glide:
        for k in range(n):
            b[i + k] = -target[2]
        i += n
    if cap:
        for k in range(nv + 1):
            b[i + k] = sigma_cap
        i += nv + 1
    # cones
    for k in range(4 * n1):
        b[i + k] = 0.0
    i += 4 * n1
    for k in range(n1):
        b[i] = 1.0 - mu1[k]
        b[i + 1] = -1.0 - mu1[k]
        b[i + 2] = 0.0
        i += 3
    if glide:
        hx = -tan_gs * target[0] if pinned else 0.0
        hy = -tan_gs * target[1] if pinned else 0.0
        for _ in range(n):
            b[i] = -target[2]
            b[i + 1] = hx
            b[i + 2] = hy
            i += 3
    if mode == 1:
        b[i] = 0.0
    elif mode == 2:
        b[i] = err_max
    if mode != 0:
        b[i + 1] = -target[0]
        b[i + 2] = -target[1]
        i += 3
    if i != b.size:
        raise ValueError("right-hand side does not match the structure")


@jit
def _scaled_values(
    map_ptr: np.ndarray,
    map_idx: np.ndarray,
    map_val: np.ndarray,
    coefs: np.ndarray,
    row_of: np.ndarray,
    n_lin: int,
    soc_starts: np.ndarray,
    soc_dims: np.ndarray,
    data: np.ndarray,
    b: np.ndarray,
    scale: np.ndarray,
) -> None:
    """data = coef_map @ coefs; then each linear row, and each cone as a block, scaled to unit
    largest coefficient (rows without one keep scale 1), applied to data and b."""
    for p in range(data.size):
        acc = 0.0
        for q in range(map_ptr[p], map_ptr[p + 1]):
            acc += map_val[q] * coefs[map_idx[q]]
        data[p] = acc
    scale[:] = 0.0
    for p in range(data.size):
        r = row_of[p]
        v = abs(data[p])
        if v > scale[r]:
            scale[r] = v
    for c in range(soc_starts.size):
        o = soc_starts[c]
        top = 0.0
        for i in range(soc_dims[c]):
            top = max(top, scale[o + n_lin + i])
        for i in range(soc_dims[c]):
            scale[o + n_lin + i] = top
    for r in range(scale.size):
        scale[r] = 1.0 / scale[r] if scale[r] > 0.0 else 1.0
        b[r] *= scale[r]
    for p in range(data.size):
        data[p] *= scale[row_of[p]]
