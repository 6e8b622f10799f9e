"""The executive's navigation filter: noisy position and velocity fixes fused with the vehicle's
inertial increments.

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

State = tuple[float, ...]


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

    def fuse(self, x_prev: State, x: State, fix: State, dt: float) -> State:
        """The estimate after a step from truth ``x_prev`` to ``x`` with the new ``fix``."""
        est = self._est
        if est is None or self.time_constant_s == 0.0:
            self._est = list(fix[:6])
            return fix
        k = 1.0 - math.exp(-dt / self.time_constant_s) if dt > 0.0 else 0.0
        for i in range(6):
            e = est[i] + (x[i] - x_prev[i])
            est[i] = e + k * (fix[i] - e)
        return (*est, x[6])
