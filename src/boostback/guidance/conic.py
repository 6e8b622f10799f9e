"""The landing problem written straight into Clarabel's conic form: the fast path.

Same problem, same numbers as the CVXPY formulation in ``lcvx.py`` (both take them from
``discretize``), but without CVXPY's canonicalisation on every solve: the sparsity pattern of
``A`` is built once per structure (node count, mode, vertical-descent length, glide slope on or
off) together with the permutation into CSC order, and each solve only evaluates the nonzeros in
one vectorised pass and hands them to Clarabel.

Clarabel solves ``min q'x  s.t.  b - A x in K``. Variables, in blocks: r (n+1, 3), v (n+1, 3),
u (n+1, 3), s (n+1), w (n+1), and for the error mode one epigraph variable e.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, replace

import clarabel
import numpy as np
from scipy import sparse

from boostback.guidance.discretize import Discretized, discretize_nondimensional
from boostback.guidance.plan import LandingPlan, PlanStatus
from boostback.guidance.problem import LandingProblem

_SOLVED = {"Solved", "AlmostSolved"}


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
        self.soc_dims = dims

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
        self.soc_rows = np.repeat(np.arange(len(dims)), dims)
        self.q = np.zeros(lay.n_x)
        if lay.mode == "error":
            self.q[lay.i_e] = 1.0
        else:
            self.q[lay.i_w[n]] = -1.0
        self.P = sparse.csc_matrix((lay.n_x, lay.n_x))

    def values(self, d: Discretized, err_max: float) -> tuple[np.ndarray, np.ndarray]:
        """The nonzeros of A (in structure order, then permuted to CSC) and the vector b."""
        lay = self.lay
        n, n1 = lay.n, lay.n + 1
        dt = d.dt_s
        foh = lay.discretization == "foh"
        h2 = dt * dt
        m3 = 3 * (n - 1)
        vals: list[np.ndarray] = [np.ones(3), np.ones(1)]
        # first interval: r1 - r0 - c0 u0 (- c1 u1) = dt v0 + dt^2/2 a0
        vals += [np.ones(3), -np.ones(3), np.full(3, -(h2 / 3 if foh else h2 / 2))]
        if foh:
            vals.append(np.full(3, -h2 / 6))
        # second differences: r_{k+2} - 2 r_{k+1} + r_k - dt^2 (w0 u_k + w1 u_{k+1} + w2 u_{k+2})
        w0, w1 = (1 / 6, 2 / 3) if foh else (0.5, 0.5)
        vals += [np.ones(m3), np.full(m3, -2.0), np.ones(m3), np.full(m3, -h2 * w0)]
        vals.append(np.full(m3, -h2 * w1))
        if foh:
            vals.append(np.full(m3, -h2 / 6))
        # last interval: r_N - r_{N-1} + b0 u_{N-1} (+ b1 u_N) = dt v_N - dt^2/2 a_{N-1}
        vals += [np.ones(3), -np.ones(3), np.full(3, h2 / 6 if foh else h2 / 2)]
        if foh:
            vals.append(np.full(3, h2 / 3))
        had = d.alpha * dt / 2
        vals += [np.ones(n), -np.ones(n), np.full(n, had if foh else 2 * had)]
        if foh:
            vals.append(np.full(n, had))
        vals.append(np.ones(1))
        if lay.mode == "fuel":
            vals.append(np.ones(2))
        nv = lay.n_vert
        if nv:
            vals += [np.ones(2 * nv)] + ([] if lay.pinned else [-np.ones(2 * nv)])
            # v_k,h = (r_{k+1} - r_k)/dt - g0 u_k (- g1 u_{k+1}) - dt/2 a_k = 0
            vals += [np.full(2 * nv, 1 / dt), np.full(2 * nv, -1 / dt)]
            vals.append(np.full(2 * nv, -(dt / 3 if foh else dt / 2)))
            if foh:
                vals.append(np.full(2 * nv, -dt / 6))
        # inequalities
        vals += [np.ones(n1), d.mu2, -np.ones(n1), np.ones(n1), -np.ones(1)]
        vals += [np.full(n1, d.cos_tilt), -np.ones(n1)]
        if not lay.glide:
            vals.append(-np.ones(n))
        # cones: (s, u) -> b - A x = (s, u) so A = -I
        vals += [-np.ones(n1), -np.ones(3 * n1)]
        mu1 = d.mu1
        vals += [-np.ones(n1), -mu1, -np.ones(n1), -mu1, -np.sqrt(2.0 * mu1)]
        if lay.glide:
            tan = d.tan_gs
            vals += [-np.ones(n), np.full(2 * n, -tan)]
            if not lay.pinned:
                vals.append(np.full(2 * n, tan))
        if lay.mode == "error":
            vals.append(-np.ones(1))
        if lay.mode in ("error", "fuel_bounded"):
            vals.append(-np.ones(2))
        data = np.concatenate(vals)[self.perm]

        a = d.a_ext
        kv = np.arange(n - nv, n)
        b_eq = np.concatenate(
            [
                d.r0,
                [0.0],
                dt * d.v0 + 0.5 * h2 * a[0],
                (0.5 * h2 * (a[:-1] + a[1:])).ravel(),
                dt * d.vf - 0.5 * h2 * a[-1],
                d.dz0,
                [d.target[2]],
                d.target[:2] if lay.mode == "fuel" else [],
                np.tile(d.target[:2], nv) if lay.pinned else np.zeros(2 * nv),
                (0.5 * dt * a[kv, :2]).ravel(),
            ]
        )
        b_in = np.concatenate(
            [
                d.mu2,
                np.zeros(n1),
                d.w_max,
                [-d.w_final_min],
                np.zeros(n1),
                [] if lay.glide else np.full(n, -d.target[2]),
            ]
        )
        lo = np.stack([1.0 - mu1, -1.0 - mu1, np.zeros(n1)], axis=1).ravel()
        b_soc = [np.zeros(4 * n1), lo]
        if lay.glide:
            h = -d.tan_gs * d.target[:2] if lay.pinned else np.zeros(2)
            b_soc.append(np.tile([-d.target[2], h[0], h[1]], n))
        if lay.mode == "error":
            b_soc.append(np.array([0.0, -d.target[0], -d.target[1]]))
        elif lay.mode == "fuel_bounded":
            b_soc.append(np.array([err_max, -d.target[0], -d.target[1]]))
        b = np.concatenate([b_eq, b_in, *b_soc])
        return data, b


def _row_scaled(st: _Structure, data: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale each linear row, and each cone as a block, to unit largest coefficient."""
    row_max = np.zeros(st.m)
    np.maximum.at(row_max, st.indices, np.abs(data))
    n_lin = st.n_eq + st.n_ineq
    soc_max = np.zeros(len(st.soc_dims))
    np.maximum.at(soc_max, st.soc_rows, row_max[n_lin:])
    row_max[n_lin:] = soc_max[st.soc_rows]
    scale = 1.0 / np.where(row_max > 0.0, row_max, 1.0)
    return data * scale[st.indices], b * scale


def _velocities(r: np.ndarray, u: np.ndarray, d: Discretized, discretization: str) -> np.ndarray:
    """Node velocities from positions and controls (the relation the solve eliminated)."""
    dt, a = d.dt_s, d.a_ext
    v = np.empty_like(r)
    if discretization == "foh":
        v[:-1] = (r[1:] - r[:-1]) / dt - dt / 3 * u[:-1] - dt / 6 * u[1:] - dt / 2 * a
    else:
        v[:-1] = (r[1:] - r[:-1]) / dt - dt / 2 * u[:-1] - dt / 2 * a
    v[-1] = d.vf
    return v


@functools.lru_cache(maxsize=256)
def _shared_structure(
    nodes: int, mode: str, discretization: str, n_vert: int, glide: bool
) -> _Structure:
    """Structures are read-only once built, so every solver in a process can share them
    (a campaign flies many landings with the same few shapes)."""
    return _Structure(_Layout(nodes, mode, discretization, n_vert, glide))


class ConicSolver:
    """Drop-in replacement for ``LcvxSolver`` that calls Clarabel directly."""

    def __init__(
        self, nodes: int = 50, discretization: str = "foh", tol: float | None = None
    ) -> None:
        if nodes < 5:
            raise ValueError("need at least 5 nodes")
        if discretization not in ("foh", "zoh"):
            raise ValueError(f"discretization must be 'foh' or 'zoh', got {discretization!r}")
        self.nodes = nodes
        self.discretization = discretization
        self._structures: dict[tuple[str, int, bool], _Structure] = {}
        self._solvers: dict[tuple[str, int, bool], clarabel.DefaultSolver] = {}
        self.settings = clarabel.DefaultSettings()
        self.settings.verbose = False
        self.settings.presolve_enable = False  # keeps the structure fixed, so data can be updated
        if tol is not None:
            self.settings.tol_gap_abs = self.settings.tol_gap_rel = self.settings.tol_feas = tol
        else:
            # The problem arrives scaled (nondimensional, rows normalised), so equilibration adds
            # nothing, and at the default tolerances iterative refinement changes the propellant
            # by under 1e-9 relative while costing a third of the time.
            self.settings.equilibrate_enable = False
            self.settings.iterative_refinement_enable = False

    def _structure(self, mode: str, n_vert: int, glide: bool) -> _Structure:
        key = (mode, n_vert, glide)
        st = self._structures.get(key)
        if st is None:
            st = _shared_structure(self.nodes, mode, self.discretization, n_vert, glide)
            self._structures[key] = st
        return st

    def solve(
        self,
        prob: LandingProblem,
        tf_s: float,
        mode: str = "fuel",
        *,
        error_bound_m: float = 0.0,
        disturbance_enu_mps2: np.ndarray | None = None,
    ) -> LandingPlan:
        """Solve at time of flight ``tf_s``; the disturbance is (N, 3), one row per interval."""
        if mode not in ("fuel", "error", "fuel_bounded"):
            raise ValueError("mode must be 'fuel', 'error' or 'fuel_bounded'")
        start = time.perf_counter()
        nd, sc, d = discretize_nondimensional(prob, tf_s, self.nodes, disturbance_enu_mps2)
        n_vert = int(d.vert[:-1].sum())
        st = self._structure(mode, n_vert, d.tan_gs > 0.0)
        data, b = st.values(d, max(error_bound_m, 0.0) / sc.length_m)
        col_scale = st.col_scale
        data, b = _row_scaled(st, data * col_scale[st.nnz_col], b)
        key = (mode, n_vert, d.tan_gs > 0.0)
        try:
            solver = self._solvers.get(key)
            if solver is None:  # first solve of this structure: factorisation set up once
                A = sparse.csc_matrix((data, st.indices, st.indptr), shape=(st.m, st.lay.n_x))
                solver = clarabel.DefaultSolver(
                    st.P, st.q * col_scale, A, b, st.cones, self.settings
                )
                self._solvers[key] = solver
            else:
                solver.update(A=data, b=b)
            sol = solver.solve()
        except Exception as exc:
            return LandingPlan.failed(
                PlanStatus.SOLVER_ERROR, str(exc), 1, time.perf_counter() - start
            )
        elapsed = time.perf_counter() - start
        status = str(sol.status)
        if status not in _SOLVED:
            return LandingPlan.failed(PlanStatus.INFEASIBLE, f"solver status {status}", 1, elapsed)
        x = np.asarray(sol.x) * col_scale
        lay = st.lay
        r = x[lay.i_r]
        err = float(np.linalg.norm(r[-1, :2] - nd.target_enu_m[:2]))
        plan = LandingPlan(
            status=PlanStatus.OPTIMAL if mode == "fuel" else PlanStatus.MIN_ERROR,
            tf_s=tf_s,
            t_s=d.t_s,
            r_enu_m=r,
            v_enu_mps=_velocities(r, x[lay.i_u], d, lay.discretization),
            mass_kg=np.exp(x[lay.i_w] + d.z0),
            accel_enu_mps2=x[lay.i_u],
            sigma_mps2=x[lay.i_s],
            landing_error_m=err,
            solves=1,
            solve_time_s=elapsed,
        )
        return replace(plan.dimensional(sc), tf_s=tf_s)
