"""Small numerical helpers shared by the kernels (pure functions)."""

from __future__ import annotations

from collections.abc import Callable


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
