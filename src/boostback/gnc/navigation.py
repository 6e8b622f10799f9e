"""Navigation: noisy position and velocity fixes fused with the vehicle's inertial increments,
and the engines' thrust estimated from the accelerometers.

A flight computer does not steer on raw fixes (GNSS, radar altimeter, ...): it integrates its
inertial measurement unit between fixes and blends the fixes in. Modelled here as a
complementary filter with an ideal IMU: the estimate moves with the true change of position and
velocity over each step (what strapdown integration of a perfect IMU gives), then closes a
fraction ``1 - exp(-dt / tau)`` of its gap to the latest fix. White fix noise of standard
deviation sigma leaves an estimate error of about ``sigma * sqrt(k / (2 - k))`` (~0.14 sigma at
50 Hz with tau = 0.5 s); a fix bias passes through unchanged after a few tau, as it should.
"""

from __future__ import annotations

import math

from boostback.config.vocab import Phase
from boostback.dynamics.state import MASS, POS, VEL, State
from boostback.gnc.faults import FaultState
from boostback.gnc.protocols import Actuation, NavEstimate, Sensed, Tick
from boostback.jit import interpreted, jit


class NavigationFilter:
    """Complementary filter on (position, velocity); mass is passed through from the truth."""

    def __init__(self, time_constant_s: float) -> None:
        if time_constant_s < 0.0:
            raise ValueError("time_constant_s must be >= 0")
        self.time_constant_s = time_constant_s
        self._est: list[float] | None = None

    def reset(self) -> None:
        """Forget the estimate: the next fix is taken as it is."""
        self._est = None

    def fuse(
        self, x_prev: tuple[float, ...], x: tuple[float, ...], fix: tuple[float, ...], dt: float
    ) -> tuple[float, ...]:
        """The estimate after a step from truth ``x_prev`` to ``x`` with the new ``fix``."""
        est = self._est
        if est is None or self.time_constant_s == 0.0:
            self._est = [*fix[POS], *fix[VEL]]
            return fix
        k = 1.0 - math.exp(-dt / self.time_constant_s) if dt > 0.0 else 0.0
        for i in range(VEL.stop):  # position and velocity, the components the fixes give
            e = est[i] + (x[i] - x_prev[i])
            est[i] = e + k * (fix[i] - e)
        return (*est, x[MASS])


ESTIMATOR_TAU_S = 0.5  # time constant of the thrust estimator
ESTIMATOR_SETTLE_S = 0.5  # the estimator waits this long after ignition
_BURN = Phase.LANDING_BURN


@jit(inline="always")
def thrust_estimate(scale, thrust_n, expected_n, dt):
    """The thrust estimate (achieved over commanded) after a step of ``dt`` in which the
    accelerometers saw ``thrust_n`` where ``expected_n`` was commanded: a first-order filter with
    time constant ``ESTIMATOR_TAU_S`` on the ratio, held within [0.5, 1.2]."""
    ratio = min(max(thrust_n / expected_n, 0.5), 1.2)
    w = 1.0 - math.exp(-dt / ESTIMATOR_TAU_S)
    return scale + w * (ratio - scale)


_thrust_estimate = interpreted(thrust_estimate)


class FilteredNavigator:
    """The ``Navigator`` of the landing burn: faulty fixes, the complementary filter, and the
    thrust estimator.

    Parameters
    ----------
    faults : FaultState
        Navigation faults act on the fixes (bias, noise); the truth carries the rest.
    time_constant_s : float
        The navigation filter's time constant (0: steer on the raw fixes).
    """

    def __init__(self, faults: FaultState, time_constant_s: float) -> None:
        self.faults = faults
        self.filter = NavigationFilter(time_constant_s)
        # Achieved over commanded thrust, estimated in flight from the accelerometers: a weak
        # engine is planned for as it is, not as the data sheet says.
        self.thrust_scale = 1.0
        self._prev: tuple[State, float] | None = None

    def fix(self, truth: State, tick: Tick) -> State:
        """One raw fix of ``truth`` (navigation faults included)."""
        return self.faults.navigate(truth, tick.t_s, tick.phase)  # type: ignore[return-value]

    def update(self, truth: State, tick: Tick, sensed: Sensed) -> NavEstimate:
        """The estimate after this step's fix."""
        fix = self.fix(truth, tick) if self.faults else truth
        nav: tuple[float, ...]
        if fix is truth:  # exact navigation: nothing to filter
            nav = truth
            self.filter.reset()
        else:
            x_prev, t_prev = self._prev if self._prev is not None else (truth, tick.t_s)
            nav = self.filter.fuse(x_prev, truth, fix, tick.t_s - t_prev)
        self._prev = (truth, tick.t_s)
        return NavEstimate(
            nav,  # type: ignore[arg-type]
            sensed.pressure_pa,
            self.thrust_scale,
            sensed.lit_at_s,
            attitude=sensed.attitude,
        )

    def sense(self, actuation: Actuation, tick: Tick, dt: float) -> None:
        """Accelerometers over the step: specific force less the modelled drag is thrust/mass."""
        expected = actuation.expected_thrust_n
        if tick.phase != _BURN or expected <= 0.0:
            return
        if tick.t_s <= actuation.lit_at_s + ESTIMATOR_SETTLE_S:
            return
        self.thrust_scale = _thrust_estimate(self.thrust_scale, actuation.thrust_n, expected, dt)


class InertialNavigator:
    """The ``Navigator`` of a whole flight's boostback and entry burns: exact fixes (the stage's
    GNSS-aided inertial navigation, its errors small beside the burns' targeting errors), and the
    accelerometers' count of the velocity the thrust added, which velocity-to-go guidance counts
    down. Navigation faults act on the landing burn's navigator (``FilteredNavigator``).
    """

    def __init__(self) -> None:
        self._mass_kg = 0.0
        self._dv: tuple[float, float, float] = (0.0, 0.0, 0.0)
        self._scale = 1.0

    def fix(self, truth: State, tick: Tick) -> State:
        """The truth itself."""
        return truth

    def update(self, truth: State, tick: Tick, sensed: Sensed) -> NavEstimate:
        """The truth, and the thrust's velocity change over the step just flown."""
        self._mass_kg = truth[MASS]
        dv, self._dv = self._dv, (0.0, 0.0, 0.0)
        p, lit, q, att = sensed
        return NavEstimate(truth, p, self._scale, lit, dv, q, att)

    def sense(self, actuation: Actuation, tick: Tick, dt: float) -> None:
        """The accelerometers over the coming step: thrust over mass along the thrust axis."""
        if actuation.expected_thrust_n > 0.0:
            self._scale = actuation.thrust_n / actuation.expected_thrust_n
        if self._mass_kg <= 0.0:  # no estimate yet: nothing to divide the thrust by
            return
        k = actuation.thrust_n / self._mass_kg * dt
        d = actuation.direction
        self._dv = (k * d[0], k * d[1], k * d[2])
