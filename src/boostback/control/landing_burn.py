"""The landing burn's steps between re-plans, flown in one compiled call.

Between two re-plans nothing changes but the state: guidance holds its plan, navigation is exact
(no fault acts), the engines follow the throttle. ``quiet_steps`` flies those steps as the loop
(``gnc.loop.fly``) would, one after the other, each with the same calls the Python pieces make:
the static pressure at the state (``air_state``), the controller's law (``control.landing_law``
on ``guidance.plan.sample_table``), the engines' thrust (``dynamics.forces.engine_thrust``), the
RK4 step of the equations of motion (``dynamics.point_mass.rk4_kernel``) and the thrust estimate
(``gnc.navigation.thrust_estimate``). It writes each step's sample as the recorder would and
stops before any step it does not fly alike: one that reaches guidance's next re-plan or the time
limit, one whose controller shuts the engines down, one that would end on an event (touchdown,
the propellant out: the Python step locates it). The loop then flies that step itself.

``mission.quiet_burn`` decides when it applies and moves the state in and out.
"""

from __future__ import annotations

from boostback.control.landing_law import (
    LAW_TURN_RATE,
    limit_tilt_kernel,
    norm3,
    stop_and_cap,
    throttle_kernel,
    track_accel,
    turn_towards_kernel,
)
from boostback.dynamics.forces import engine_thrust
from boostback.dynamics.point_mass import ENV_BASE, ENV_USE_ATM, rk4_kernel
from boostback.dynamics.state import MASS, POS, UP, VEL
from boostback.environment.atmosphere import air_state
from boostback.gnc.navigation import ESTIMATOR_SETTLE_S, thrust_estimate
from boostback.guidance.plan import sample_table
from boostback.jit import jit

__all__ = [
    "MEM_SCALE",
    "MEM_VALVES",
    "SC_SIZE",
    "STOP_CUTOFF",
    "STOP_EVENT",
    "STOP_TIME",
    "quiet_steps",
]

# why the call stopped
STOP_TIME, STOP_CUTOFF, STOP_EVENT = 0, 1, 2
# ``scalars``: the stops, the step, the plan's span and start, the tilt authority, the engines
SC_T_STOP, SC_T_MAX, SC_DT, SC_TF, SC_T0, SC_AUTHORITY, SC_LIT_AT = range(7)
SC_THROTTLE_MIN, SC_THROTTLE_MAX, SC_DRY_KG = range(7, 10)
SC_SIZE = 10
# ``memory``: the thrust direction (3), the thrust estimate and the valves, carried from step to
# step and handed back
MEM_SCALE, MEM_VALVES = 3, 4
_R, _V = POS.start, VEL.start


@jit
def quiet_steps(x, t, scalars, memory, plan_ts, plan_rvu, target, law, models, out):
    """Fly the burn from state ``x`` (updated in place) at time ``t`` until a stop.

    Parameters
    ----------
    x : ndarray (7,)
        The true state; the state after the last step flown on return.
    t : float
        Its time.
    scalars : ndarray (SC_SIZE,)
        ``SC_*``: stop before a step that starts at or after ``SC_T_STOP`` or ``SC_T_MAX``;
        the step; the plan's time of flight and start; the tilt authority; when the engines
        lit; the throttle's range; the dry mass.
    memory : ndarray (5,)
        The thrust direction, the thrust estimate and the valves (``MEM_*``), updated.
    plan_ts, plan_rvu : ndarray
        The plan's node times and ``(r, v, u)`` rows (``LandingPlan.table``).
    target : ndarray (3,)
        The plan's last position.
    law : ndarray
        The controller's settings (``landing_law.law_settings``).
    models : tuple
        ``(prop, aero_m, aero_cd, area, env, layers, wz, wv, plume_ct, plume_factor)`` as the
        RK4 kernel takes them (``FastKernel``).
    out : ndarray (n, 13)
        The samples, one row per step flown, as the recorder writes them.

    Returns
    -------
    tuple
        Steps flown, the time after them, and why it stopped (``STOP_*``).
    """
    prop, env, at = models[0], models[4], models[5]
    dt, tf, t0 = scalars[SC_DT], scalars[SC_TF], scalars[SC_T0]
    lit_at = scalars[SC_LIT_AT]
    n = 0
    while n < out.shape[0] and t < scalars[SC_T_STOP] and t < scalars[SC_T_MAX]:
        h = x[UP] + env[ENV_BASE]
        p_pa = air_state(h, env[ENV_USE_ATM] > 0.5, at[0], at[1], at[2], at[3], at[4])[0]
        r, v = x[_R : _R + 3], x[_V : _V + 3]
        tau = t - t0
        rvu = sample_table(plan_ts, plan_rvu, tf, tau)
        a, upright = track_accel(r, v, rvu[0:3], rvu[3:6], rvu[6:9], tau, tf, target, law)
        cutoff, cap = stop_and_cap(r, v, t, lit_at, upright, law)
        if cutoff:
            return n, t, STOP_CUTOFF
        cap *= scalars[SC_AUTHORITY]
        lo, hi = scalars[SC_THROTTLE_MIN], scalars[SC_THROTTLE_MAX]
        throttle = throttle_kernel(x[MASS], norm3(a), memory[MEM_SCALE], p_pa, prop, lo, hi)
        wanted = limit_tilt_kernel(a, cap)
        d = turn_towards_kernel((memory[0], memory[1], memory[2]), wanted, law[LAW_TURN_RATE] * dt)
        lit = t >= lit_at - 1e-9
        if not lit:
            throttle = 0.0
        thrust = engine_thrust(throttle, prop[0], prop[1], p_pa)
        expected = thrust if lit else 0.0
        direction = memory[0:3].copy()
        direction[0], direction[1], direction[2] = d
        x1 = rk4_kernel(x, dt, throttle, direction, *models)
        if throttle > 0.0 and x1[MASS] < scalars[SC_DRY_KG]:
            return n, t, STOP_EVENT
        if x1[UP] <= 0.0 < x[UP]:
            return n, t, STOP_EVENT
        row = out[n]
        row[0] = t
        row[1:8] = x
        row[8] = throttle
        row[9], row[10], row[11] = d
        row[12] = thrust
        if expected > 0.0 and t > lit_at + ESTIMATOR_SETTLE_S:
            memory[MEM_SCALE] = thrust_estimate(memory[MEM_SCALE], thrust, expected, dt)
        x[:] = x1
        t = t + dt
        memory[0], memory[1], memory[2] = d
        memory[MEM_VALVES] = throttle
        n += 1
    return n, t, STOP_TIME
