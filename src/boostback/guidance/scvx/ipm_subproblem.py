"""SCvx / PTR's convex subproblems solved by boostback's own interior-point method.

The subproblem is the same conic data as ``subproblem.ConicSubproblem`` builds for Clarabel
(zero cone, nonnegative orthant, second-order cones of sizes 3, 4 and, for SCvx's trust region,
19; PTR's trust penalty and SCvx's step regularisation a diagonal ``P``). ``guidance.ipm``
solves it: the homogeneous embedding with Nesterov-Todd scaling and Mehrotra's
predictor-corrector that the 3-DoF fast path uses, with its diagonal quadratic objective
(Clarabel's embedding of ``1/2 x'Px``). Each subproblem is Ruiz-equilibrated, and started from
the answer to the one before it in the same solve (``IpmSubproblem.warm``; the first subproblem
of a solve starts cold, so a cold solve owes nothing to an earlier one).

The KKT matrix's pattern depends only on the subproblem's shape, so its ordering, its
elimination tree and the pattern of its factor are found once per shape (``_kkt_shape``,
cached for the process: about 0.3 s for the published problem's PTR shape, whose 14 rows of
the virtual control's inf-norm couple every interval); each interior-point iteration is then a
numeric LDL' on that pattern, by relaxed supernodes (``SupernodalShape``,
``guidance.kkt_supernodal``), and three triangular solves. A subproblem the method stops on
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
from boostback.guidance.kkt_supernodal import relaxed_pattern
from boostback.guidance.scvx.dynamics import NU, NX
from boostback.guidance.scvx.subproblem import ConicSubproblem, SubproblemSolution, _pattern
from boostback.jit import jit

__all__ = ["IpmSubproblem"]

_STATUS = {PRIMAL_INFEASIBLE: "PrimalInfeasible", DUAL_INFEASIBLE: "DualInfeasible"}
TOL_INFEASIBLE = 1e-8  # Clarabel's default for its certificates
# Ruiz equilibration of each subproblem (as Clarabel's, Ruiz 2001): passes and the bounds on a
# row's or a column's scale. On the published problem's 15 PTR subproblems 3 passes take 352
# interior-point iterations instead of 382 (2 passes: 352, 5: 352; on 20 SCvx subproblems 420
# instead of 448).
RUIZ_PASSES = 3
RUIZ_MIN, RUIZ_MAX = 1e-4, 1e4
# How far inside its cones a warm start's s and z are moved (``KktShape.solve``): a fraction of
# how far the last answer is from the new subproblem's constraints (the largest entry of
# b - A x - s in the equilibrated data), within [WARM_MARGIN_MIN, WARM_MARGIN_MAX]. The warm
# point must be the more central the more the data moved (Yildirim & Wright 2002, SIAM J. Optim.
# 12(3): the warm start is an iterate whose duality measure matches the size of the data's
# perturbation, an earlier one for a larger one): the published PTR solve's residuals fall
# from about 1 to 1e-3 over its subproblems. A fixed 1e-3 (the margin before): the early
# subproblems' first steps are short (alpha 0.02-0.1 for 3-4 iterations: mu 5e-4 against a
# residual of 0.3-1.2), the late ones are pushed further off their answer than the data moved.
# Fractions 1e-3, 3e-3, 1e-2, 3e-2, 1e-1: 153, 150, 146, 152, 155 interior-point iterations on
# the published PTR solve (155 with 1e-3 fixed); 3e-3 is kept: on 16 dispersed Falcon 9 burns
# (30 and 50 nodes) the same statuses and 8 % fewer iterations, where 1e-2 turned a converged
# burn infeasible; SCvx 285 against 305 (16 iterations against 17), the warm re-plan 96
# against 105.
WARM_RESIDUAL_FRACTION = 3e-3
WARM_MARGIN_MIN, WARM_MARGIN_MAX = 1e-6, 1e-1


@jit
def _ruiz(indptr, indices, data, p_diag, block, passes, col, row, cmax, rmax):
    """Ruiz equilibration: scales ``col`` (variables) and ``row`` (constraint rows, one scale per
    second-order cone: ``block`` maps a row to its cone's first row) so that every column and
    row of ``diag(row) A diag(col)`` (and of ``diag(col) P diag(col)``) has its largest entry
    near one."""
    n = indptr.size - 1
    m = row.size
    for _ in range(passes):
        for j in range(n):
            cmax[j] = abs(p_diag[j]) * col[j] * col[j]
        for i in range(m):
            rmax[i] = 0.0
        for j in range(n):
            cj = col[j]
            cm = cmax[j]  # in a register: the stores to rmax below could alias cmax[j]
            for p in range(indptr[j], indptr[j + 1]):
                i = indices[p]
                v = abs(data[p] * row[i] * cj)
                cm = max(cm, v)
                r = block[i]
                rmax[r] = max(rmax[r], v)
            cmax[j] = cm
        for j in range(n):
            if cmax[j] > 0.0:
                col[j] = min(max(col[j] / np.sqrt(cmax[j]), RUIZ_MIN), RUIZ_MAX)
        for i in range(m):
            r = block[i]
            if rmax[r] > 0.0:
                row[i] = min(max(row[i] / np.sqrt(rmax[r]), RUIZ_MIN), RUIZ_MAX)


@jit
def _scaled(indptr, indices, data, row, col, out):
    """out = diag(row) A diag(col) on A's nonzeros (CSC): each entry (data row) col, as numpy's
    ``data * row[indices] * col[columns]`` rounds it."""
    for j in range(indptr.size - 1):
        cj = col[j]
        for p in range(indptr[j], indptr[j + 1]):
            out[p] = data[p] * row[indices[p]] * cj


@jit
def _primal_residual(indptr, indices, data, x, s, b):
    """The largest entry of b - A x - s (A's nonzeros ``data`` in CSC order; s zero on the
    equality rows), with a work copy of b."""
    r = b.copy()
    for j in range(indptr.size - 1):
        xj = x[j]
        for p in range(indptr[j], indptr[j + 1]):
            r[indices[p]] -= data[p] * xj
    worst = 0.0
    for i in range(b.size):
        worst = max(worst, abs(r[i] - s[i]))
    return worst


class SupernodalShape(KktShape):
    """``KktShape`` factored by supernodes (``kkt_supernodal``): the same ordering, the factor's
    pattern padded to relaxed supernodes, the entries' positions and the update schedule
    redone for it. On the published PTR shape a factorisation takes 1.56 times less CPU than
    ``ldl_factor``'s (a whole cold solve 1.23 times less); on SCvx's 1.04 times less."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        (self.supernodes, self.Lp, self.Li, self.src_map, self.tp, self.tgt) = relaxed_pattern(
            self.Lp, self.Li, self.src_map
        )
        self.nnz_l = int(self.Lp[-1])


@functools.lru_cache(maxsize=8)
def _kkt_shape(
    nodes: int,
    method: str,
    norm: str,
    fixed0: tuple[int, ...],
    fixedf: tuple[int, ...],
    axial: bool,
) -> KktShape:
    """The KKT analysis of one subproblem shape (the arguments of ``subproblem._pattern``),
    factored by supernodes."""
    pat = _pattern(nodes, method, norm, fixed0, fixedf, axial)
    n_eq = sum(dim for kind, dim in pat.cones if kind == "zero")
    n_lp = sum(dim for kind, dim in pat.cones if kind == "nonneg")
    socs = np.array([dim for kind, dim in pat.cones if kind == "soc"], dtype=np.int64)
    kinds = [kind for kind, _ in pat.cones]
    if kinds[:2] != ["zero", "nonneg"] or set(kinds[2:]) != {"soc"}:
        raise AssertionError("the subproblem's cones are not zero, nonnegative, then SOCs")
    return SupernodalShape(pat.lay.size, pat.m, n_eq, n_lp, socs, pat.indptr, pat.indices)


class IpmSubproblem(ConicSubproblem):
    """``ConicSubproblem`` (same data, same answers to the tolerance) solved by
    ``guidance.ipm`` instead of Clarabel; the parameters are ``ConicSubproblem``'s.

    ``handovers`` counts the subproblems handed to Clarabel (the method's iteration cap or a
    numerical stop). After the first, the rest of the solve goes to Clarabel directly
    (``clarabel_only``): the subproblems of one solve are alike, and on the Falcon 9 burn's SCvx
    (hard trust region, its 19-row cone often on its boundary) the method stopped numerically
    on 13 of 22 subproblems, each after about 12 iterations Clarabel then had to repeat. The
    tolerances and the iteration cap are read from ``settings`` (Clarabel's
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
        self.clarabel_only = False  # set by the first hand-over
        self.warm: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # last (x, z, s)
        pat = self.pattern
        block = np.arange(pat.m)  # each row its own scale, one per second-order cone
        row = 0
        for kind, dim in pat.cones:
            if kind == "soc":
                block[row : row + dim] = row
            row += dim
        # unsigned, as the compiled kernels index with them: with signed indices numba checks
        # each for wraparound (Ruiz's passes took 1.4 times as long)
        self._block = block.astype(np.uint32)
        self._indptr = pat.indptr.astype(np.uint32)
        self._indices = pat.indices.astype(np.uint32)

    def p_diagonal(self) -> np.ndarray | None:
        """The diagonal of the last assembled P (None when the objective is linear)."""
        if not self.quadratic or self.p_data is None:
            return None
        n_xu = self.lay.nodes * (NX + NU)
        p = np.zeros(self.lay.size)
        p[:n_xu] = self.p_data[:n_xu]
        return p

    def solve(self, fresh: bool = False) -> SubproblemSolution:
        """Solve the last assembled data by the interior-point method (Clarabel if it stops),
        warm-started from the last subproblem's answer when there is one (``warm``)."""
        assert self.a_data is not None and self.last_b is not None and self.last_q is not None
        if self.clarabel_only:
            return super().solve(fresh)
        t0 = time.perf_counter()
        p_diag = self.p_diagonal()
        scaled = self._equilibrated(p_diag)
        its = 0
        for warm in (self.warm, None) if self.warm is not None and not fresh else (None,):
            status, n_it, x, z, s = self._run(scaled, p_diag, warm)
            its += n_it
            if status in (SOLVED, *_STATUS):
                break  # a warm start that stops numerically is tried once more cold
        self.ipm_iterations += its
        if status == SOLVED:
            self.warm = (x, z, s)
            obj = float(self.last_q @ x)
            if p_diag is not None:
                obj += 0.5 * float(p_diag @ (x * x))
            return self.solution("Solved", its, time.perf_counter() - t0, x, obj)
        self.warm = None
        if status in _STATUS:
            return SubproblemSolution(_STATUS[status], its, time.perf_counter() - t0)
        self.handovers += 1
        self.clarabel_only = True
        sol = super().solve(fresh)
        # the method's iterations and time before the hand-over count too
        return replace(sol, iterations=sol.iterations + its, solve_s=time.perf_counter() - t0)

    def _equilibrated(
        self, p_diag: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Ruiz's column and row scales of the last data, and the scaled A (its nonzeros), b
        and q."""
        assert self.a_data is not None and self.last_b is not None and self.last_q is not None
        pat, lay = self.pattern, self.lay
        col, row = np.ones(lay.size), np.ones(pat.m)
        p_eq = np.zeros(lay.size) if p_diag is None else p_diag
        data = self.a_data
        _ruiz(
            self._indptr, self._indices, data, p_eq, self._block, RUIZ_PASSES, col, row,
            np.empty(lay.size), np.empty(pat.m),
        )  # fmt: skip
        a = np.empty(data.size)
        _scaled(self._indptr, self._indices, data, row, col, a)
        return col, row, a, row * self.last_b, col * self.last_q

    def _run(
        self,
        scaled: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        p_diag: np.ndarray | None,
        warm: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    ) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
        """One run of the method on the equilibrated data; (status, iterations, x, z, s) in
        the subproblem's own units (A = diag(1/row) A_s diag(1/col): x = col x_s, z = row z_s,
        s = s_s / row)."""
        col, row, a, b, q = scaled
        st = self.settings
        start = None if warm is None else (warm[0] / col, warm[1] / row, warm[2] * row)
        margin = 0.0
        if start is not None:  # WARM_RESIDUAL_FRACTION
            res = _primal_residual(self._indptr, self._indices, a, start[0], start[2], b)
            margin = min(WARM_MARGIN_MAX, max(WARM_MARGIN_MIN, WARM_RESIDUAL_FRACTION * res))
        status, its, x, z, s = self.kkt.solve(
            a,
            b,
            q,
            max_iter=int(st.max_iter),
            tol_feas=float(st.tol_feas),
            tol_gap_abs=float(st.tol_gap_abs),
            tol_gap_rel=float(st.tol_gap_rel),
            tol_infeas=TOL_INFEASIBLE,
            p_diag=None if p_diag is None else p_diag * col * col,
            gap_rel_unscaled=True,
            warm=start,
            warm_margin=margin,
        )
        return status, its, x * col, z * row, s / row
