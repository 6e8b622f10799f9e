"""Control allocation: the actuator settings that give a wanted angular acceleration.

The attitude loop asks for an angular acceleration ``a`` (3,); the actuators (each engine's two
gimbal axes, the grid fins, the cold-gas thrusters) give ``B u`` near the present setting, with
``B`` (3, n) their effectiveness and ``u`` (n,) bounded, ``lo <= u <= hi``. The allocation is the
redistributed weighted pseudo-inverse (Durham, Bordignon and Beck, "Aircraft Control Allocation",
Wiley 2016, ch. 4; Bordignon's "cascaded generalized inverse"): the weighted least-norm ``u`` that
meets ``B u = a``; every actuator it drives past a bound is held at that bound and the rest are
solved again for what is left, until none saturates or none is free. It is saturation-aware in
the sense that matters in flight: a saturated gimbal hands the rest of its moment to the fins and
thrusters instead of being clipped silently, and what nobody can give is returned as the
shortfall. The weights rank the actuators: a cheap one (a gimbal) is used before a costly one (a
thruster, whose gas is finite).
"""

from __future__ import annotations

import numpy as np

from boostback.jit import jit

__all__ = ["allocate"]

_REGULARISATION = 1e-9  # relative: keeps the weighted Gram matrix invertible


@jit
def _weighted_least_norm(b, a, w, free):
    """Least weighted-norm ``u`` over the ``free`` columns with ``B u = a`` (damped)."""
    n = b.shape[1]
    gram = np.zeros((3, 3))
    for j in range(n):
        if free[j]:
            inv_w = 1.0 / w[j]
            for r in range(3):
                for c in range(3):
                    gram[r, c] += b[r, j] * b[c, j] * inv_w
    scale = max(gram[0, 0], gram[1, 1], gram[2, 2], 1e-300)
    for r in range(3):
        gram[r, r] += _REGULARISATION * scale
    lam = np.linalg.solve(gram, a)
    u = np.zeros(n)
    for j in range(n):
        if free[j]:
            u[j] = (b[0, j] * lam[0] + b[1, j] * lam[1] + b[2, j] * lam[2]) / w[j]
    return u


@jit
def allocate(b, a, lo, hi, w):
    """Actuator settings for the wanted angular acceleration.

    Parameters
    ----------
    b : ndarray (3, n)
        Effectiveness: angular acceleration (rad/s^2, body axes) per unit of each actuator.
    a : ndarray (3,)
        Wanted angular acceleration.
    lo, hi : ndarray (n,)
        Bounds of each actuator's setting (``lo <= 0 <= hi``).
    w : ndarray (n,)
        Positive weights: the higher, the less the actuator is used.

    Returns
    -------
    u : ndarray (n,)
        The settings, within bounds.
    shortfall : ndarray (3,)
        ``a - B u``: what the actuators could not give.
    """
    n = b.shape[1]
    u = np.zeros(n)
    free = np.ones(n, dtype=np.bool_)
    for j in range(n):
        if hi[j] - lo[j] <= 0.0 or (b[0, j] == 0.0 and b[1, j] == 0.0 and b[2, j] == 0.0):
            free[j] = False
            u[j] = min(max(0.0, lo[j]), hi[j])
    rest = a - b @ u
    for _ in range(n + 1):
        if not free.any():
            break
        du = _weighted_least_norm(b, rest, w, free)
        saturated = False
        for j in range(n):
            if free[j] and (u[j] + du[j] > hi[j] or u[j] + du[j] < lo[j]):
                saturated = True
        if not saturated:
            u += du
            break
        # hold every actuator the step drives past a bound at that bound; solve the rest again
        for j in range(n):
            if free[j]:
                if u[j] + du[j] > hi[j]:
                    u[j], free[j] = hi[j], False
                elif u[j] + du[j] < lo[j]:
                    u[j], free[j] = lo[j], False
        rest = a - b @ u
    return u, a - b @ u
