"""Small numerical helpers shared by the kernels (pure functions)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from boostback.jit import jit

__all__ = ["illinois", "interp"]


@jit(inline="always")
def interp(x, xs, ys):
    """Linear interpolation in a table, held at the end values outside it.

    The one table lookup of the compiled kernels (Cd(Mach), plume factor, wind layers, the
    atmosphere's molecular-weight ratio).

    Parameters
    ----------
    x : float
        Where to interpolate.
    xs : ndarray
        Strictly ascending abscissae, at least one.
    ys : ndarray
        Values at ``xs``, same length.

    Returns
    -------
    float
        ``ys[0]`` at or below ``xs[0]``, ``ys[-1]`` at or above ``xs[-1]``, NaN for a NaN ``x``.
    """
    n = xs.shape[0]
    if x <= xs[0]:
        return ys[0]
    if x >= xs[n - 1]:
        return ys[n - 1]
    if math.isnan(x):
        return math.nan
    i = np.searchsorted(xs, x, side="right") - 1
    w = (x - xs[i]) / (xs[i + 1] - xs[i])
    return ys[i] + w * (ys[i + 1] - ys[i])


def illinois(
    f: Callable[[float], float],
    a: float,
    b: float,
    fa: float,
    fb: float,
    *,
    ftol: float,
    xtol: float,
    max_iter: int,
) -> tuple[float, float, float, float]:
    """Root of ``f`` between ``a`` (where ``f > 0``) and ``b`` (where ``f <= 0``).

    Regula falsi with the Illinois modification: an end kept twice in a row has its value halved,
    so the method does not stall on one side of a curved function as plain false position does.
    Returns the last point tried and its value, and the final bracket ``(a, b)``: callers that
    need a point strictly past the root take ``b``.
    """
    x, fx = b, fb
    side = 0
    for _ in range(max_iter):
        x = a + (b - a) * fa / (fa - fb) if fa != fb else 0.5 * (a + b)
        fx = f(x)
        if abs(fx) < ftol or abs(b - a) < xtol:
            break
        if fx > 0:
            a, fa = x, fx
            if side == 1:
                fb *= 0.5
            side = 1
        else:
            b, fb = x, fx
            if side == -1:
                fa *= 0.5
            side = -1
    return x, fx, a, b
