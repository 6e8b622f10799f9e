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

from boostback.dynamics.forces import engine_thrust
from boostback.dynamics.sixdof_params import (
    P_EXIT_AREA,
    P_FIN_MAX,
    P_FIN_RATE,
    P_FIN_TAU,
    P_GIMBAL_MAX,
    P_GIMBAL_RATE,
    P_GIMBAL_TAU,
    P_SHUTDOWN,
    P_STARTUP,
    P_THRUST_VAC,
)
from boostback.jit import jit

__all__ = [
    "actuators_step",
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


@jit
def actuators_step(on, lit, valves, dt, pressure_pa, n_burn, par, state, cmd, out_throttle):
    """One control step of every actuator of a rigid vehicle, in one call: the engines' spools,
    their effective throttles, the gimbals and the fins towards their commands.

    Parameters
    ----------
    on : ndarray
        (k,) 1.0 for an engine commanded on (lit and running), else 0.0.
    lit : ndarray
        (1,) 1.0 once the burn's engines are lit (a healthy engine's spool follows it).
    valves : float
        The valves' throttle setting (faults in) the running engines share.
    dt, pressure_pa : float
        Step length [s]; ambient pressure [Pa] (the thrust's back-pressure loss).
    n_burn : int
        Engines the burn lights (its expected thrust counts them all).
    par : ndarray
        The vehicle's packed scalars (``sixdof_params.pack_scalars``).
    state : tuple of ndarray
        ``(spool (k,), healthy spool (1,), gimbal (k, 2), fins (f,))``, updated in place.
    cmd : tuple of ndarray
        ``(gimbal command (k, 2), fin command (f,), healthy valves (1,))``.
    out_throttle : ndarray
        (k,) each engine's effective throttle.

    Returns
    -------
    tuple of float
        ``(thrust [N], expected thrust [N])``: what the engines give, and what the burn's engines
        should give at the valves' setting, spooled as a healthy engine is.
    """
    spool, healthy, gimbal, fins = state
    g_cmd, f_cmd, valve_set = cmd
    spool_step(spool, on, dt, par[P_STARTUP], par[P_SHUTDOWN], spool)
    spool_step(healthy, lit, dt, par[P_STARTUP], par[P_SHUTDOWN], healthy)
    thrust = 0.0
    for i in range(spool.shape[0]):
        out_throttle[i] = spool[i] * (valves if on[i] > 0.5 else 0.0)
        if out_throttle[i] > 0.0:
            thrust += engine_thrust(
                out_throttle[i], par[P_THRUST_VAC], par[P_EXIT_AREA], pressure_pa
            )
    expected = 0.0
    if healthy[0] * valve_set[0] > 0.0:
        one = engine_thrust(
            healthy[0] * valve_set[0], par[P_THRUST_VAC], par[P_EXIT_AREA], pressure_pa
        )
        expected = n_burn * one
    gm = par[P_GIMBAL_MAX]
    channels_step(gimbal, g_cmd, dt, -gm, gm, par[P_GIMBAL_RATE], par[P_GIMBAL_TAU], gimbal)
    fm = par[P_FIN_MAX]
    channels_step(fins, f_cmd, dt, -fm, fm, par[P_FIN_RATE], par[P_FIN_TAU], fins)
    return thrust, expected
