"""The landing problem written straight into conic form and solved without CVXPY: the fast path.

Same problem, same numbers as the CVXPY formulation in ``lcvx.py`` (both take them from
``discretize``), but without CVXPY's canonicalisation on every solve: the sparsity pattern is
built once per shape (``conic_structure``), and each solve evaluates the nonzeros in one sparse
product. The default solver is the interior-point method of ``ipm.py``, whose factorisation
pattern is also analysed once per shape; when it neither solves nor proves infeasibility, the
solve goes to a Clarabel solver kept for that shape (``update``, not a new setup), which can
also be chosen outright (``ConicSolver(solver="clarabel")``).

Glide slope first relaxed: the glide-slope cones are a sixth of the problem's rows and rarely
bind (a booster comes down steeply). A solve with them left out (the floor ``r_z >= target_z``
kept) is a relaxation, so if its optimum satisfies the glide slope it is optimal for the whole
problem, and if the relaxation is infeasible so is the whole problem. Otherwise the whole problem
is solved, and the next few solves of that mode go to it directly.
"""

from __future__ import annotations

import functools
import math
import time
from typing import NamedTuple

import clarabel
import numpy as np
from scipy import sparse

from boostback.guidance.conic_rows import _Layout, velocity_rows
from boostback.guidance.conic_structure import _Structure
from boostback.guidance.conic_velocity import _velocities, velocity_residual
from boostback.guidance.conic_vertical import vertical_infeasibility
from boostback.guidance.discretize import Discretized, discretize_nondimensional
from boostback.guidance.frozen import build
from boostback.guidance.ipm import PRIMAL_INFEASIBLE, SOLVED, KktShape
from boostback.guidance.plan import LandingPlan, PlanStatus
from boostback.guidance.problem import LandingProblem, Scales
from boostback.jit import jit

_SOLVED = {"Solved", "AlmostSolved"}
# A certificate at full tolerance (the interior-point method's, reported as "PrimalInfeasible", or
# Clarabel's): the relaxed problem's settles the whole problem without solving it.
_INFEASIBLE = {"PrimalInfeasible"}
# The stops a plan may report as INFEASIBLE: those, and Clarabel's "AlmostPrimalInfeasible", a
# Farkas certificate to its reduced tolerance (5e-5 where the full one is 1e-8): the problem is
# infeasible or within that margin of it in these scaled units, the same margin at which
# "AlmostSolved" is accepted as a plan. Every other stop without a solution (NumericalError,
# MaxIterations, InsufficientProgress, DualInfeasible on this bounded problem, ...) proves
# nothing about the landing and is a SOLVER_ERROR.
_CERTIFIED_INFEASIBLE = _INFEASIBLE | {"AlmostPrimalInfeasible"}
# A relaxed optimum is accepted when no node is below the glide slope by more than this
# (nondimensional length, i.e. a fraction of the distance to go: ~0.2 mm over 2 km).
GLIDE_TOL = 1e-7
# After the glide slope binds, this many solves of the same mode skip the relaxation.
GLIDE_SKIP = 8
SOLVED_STATUS = "Solved"
# An answer whose eliminated velocity dynamics are off by more than this (nondimensional
# velocity: a fraction of sqrt(g L), ~0.14 mm/s for L = 2 km) is refined (``ConicSolver._refined``).
# The solve's own tolerance (1e-8) would be the strict choice, but its rows are second
# differences of position, so its answers reach 1e-8 / dt: over the 3,300 instances of
# tests/test_solver_comparison.py a threshold of 1e-8 refines 190 answers, 1e-6 refines 13, and
# the answers between are within 2.3e-7 of the reference's objective (the issue asks 1e-6); the
# five that were not all lie above 3.7e-6. At 1e-8 the benchmark's landing solve (9.2e-8)
# took 5.8 times as long and 3.6 % of the closed loop's solves were refined; at 1e-6, none of
# the Falcon 9 dispersion campaign's (largest 8.1e-7).
VELOCITY_TOL = 1e-6


class _Run(NamedTuple):
    """One solve: status, and when solved x (unscaled and scaled), dual z, row scale."""

    status: str
    st: _Structure
    x: np.ndarray | None = None
    x_scaled: np.ndarray | None = None
    z: np.ndarray | None = None
    scale: np.ndarray | None = None


# Certificate margin (nondimensional): only a clear shortfall is called infeasible.
STOP_MARGIN = 1e-6


def _glide_violation(r: np.ndarray, d: Discretized, pinned: bool) -> float:
    """Largest shortfall below the glide slope over the nodes before touchdown."""
    apex = d.target[:2] if pinned else r[-1, :2]
    return _glide_shortfall(r, float(apex[0]), float(apex[1]), float(d.target[2]), d.tan_gs)


@jit(aot=True)
def _glide_shortfall(r: np.ndarray, ax: float, ay: float, target_z: float, tan_gs: float) -> float:
    worst = -np.inf
    for k in range(r.shape[0] - 1):
        dx = r[k, 0] - ax
        dy = r[k, 1] - ay
        h = np.sqrt(dx * dx + dy * dy)
        worst = max(worst, tan_gs * h - (r[k, 2] - target_z))
    return worst


@functools.lru_cache(maxsize=256)
def _shared_structure(
    nodes: int, mode: str, discretization: str, n_vert: int, glide: bool, cap: bool = False
) -> _Structure:
    """Structures are read-only once built, so every solver in a process can share them
    (a campaign flies many landings with the same few shapes)."""
    return _Structure(_Layout(nodes, mode, discretization, n_vert, glide, cap))


@functools.lru_cache(maxsize=256)
def _shared_kkt(
    nodes: int, mode: str, discretization: str, n_vert: int, glide: bool, cap: bool
) -> KktShape:
    """The interior-point solver's symbolic analysis of one shape (read-only, shared)."""
    st = _shared_structure(nodes, mode, discretization, n_vert, glide, cap)
    return KktShape(st.lay.n_x, st.m, st.n_eq, st.n_ineq, st.soc_dims, st.indptr, st.indices)


class ConicSolver:
    """Drop-in replacement for ``LcvxSolver`` that calls its solver directly."""

    gives_mass_slope = True  # solve(..., mass_slope=True) fills plan.mass_slope_kg_per_s

    def __init__(
        self,
        nodes: int = 50,
        discretization: str = "foh",
        tol: float | None = None,
        solver: str = "ipm",
    ) -> None:
        """``solver``: "ipm" (the default), the purpose-built interior-point method of
        ``ipm.py``, with Clarabel as its fallback when it neither solves nor proves
        infeasibility; or "clarabel" alone. ``tol`` sets both solvers' gap and feasibility
        tolerances."""
        if nodes < 5:
            raise ValueError("need at least 5 nodes")
        if solver not in ("ipm", "clarabel"):
            raise ValueError(f"solver must be 'ipm' or 'clarabel', got {solver!r}")
        self.solver = solver
        self.tol = tol
        self.ipm_fallbacks = 0  # solves the interior-point method handed to Clarabel
        self.refinements = 0  # answers re-solved for their velocity residual (``_refined``)
        if discretization not in ("foh", "zoh"):
            raise ValueError(f"discretization must be 'foh' or 'zoh', got {discretization!r}")
        self.nodes = nodes
        self.discretization = discretization
        self._structures: dict[tuple[str, int, bool, bool], _Structure] = {}
        self._solvers: dict[tuple[str, int, bool, bool], clarabel.DefaultSolver] = {}
        self._skip_relaxed: dict[str, int] = {}
        self._nondim: tuple[LandingProblem, LandingProblem, Scales] | None = None
        # Of the last solver call: which solver ("IPM", "Clarabel", or "IPM+Clarabel" after a
        # hand-over; "+refined" appended after a refinement, ``_refined``), its iterations and
        # the wall time of the solver calls (the rest of a solve's time is this module's
        # Python), for benchmarks and diagnostics.
        self.last_solver = ""
        self.last_iterations = 0
        self.last_solver_time_s = 0.0
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
            # Clarabel's static regularisation stays at its default (1e-8): 1e-9 saves a third
            # of the iterations on feasible solves next to the feasibility edge (the benchmark's
            # fixed-time instance), but doubles them on infeasible ones, and the searches and
            # the closed loop then get slower (measured: free-time 32 -> 38 ms, loop 162 ->
            # 187 ms).
        # The refinement's Clarabel (``_refined``): its own defaults (equilibration, iterative
        # refinement) at the solve's tolerance.
        self._refine_settings = clarabel.DefaultSettings()
        self._refine_settings.verbose = False
        self._refine_settings.presolve_enable = False
        if tol is not None:
            self._refine_settings.tol_gap_abs = self._refine_settings.tol_gap_rel = tol
            self._refine_settings.tol_feas = tol

    def _structure(self, mode: str, n_vert: int, glide: bool, cap: bool = False) -> _Structure:
        key = (mode, n_vert, glide, cap)
        st = self._structures.get(key)
        if st is None:
            st = _shared_structure(self.nodes, mode, self.discretization, n_vert, glide, cap)
            self._structures[key] = st
        return st

    def _discretize(
        self, prob: LandingProblem, tf_s: float, dist: np.ndarray | None
    ) -> tuple[LandingProblem, Scales, Discretized]:
        # A search solves one problem at many times of flight: scale it once.
        cached = self._nondim
        if cached is not None and cached[0] is prob:
            nd, sc = cached[1], cached[2]
        else:
            nd, sc = prob.nondimensional()
            self._nondim = (prob, nd, sc)
        return discretize_nondimensional(prob, tf_s, self.nodes, dist, scaled=(nd, sc))

    def _run(self, mode: str, n_vert: int, glide: bool, d: Discretized, err_max: float) -> _Run:
        """One solve of one shape: the interior-point method, or Clarabel; an answer whose
        eliminated velocity dynamics are off by more than ``VELOCITY_TOL`` is refined
        (``_refined``)."""
        cap = math.isfinite(d.sigma_cap)
        st = self._structure(mode, n_vert, glide, cap)
        data, b, scale = st.scaled_data(d, err_max)
        self.last_solver, self.last_iterations, self.last_solver_time_s = "", 0, 0.0
        tol = 1e-8 if self.tol is None else self.tol
        if self.solver == "ipm":
            kkt = _shared_kkt(self.nodes, mode, self.discretization, n_vert, glide, cap)
            run = self._run_ipm(kkt, st, data, b, scale, tol)
            if run.status == SOLVED_STATUS:
                return self._refined(run, d, data, b)
            if run.status == "PrimalInfeasible":
                return run
            self.ipm_fallbacks += 1
        key = (mode, n_vert, glide, cap)
        solver = self._solvers.get(key)
        # update() keeps the equilibration computed for the first problem, so with equilibration
        # on (``tol`` given) every solve sets up afresh: no answer depends on the previous one.
        if solver is None or self.settings.equilibrate_enable:
            solver = self._clarabel(st, data, b, self.settings)
            self._solvers[key] = solver
        else:
            # Lists cross into the extension several times faster than numpy arrays.
            solver.update(A=data.tolist(), b=b.tolist())
        run = self._run_clarabel(solver, st, scale)
        if run.x is None:
            return run
        return self._refined(run, d, data, b)

    def _run_ipm(
        self,
        kkt: KktShape,
        st: _Structure,
        data: np.ndarray,
        b: np.ndarray,
        scale: np.ndarray,
        tol: float,
    ) -> _Run:
        """The interior-point method at tolerance ``tol``; its iterations and time added to
        the last solve's."""
        t0 = time.perf_counter()
        status, iters, x, z, _ = kkt.solve(
            data, b, st.q, tol_feas=tol, tol_gap_abs=tol, tol_gap_rel=tol
        )
        self.last_solver = self.last_solver or "IPM"
        self.last_iterations += iters
        self.last_solver_time_s += time.perf_counter() - t0
        if status == SOLVED:
            return _Run(SOLVED_STATUS, st, x * st.col_scale, x, z, scale)
        if status == PRIMAL_INFEASIBLE:
            return _Run("PrimalInfeasible", st)
        return _Run(f"IPM stop {status}", st)

    @staticmethod
    def _clarabel(
        st: _Structure, data: np.ndarray, b: np.ndarray, settings: clarabel.DefaultSettings
    ) -> clarabel.DefaultSolver:
        A = sparse.csc_matrix((data, st.indices, st.indptr), shape=(st.m, st.lay.n_x))
        return clarabel.DefaultSolver(st.P, st.q, A, b, st.cones, settings)

    def _run_clarabel(
        self, solver: clarabel.DefaultSolver, st: _Structure, scale: np.ndarray
    ) -> _Run:
        """One Clarabel solve (after a hand-over both solvers count: "IPM+Clarabel")."""
        t0 = time.perf_counter()
        sol = solver.solve()
        self.last_solver = "IPM+Clarabel" if self.last_solver else "Clarabel"
        self.last_iterations += int(sol.iterations)
        self.last_solver_time_s += time.perf_counter() - t0
        status = str(sol.status)
        if status not in _SOLVED:
            return _Run(status, st)
        x = np.asarray(sol.x)
        return _Run(status, st, x * st.col_scale, x, np.asarray(sol.z), scale)

    def _refined(self, run: _Run, d: Discretized, data: np.ndarray, b: np.ndarray) -> _Run:
        """``run``, or when its eliminated velocity dynamics are off by more than ``VELOCITY_TOL``
        (nondimensional velocity, ``velocity_residual``) the same problem solved again with its
        velocity rows (``velocity_rows``) divided by the time step, so that the solver's own
        tolerance holds in velocity units.

        That scaling is kept out of the first solve: it turns infeasibility certificates into
        solver errors (measured over the 3,300 instances of ``tests/test_solver_comparison``).
        The refinement is Clarabel set up afresh with its own equilibration (the interior-point
        method stops without an answer on these rows), and its answer replaces ``run`` only
        when solved with a smaller velocity residual: the verdict never changes, and nothing kept
        from earlier solves enters (no warm start, no ``update``).
        """
        assert run.x is not None and run.scale is not None
        st, lay = run.st, run.st.lay
        resid = velocity_residual(run.x[lay.i_r], run.x[lay.i_u], d, lay.discretization)
        if not resid > VELOCITY_TOL:
            return run
        self.refinements += 1
        factor = np.ones(st.m)
        factor[velocity_rows(lay, st.n_eq)] = 1.0 / d.dt_s
        solver = self._clarabel(st, data * factor[st.indices], b * factor, self._refine_settings)
        label = self.last_solver
        better = self._run_clarabel(solver, st, run.scale * factor)
        self.last_solver = f"{label}+refined"  # e.g. "IPM+refined": not a hand-over
        if better.x is None:
            return run
        x = better.x
        if velocity_residual(x[lay.i_r], x[lay.i_u], d, lay.discretization) < resid:
            return better
        return run

    def _mass_slope(
        self,
        prob: LandingProblem,
        tf_s: float,
        run: _Run,
        d: Discretized,
        dist: np.ndarray | None,
        dist_rate: np.ndarray | None,
        err_max: float,
        final_mass: float,
    ) -> float:
        """d(final mass)/d(time of flight) in kg/s, by the envelope theorem (fuel modes); in
        the error mode d(landing error)/d(time of flight) in nondimensional length per second."""
        st = run.st
        if run.z is None or run.x_scaled is None:
            return float("nan")
        h = 1e-6 * tf_s
        ends = []
        for sign in (-1.0, 1.0):
            di = dist
            if dist is not None and dist_rate is not None:
                di = dist + sign * h * dist_rate
            ends.append(self._discretize(prob, tf_s + sign * h, di)[2])
        if any(e.n_vert != st.lay.n_vert for e in ends):
            return float("nan")  # on a jump of the vertical-descent length
        dv = st.value_rate(ends[0], ends[1], 2 * h, err_max, run.scale, run.x_scaled, run.z)
        if st.lay.mode == "error":
            return dv  # the objective is the landing error itself
        # The objective is -w_N and the final mass is m_sc exp(w_N + z0_N).
        dz0 = (ends[1].z0[-1] - ends[0].z0[-1]) / (2 * h)
        return final_mass * (dz0 - dv)

    def solve(
        self,
        prob: LandingProblem,
        tf_s: float,
        mode: str = "fuel",
        *,
        error_bound_m: float = 0.0,
        disturbance_enu_mps2: np.ndarray | None = None,
        mass_slope: bool = False,
        disturbance_rate_enu_mps2_per_s: np.ndarray | None = None,
    ) -> LandingPlan:
        """Solve at time of flight ``tf_s``; the disturbance is (N, 3), one row per interval.

        ``mass_slope`` also gives the plan's ``mass_slope_kg_per_s`` (fuel modes; in the error
        mode ``error_slope_m_per_s``), with the
        disturbance moving at ``disturbance_rate_enu_mps2_per_s`` per second of time of flight.
        """
        if mode not in ("fuel", "error", "fuel_bounded"):
            raise ValueError("mode must be 'fuel', 'error' or 'fuel_bounded'")
        start = time.perf_counter()
        nd, sc, d = self._discretize(prob, tf_s, disturbance_enu_mps2)
        err_max = max(error_bound_m, 0.0) / sc.length_m
        if vertical_infeasibility(d, self.discretization) > STOP_MARGIN:
            return LandingPlan.failed(
                PlanStatus.INFEASIBLE,
                f"no vertical thrust profile reaches touchdown in {tf_s:.2f} s",
                0,
                time.perf_counter() - start,
            )
        try:
            run = self._run_relaxed_first(mode, d, err_max)
        except Exception as exc:
            return LandingPlan.failed(
                PlanStatus.SOLVER_ERROR, str(exc), 1, time.perf_counter() - start
            )
        if run.x is None:
            # Only a certificate says infeasible; a solver that stopped without one says nothing
            # about the landing problem.
            proved = run.status in _CERTIFIED_INFEASIBLE
            verdict = PlanStatus.INFEASIBLE if proved else PlanStatus.SOLVER_ERROR
            elapsed = time.perf_counter() - start
            return LandingPlan.failed(verdict, f"solver status {run.status}", 1, elapsed)
        mass = np.exp(run.x[run.st.lay.i_w] + d.z0) * sc.mass_kg
        slope = err_slope = float("nan")
        if mass_slope:
            slope = self._mass_slope(
                prob,
                tf_s,
                run,
                d,
                disturbance_enu_mps2,
                disturbance_rate_enu_mps2_per_s,
                err_max,
                float(mass[-1]),
            )
            if mode == "error":
                slope, err_slope = float("nan"), slope * sc.length_m
        return _plan(run.x, run.st.lay, d, nd, sc, tf_s, mode, mass, (slope, err_slope), start)

    def _run_relaxed_first(self, mode: str, d: Discretized, err_max: float) -> _Run:
        """The solve of the problem without its glide-slope cones, kept when its answer
        satisfies them or proves infeasibility; else (and for the next ``GLIDE_SKIP`` solves of
        the mode once the slope has bound) the solve of the whole problem."""
        n_vert = d.n_vert
        glide = d.tan_gs > 0.0
        run: _Run | None = None
        skip = self._skip_relaxed.get(mode, 0)
        if glide and skip == 0:
            run = self._run(mode, n_vert, False, d, err_max)
            if run.x is not None:
                r = run.x[run.st.lay.i_r]
                if _glide_violation(r, d, run.st.lay.pinned) > GLIDE_TOL:
                    run = None
                    self._skip_relaxed[mode] = GLIDE_SKIP
        elif glide:
            self._skip_relaxed[mode] = skip - 1
        if run is None or (run.x is None and run.status not in _INFEASIBLE):
            run = self._run(mode, n_vert, glide, d, err_max)
        return run


def _plan(
    x: np.ndarray,
    lay: _Layout,
    d: Discretized,
    nd: LandingProblem,
    sc: Scales,
    tf_s: float,
    mode: str,
    mass: np.ndarray,
    slopes: tuple[float, float],
    start: float,
) -> LandingPlan:
    """The plan from a solve's x (unscaled) in the caller's units (``nd``, ``d`` and ``x`` are
    nondimensional); ``slopes`` are the mass slope and the landing error's slope."""
    r = x[lay.i_r]
    u = x[lay.i_u]
    v = _velocities(r, u, d, lay.discretization)
    length, speed, accel = sc.length_m, sc.speed_mps, sc.accel_mps2
    tgt = nd.target_enu_m
    err = math.hypot(float(r[-1, 0] - tgt[0]), float(r[-1, 1] - tgt[1])) * length
    return build(
        LandingPlan,
        {
            "status": PlanStatus.OPTIMAL if mode == "fuel" else PlanStatus.MIN_ERROR,
            "tf_s": tf_s,
            "t_s": d.t_s * sc.time_s,
            "r_enu_m": r * length,
            "v_enu_mps": v * speed,
            "mass_kg": mass,
            "accel_enu_mps2": u * accel,
            "sigma_mps2": x[lay.i_s] * accel,
            "landing_error_m": err,
            "solves": 1,
            "solve_time_s": time.perf_counter() - start,
            "mass_slope_kg_per_s": slopes[0],
            "error_slope_m_per_s": slopes[1],
            "discretization": lay.discretization,
        },
    )
