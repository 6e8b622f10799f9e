"""The 6-DoF powered-descent problem, stated once, apart from any algorithm that solves it.

As in SCPToolbox.jl (Malyuta et al. 2022), the problem is data: dynamics (``dynamics.py``),
boundary conditions, convex path constraints, the one non-convex constraint (the thrust floor,
linearised by the algorithm), the cost and the scaling. ``solver.py`` runs SCvx or PTR on it and
``subproblem.py`` writes each convex subproblem as conic data.

Frame and layout (Szmuk & Acikmese 2018): inertial frame up-east-north (``_uen``), first axis
up; state ``x = (m, r, v, q, w)`` mass first (``dynamics.py``); the project's rigid-body layout
(``dynamics.rigid_state``: position, velocity, mass, quaternion, rates, in east-north-up) is
converted at the boundary by ``frames.py``. The landing target is the frame's origin.

Constraints at every node (``tau`` the normalised time, ``sigma`` the time of flight):

- mass: ``m >= m_dry``;
- glide slope: ``tan(gamma_gs) |(r_y, r_z)| <= r_x`` (Szmuk & Acikmese's 20 deg is the angle of
  the cone's wall above the ground);
- tilt: the body axis within ``theta_max`` of up, ``|(q_2, q_3)| <= sqrt((1 - cos theta) / 2)``;
- body rates: ``|w| <= w_max``;
- gimbal: ``|(T_y, T_z)| <= tan(delta_max) T_x``;
- thrust: ``|T| <= T_max`` (convex) and ``|T| >= T_min`` (not convex: linearised about the
  reference thrust direction, ``T_min <= T_ref . T / |T_ref|``);
- time of flight within ``[tf_min, tf_max]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from boostback.guidance.scvx.dynamics import NX, pack_params

__all__ = ["Scales", "SixDofProblem", "initial_guess", "trust_units"]

COSTS = ("time", "fuel")


@dataclass(frozen=True)
class Scales:
    """Units the problem is solved in: length, time and mass (1, 1, 1: as given)."""

    length: float = 1.0
    time: float = 1.0
    mass: float = 1.0

    @property
    def speed(self) -> float:
        return self.length / self.time

    @property
    def accel(self) -> float:
        return self.length / self.time**2

    @property
    def force(self) -> float:
        return self.mass * self.accel

    @property
    def inertia(self) -> float:
        return self.mass * self.length**2

    def state(self) -> np.ndarray:
        """Per-component unit of the state ``(m, r, v, q, w)``."""
        s = np.ones(NX)
        s[0] = self.mass
        s[1:4] = self.length
        s[4:7] = self.speed
        s[11:14] = 1.0 / self.time
        return s


def _free_mask(indices: tuple[int, ...] = ()) -> np.ndarray:
    mask = np.zeros(NX, dtype=bool)
    mask[list(indices)] = True
    return mask


@dataclass(frozen=True, eq=False)
class SixDofProblem:
    """A free-final-time 6-DoF landing, in consistent units (SI, or nondimensional).

    Attributes
    ----------
    x_init, x_final : (14,) arrays
        Boundary states ``(m, r, v, q, w)``; components flagged in ``init_free`` /
        ``final_free`` are left free (by default the final mass).
    m_dry : float
        Mass floor.
    thrust_min, thrust_max : float
        Thrust magnitude bounds.
    alpha : float
        Mass flow per unit thrust, ``1 / (Isp g0)``.
    g : (3,) array
        Gravity, up-east-north (first component negative).
    inertia : (3, 3) array
        Inertia tensor about the centre of mass, body frame.
    r_thrust : (3,) array
        Thrust point relative to the centre of mass, body frame.
    gimbal_max_rad, tilt_max_rad, glide_slope_rad, rate_max_rad : float
        Path-constraint limits (module docstring).
    tf_guess, tf_min, tf_max : float
        Initial guess of the time of flight and its bounds.
    final_thrust_axial : bool
        The last node's thrust along the body axis (no gimbal at touchdown).
    cost : str
        "time" (minimum time of flight, as EmbersArc's implementation) or "fuel" (maximum final
        mass, as Szmuk & Acikmese 2018).
    scales : Scales
        The units of every number here relative to SI (1 for SI; see ``nondimensional``).
    """

    x_init: np.ndarray
    x_final: np.ndarray
    m_dry: float
    thrust_min: float
    thrust_max: float
    alpha: float
    g: np.ndarray
    inertia: np.ndarray
    r_thrust: np.ndarray
    gimbal_max_rad: float
    tilt_max_rad: float
    glide_slope_rad: float
    rate_max_rad: float
    tf_guess: float
    tf_min: float
    tf_max: float
    init_free: np.ndarray = field(default_factory=_free_mask)
    final_free: np.ndarray = field(default_factory=lambda: _free_mask((0,)))
    final_thrust_axial: bool = True
    cost: str = "time"
    scales: Scales = field(default_factory=Scales)

    def __post_init__(self) -> None:
        for name, shape in (
            ("x_init", (NX,)),
            ("x_final", (NX,)),
            ("g", (3,)),
            ("inertia", (3, 3)),
            ("r_thrust", (3,)),
        ):
            arr = np.array(getattr(self, name), dtype=float).reshape(shape)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        for name in ("init_free", "final_free"):
            arr = np.array(getattr(self, name), dtype=bool).reshape(NX)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        if self.cost not in COSTS:
            raise ValueError(f"cost must be one of {COSTS}, got {self.cost!r}")
        if not 0.0 <= self.thrust_min <= self.thrust_max:
            raise ValueError("need 0 <= thrust_min <= thrust_max")
        if not 0.0 < self.tf_min <= self.tf_guess <= self.tf_max:
            raise ValueError("need 0 < tf_min <= tf_guess <= tf_max")
        if not 0.0 < self.m_dry <= self.x_init[0]:
            raise ValueError("need 0 < m_dry <= initial mass")

    @cached_property
    def params(self) -> np.ndarray:
        """The vehicle as the compiled kernels take it (``dynamics.pack_params``), packed once
        per problem (the discretisation reads it every iteration; a fresh pack inverts J)."""
        return pack_params(self.alpha, self.g, self.r_thrust, self.inertia)

    @property
    def tan_gimbal(self) -> float:
        return math.tan(self.gimbal_max_rad)

    @property
    def tilt_bound(self) -> float:
        """Bound on ``|(q_2, q_3)|`` equivalent to the tilt limit."""
        return math.sqrt((1.0 - math.cos(self.tilt_max_rad)) / 2.0)

    @property
    def cot_glide(self) -> float:
        """``1 / tan(glide slope)``: the bound on ``|(r_y, r_z)|`` per unit altitude."""
        return 1.0 / math.tan(self.glide_slope_rad)

    def nondimensional(self, scales: Scales) -> SixDofProblem:
        """This problem (in SI) in the units ``scales``."""
        if self.scales != Scales():
            raise ValueError("nondimensional() takes a problem in SI units")
        sx = scales.state()
        return replace(
            self,
            x_init=self.x_init / sx,
            x_final=self.x_final / sx,
            m_dry=self.m_dry / scales.mass,
            thrust_min=self.thrust_min / scales.force,
            thrust_max=self.thrust_max / scales.force,
            alpha=self.alpha * scales.speed,
            g=self.g / scales.accel,
            inertia=self.inertia / scales.inertia,
            r_thrust=self.r_thrust / scales.length,
            rate_max_rad=self.rate_max_rad * scales.time,
            tf_guess=self.tf_guess / scales.time,
            tf_min=self.tf_min / scales.time,
            tf_max=self.tf_max / scales.time,
            scales=scales,
        )


def initial_guess(prob: SixDofProblem, nodes: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The straight-line initial guess of Szmuk & Acikmese 2018 (sec. IV.A), as EmbersArc's
    ``initialize_trajectory``: mass, position, velocity and rates interpolated between the
    boundary states with weights ``(K - k) / K`` and ``k / K`` (so the last node stops one step
    short of the final state), attitude upright (identity quaternion), and thrust at each node
    balancing that node's weight (``-m_k g``, in the body frame of an upright vehicle).

    Returns
    -------
    xs : (K, 14), us : (K, 3), sigma : float (``tf_guess``)
    """
    k = np.arange(nodes, dtype=float)[:, None]
    a1 = (nodes - k) / nodes
    a2 = k / nodes
    x0, xf = prob.x_init, prob.x_final.copy()
    xf[0] = prob.m_dry
    xs = a1 * x0 + a2 * xf
    xs[:, 7:11] = (1.0, 0.0, 0.0, 0.0)
    us = -xs[:, :1] * prob.g[None, :]
    return xs, us, float(prob.tf_guess)


def trust_units(prob: SixDofProblem) -> np.ndarray:
    """The unit of each component of ``(x, u, sigma)`` (18 numbers) in which SCvx measures its
    trust region and its steps: the width of the range the component can take in this
    problem, as SCPToolbox.jl scales each variable to [0, 1] over its bounding box (Malyuta et
    al. 2022, "Convex optimization for trajectory generation", sec. on scaling).

    Mass: the propellant aboard; position: the largest boundary distance from the target;
    velocity: the largest boundary speed; quaternion: 1; body rates: their limit; thrust: its
    ceiling; time of flight: its initial guess. A step of one unit in any component is then a
    step across that component's range, so a trust radius of 1 weighs a change of attitude or
    rate as much as one of position, whatever the problem's units.
    """
    x0, xf = prob.x_init, prob.x_final
    tiny = 1e-9
    units = np.empty(NX + 4)
    units[0] = max(x0[0] - prob.m_dry, tiny)
    units[1:4] = max(float(np.linalg.norm(x0[1:4])), float(np.linalg.norm(xf[1:4])), tiny)
    units[4:7] = max(float(np.linalg.norm(x0[4:7])), float(np.linalg.norm(xf[4:7])), tiny)
    units[7:11] = 1.0
    units[11:14] = max(prob.rate_max_rad, tiny)
    units[14:17] = max(prob.thrust_max, tiny)
    units[17] = prob.tf_guess
    return units
