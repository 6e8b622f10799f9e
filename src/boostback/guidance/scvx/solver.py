"""Successive convexification: SCvx (Mao, Szmuk & Acikmese 2016; Szmuk & Acikmese 2018) and
PTR (penalised trust region: Reynolds, Szmuk, Malyuta et al. 2020; Malyuta et al. 2022), on
the problem of ``problem.py``.

Both linearise the dynamics about the last iterate (``discretize.py``: first-order hold, time
dilation), linearise the thrust floor about its thrust direction, add a virtual control ``nu``
to the dynamics and a virtual buffer to the floor, and penalise both with the exact l1 penalty
``lambda (|nu|_1 + sum s)``: every subproblem is feasible whatever the reference, and a
converged answer with zero virtual control satisfies the nonlinear dynamics at the nodes.

SCvx keeps a hard trust region ``|(x_k, u_k, sigma) - reference|_2 <= eta`` at every node and
judges each answer by the ratio of the actual to the predicted decrease of the nonlinear
penalised cost

    J(x, u, sigma) = phi + lambda (sum_k |x_{k+1} - F_k(x_k, u_k, u_{k+1}, sigma)|_1
                                   + sum_k max(0, T_min - |u_k|)),
    rho = (J(ref) - J(new)) / (J(ref) - L(new)),

``L`` the subproblem's own (linearised) cost and ``F_k`` the nonlinear flow over interval k.
The usual thresholds (Mao, Szmuk & Acikmese 2016, sec. IV): ``rho < rho0 = 0``: reject, try
the step's second-order correction (``_corrected``) and, if that is rejected too, shrink the
radius by 2 below the rejected step; ``rho < rho1 = 0.25``: accept, shrink by 2;
``rho >= rho2 = 0.7``: accept, grow by 3.2; otherwise accept and keep it; the radius stays
within ``[eta_min, eta_max]``. It stops when the objective stops moving between two feasible
plans, or, with the trust region inactive, when the predicted decrease falls below
``tol_decrease`` (relative to ``1 + |J|``) or its step below ``tol_step``: CONVERGED if the
plan's defects are within ``tol_defect``, else INFEASIBLE (a stationary point of the penalty
that is not a plan).

PTR drops the ratio test: the trust region is a quadratic penalty ``w |(x, u) - ref|^2 +
w_sigma |sigma - sigma_ref|`` in the cost, every answer is accepted, and ``w`` grows by a factor
each iteration. Its weights and stopping rule are those of EmbersArc's implementation
(``published.py``).
"""

from __future__ import annotations

import copy
import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from boostback.guidance.scvx.discretize import Discretization, discretize
from boostback.guidance.scvx.dynamics import NU, NX
from boostback.guidance.scvx.ipm_subproblem import IpmSubproblem
from boostback.guidance.scvx.problem import Scales, SixDofProblem, initial_guess, trust_units
from boostback.guidance.scvx.result import IterationRecord, ScvxPlan, ScvxStatus
from boostback.guidance.scvx.settings import ScvxSettings
from boostback.guidance.scvx.subproblem import ConicSubproblem, SubproblemSolution

__all__ = ["ScvxSettings", "solve"]

_INFEASIBLE = {"PrimalInfeasible", "AlmostPrimalInfeasible"}


@dataclass
class _Iterate:
    """A trajectory, its discretisation and its nonlinear penalised cost."""

    xs: np.ndarray
    us: np.ndarray
    sigma: float
    disc: Discretization
    cost: float
    defect_max: float


def _cvxpy_subproblem() -> type:
    from boostback.guidance.scvx.cvxpy_subproblem import CvxpySubproblem  # CVXPY loads slowly

    return CvxpySubproblem


def _objective(prob: SixDofProblem, xs: np.ndarray, sigma: float) -> float:
    return sigma if prob.cost == "time" else -float(xs[-1, 0])


def _iterate(
    prob: SixDofProblem, xs: np.ndarray, us: np.ndarray, sigma: float, st: ScvxSettings
) -> _Iterate:
    disc = discretize(xs, us, sigma, prob.params, st.substeps)
    floor = np.maximum(prob.thrust_min - np.linalg.norm(us, axis=1), 0.0)
    d = np.abs(disc.defects)
    violation = float(d.sum() if st.virtual_norm == "l1" else d.sum(axis=0).max())
    violation += float(floor.sum())
    worst = max(float(d.max()), float(floor.max()))
    cost = _objective(prob, xs, sigma) + st.penalty * violation
    return _Iterate(xs, us, sigma, disc, cost, worst)


def _linear_cost(prob: SixDofProblem, sol: SubproblemSolution, st: ScvxSettings) -> float:
    assert sol.xs is not None and sol.nu is not None and sol.buffer is not None
    nu = np.abs(sol.nu)
    virtual = float(nu.sum() if st.virtual_norm == "l1" else nu.sum(axis=0).max())
    buffers = virtual + float(np.maximum(sol.buffer, 0.0).sum())
    return _objective(prob, sol.xs, sol.sigma) + st.penalty * buffers


def _step(ref: _Iterate, sol: SubproblemSolution, units: np.ndarray) -> tuple[float, float]:
    """Largest node step ``|D (dx_k, du_k)|_2`` and ``|dsigma| / unit``; and the largest node
    norm of the trust region, ``|D (dx_k, du_k, dsigma)|_2`` (the time of flight in every
    node's cone): the trust region is active when that is at the radius."""
    assert sol.xs is not None and sol.us is not None
    dz = np.hstack((sol.xs - ref.xs, sol.us - ref.us)) / units[: NX + NU]
    node = np.linalg.norm(dz, axis=1).max()
    d_sigma = abs(sol.sigma - ref.sigma) / units[-1]
    return max(float(node), d_sigma), float(np.hypot(np.linalg.norm(dz, axis=1), d_sigma).max())


def _stationary(prob: SixDofProblem, ref: _Iterate, cand: _Iterate, st: ScvxSettings) -> bool:
    """The reference feasible to the tolerance and the subproblem's answer no longer moving
    the objective: the linear model sees nothing left to gain, to the subproblem's resolution,
    within the whole radius. The answer need not meet the dynamics itself: a step along
    directions the objective does not see (an interior-point answer is the centre of its
    optimal face) has second-order defects that say nothing about the reference, which is
    the plan returned then."""
    if ref.defect_max > st.tol_defect:
        return False
    before, after = _objective(prob, ref.xs, ref.sigma), _objective(prob, cand.xs, cand.sigma)
    return abs(after - before) <= st.tol_cost * (1.0 + abs(before))


class _Run:
    """The state of one solve: the problem in solver units, its subproblem, the history."""

    def __init__(self, prob: SixDofProblem, st: ScvxSettings) -> None:
        self.prob, self.st = prob, st
        reg = st.regularization if st.method == "scvx" else 0.0
        self.units = trust_units(prob) if st.scaled_trust else np.ones(NX + NU + 1)
        kinds = {"ipm": IpmSubproblem, "conic": ConicSubproblem}
        kind = kinds[st.backend] if st.backend in kinds else _cvxpy_subproblem()
        self.sub = kind(
            prob,
            st.nodes,
            st.method,
            st.penalty,
            norm=st.virtual_norm,
            floor_buffer=st.floor_buffer,
            regularization=reg,
            units=self.units,
        )
        if st.backend in kinds:
            cs = self.sub.settings
            cs.tol_gap_abs = cs.tol_gap_rel = cs.tol_feas = st.solver_tol
            cs.max_iter = self.sub.robust_settings.max_iter = st.solver_max_iter
            # the retry of a subproblem that stalled keeps Clarabel's own tolerances
            # (``ConicSubproblem.solve``): refined and to 1e-8 it gets through the rare
            # subproblem that stalls at the looser tolerance too (an SCvx re-plan of the
            # Falcon 9 burn ended in NumericalError when its retry was also at 1e-6)
        else:
            self.sub.solver_options = {
                "max_iter": st.solver_max_iter,
                "tol_gap_abs": st.solver_tol,
                "tol_gap_rel": st.solver_tol,
                "tol_feas": st.solver_tol,
            }
        self.history: list[IterationRecord] = []
        self.t0 = time.perf_counter()
        self.inexact = st.backend == "ipm" and st.method == "ptr" and st.solver_forcing > 0.0
        self.tol = st.solver_tol  # the last subproblem's

    def subproblem(
        self, ref: _Iterate, trust: float, last_step: float = float("inf")
    ) -> tuple[SubproblemSolution, float]:
        """Assemble and solve the subproblem about ``ref``; PTR's on the interior-point path to
        a tolerance that follows the last step (``_ptr_tolerance``; 0: ``solver_tol``)."""
        st = self.st
        if self.inexact:
            tol = min(st.solver_tol_loose, max(st.solver_tol, st.solver_forcing * last_step))
            cs = self.sub.settings
            cs.tol_gap_abs = cs.tol_gap_rel = cs.tol_feas = self.tol = tol
        t = time.perf_counter()
        self.sub.assemble(ref.xs, ref.us, ref.sigma, ref.disc, trust, self.st.ptr_weight_sigma)
        t_asm = time.perf_counter() - t
        return self.sub.solve(), t_asm

    def unsolved(
        self, it: int, sol: SubproblemSolution, trust: float, t_asm: float, t_it: float
    ) -> tuple[ScvxStatus, str]:
        """Record an iteration whose subproblem gave no solution; the status and message."""
        nan = float("nan")
        self.record(
            it, False, None, nan, sol, trust, nan, nan, 0.0, t_asm, time.perf_counter() - t_it
        )
        return self.failed(sol)

    def record(
        self,
        it: int,
        accepted: bool,
        cand: _Iterate | None,
        lin: float,
        sol: SubproblemSolution,
        trust: float,
        rho: float,
        step: float,
        t_disc: float,
        t_asm: float,
        t_it: float,
    ) -> None:
        nu = float(np.abs(sol.nu).sum()) if sol.nu is not None else float("nan")
        self.history.append(
            IterationRecord(
                iteration=it,
                accepted=accepted,
                cost=cand.cost if cand else float("nan"),
                linear_cost=lin,
                virtual_control_l1=nu,
                defect_max=cand.defect_max if cand else float("nan"),
                trust=trust,
                rho=rho,
                tf=sol.sigma,
                step=step,
                solver_status=sol.status,
                solver_iterations=sol.iterations,
                discretize_s=t_disc,
                assemble_s=t_asm,
                solver_s=sol.solve_s,
                total_s=t_it,
                solver_tol=self.tol,
            )
        )

    def failed(self, sol: SubproblemSolution) -> tuple[ScvxStatus, str]:
        if sol.status in _INFEASIBLE:
            return ScvxStatus.INFEASIBLE_SUBPROBLEM, f"subproblem infeasible ({sol.status})"
        return ScvxStatus.SOLVER_ERROR, f"conic solver stopped: {sol.status}"


def _corrected(ref: _Iterate, cand: _Iterate) -> _Iterate:
    """``ref`` with its linear model of the dynamics shifted by the model's error at ``cand``:
    the second-order correction (Fletcher 1982, Math. Programming Study 17; Nocedal & Wright
    2006, sec. 15.5 and 18.3). The subproblem solved about it again lands where the
    nonlinear flow, not its tangent, meets the constraints near ``cand``; its defects are of
    third order in the step where ``cand``'s were of second."""
    d, xs, us = ref.disc, cand.xs, cand.us
    model = (
        np.einsum("kij,kj->ki", d.a, xs[:-1])
        + np.einsum("kij,kj->ki", d.b_minus, us[:-1])
        + np.einsum("kij,kj->ki", d.b_plus, us[1:])
        + d.s * cand.sigma
        + d.z
    )
    shifted = copy.copy(d)
    shifted.z = d.z + (cand.disc.reached - model)
    return dataclasses.replace(ref, disc=shifted)


def _ran_out(run: _Run) -> tuple[ScvxStatus, str]:
    """The status when the iterations ran out (``ScvxSettings.infeasible_defect``), judged on
    the largest nonlinear defect of the last ``window`` accepted iterates."""
    st = run.st
    window = [h.defect_max for h in run.history if h.accepted][-st.window :]
    if len(window) == st.window and min(window) > st.infeasible_defect:
        return (
            ScvxStatus.INFEASIBLE,
            f"no convergence in {st.max_iterations} iterations, the nonlinear defects above"
            f" {min(window):.3g} in each of the last {st.window} iterates"
            " (the dynamics or the constraints cannot be met)",
        )
    return ScvxStatus.MAX_ITERATIONS, f"no convergence in {st.max_iterations} iterations"


def _scvx_converged(
    run: _Run,
    ref: _Iterate,
    cand: _Iterate,
    step: float,
    predicted: float,
    eta: float,
    inside: bool,
) -> bool:
    """SCvx's stopping test (``ScvxSettings.tol_step``): the objective no longer moving
    between two plans, or a small step or predicted decrease with the trust region inactive."""
    st = run.st
    if _stationary(run.prob, ref, cand, st):
        return True
    if inside and step <= st.tol_step and cand.defect_max <= st.tol_defect:
        return True
    # The model's decrease is concave in the radius (a convex subproblem), so the decrease
    # over the initial radius is at most ``predicted * trust_radius / eta``: a decrease made
    # small by a small active radius is not stationarity (Mao, Szmuk & Acikmese 2018; Conn,
    # Gould & Toint 2000, sec. 6.3, on the criticality measure).
    scale = 1.0 if inside else min(1.0, eta / st.trust_radius)
    return predicted <= st.tol_decrease * (1.0 + abs(ref.cost)) * scale


def _second_order(
    run: _Run,
    ref: _Iterate,
    cand: _Iterate,
    eta: float,
    last_step: float,
    it: int,
    predicted: float,
) -> tuple[_Iterate, float] | tuple[ScvxStatus, str]:
    """Solve the subproblem about ``ref`` again with the model shifted by the rejected
    ``cand``'s second-order defects (``_corrected``); the corrected candidate and its ratio,
    judged against the first step's predicted decrease (Nocedal & Wright 2006, sec. 18.3).
    The status and message (recorded) when the subproblem gave no solution."""
    st = run.st
    t_it = time.perf_counter()
    sol, t_asm = run.subproblem(_corrected(ref, cand), eta, last_step)
    if sol.xs is None or sol.us is None:
        return run.unsolved(it, sol, eta, t_asm, t_it)
    t = time.perf_counter()
    new = _iterate(run.prob, sol.xs, sol.us, sol.sigma, st)
    t_disc = time.perf_counter() - t
    rho = (ref.cost - new.cost) / predicted
    step = _step(ref, sol, run.units)[0]
    lin = _linear_cost(run.prob, sol, st)
    run.record(
        it, rho >= st.rho0, new, lin, sol, eta, rho, step, t_disc, t_asm,
        time.perf_counter() - t_it,
    )  # fmt: skip
    return new, rho


def _scvx(run: _Run, ref: _Iterate) -> tuple[ScvxStatus, str, _Iterate]:
    st = run.st
    eta = st.trust_radius
    last_step = float("inf")
    it = 0
    while it < st.max_iterations:
        it += 1
        t_it = time.perf_counter()
        sol, t_asm = run.subproblem(ref, eta, last_step)
        if sol.xs is None or sol.us is None:
            return (*run.unsolved(it, sol, eta, t_asm, t_it), ref)
        t = time.perf_counter()
        cand = _iterate(run.prob, sol.xs, sol.us, sol.sigma, st)
        t_disc = time.perf_counter() - t
        lin = _linear_cost(run.prob, sol, st)
        predicted = ref.cost - lin
        actual = ref.cost - cand.cost
        rho = actual / predicted if predicted > 0.0 else float("nan")
        step, reach = _step(ref, sol, run.units)
        last_step = step
        inside = reach < st.trust_inactive * eta
        if _scvx_converged(run, ref, cand, step, predicted, eta, inside):
            best = cand if cand.cost <= ref.cost else ref
            run.record(
                it, best is cand, cand, lin, sol, eta, rho, step, t_disc, t_asm,
                time.perf_counter() - t_it,
            )  # fmt: skip
            if best.defect_max <= st.tol_defect:
                return ScvxStatus.CONVERGED, f"converged in {it} iterations", best
            return (
                ScvxStatus.INFEASIBLE,
                f"stationary with defects up to {best.defect_max:.3g}"
                " (the dynamics or the thrust floor cannot be met)",
                best,
            )
        accepted = rho >= st.rho0
        run.record(
            it, accepted, cand, lin, sol, eta, rho, step, t_disc, t_asm, time.perf_counter() - t_it
        )
        if not accepted and st.second_order and predicted > 0.0 and it < st.max_iterations:
            it += 1
            corrected = _second_order(run, ref, cand, eta, last_step, it, predicted)
            if isinstance(corrected[0], ScvxStatus):
                return (corrected[0], str(corrected[1]), ref)
            cand, rho = corrected
            accepted = rho >= st.rho0
        if not accepted:  # shrink below the rejected step, or the same step comes back
            eta = max(min(eta, reach) / st.shrink, st.trust_min)
            continue
        ref = cand
        if rho < st.rho1:
            eta = max(eta / st.shrink, st.trust_min)
        elif rho >= st.rho2:
            eta = min(eta * st.grow, st.trust_max)
    return (*_ran_out(run), ref)


def _ptr_tolerance(run: _Run, step_sq: float, prev_sq: float, stop: bool) -> tuple[float, bool]:
    """The step the next subproblem's tolerance follows (``ScvxSettings.solver_forcing``: 0
    for ``solver_tol``), and whether PTR may stop on this answer.

    The next step is predicted as this one times the rate the steps shrink at (their squares'
    ratio, at most 1); a subproblem predicted to be the last (within ``solver_final`` times
    PTR's step test) is solved to ``solver_tol``, and PTR stops only on such an answer: an
    inexact one that meets the test (``stop``) is accepted as an iterate and the next
    subproblem is exact. The converged plan is always an answer solved to ``solver_tol``."""
    st = run.st
    if not run.inexact:
        return 0.0, True
    exact = run.tol <= st.solver_tol
    rate = min(1.0, step_sq / prev_sq) if prev_sq > 0.0 else 1.0
    if (stop and not exact) or rate * step_sq < st.solver_final * st.ptr_tol_step:
        return 0.0, exact
    return float(np.sqrt(step_sq)), exact


def _ptr(run: _Run, ref: _Iterate) -> tuple[ScvxStatus, str, _Iterate]:
    st = run.st
    w = st.ptr_weight
    last_step = float("inf")
    step_sq = 0.0
    for it in range(1, st.max_iterations + 1):
        t_it = time.perf_counter()
        sol, t_asm = run.subproblem(ref, w, last_step)
        if sol.xs is None:
            return (*run.unsolved(it, sol, w, t_asm, t_it), ref)
        assert sol.us is not None and sol.nu is not None
        dz = np.hstack((sol.xs - ref.xs, sol.us - ref.us))
        step_sq, prev_sq = float((dz * dz).sum()), step_sq
        d_sigma = abs(sol.sigma - ref.sigma)
        small = step_sq < st.ptr_tol_step and d_sigma < st.ptr_tol_sigma
        last_step, exact = _ptr_tolerance(run, step_sq, prev_sq, small)
        nu_max = float(np.abs(sol.nu).sum(axis=0).max())  # numpy's norm(nu.T, inf)
        t = time.perf_counter()
        cand = _iterate(run.prob, sol.xs, sol.us, sol.sigma, st)
        t_disc = time.perf_counter() - t
        run.record(
            it,
            True,
            cand,
            _linear_cost(run.prob, sol, st),
            sol,
            w,
            float("nan"),
            step_sq,
            t_disc,
            t_asm,
            time.perf_counter() - t_it,
        )
        ref = cand
        if small and exact:
            if nu_max < st.ptr_tol_nu and ref.defect_max <= st.tol_defect:
                return ScvxStatus.CONVERGED, f"converged in {it} iterations", ref
            if nu_max >= st.ptr_tol_nu:  # the iterates stopped, the virtual control did not
                return (
                    ScvxStatus.INFEASIBLE,
                    f"stationary with virtual control {nu_max:.3g}"
                    " (the dynamics or the thrust floor cannot be met)",
                    ref,
                )
        w *= st.ptr_weight_growth
    return (*_ran_out(run), ref)


def solve(
    prob: SixDofProblem,
    settings: ScvxSettings | None = None,
    scales: Scales | None = None,
    guess: tuple[np.ndarray, np.ndarray, float] | None = None,
) -> ScvxPlan:
    """Solve a 6-DoF landing by successive convexification.

    Parameters
    ----------
    prob : SixDofProblem
        The problem, in SI units (or already nondimensional, ``scales`` None).
    settings : ScvxSettings, optional
    scales : Scales, optional
        Units to solve in (``prob.nondimensional``); the plan comes back in the problem's.
    guess : (xs, us, sigma), optional
        Initial reference in the problem's units (default: ``initial_guess``).

    Returns
    -------
    ScvxPlan
        Never raises on an infeasible or failed solve: the status says what happened.
    """
    st = settings or ScvxSettings()
    t0 = time.perf_counter()
    work = prob if scales is None else prob.nondimensional(scales)
    unit = Scales() if scales is None else scales
    if guess is None:
        xs, us, sigma = initial_guess(work, st.nodes)
    else:
        xs = np.asarray(guess[0], dtype=float) / unit.state()
        us = np.asarray(guess[1], dtype=float) / unit.force
        sigma = float(guess[2]) / unit.time
        # The reference meets the boundary conditions: SCvx's trust region is hard and the
        # boundary states are fixed, so a guess that starts elsewhere (a re-plan from a state
        # off the last plan) would make every subproblem whose radius shrinks below the gap
        # infeasible.
        xs = xs.copy()
        fixed0, fixedf = ~work.init_free, ~work.final_free
        xs[0, fixed0] = work.x_init[fixed0]
        xs[-1, fixedf] = work.x_final[fixedf]
    run = _Run(work, st)
    ref = _iterate(work, xs, us, sigma, st)
    status, message, best = (_scvx if st.method == "scvx" else _ptr)(run, ref)
    t_nodes = np.linspace(0.0, best.sigma, st.nodes) * unit.time
    return ScvxPlan(
        status=status,
        message=message,
        method=st.method,
        problem=prob,
        t_s=t_nodes,
        x=best.xs * unit.state(),
        u_body_n=best.us * unit.force,
        iterations=len(run.history),
        history=tuple(run.history),
        solve_time_s=time.perf_counter() - t0,
    )
