"""SCvx / PTR's convex subproblems solved by boostback's own interior-point method.

The subproblem is the same conic data as ``subproblem.ConicSubproblem`` builds for Clarabel
(zero cone, nonnegative orthant, second-order cones of sizes 3, 4 and, for SCvx's trust region,
19; PTR's trust penalty and SCvx's step regularisation a diagonal ``P``). ``guidance.ipm``
solves it: the homogeneous embedding with Nesterov-Todd scaling and Mehrotra's
predictor-corrector that the 3-DoF fast path uses, with its diagonal quadratic objective
(Clarabel's embedding of ``1/2 x'Px``).

The KKT matrix's pattern depends only on the subproblem's shape, so its ordering, its
elimination tree and the pattern of its factor are found once per shape (``_kkt_shape``,
cached for the process: about 1.5 s for the published problem's PTR shape, whose 14 rows of
the virtual control's inf-norm couple every interval); each interior-point iteration is then a
numeric LDL' on that pattern and two triangular solves. A subproblem the method stops on
(iteration cap, numerical trouble) is handed to Clarabel on the same data, as the 3-DoF path
does; infeasibility certificates are the method's own.
"""

from __future__ import annotations

import functools
import time
from dataclasses import replace

import numpy as np

from boostback.guidance.ipm import (
    DUAL_INFEASIBLE,
    PRIMAL_INFEASIBLE,
    SOLVED,
    KktShape,
)
from boostback.guidance.scvx.dynamics import NU, NX
from boostback.guidance.scvx.subproblem import ConicSubproblem, SubproblemSolution, _pattern

__all__ = ["IpmSubproblem"]

_STATUS = {PRIMAL_INFEASIBLE: "PrimalInfeasible", DUAL_INFEASIBLE: "DualInfeasible"}
TOL_INFEASIBLE = 1e-8  # Clarabel's default for its certificates


@functools.lru_cache(maxsize=8)
def _kkt_shape(
    nodes: int,
    method: str,
    norm: str,
    fixed0: tuple[int, ...],
    fixedf: tuple[int, ...],
    axial: bool,
) -> KktShape:
    """The KKT analysis of one subproblem shape (the arguments of ``subproblem._pattern``)."""
    pat = _pattern(nodes, method, norm, fixed0, fixedf, axial)
    n_eq = sum(dim for kind, dim in pat.cones if kind == "zero")
    n_lp = sum(dim for kind, dim in pat.cones if kind == "nonneg")
    socs = np.array([dim for kind, dim in pat.cones if kind == "soc"], dtype=np.int64)
    kinds = [kind for kind, _ in pat.cones]
    if kinds[:2] != ["zero", "nonneg"] or set(kinds[2:]) != {"soc"}:
        raise AssertionError("the subproblem's cones are not zero, nonnegative, then SOCs")
    return KktShape(pat.lay.size, pat.m, n_eq, n_lp, socs, pat.indptr, pat.indices)


class IpmSubproblem(ConicSubproblem):
    """``ConicSubproblem`` (same data, same answers to the tolerance) solved by
    ``guidance.ipm`` instead of Clarabel; the parameters are ``ConicSubproblem``'s.

    ``handovers`` counts the subproblems handed to Clarabel (the method's iteration cap or a
    numerical stop). The tolerances and the iteration cap are read from ``settings`` (Clarabel's
    settings object, as the solver sets them), so both backends solve to the same accuracy.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        prob, lay = self.prob, self.lay
        self.kkt = _kkt_shape(
            lay.nodes,
            lay.method,
            lay.norm,
            tuple(int(i) for i in np.flatnonzero(~prob.init_free)),
            tuple(int(i) for i in np.flatnonzero(~prob.final_free)),
            prob.final_thrust_axial,
        )
        self.handovers = 0
        self.ipm_iterations = 0

    def p_diagonal(self) -> np.ndarray | None:
        """The diagonal of the last assembled P (None when the objective is linear)."""
        if not self.quadratic or self.last_p is None:
            return None
        n_xu = self.lay.nodes * (NX + NU)
        p = np.zeros(self.lay.size)
        p[:n_xu] = self.last_p.data[:n_xu]
        return p

    def solve(self, fresh: bool = False) -> SubproblemSolution:
        """Solve the last assembled data by the interior-point method (Clarabel if it stops)."""
        assert self.last_a is not None and self.last_b is not None and self.last_q is not None
        t0 = time.perf_counter()
        st = self.settings
        p_diag = self.p_diagonal()
        status, its, x, _, _ = self.kkt.solve(
            self.last_a.data,
            self.last_b,
            self.last_q,
            max_iter=int(st.max_iter),
            tol_feas=float(st.tol_feas),
            tol_gap_abs=float(st.tol_gap_abs),
            tol_gap_rel=float(st.tol_gap_rel),
            tol_infeas=TOL_INFEASIBLE,
            p_diag=p_diag,
            gap_rel_unscaled=True,
        )
        self.ipm_iterations += its
        if status == SOLVED:
            dt = time.perf_counter() - t0
            obj = float(self.last_q @ x)
            if p_diag is not None:
                obj += 0.5 * float(p_diag @ (x * x))
            return self.solution("Solved", its, dt, x, obj)
        if status in _STATUS:
            return SubproblemSolution(_STATUS[status], its, time.perf_counter() - t0)
        self.handovers += 1
        sol = super().solve(fresh)
        # the method's iterations and time before the hand-over count too
        return replace(sol, iterations=sol.iterations + its, solve_s=time.perf_counter() - t0)
