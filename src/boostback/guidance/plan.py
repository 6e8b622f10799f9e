"""The result of a landing-burn guidance solve."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cached_property

import numpy as np

from boostback.guidance.frozen import build
from boostback.guidance.problem import Scales
from boostback.jit import interpreted, jit


@jit(inline="always")
def sample_table(ts, rvu, tf_s, t_s):
    """Row ``(r, v, u)`` of the node table ``rvu`` at time ``t_s``, linearly interpolated on the
    node times ``ts`` and held at the ends (``LandingPlan.sample``; the compiled landing burn
    samples the plan with it too)."""
    t = min(max(t_s, 0.0), tf_s)
    i = max(min(np.searchsorted(ts, t, side="right") - 1, ts.shape[0] - 2), 0)
    w = (t - ts[i]) / (ts[i + 1] - ts[i])
    return (1 - w) * rvu[i] + w * rvu[i + 1]


_sample_table = interpreted(sample_table)


# A failed plan's arrays: empty, so nothing in them can change; shared by every failed plan.
_EMPTY, _EMPTY_ROWS = np.zeros(0), np.zeros((0, 3))
_EMPTY.flags.writeable = _EMPTY_ROWS.flags.writeable = False


class PlanStatus(StrEnum):
    OPTIMAL = "optimal"  # fuel-optimal pinpoint landing on the target
    MIN_ERROR = "min_error"  # target unreachable: lands as close as it can (Blackmore 2010)
    INFEASIBLE = "infeasible"  # no soft landing anywhere from this state
    SOLVER_ERROR = "solver_error"


@dataclass(frozen=True)
class LandingPlan:
    """A planned powered descent on nodes ``t_s`` (seconds from the plan's start).

    ``accel_enu_mps2`` is thrust over mass at each node (the papers' u); ``thrust_enu_n`` the
    thrust itself; ``sigma_mps2`` the convex slack that bounds ``|u|`` (tight at the optimum).
    """

    status: PlanStatus
    tf_s: float
    t_s: np.ndarray
    r_enu_m: np.ndarray
    v_enu_mps: np.ndarray
    mass_kg: np.ndarray
    accel_enu_mps2: np.ndarray
    sigma_mps2: np.ndarray
    landing_error_m: float
    solves: int = 1
    solve_time_s: float = 0.0
    message: str = ""
    # d(final mass)/d(time of flight) at this plan, from the duals; NaN when not computed.
    mass_slope_kg_per_s: float = float("nan")
    # d(landing error)/d(time of flight) of a minimum-landing-error plan; NaN when not computed.
    error_slope_m_per_s: float = float("nan")
    # The hold the plan was solved with: "foh" (u and sigma linear between nodes) or "zoh" (held
    # constant over each interval, so the last node's u and sigma never act).
    discretization: str = "foh"

    def __post_init__(self) -> None:
        if self.discretization not in ("foh", "zoh"):
            raise ValueError(f"discretization must be 'foh' or 'zoh', got {self.discretization!r}")

    @property
    def feasible(self) -> bool:
        return self.status in (PlanStatus.OPTIMAL, PlanStatus.MIN_ERROR)

    @property
    def relaxation_gap(self) -> float:
        """Largest ``(sigma - |u|) / sigma`` over the nodes where thrust acts: 0 when the
        relaxation is lossless.

        Under a zero-order hold the thrust of node k acts over [t_k, t_k+1), so the last node's
        ``u`` and ``sigma`` enter neither the dynamics nor the mass: the solver leaves them
        anywhere in their cones, and that node is not counted. Under the first-order hold every
        node is.

        Lossless convexification can come out loose when the optimum would rather coast (thrust
        below the engine's floor), typically when a burn starts earlier than it needs to: the
        plan then asks for less thrust than the engine can give. Callers can check this.
        """
        if not self.feasible or self.sigma_mps2.size == 0:
            return float("nan")
        acting = slice(None, -1) if self.discretization == "zoh" else slice(None)
        sigma = self.sigma_mps2[acting]
        norm_u = np.linalg.norm(self.accel_enu_mps2[acting], axis=1)
        return float(np.max((sigma - norm_u) / np.maximum(sigma, 1e-12)))

    @property
    def thrust_enu_n(self) -> np.ndarray:
        return self.accel_enu_mps2 * self.mass_kg[:, None]

    @property
    def thrust_n(self) -> np.ndarray:
        return np.linalg.norm(self.thrust_enu_n, axis=1)

    @property
    def propellant_kg(self) -> float:
        return float(self.mass_kg[0] - self.mass_kg[-1])

    @cached_property
    def table(self) -> tuple[np.ndarray, np.ndarray]:
        """The node times and (r, v, u) side by side, one row per node: ``sample`` is called
        every control step."""
        rvu = np.concatenate([self.r_enu_m, self.v_enu_mps, self.accel_enu_mps2], axis=1)
        return np.ascontiguousarray(self.t_s, dtype=np.float64), rvu

    def sample(self, t_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Position, velocity and thrust acceleration at time ``t_s``, linearly interpolated."""
        ts, rvu = self.table
        out = _sample_table(ts, rvu, self.tf_s, t_s)
        return out[0:3], out[3:6], out[6:9]

    def dimensional(self, sc: Scales) -> LandingPlan:
        """This plan, solved in the units ``sc``, back in SI units."""
        if not self.feasible:
            return self
        return replace(
            self,
            tf_s=self.tf_s * sc.time_s,
            t_s=self.t_s * sc.time_s,
            r_enu_m=self.r_enu_m * sc.length_m,
            v_enu_mps=self.v_enu_mps * sc.speed_mps,
            mass_kg=self.mass_kg * sc.mass_kg,
            accel_enu_mps2=self.accel_enu_mps2 * sc.accel_mps2,
            sigma_mps2=self.sigma_mps2 * sc.accel_mps2,
            landing_error_m=self.landing_error_m * sc.length_m,
        )

    @classmethod
    def failed(cls, status: PlanStatus, message: str, solves: int, seconds: float) -> LandingPlan:
        empty = _EMPTY_ROWS
        return build(
            cls,
            {
                "status": status,
                "tf_s": float("nan"),
                "t_s": _EMPTY,
                "r_enu_m": empty,
                "v_enu_mps": empty,
                "mass_kg": _EMPTY,
                "accel_enu_mps2": empty,
                "sigma_mps2": _EMPTY,
                "landing_error_m": float("nan"),
                "solves": solves,
                "solve_time_s": seconds,
                "message": message,
            },
        )
