"""The landing-burn guidance problem: everything the convex solver needs, in SI units.

The frame is local east-north-up (ENU) with its origin on the landing pad; index 2 is "up".
Thrust bounds are the net thrust along the vehicle axis (canted engines already projected), and
``alpha_s_per_m`` is the mass-flow constant that goes with them, ``1 / (Isp g0 cos(cant))``
(Acikmese & Ploen 2007): canted engines burn propellant for thrust that cancels sideways.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from boostback.constants import G0_MPS2
from boostback.guidance import frozen


@dataclass(frozen=True)
class LandingProblem:
    """A powered-descent problem in the pad-centred ENU frame.

    Attributes:
        r0_enu_m: initial position (east, north, up) relative to the pad.
        v0_enu_mps: initial velocity.
        m0_kg: initial mass; m_dry_kg the mass below which no propellant is left.
        thrust_min_n, thrust_max_n: net axial thrust bounds (rho1, rho2 in the papers).
        alpha_s_per_m: mass flow per newton of net thrust.
        g_enu_mps2: uniform gravity vector, e.g. (0, 0, -9.80665).
        max_tilt_rad: pointing limit of the thrust vector from vertical (pi/2 or more disables).
        glide_slope_rad: minimum elevation of the trajectory seen from the landing point (0: only
            stay above the ground).
        target_enu_m: landing point; touchdown_speed_mps: planned vertical speed at touchdown.
        terminal_vertical_s: final seconds flown straight down with no horizontal motion.
        terminal_max_accel_mps2: cap on the thrust acceleration over that vertical descent (None:
            no cap). A booster that brakes hard all the way to the ground lands fast for the
            smallest error in its altitude estimate; a gentler last few seconds is robust to it.
    """

    r0_enu_m: np.ndarray
    v0_enu_mps: np.ndarray
    m0_kg: float
    m_dry_kg: float
    thrust_min_n: float
    thrust_max_n: float
    alpha_s_per_m: float
    g_enu_mps2: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.0, -G0_MPS2]))
    max_tilt_rad: float = math.pi / 2
    glide_slope_rad: float = 0.0
    target_enu_m: np.ndarray = field(default_factory=lambda: np.zeros(3))
    touchdown_speed_mps: float = 0.0
    terminal_vertical_s: float = 0.0
    terminal_max_accel_mps2: float | None = None

    def __post_init__(self) -> None:
        for name in _VECTORS:
            value = getattr(self, name)
            # a float64 (3,) array is kept as it is (reshape would only make a view of it)
            if not (type(value) is np.ndarray and value.shape == (3,) and value.dtype == _F64):
                object.__setattr__(self, name, np.asarray(value, dtype=float).reshape(3))
        if not self.m0_kg > self.m_dry_kg > 0:
            raise ValueError(f"need m0 > m_dry > 0, got m0={self.m0_kg}, m_dry={self.m_dry_kg}")
        if not 0 < self.thrust_min_n <= self.thrust_max_n:
            raise ValueError("need 0 < thrust_min_n <= thrust_max_n")
        if self.alpha_s_per_m <= 0:
            raise ValueError("alpha_s_per_m must be positive")

    @property
    def propellant_kg(self) -> float:
        return self.m0_kg - self.m_dry_kg

    def tf_bounds_s(self) -> tuple[float, float]:
        """Bounds on the time of flight (Acikmese & Ploen 2007, section on the line search).

        Lower: even at full thrust the dry vehicle needs ``m_dry |v0| / rho2`` to stop.
        Upper: at minimum thrust the propellant lasts ``m_fuel / (alpha rho1)``.
        """
        t_min = self.m_dry_kg * float(np.linalg.norm(self.v0_enu_mps)) / self.thrust_max_n
        t_max = self.propellant_kg / (self.alpha_s_per_m * self.thrust_min_n)
        return max(t_min, 0.5), t_max

    def nondimensional(self) -> tuple[LandingProblem, Scales]:
        """The same problem in units where distance to go, gravity and initial mass are one.

        Interior-point solvers are sensitive to scaling: in metres and seconds positions are in
        the thousands while log-mass changes by tenths, and an unscaled solve can stop short of
        the optimum while reporting success. Both back ends solve this version.
        """
        length = max(norm3(self.r0_enu_m - self.target_enu_m), 1.0)
        g = max(norm3(self.g_enu_mps2), 1e-3)
        sc = Scales(length_m=length, time_s=math.sqrt(length / g), mass_kg=self.m0_kg)
        force = sc.mass_kg * sc.accel_mps2
        nd = self.replaced(
            r0_enu_m=self.r0_enu_m / length,
            v0_enu_mps=self.v0_enu_mps / sc.speed_mps,
            m0_kg=1.0,
            m_dry_kg=self.m_dry_kg / sc.mass_kg,
            thrust_min_n=self.thrust_min_n / force,
            thrust_max_n=self.thrust_max_n / force,
            alpha_s_per_m=self.alpha_s_per_m * sc.speed_mps,
            g_enu_mps2=self.g_enu_mps2 / sc.accel_mps2,
            target_enu_m=self.target_enu_m / length,
            touchdown_speed_mps=self.touchdown_speed_mps / sc.speed_mps,
            terminal_vertical_s=self.terminal_vertical_s / sc.time_s,
            terminal_max_accel_mps2=None
            if self.terminal_max_accel_mps2 is None
            else self.terminal_max_accel_mps2 / sc.accel_mps2,
        )
        return nd, sc

    def with_state(
        self, r0_enu_m: np.ndarray, v0_enu_mps: np.ndarray, m0_kg: float
    ) -> LandingProblem:
        """The same problem from a new initial state (used when re-planning)."""
        return self.replaced(r0_enu_m=r0_enu_m, v0_enu_mps=v0_enu_mps, m0_kg=m0_kg)

    def replaced(self, **changes: object) -> LandingProblem:
        """``dataclasses.replace(self, **changes)``, checked as the constructor checks, in a
        tenth of its time (the guidance builds a few of these per solve).

        Parameters
        ----------
        **changes
            New values of some of the fields.

        Returns
        -------
        LandingProblem
        """
        return frozen.replace(self, changes)


def norm3(v: np.ndarray) -> float:
    """``float(np.linalg.norm(v))`` of a float64 vector, to the bit (the same square root of the
    same ``dot``), without the checks that take most of its time on three entries.

    Parameters
    ----------
    v : numpy.ndarray
        A one-dimensional float64 array.

    Returns
    -------
    float
    """
    return math.sqrt(v.dot(v))


_VECTORS = ("r0_enu_m", "v0_enu_mps", "g_enu_mps2", "target_enu_m")
_F64 = np.dtype(np.float64)


@dataclass(frozen=True)
class Scales:
    """Units of a nondimensional landing problem."""

    length_m: float
    time_s: float
    mass_kg: float

    @property
    def speed_mps(self) -> float:
        return self.length_m / self.time_s

    @property
    def accel_mps2(self) -> float:
        return self.length_m / self.time_s**2


def alpha_from_isp(isp_s: float, cant_rad: float = 0.0) -> float:
    """Mass-flow constant per newton of net axial thrust: ``1 / (Isp g0 cos(cant))``."""
    return 1.0 / (isp_s * G0_MPS2 * math.cos(cant_rad))
