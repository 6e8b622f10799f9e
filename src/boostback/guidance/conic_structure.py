"""The sparsity structure of the fast path's conic problem, and its numbers for one solve.

Clarabel solves ``min q'x  s.t.  b - A x in K``. Variables, in blocks: r (n+1, 3), u (n+1, 3),
s (n+1), w (n+1), and for the error mode one epigraph variable e (velocity is eliminated).

The sparsity pattern of ``A`` (its entries from ``conic_rows``) is built once per shape (node
count, mode, discretisation, vertical-descent length, glide slope on or off) together with the
permutation into CSC order.
Every nonzero of ``A`` is a coefficient times one of a few numbers of the solve (1, dt^2,
alpha dt / 2, 1/dt, dt, cos tilt, tan glide slope, and mu1, mu2, sqrt(2 mu1) per node), so the
structure also keeps that linear map as a sparse matrix: a solve evaluates all nonzeros in one
sparse product instead of assembling them block by block.
"""

from __future__ import annotations

import clarabel
import numpy as np
from scipy import sparse

from boostback.guidance.conic_rows import _Layout, constraint_rows
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


class _Structure:
    """Fixed sparsity pattern, cones and the recipe for the nonzeros of one problem shape."""

    def __init__(self, lay: _Layout) -> None:
        self.lay = lay
        # Each block records (row offsets, cols) in a fixed order; values are produced in the same
        # order by `_raw_values`, so one concatenation lines them up.
        rows = constraint_rows(lay)
        self.n_eq, self.n_ineq, self.m = rows.n_eq, rows.n_ineq, rows.m
        dims = rows.soc_dims
        self._csc_order(rows.rows, rows.cols)
        self.cones = [
            clarabel.ZeroConeT(self.n_eq),
            clarabel.NonnegativeConeT(self.n_ineq),
            *[clarabel.SecondOrderConeT(d) for d in dims],
        ]
        self._objective()
        self.coef_map = self._coefficient_map(lay.n + 1)  # a row per nonzero: scaled as its column
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

    def _csc_order(self, r_idx: np.ndarray, c_idx: np.ndarray) -> None:
        """The CSC pattern of A (``indptr``, ``indices``, the column of each nonzero) and the
        permutation from the structure's entry order into it (``perm``)."""
        order = sparse.csc_matrix(
            (np.arange(1, r_idx.size + 1, dtype=float), (r_idx, c_idx)),
            shape=(self.m, self.lay.n_x),
        )
        order.sort_indices()
        if order.nnz != r_idx.size:
            raise AssertionError("duplicate entries in the conic structure")
        self.perm = order.data.astype(np.int64) - 1
        self.indptr = order.indptr
        self.indices = order.indices
        self.nnz_col = np.repeat(np.arange(self.lay.n_x), np.diff(self.indptr))

    def _objective(self) -> None:
        """The column scale, the objective q in the scaled variables the solvers see, and P = 0."""
        lay = self.lay
        # Nondimensional variables are of order one except log-mass, which moves by tenths.
        self.col_scale = np.ones(lay.n_x)
        self.col_scale[lay.i_w] = 0.1
        q = np.zeros(lay.n_x)
        if lay.mode == "error":
            q[lay.i_e] = 1.0
        else:
            q[lay.i_w[lay.n]] = -1.0
        self.q = q * self.col_scale
        self.P = sparse.csc_matrix((lay.n_x, lay.n_x))

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


@jit(aot=True)
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
    i = _rhs_equalities(b, n, nv, mode == 0, dt, a, r0, v0, vf, target, dz0)
    i = _rhs_inequalities(b, i, n, nv, glide, cap, target, mu2, w_max, w_final_min, sigma_cap)
    i = _rhs_cones(b, i, n, mode, glide, target, mu1, tan_gs, err_max)
    if i != b.size:
        raise ValueError("right-hand side does not match the structure")


@jit(inline="always")
def _rhs_equalities(
    b: np.ndarray,
    n: int,
    nv: int,
    pinned: bool,
    dt: float,
    a: np.ndarray,
    r0: np.ndarray,
    v0: np.ndarray,
    vf: np.ndarray,
    target: np.ndarray,
    dz0: np.ndarray,
) -> int:
    """The equality rows of b, from row 0; returns the next row."""
    h2 = dt * dt
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
    if pinned:
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
    return i


@jit(inline="always")
def _rhs_inequalities(
    b: np.ndarray,
    i: int,
    n: int,
    nv: int,
    glide: bool,
    cap: bool,
    target: np.ndarray,
    mu2: np.ndarray,
    w_max: np.ndarray,
    w_final_min: float,
    sigma_cap: float,
) -> int:
    """The linear inequality rows of b, from row i; returns the next row."""
    n1 = n + 1
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
    return i


@jit(inline="always")
def _rhs_cones(
    b: np.ndarray,
    i: int,
    n: int,
    mode: int,
    glide: bool,
    target: np.ndarray,
    mu1: np.ndarray,
    tan_gs: float,
    err_max: float,
) -> int:
    """The second-order cones' rows of b, from row i; returns the next row."""
    n1 = n + 1
    pinned = mode == 0
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
    return i


@jit(aot=True)
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
