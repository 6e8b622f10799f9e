"""What a successive-convexification solve returns: a status, the plan sampled in time, and the
history of its iterations."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from boostback.guidance.scvx.frames import rigid_from_scvx
from boostback.guidance.scvx.problem import SixDofProblem

__all__ = ["IterationRecord", "PlanSample", "ScvxPlan", "ScvxStatus"]


class ScvxStatus(StrEnum):
    """How a solve ended. Only ``CONVERGED`` carries a plan that flies.

    - ``CONVERGED``: the iterates stopped moving and the plan satisfies the nonlinear dynamics
      and the thrust floor (virtual control and buffers within tolerance);
    - ``MAX_ITERATIONS``: the iteration budget ran out first (the last accepted iterate is
      returned, for inspection);
    - ``INFEASIBLE``: the iterates converged but the virtual control could not be driven to
      zero, or (PTR) they never settled and the virtual control stayed large throughout the
      last iterations: no plan satisfies the dynamics near the iterates (e.g. thrust below
      weight). A local method's verdict, not a certificate;
    - ``INFEASIBLE_SUBPROBLEM``: a convex subproblem was proved infeasible (its hard
      constraints contradict each other: a boundary state outside the path constraints);
    - ``SOLVER_ERROR``: the conic solver stopped without an answer or a certificate.
    """

    CONVERGED = "converged"
    MAX_ITERATIONS = "max_iterations"
    INFEASIBLE = "infeasible"
    INFEASIBLE_SUBPROBLEM = "infeasible_subproblem"
    SOLVER_ERROR = "solver_error"


@dataclass(frozen=True)
class IterationRecord:
    """One subproblem solve (nondimensional quantities, in the units the problem was solved in).

    ``cost`` is the nonlinear penalised cost of the candidate (objective plus ``lambda`` times
    the l1 norm of its dynamics defects and thrust-floor violations); ``linear_cost`` the
    subproblem's prediction of it; ``rho`` their ratio of decreases (SCvx; NaN for PTR and the
    first iterate); ``trust`` the radius (SCvx) or the penalty weight (PTR) used;
    ``solver_tol`` the tolerance its subproblem was solved to.
    """

    iteration: int
    accepted: bool
    cost: float
    linear_cost: float
    virtual_control_l1: float
    defect_max: float
    trust: float
    rho: float
    tf: float
    step: float
    solver_status: str
    solver_iterations: int
    discretize_s: float
    assemble_s: float
    solver_s: float
    total_s: float
    solver_tol: float = float("nan")


@dataclass(frozen=True)
class PlanSample:
    """The plan at one instant: thrust (body, N), attitude (quaternion body -> up-east-north),
    body rates (rad/s), mass (kg), position (m) and velocity (m/s) in up-east-north."""

    thrust_body_n: np.ndarray
    quat_uen: np.ndarray
    rate_body_rps: np.ndarray
    mass_kg: float
    r_uen_m: np.ndarray
    v_uen_mps: np.ndarray


@dataclass(frozen=True, eq=False)
class ScvxPlan:
    """A 6-DoF plan on K nodes, in SI units.

    ``x`` holds the literature's states ``(m, r, v, q, w)`` in up-east-north (``dynamics.py``);
    ``rigid_states_enu`` converts them to the project's rigid-body layout. The thrust is
    linear between nodes (first-order hold), which ``sample`` reproduces exactly; the states are
    interpolated linearly (the quaternion renormalised).
    """

    status: ScvxStatus
    message: str
    method: str
    problem: SixDofProblem
    t_s: np.ndarray
    x: np.ndarray
    u_body_n: np.ndarray
    iterations: int
    history: tuple[IterationRecord, ...]
    solve_time_s: float

    @property
    def converged(self) -> bool:
        return self.status is ScvxStatus.CONVERGED

    @property
    def tf_s(self) -> float:
        return float(self.t_s[-1]) if self.t_s.size else float("nan")

    @property
    def mass_kg(self) -> np.ndarray:
        return self.x[:, 0]

    @property
    def r_uen_m(self) -> np.ndarray:
        return self.x[:, 1:4]

    @property
    def v_uen_mps(self) -> np.ndarray:
        return self.x[:, 4:7]

    @property
    def quat_uen(self) -> np.ndarray:
        return self.x[:, 7:11]

    @property
    def rate_body_rps(self) -> np.ndarray:
        return self.x[:, 11:14]

    @property
    def thrust_n(self) -> np.ndarray:
        return np.linalg.norm(self.u_body_n, axis=1)

    @property
    def propellant_kg(self) -> float:
        return float(self.x[0, 0] - self.x[-1, 0]) if self.x.size else float("nan")

    def rigid_states_enu(self) -> np.ndarray:
        """The node states in the project's rigid-body layout, east-north-up (K, 14)."""
        return rigid_from_scvx(self.x)

    def sample(self, t_s: float) -> PlanSample:
        """The plan at ``t_s`` seconds from its start (clamped to [0, t_f])."""
        if self.t_s.size < 2:
            raise ValueError(f"no plan to sample (status {self.status})")
        t = min(max(float(t_s), 0.0), self.tf_s)
        i = int(np.searchsorted(self.t_s, t, side="right")) - 1
        i = min(max(i, 0), self.t_s.size - 2)
        w = (t - self.t_s[i]) / (self.t_s[i + 1] - self.t_s[i])
        x = (1.0 - w) * self.x[i] + w * self.x[i + 1]
        u = (1.0 - w) * self.u_body_n[i] + w * self.u_body_n[i + 1]
        q = x[7:11] / np.linalg.norm(x[7:11])
        return PlanSample(u, q, x[11:14].copy(), float(x[0]), x[1:4].copy(), x[4:7].copy())

    def timings(self) -> dict[str, float]:
        """Where the time went, summed over the iterations (seconds)."""
        h = self.history
        disc = sum(r.discretize_s for r in h)
        asm = sum(r.assemble_s for r in h)
        sol = sum(r.solver_s for r in h)
        return {
            "discretize_s": disc,
            "assemble_s": asm,
            "solver_s": sol,
            "other_s": max(self.solve_time_s - disc - asm - sol, 0.0),
            "total_s": self.solve_time_s,
        }
