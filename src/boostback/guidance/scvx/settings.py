"""Settings of the successive-convexification solvers (``solver.py``): the algorithm, its
weights, trust region, stopping tests and the subproblems' solver tolerances."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ScvxSettings"]


@dataclass(frozen=True)
class ScvxSettings:
    """Algorithm settings (nondimensional where they are magnitudes).

    nodes : K, temporal nodes.
    method : "scvx" or "ptr".
    max_iterations : subproblem solves allowed (rejected SCvx steps count).
    substeps : RK4 steps per interval in the discretisation.
    penalty : lambda, weight of the exact penalty (virtual control, floor buffers).
    virtual_norm : "l1" (the exact l1 penalty, ``lambda |nu|_1``) or "inf" (as EmbersArc's PTR:
        the largest, over the state components, of the l1 norm over the intervals; the floor
        buffers stay l1).
    floor_buffer : give the linearised thrust floor a penalised virtual buffer, or keep it hard.
    regularization : SCvx only, weight of a small quadratic penalty on the step: an interior-point
        method returns the centre of a subproblem's optimal face, so without it the iterates
        drift along directions the cost does not see (the attitude wherever the gimbal is not
        at its limit), each drift making new defects. Not counted in ``rho``.
    backend : "ipm" (the subproblem written as conic data, ``subproblem.py``, solved by
        boostback's own interior-point method, ``ipm_subproblem.py``; Clarabel takes the rare
        subproblem it stops on), "conic" (the same data given to Clarabel) or "cvxpy" (the same
        subproblem through CVXPY with Clarabel: the reference and baseline).
    trust_radius, trust_min, trust_max : SCvx's initial radius and its bounds.
    rho0, rho1, rho2, shrink, grow : SCvx's acceptance thresholds and radius factors.
    tol_decrease : SCvx stops when the predicted decrease is below this times ``1 + |J|``
        (times ``eta / trust_radius`` with the trust region active: the model's decrease is
        concave in the radius, Conn, Gould & Toint 2000, sec. 6.3)...
    tol_step : ... or when its step (largest over the nodes of ``|D (dx_k, du_k)|_2``, and
        ``|dsigma| / unit``) is below this with the trust region inactive and the candidate's
        defects within ``tol_defect``: a step the radius made small is not stationarity (Mao,
        Szmuk & Acikmese 2018, arXiv:1804.06539; Malyuta et al. 2022, IEEE CSM 42(5))...
    tol_cost : ... or when the reference meets the dynamics and the floor (defects within
        ``tol_defect``) and the answer moved the objective by less than this times
        ``1 + |objective|`` (SCPToolbox.jl's relative-improvement test, on the objective, not
        the penalty, whose remainder on a feasible plan is the solver's accuracy times
        ``lambda``). Not tied to the trust region: an interior-point answer is the centre of
        its optimal face, and a face flat in the objective fills the radius at a stationary
        point; the plan returned is then the reference.
    trust_inactive : the trust region is inactive when every node's trust-region norm
        ``|D (dx_k, du_k, dsigma)|_2`` (the cone of ``subproblem.py``) is below this fraction
        of the radius.
    second_order : SCvx tries the second-order correction of a rejected step (``_corrected``:
        Fletcher 1982; Nocedal & Wright 2006, sec. 15.5 and 18.3) before shrinking the radius.
        Without it the exact penalty rejects each step whose second-order defects cost more
        than it gains (the Maratos effect), the radius falls geometrically while the objective
        still falls, and SCvx crept to times of flight up to 22 % longer than PTR's on
        perturbed published problems. One more subproblem (counted in ``max_iterations``).
    tol_defect : largest nonlinear defect (and floor violation) of a CONVERGED plan.
    solver_max_iter : interior-point iterations allowed per subproblem (Clarabel's cap; a
        subproblem stopped by it ends the solve with SOLVER_ERROR).
    solver_tol : Clarabel's duality-gap (absolute and relative) and feasibility tolerances for
        each subproblem, on both backends (Clarabel's default is 1e-8). 1e-6 is a hundred times
        below every stopping threshold of the loop but PTR's on the virtual control, which the
        answers still meet (the published problem: the same 15 iterations, t_f within 2e-5);
        it saves the interior-point iterations that polish digits the next linearisation
        throws away: 9 % of them on the published PTR solve, a third on the Falcon 9 burn. A
        subproblem that stalls at it is solved again refined at Clarabel's 1e-8 (conic path).
    solver_forcing, solver_tol_loose, solver_final : PTR on the interior-point path only
        (``_ptr_tolerance``): each subproblem is solved to ``forcing * |last step|`` (the root
        of PTR's sum of squared steps), within ``[solver_tol, solver_tol_loose]``: an inexact
        step while the steps are large, as an inexact Newton method's forcing term (Dembo,
        Eisenstat & Steihaug 1982, SIAM J. Numer. Anal. 19(2); Eisenstat & Walker 1996, SIAM J.
        Sci. Comput. 17(1): loose far from the solution, tight near it, no "oversolving").
        The last subproblem is solved to ``solver_tol``: a subproblem whose step is predicted
        (the last step times the rate the steps shrink at, Eisenstat & Walker's observed rate)
        within ``solver_final`` times PTR's step test is solved to it, and PTR stops only on an
        answer solved to it (an inexact answer that meets the test makes the next subproblem
        exact). On the published problem (1e-3, 3e-3, 2; warm starts as ``ipm_subproblem``'s)
        150 interior-point iterations, the same 15 PTR iterations, t_f 3.77129 (every
        subproblem to solver_tol: 198, t_f 3.77105; the policy before, 1e-4 and 1e-3 with the
        stop on any answer: 169, 3.77135). PTR's path moves with the early answers' accuracy:
        1e-2 and 3e-3 without the exact last subproblem (and the fixed warm-start margin), 137
        and t_f 3.7757; 1e-3 and 1e-3, 153. Not for SCvx: its ratio test reads the
        subproblem's optimal value (with 1e-4: 19 SCvx iterations instead of 16). 0 turns it
        off.
    scaled_trust : SCvx's trust region, step regularisation and step test in the units of
        ``problem.trust_units`` (each component over its range, as SCPToolbox.jl scales), or in
        the problem's own units (every component weighed alike).
    ptr_weight, ptr_weight_growth, ptr_weight_sigma : PTR's trust-penalty weights.
    ptr_tol_step, ptr_tol_sigma, ptr_tol_nu : PTR's stopping rule (EmbersArc's): sum over the
        nodes of the squared step, the step in sigma, and the largest virtual control.
    window, infeasible_defect : when the iterations run out (either method) and the largest
        nonlinear defect (dynamics and thrust floor) of each of the last ``window`` accepted
        iterates is above ``infeasible_defect``, the status is INFEASIBLE, not MAX_ITERATIONS:
        no iterate came near a plan (a local method's verdict, not a proof). Not the
        subproblem's virtual control, which on draws with no plan alternated between 1e-5 and
        2 while PTR's iterates kept defects above 1e-2: a plan that does not survive
        propagation is not a plan. 1e-3 is issue #17's bound on the propagated plan's end.
    """

    nodes: int = 50
    method: str = "scvx"
    max_iterations: int = 50
    substeps: int = 2
    penalty: float = 1e5
    virtual_norm: str = "l1"
    floor_buffer: bool = True
    regularization: float = 1e-4
    backend: str = "ipm"
    trust_radius: float = 1.0
    trust_min: float = 1e-5
    trust_max: float = 10.0
    rho0: float = 0.0
    rho1: float = 0.25
    rho2: float = 0.7
    shrink: float = 2.0
    grow: float = 3.2
    tol_decrease: float = 1e-6
    tol_step: float = 1e-3
    tol_cost: float = 1e-5
    tol_defect: float = 1e-6
    trust_inactive: float = 0.9
    second_order: bool = True
    scaled_trust: bool = True
    solver_max_iter: int = 200
    solver_tol: float = 1e-6
    solver_forcing: float = 1e-3
    solver_tol_loose: float = 3e-3
    solver_final: float = 2.0
    ptr_weight: float = 1e-3
    ptr_weight_growth: float = 1.5
    ptr_weight_sigma: float = 1e-1
    ptr_tol_step: float = 1e-3
    ptr_tol_sigma: float = 1e-3
    ptr_tol_nu: float = 1e-7
    window: int = 10
    infeasible_defect: float = 1e-3

    def __post_init__(self) -> None:
        if self.method not in ("scvx", "ptr"):
            raise ValueError(f"method must be 'scvx' or 'ptr', got {self.method!r}")
        if self.backend not in ("ipm", "conic", "cvxpy"):
            raise ValueError(f"backend must be 'ipm', 'conic' or 'cvxpy', got {self.backend!r}")
        if self.nodes < 3 or self.max_iterations < 1 or self.substeps < 1:
            raise ValueError("need nodes >= 3, max_iterations >= 1, substeps >= 1")
        if not 0.0 < self.solver_tol < 1e-2:
            raise ValueError(f"solver_tol must be in (0, 1e-2), got {self.solver_tol!r}")
