"""Actuator models, compiled: what the gimbals, grid fins, throttle valves and engines do with a
command over one control step.

The plant calls these once per control step (every 20 ms) and holds their outputs over the
step's integration (``dynamics.sixdof``): the actuator states are the plant's, not part of the
14-float rigid-body state.

- A **channel** (one gimbal axis, one fin, a throttle) follows its command through a first-order
  lag of time constant ``tau`` (solved exactly over the step, so any ``dt`` is stable:
  ``y + (c - y)(1 - exp(-dt/tau))``), moves at most ``rate * dt`` per step, and stays within its
  position limits (the command is clipped to them first). ``tau = 0``: no lag, rate limit only.
- An **engine spool** (start-up and shut-down): the fraction of its set thrust an engine gives
  rises linearly from 0 to 1 over ``startup_s`` after it is commanded on and falls to 0 over
  ``shutdown_s`` after it is commanded off (an engine cut during its start-up ramps down from
  where it was). The thrust an engine gives is ``spool * throttle`` (``effective_throttle``);
  its propellant flow follows the same product.
"""

from __future__ import annotations

import math

from boostback.jit import jit

__all__ = [
    "channel_step",
    "channels_step",
    "effective_throttle",
    "spool_step",
]


@jit(inline="always")
def channel_step(position, command, dt, lo, hi, rate, tau):
    """One control step of a lagged, rate- and position-limited channel.

    Parameters
    ----------
    position : float
        Where the channel is at the step's start.
    command : float
        Where it is commanded to (clipped to ``[lo, hi]``).
    dt : float
        Step length [s].
    lo, hi : float
        Position limits.
    rate : float
        Largest speed [units/s] (``inf``: none).
    tau : float
        First-order time constant [s] (0: none).

    Returns
    -------
    float
        Where the channel is after ``dt``.
    """
    c = min(max(command, lo), hi)
    if tau > 0.0:
        target = position + (c - position) * -math.expm1(-dt / tau)
    else:
        target = c
    step = rate * dt
    delta = min(max(target - position, -step), step)
    return min(max(position + delta, lo), hi)


@jit
def channels_step(position, command, dt, lo, hi, rate, tau, out):
    """:func:`channel_step` on every element of ``position`` (any shape, C order), into ``out``.

    Parameters
    ----------
    position, command : ndarray
        Channel positions and commands, same shape (gimbals ``(k, 2)``, fins ``(f,)``...).
    dt, lo, hi, rate, tau : float
        As for :func:`channel_step`, shared by the channels.
    out : ndarray
        Same shape as ``position``; may be ``position`` itself.
    """
    p, c, o = position.reshape(-1), command.reshape(-1), out.reshape(-1)
    for i in range(p.shape[0]):
        o[i] = channel_step(p[i], c[i], dt, lo, hi, rate, tau)


@jit
def spool_step(spool, lit, dt, startup_s, shutdown_s, out):
    """One control step of the engines' start-up and shut-down ramps.

    Parameters
    ----------
    spool : ndarray
        (k,) fraction of the set thrust each engine gives, in [0, 1].
    lit : ndarray
        (k,) 1.0 for an engine commanded on, 0.0 for one commanded off.
    dt : float
        Step length [s].
    startup_s, shutdown_s : float
        Ramp durations [s] (0: instant).
    out : ndarray
        (k,) the fractions after ``dt``; may be ``spool`` itself.
    """
    for i in range(spool.shape[0]):
        s = spool[i]
        if lit[i] > 0.5:
            s = s + dt / startup_s if startup_s > 0.0 else 1.0
        else:
            s = s - dt / shutdown_s if shutdown_s > 0.0 else 0.0
        out[i] = min(max(s, 0.0), 1.0)


@jit
def effective_throttle(spool, throttle, out):
    """The throttle each engine gives: its spool fraction times its valve setting, into ``out``.

    Parameters
    ----------
    spool, throttle : ndarray
        (k,) spool fractions (:func:`spool_step`) and throttle settings (the throttle channel).
    out : ndarray
        (k,) what ``dynamics.sixdof`` takes as the engines' throttles.
    """
    for i in range(spool.shape[0]):
        out[i] = spool[i] * throttle[i]
