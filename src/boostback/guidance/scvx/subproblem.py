"""Each convex subproblem of SCvx / PTR written directly as conic data for Clarabel.

Clarabel solves ``min 1/2 z'Pz + q'z  s.t.  A z + s = b,  s in K``. The sparsity pattern of
``A`` (and of ``P`` for PTR) depends only on the problem's shape (node count, which boundary
components are fixed, the method), so it is built once per shape (``_pattern``, cached) with,
for every nonzero, either a constant or the index of the per-iteration number it takes; each
iteration then fills one value vector (the discretisation's matrices, the thrust-floor
normals) and scatters it into the CSC data in one indexed copy. No modelling layer runs per
iteration.

Decision vector ``z`` (``Layout``): the states ``X`` (K x 14, node-major), the body thrust ``U``
(K x 3), the time of flight ``sigma``, the virtual control split into nonnegative parts
``nu+`` and ``nu-`` ((K-1) x 14 each, ``nu = nu+ - nu-``, so the exact penalty
``lambda |nu|_1`` is linear), the thrust floor's virtual buffers ``s`` (K), and for PTR a bound
``t`` on ``|sigma - sigma_ref|``.

Rows (cone order): zero cone (the linearised dynamics, the boundary conditions, the last
node's lateral thrust), nonnegative cone (mass floor, linearised thrust floor, ``s >= 0``,
``nu+- >= 0``, the time-of-flight bounds, and for PTR the two rows of ``t``), then one group of
second-order cones per node: glide slope (3), tilt (3), body rate (4), gimbal (3), thrust
ceiling (4) and for SCvx the trust region (19: ``|(x - x_ref, u - u_ref, sigma - sigma_ref)|_2
<= eta``).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from functools import cached_property

import clarabel
import numpy as np
from scipy import sparse

from boostback.guidance.scvx.discretize import Discretization, transition_pattern
from boostback.guidance.scvx.dynamics import NU, NX
from boostback.guidance.scvx.problem import SixDofProblem

__all__ = ["ConicSubproblem", "Layout", "SubproblemSolution"]

TRUST_DIM = 1 + NX + NU + 1
_NODE_SOCS = (3, 3, 4, 3, 4)  # glide slope, tilt, rate, gimbal, thrust ceiling


@dataclass(frozen=True)
class Layout:
    """Offsets of each variable block in the decision vector (each computed once: the
    solution's unpacking reads them every iteration)."""

    nodes: int
    method: str
    norm: str = "l1"

    @cached_property
    def n_int(self) -> int:
        return self.nodes - 1

    @cached_property
    def x0(self) -> int:
        return 0

    @cached_property
    def u0(self) -> int:
        return self.nodes * NX

    @cached_property
    def sigma(self) -> int:
        return self.u0 + self.nodes * NU

    @cached_property
    def nu_plus(self) -> int:
        return self.sigma + self.nodes

    @cached_property
    def nu_minus(self) -> int:
        return self.nu_plus + self.n_int * NX

    @cached_property
    def buffer(self) -> int:
        return self.nu_minus + self.n_int * NX

    @cached_property
    def t_sigma(self) -> int:
        return self.buffer + self.nodes

    @cached_property
    def nu_bound(self) -> int:
        return self.t_sigma + (1 if self.method == "ptr" else 0)

    @cached_property
    def size(self) -> int:
        return self.nu_bound + (1 if self.norm == "inf" else 0)

    def x(self, k: int, i: int) -> int:
        return k * NX + i

    def u(self, k: int, j: int) -> int:
        return self.u0 + k * NU + j


@dataclass(frozen=True)
class _Pattern:
    """The shape's sparsity, and where each nonzero's value comes from."""

    lay: Layout
    m: int
    indptr: np.ndarray
    indices: np.ndarray
    const: np.ndarray  # data of the constant nonzeros (0 where a per-iteration value goes)
    var_pos: np.ndarray  # positions in the CSC data filled per iteration ...
    var_src: np.ndarray  # ... from these entries of the value vector
    const_src: np.ndarray  # per nonzero: index into the shape's constant table, or -1
    cones: tuple[tuple[str, int], ...]
    rows: dict[str, int]  # first row of each block


class _Rows:
    """Accumulates (row, column, source) triplets; source >= 0 is an index into the
    per-iteration value vector, source < 0 names a constant ``-1 - source``."""

    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.s: list[np.ndarray] = []
        self.n = 0
        self.cones: list[tuple[str, int]] = []
        self.first: dict[str, int] = {}

    def add(self, rows: np.ndarray, cols: np.ndarray, src: np.ndarray | int) -> None:
        rows, cols = np.broadcast_arrays(np.asarray(rows), np.asarray(cols))
        self.r.append(rows.ravel().astype(np.int64))
        self.c.append(cols.ravel().astype(np.int64))
        self.s.append(np.broadcast_to(np.asarray(src, dtype=np.int64), rows.shape).ravel())

    def block(self, name: str, count: int, cone: str) -> int:
        start = self.n
        self.first[name] = start
        self.n += count
        if cone != "soc":
            if self.cones and self.cones[-1][0] == cone:
                self.cones[-1] = (cone, self.cones[-1][1] + count)
            else:
                self.cones.append((cone, count))
        return start


_PHI_MASK = transition_pattern()  # the structural nonzeros of each interval's A (101 of 196)

# Constants referenced by the pattern (values filled per problem in ``ConicSubproblem``).
C_ONE, C_MINUS_ONE, C_COT_GLIDE, C_TAN_GIMBAL, C_BUFFER = -1, -2, -3, -4, -5
C_TRUST = -6  # C_TRUST - i: minus the inverse unit of component i of (x, u, sigma)


def _dynamics_rows(t: _Rows, lay: Layout) -> None:
    k_int, nx, nu = lay.n_int, NX, NU
    r0 = t.block("dyn", k_int * nx, "zero")
    k = np.arange(k_int)[:, None, None]
    i = np.arange(nx)[None, :, None]
    rows = r0 + k * nx + i
    t.add(rows, k * nx + nx + i, C_ONE)  # x_{k+1}
    n_a = k_int * nx * nx
    mi, mj = np.nonzero(_PHI_MASK)  # -A_k x_k, its structural nonzeros only
    i_a, j_a = mi[None, :], mj[None, :]
    k_a = k[:, :, 0]
    t.add(r0 + k_a * nx + i_a, k_a * nx + j_a, (k_a * nx + i_a) * nx + j_a)
    ju = np.arange(nu)[None, None, :]
    n_b = k_int * nx * nu
    t.add(rows, lay.u0 + k * nu + ju, n_a + (k * nx + i) * nu + ju)  # -Bm u_k
    t.add(rows, lay.u0 + (k + 1) * nu + ju, n_a + n_b + (k * nx + i) * nu + ju)  # -Bp u_k+1
    t.add(rows, np.broadcast_to(lay.sigma + k, rows.shape), n_a + 2 * n_b + k * nx + i)  # -S sigma
    t.add(rows, lay.nu_plus + k * nx + i, C_MINUS_ONE)
    t.add(rows, lay.nu_minus + k * nx + i, C_ONE)
    # one copy of sigma per node, all equal: keeps the KKT system banded (a single sigma column
    # in every dynamics row is dense enough to escape AMD's dense-row detection and fill in)
    r = t.block("sigma", k_int, "zero")
    kk = np.arange(k_int)
    t.add(r + kk, lay.sigma + kk + 1, C_ONE)
    t.add(r + kk, lay.sigma + kk, C_MINUS_ONE)


def _boundary_rows(t: _Rows, lay: Layout, fixed0: np.ndarray, fixedf: np.ndarray, ax: bool) -> None:
    r = t.block("init", fixed0.size, "zero")
    t.add(r + np.arange(fixed0.size), fixed0, C_ONE)
    r = t.block("final", fixedf.size, "zero")
    t.add(r + np.arange(fixedf.size), lay.x(lay.nodes - 1, 0) + fixedf, C_ONE)
    if ax:
        r = t.block("axial", 2, "zero")
        t.add(r + np.arange(2), lay.u(lay.nodes - 1, 1) + np.arange(2), C_ONE)


def _nonneg_rows(t: _Rows, lay: Layout, n_values_before: int) -> None:
    kk = np.arange(lay.nodes)
    r = t.block("mass", lay.nodes, "nonneg")
    t.add(r + kk, kk * NX, C_MINUS_ONE)
    r = t.block("floor", lay.nodes, "nonneg")
    j = np.arange(NU)[None, :]
    t.add((r + kk)[:, None], lay.u0 + kk[:, None] * NU + j, n_values_before + kk[:, None] * NU + j)
    t.add(r + kk, lay.buffer + kk, C_BUFFER)
    r = t.block("buffer", lay.nodes, "nonneg")
    t.add(r + kk, lay.buffer + kk, C_MINUS_ONE)
    n_nu = 2 * lay.n_int * NX
    r = t.block("nu", n_nu, "nonneg")
    t.add(r + np.arange(n_nu), lay.nu_plus + np.arange(n_nu), C_MINUS_ONE)
    if lay.norm == "inf":  # each state component's total |nu| over the intervals <= t
        r = t.block("nu_inf", NX, "nonneg")
        e = np.arange(lay.n_int * NX)
        t.add(r + e % NX, lay.nu_plus + e, C_ONE)
        t.add(r + e % NX, lay.nu_minus + e, C_ONE)
        t.add(r + np.arange(NX), np.full(NX, lay.nu_bound), C_MINUS_ONE)
    r = t.block("tf", 2, "nonneg")
    t.add(np.array([r, r + 1]), np.array([lay.sigma, lay.sigma]), np.array([C_MINUS_ONE, C_ONE]))
    if lay.method == "ptr":
        r = t.block("t_sigma", 2, "nonneg")
        t.add(
            np.array([r, r, r + 1, r + 1]),
            np.array([lay.t_sigma, lay.sigma] * 2),
            np.array([C_MINUS_ONE, C_ONE, C_MINUS_ONE, C_MINUS_ONE]),
        )


def _soc_rows(t: _Rows, lay: Layout) -> None:
    per_node = sum(_NODE_SOCS) + (TRUST_DIM if lay.method == "scvx" else 0)
    r0 = t.block("soc", lay.nodes * per_node, "soc")
    for k in range(lay.nodes):
        r = r0 + k * per_node
        x, u = lay.x(k, 0), lay.u(k, 0)
        # glide slope: (cot r_x, r_y, r_z)
        t.add(
            np.array([r, r + 1, r + 2]),
            np.array([x + 1, x + 2, x + 3]),
            np.array([C_COT_GLIDE, C_MINUS_ONE, C_MINUS_ONE]),
        )
        # tilt: (c, q_2, q_3)
        t.add(np.array([r + 4, r + 5]), np.array([x + 9, x + 10]), C_MINUS_ONE)
        # rate: (w_max, w)
        t.add(r + 7 + np.arange(3), x + 11 + np.arange(3), C_MINUS_ONE)
        # gimbal: (tan T_x, T_y, T_z)
        t.add(
            r + 10 + np.arange(3),
            u + np.arange(3),
            np.array([C_TAN_GIMBAL, C_MINUS_ONE, C_MINUS_ONE]),
        )
        # thrust ceiling: (T_max, T)
        t.add(r + 14 + np.arange(3), u + np.arange(3), C_MINUS_ONE)
        if lay.method == "scvx":
            tr = r + 17
            t.add(tr + 1 + np.arange(NX), x + np.arange(NX), C_TRUST - np.arange(NX))
            t.add(tr + 1 + NX + np.arange(NU), u + np.arange(NU), C_TRUST - NX - np.arange(NU))
            t.add(np.array([tr + 1 + NX + NU]), np.array([lay.sigma + k]), C_TRUST - NX - NU)
        for dim in _NODE_SOCS + ((TRUST_DIM,) if lay.method == "scvx" else ()):
            t.cones.append(("soc", dim))


@functools.lru_cache(maxsize=16)
def _pattern(
    nodes: int,
    method: str,
    norm: str,
    fixed0: tuple[int, ...],
    fixedf: tuple[int, ...],
    axial: bool,
) -> _Pattern:
    lay = Layout(nodes, method, norm)
    t = _Rows()
    _dynamics_rows(t, lay)
    _boundary_rows(
        t, lay, np.array(fixed0, dtype=np.int64), np.array(fixedf, dtype=np.int64), axial
    )
    n_dyn_values = lay.n_int * (NX * NX + 2 * NX * NU + NX)
    _nonneg_rows(t, lay, n_dyn_values)
    _soc_rows(t, lay)
    rows, cols, src = np.concatenate(t.r), np.concatenate(t.c), np.concatenate(t.s)
    order = np.lexsort((rows, cols))
    rows, cols, src = rows[order], cols[order], src[order]
    indptr = np.zeros(lay.size + 1, dtype=np.int64)
    np.add.at(indptr, cols + 1, 1)
    indptr = np.cumsum(indptr)
    var_pos = np.flatnonzero(src >= 0)
    const_src = np.where(src < 0, -1 - src, -1)
    return _Pattern(
        lay=lay,
        m=t.n,
        indptr=indptr,
        indices=rows,
        const=np.zeros(rows.size),
        var_pos=var_pos,
        var_src=src[var_pos],
        const_src=const_src,
        cones=tuple(t.cones),
        rows=dict(t.first),
    )


@dataclass(frozen=True)
class SubproblemSolution:
    """One subproblem's answer: Clarabel's status string and, when solved, the variables."""

    status: str
    iterations: int
    solve_s: float
    xs: np.ndarray | None = None
    us: np.ndarray | None = None
    sigma: float = float("nan")
    nu: np.ndarray | None = None
    buffer: np.ndarray | None = None
    cost: float = float("nan")  # the subproblem's objective, constant terms included


# Statuses taken as they are: an answer, or a certificate of infeasibility.
_FINAL = ("Solved", "PrimalInfeasible", "DualInfeasible")


def _cones(pattern: _Pattern) -> list[object]:
    make = {
        "zero": clarabel.ZeroConeT,
        "nonneg": clarabel.NonnegativeConeT,
        "soc": clarabel.SecondOrderConeT,
    }
    return [make[kind](dim) for kind, dim in pattern.cones]


def default_settings(refine: bool = False) -> clarabel.DefaultSettings:
    """Clarabel's settings for the subproblems: quiet, presolve off (it would change the
    structure, and then the data could not be updated in place), one thread, its default
    tolerances, and iterative refinement of each KKT solve off unless ``refine``.

    Refinement takes a third of the solve time here (up to ten extra triangular solves and
    products with the KKT matrix per solve) and buys accuracy the SCP loop does not use: without
    it the published problem takes the same 15 PTR iterations to the same t_f (to 2e-6) and
    fuel. On the rare subproblem where the unrefined solve stalls (Clarabel's
    InsufficientProgress, seen on SCvx's trust-region subproblems), ``ConicSubproblem.solve``
    solves it again refined.
    """
    s = clarabel.DefaultSettings()
    s.verbose = False
    s.presolve_enable = False
    s.max_threads = 1
    s.iterative_refinement_enable = refine
    return s


class ConicSubproblem:
    """The convex subproblem of one problem, refreshed and solved once per iteration.

    Parameters
    ----------
    prob : SixDofProblem
        The problem, already in the units it is solved in.
    nodes : int
        K, the number of temporal nodes.
    method : str
        "scvx" (hard trust region, a second-order cone per node) or "ptr" (trust region as a
        quadratic penalty in the cost).
    penalty : float
        Weight ``lambda`` of the exact penalty on the virtual control and the thrust floor's
        virtual buffers.
    settings : clarabel.DefaultSettings, optional
    norm : str
        Norm of the virtual-control penalty: "l1" (``lambda |nu|_1``, SCvx's exact penalty) or
        "inf" (``lambda |nu|_inf`` with ``nu`` the 14 x (K-1) matrix of EmbersArc's PTR, CVXPY's
        ``norm(nu, 'inf')``: the largest row sum, i.e. over the state components, the largest
        total over the intervals).
    floor_buffer : bool
        Give the linearised thrust floor a penalised virtual buffer (SCvx), or keep it hard
        (EmbersArc's PTR).
    regularization : float
        SCvx only: weight of a quadratic penalty ``|D (x - x_ref, u - u_ref)|^2`` on the step.
        Zero leaves a pure SCvx subproblem.
    units : (18,) array, optional
        SCvx only: the unit of each component of ``(x, u, sigma)`` in the trust region and the
        step penalty, ``D = diag(1 / units)`` (``trust_units``; default all ones).
    """

    def __init__(
        self,
        prob: SixDofProblem,
        nodes: int,
        method: str,
        penalty: float,
        settings: clarabel.DefaultSettings | None = None,
        norm: str = "l1",
        floor_buffer: bool = True,
        regularization: float = 0.0,
        units: np.ndarray | None = None,
    ) -> None:
        if method not in ("scvx", "ptr"):
            raise ValueError(f"method must be 'scvx' or 'ptr', got {method!r}")
        if norm not in ("l1", "inf"):
            raise ValueError(f"norm must be 'l1' or 'inf', got {norm!r}")
        fixed0 = tuple(int(i) for i in np.flatnonzero(~prob.init_free))
        fixedf = tuple(int(i) for i in np.flatnonzero(~prob.final_free))
        self.prob = prob
        self.pattern = pat = _pattern(nodes, method, norm, fixed0, fixedf, prob.final_thrust_axial)
        self.lay = lay = pat.lay
        self.settings = settings or default_settings()
        self.robust_settings = default_settings(refine=True)
        self.retries = 0  # unrefined solves that had to be repeated refined
        # A hard floor (``floor_buffer`` False) keeps the buffer's column but not its entry in
        # the floor rows: the same pattern, and the unpenalised buffer stays at zero.
        self.units = np.ones(TRUST_DIM - 1) if units is None else np.asarray(units, dtype=float)
        table = np.concatenate(
            (
                [1.0, -1.0, -prob.cot_glide, -prob.tan_gimbal, -1.0 if floor_buffer else 0.0],
                -1.0 / self.units,
            )
        )
        data = np.zeros(pat.indices.size)
        has_const = pat.const_src >= 0
        data[has_const] = table[pat.const_src[has_const]]
        self._data0 = data
        self._b0 = self._constant_b(np.array(fixed0, dtype=np.int64), np.array(fixedf))
        q = np.zeros(lay.size)
        if prob.cost == "time":
            q[lay.sigma] = 1.0
        else:
            q[lay.x(nodes - 1, 0)] = -1.0
        if norm == "l1":
            q[lay.nu_plus : lay.buffer] = penalty
        else:
            q[lay.nu_bound] = penalty
        q[lay.buffer : lay.buffer + nodes] = penalty
        self._q0 = q
        self._cones = _cones(pat)
        # PTR's trust penalty, or SCvx's optional step regularisation: a diagonal P on (x, u).
        self.regularization = regularization
        n_xu = lay.nodes * (NX + NU)
        self._p_indices = np.arange(n_xu)
        self._p_indptr = np.concatenate((np.arange(n_xu + 1), np.full(lay.size - n_xu, n_xu)))
        self._p_empty = sparse.csc_matrix((lay.size, lay.size))
        self.quadratic = method == "ptr" or regularization > 0.0
        self._solver: clarabel.DefaultSolver | None = None
        # the last assembled data: A's nonzeros and P's diagonal (None when P is empty), b, q;
        # as scipy matrices (``last_a``, ``last_p``) only when asked for (Clarabel's path):
        # building two per iteration took a third of the assembly's time
        self.a_data: np.ndarray | None = None
        self.p_data: np.ndarray | None = None
        self.last_b: np.ndarray | None = None
        self.last_q: np.ndarray | None = None
        self._matrices: tuple[sparse.csc_matrix, sparse.csc_matrix] | None = None
        self.cost_offset = 0.0

    @property
    def last_a(self) -> sparse.csc_matrix | None:
        """The last assembled A (None before the first assembly)."""
        return None if self.a_data is None else self._as_matrices()[0]

    @property
    def last_p(self) -> sparse.csc_matrix | None:
        """The last assembled P (None before the first assembly)."""
        return None if self.a_data is None else self._as_matrices()[1]

    def _as_matrices(self) -> tuple[sparse.csc_matrix, sparse.csc_matrix]:
        if self._matrices is None:
            pat, lay = self.pattern, self.lay
            a = sparse.csc_matrix((self.a_data, pat.indices, pat.indptr), shape=(pat.m, lay.size))
            p = self._p_empty
            if self.p_data is not None:
                shape = (lay.size, lay.size)
                p = sparse.csc_matrix((self.p_data, self._p_indices, self._p_indptr), shape=shape)
            self._matrices = (a, p)
        return self._matrices

    def _constant_b(self, fixed0: np.ndarray, fixedf: np.ndarray) -> np.ndarray:
        prob, pat, lay = self.prob, self.pattern, self.lay
        b = np.zeros(pat.m)
        rows = pat.rows
        b[rows["init"] : rows["init"] + fixed0.size] = prob.x_init[fixed0]
        b[rows["final"] : rows["final"] + fixedf.size] = prob.x_final[fixedf]
        b[rows["mass"] : rows["mass"] + lay.nodes] = -prob.m_dry
        b[rows["floor"] : rows["floor"] + lay.nodes] = -prob.thrust_min
        b[rows["tf"]] = -prob.tf_min
        b[rows["tf"] + 1] = prob.tf_max
        per_node = 36 if lay.method == "scvx" else 17
        base = rows["soc"] + per_node * np.arange(lay.nodes)
        b[base + 3] = prob.tilt_bound
        b[base + 6] = prob.rate_max_rad
        b[base + 13] = prob.thrust_max
        return b

    def assemble(
        self,
        xs: np.ndarray,
        us: np.ndarray,
        sigma: float,
        disc: Discretization,
        trust: float,
        trust_sigma: float = 0.0,
    ) -> None:
        """The conic data (A, b, q, P) of the subproblem about the reference (xs, us, sigma):
        ``a_data``, ``last_b``, ``last_q``, ``p_data`` (``last_a``, ``last_p`` as matrices).

        ``trust`` is the trust-region radius (SCvx) or the weight of the quadratic trust
        penalty (PTR); ``trust_sigma`` PTR's weight on ``|sigma - sigma_ref|``.
        """
        pat, lay = self.pattern, self.lay
        norm_u = np.linalg.norm(us, axis=1)
        normals = np.where(
            norm_u[:, None] > 0.0,
            us / np.where(norm_u > 0, norm_u, 1.0)[:, None],
            np.array([1.0, 0.0, 0.0]),
        )
        values = np.concatenate(
            (
                disc.a.ravel(),
                disc.b_minus.ravel(),
                disc.b_plus.ravel(),
                disc.s.ravel(),
                normals.ravel(),
            )
        )
        data = self._data0.copy()
        data[pat.var_pos] = -values[pat.var_src]
        b = self._b0.copy()
        r = pat.rows["dyn"]
        b[r : r + lay.n_int * NX] = disc.z.ravel()
        q = self._q0.copy()
        n_xu = lay.nodes * (NX + NU)
        ref = np.concatenate((xs.ravel(), us.ravel()))
        if lay.method == "scvx":
            base = pat.rows["soc"] + 36 * np.arange(lay.nodes) + 17
            inv = 1.0 / self.units
            b[base] = trust
            b[base[:, None] + 1 + np.arange(NX)] = -xs * inv[:NX]
            b[base[:, None] + 1 + NX + np.arange(NU)] = -us * inv[NX : NX + NU]
            b[base + 1 + NX + NU] = -sigma * inv[-1]
            weight = self.regularization * np.tile(inv[: NX + NU] ** 2, lay.nodes)
        else:
            r = pat.rows["t_sigma"]
            b[r], b[r + 1] = sigma, -sigma
            q[lay.t_sigma] = trust_sigma
            weight = trust
        # sum w (z - ref)^2 = 1/2 z'(2 diag(w))z - 2 (w ref)'z + w'ref^2, w per component
        p = None
        self.cost_offset = 0.0
        if np.any(weight > 0.0):
            q[:n_xu] -= 2.0 * weight * ref
            p = np.broadcast_to(2.0 * weight, (n_xu,)).copy()
            self.cost_offset = float(np.sum(weight * ref * ref))
        self.a_data, self.last_b, self.last_q, self.p_data = data, b, q, p
        self._matrices = None

    def solve(self, fresh: bool = False) -> SubproblemSolution:
        """Solve the last assembled data. The first call (or ``fresh``) sets Clarabel up; later
        calls update its data in place (same pattern)."""
        assert self.a_data is not None and self.last_b is not None and self.last_q is not None
        t0 = time.perf_counter()
        if self._solver is None or fresh:
            self._solver = clarabel.DefaultSolver(
                self.last_p,
                self.last_q,
                self.last_a,
                self.last_b,
                self._cones,
                self.settings,
            )
        else:
            upd = {"q": self.last_q, "A": self.a_data, "b": self.last_b}
            if self.quadratic:
                upd["P"] = self.last_p.data  # type: ignore[union-attr]
            self._solver.update(**upd)
        sol = self._solver.solve()
        iterations = int(sol.iterations)
        if str(sol.status) not in _FINAL and self.settings.iterative_refinement_enable is False:
            self.retries += 1
            self._solver.update(settings=self.robust_settings)
            sol = self._solver.solve()
            iterations += int(sol.iterations)
            self._solver.update(settings=self.settings)
        dt = time.perf_counter() - t0
        status = str(sol.status)
        if status not in ("Solved", "AlmostSolved"):
            return SubproblemSolution(status, iterations, dt)
        return self.solution(status, iterations, dt, np.asarray(sol.x), float(sol.obj_val))

    def solution(
        self, status: str, iterations: int, dt: float, z: np.ndarray, objective: float
    ) -> SubproblemSolution:
        """A solved subproblem's answer from its decision vector ``z`` and objective value."""
        lay = self.lay
        xs = z[: lay.u0].reshape(lay.nodes, NX)
        us = z[lay.u0 : lay.sigma].reshape(lay.nodes, NU)
        nu = (z[lay.nu_plus : lay.nu_minus] - z[lay.nu_minus : lay.buffer]).reshape(lay.n_int, NX)
        return SubproblemSolution(
            status,
            iterations,
            dt,
            xs.copy(),
            us.copy(),
            float(z[lay.sigma]),
            nu,
            z[lay.buffer : lay.buffer + lay.nodes].copy(),
            objective + self.cost_offset,
        )
