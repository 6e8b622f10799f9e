"""The 6-DoF landing burn's steps between re-plans (and the coast's up to the ignition), flown
in one compiled call.

Between two re-plans nothing changes but the state: guidance holds its plan, navigation is exact
(no fault acts), the engines follow the throttle. ``rigid_quiet_steps`` flies those steps as the
loop (``gnc.loop.fly``) flies them through the Python pieces, one after the other, each with the
same compiled calls in the same order (in the coast, ``SC_HOLD``, the engines are off and the
attitude loop holds the axis ``AttitudeController.hold`` pre-points along, instead of the law):

- the truth's view of its feet (``plant.sixdof.point_view``) and the static pressure at its
  centre of mass (``air_state``);
- the rigid translation law (``control.rigid_landing``: ``arm_at``, ``law_state``, the plans'
  smoothing window ``window_point`` and ``vertical_at``; then ``control.landing_law``'s
  ``track_accel``, ``stop_and_cap``, ``throttle_kernel`` and ``limit_tilt_kernel``);
- the attitude loop (``control.attitude.AttitudeController``): the design model's effectiveness
  (``dynamics.sixdof.effectiveness_kernel``, refreshed at its rate), the actuators' reach
  (``actuator_reach``), the tilt reference, PID and allocation (``steer_step``);
- the actuators (``dynamics.actuators.actuators_step``, the thrusters' ``clip_duty``);
- the rigid body's RK4 step (``dynamics.sixdof.sixdof_rk4``), the feet (``lowest_foot``), the
  cold gas, and the thrust estimate (``gnc.navigation.thrust_estimate``).

It writes each step's samples as the recorder would (the point-mass row and the rigid one) and
stops before any step it does not fly alike: one that reaches guidance's next re-plan or the time
limit, one whose law shuts the engines down, one that would end on an event (a foot on the
ground, the propellant out: the Python step locates it). It works on copies of the pieces' state
within a step and keeps them only once the step is flown. ``mission.rigid_quiet`` decides when
it applies and moves the state in and out.
"""

from __future__ import annotations

import numpy as np

from boostback.control.attitude_law import (
    actuator_reach,
    reference_accel,
    steer_step,
    tilt_vector,
)
from boostback.control.landing_burn import STOP_CUTOFF, STOP_EVENT, STOP_TIME  # why it stops
from boostback.control.landing_law import (
    limit_tilt_kernel,
    stop_and_cap,
    throttle_kernel,
    track_accel,
)
from boostback.control.rigid_landing import (
    arm_at,
    law_state,
    vertical_at,
    window_first,
    window_point,
)
from boostback.dynamics.actuators import actuators_step
from boostback.dynamics.point_mass import ENV_BASE, ENV_USE_ATM
from boostback.dynamics.rigid_body import rotate_body_to_frame
from boostback.dynamics.rigid_state import MASS, QW, QX, QY, QZ, SIZE, WX, WY, WZ
from boostback.dynamics.sixdof import effectiveness_kernel, sixdof_rk4
from boostback.environment.atmosphere import air_state
from boostback.gnc.navigation import ESTIMATOR_SETTLE_S, thrust_estimate
from boostback.jit import jit
from boostback.numerics import interp
from boostback.plant.rigid_hardware import clip_duty
from boostback.plant.sixdof import lowest_foot, point_view

__all__ = ["MEM_SIZE", "SC_SIZE", "STOP_CUTOFF", "STOP_EVENT", "STOP_TIME", "rigid_quiet_steps"]

# ``scalars``: the stops, the step, the plan's span and start, when the engines lit
SC_T_STOP, SC_T_MAX, SC_DT, SC_TF, SC_T0, SC_LIT_AT = range(6)
# the law: throttle range, engines' thrust and exit area, the feet's arm, the lowest foot
SC_THR_MIN, SC_THR_MAX, SC_THRUST_VAC, SC_EXIT_AREA, SC_ARM_DRY, SC_ARM_LEG = range(6, 12)
SC_FOOT_R, SC_BACK = 12, 24  # the lowest foot's radius, the window's earliest sample
# the attitude loop: refresh period, finite-difference steps, reference gain, share, rate cap
SC_REFRESH_S, SC_GIMBAL_STEP, SC_FIN_STEP, SC_REF_GAIN, SC_REF_SHARE, SC_TURN_RATE = range(13, 19)
# the truth: its dry mass (propellant out), the table's, the feet's station and reach, engines
SC_DRY_KG, SC_TABLE_DRY, SC_LEG_STATION, SC_REACH_M, SC_N_BURN = range(19, 24)
# the coast to ignition (``AttitudeController.hold``): whether this is it, when the engines
# light, and the axis pre-pointed along
SC_HOLD, SC_IGNITE, SC_HOLD_AXIS = 25, 26, 27
SC_SIZE = 30
# ``memory``, carried from step to step and handed back: the loop's last reference axis (and
# whether it has one), the thrust estimate, the valves, the gas left, when the effectiveness was
# found (and whether it was), whether the reference is seeded, the last step's expected thrust
MEM_DIR, MEM_HAS_DIR, MEM_SCALE, MEM_VALVES, MEM_GAS = 0, 3, 4, 5, 6
MEM_B_AT, MEM_HAS_B, MEM_SEEDED, MEM_EXPECTED = 7, 8, 9, 10
MEM_SIZE = 11


@jit(inline="always")
def _translation(x, view, t, p_pa, sc, scale, law_arrays):
    """The rigid translation law (``RigidLandingLaw.demand`` and ``throttle_for``, as
    ``AttitudeController.command`` calls them): the acceleration wanted, whether to shut down,
    the throttle along the body's axis ``axis`` and the wanted axis."""
    law, target, plan_t, plan_rows, t_all, rows_all, offsets, starts, times, tank, cg = law_arrays
    att = (x[QW], x[QX], x[QY], x[QZ], x[WX], x[WY], x[WZ])
    arm = arm_at(view[6], sc[SC_ARM_DRY], sc[SC_ARM_LEG], tank, cg)
    s = law_state(view, att, arm, sc[SC_FOOT_R])
    tau = t - sc[SC_T0]
    first = window_first(starts, t + sc[SC_BACK])  # the plans ``remember`` still keeps
    point = np.empty((3, 3))
    window_point(t_all, rows_all, offsets[first:], starts[first:], times, sc[SC_T0], tau, point)
    vertical_at(plan_t, plan_rows, tau, sc[SC_TF], point)
    r = np.array((s[0], s[1], s[2]))
    v = np.array((s[3], s[4], s[5]))
    a, upright = track_accel(r, v, point[0], point[1], point[2], tau, sc[SC_TF], target, law)
    cutoff, cap = stop_and_cap(r, v, t, sc[SC_LIT_AT], upright, law)
    axis = rotate_body_to_frame((x[QW], x[QX], x[QY], x[QZ]), (1.0, 0.0, 0.0))
    along = np.dot(a, np.array((axis[0], axis[1], axis[2])))
    prop = (sc[SC_THRUST_VAC], sc[SC_EXIT_AREA])
    lo, hi = sc[SC_THR_MIN], sc[SC_THR_MAX]
    throttle = throttle_kernel(view[6], max(along, 0.0), scale, p_pa, prop, lo, hi)
    wanted = limit_tilt_kernel(a, cap)
    return cutoff, throttle, axis, wanted


@jit(inline="always")
def _command(x, view, t, p_pa, sc, mem, law_arrays):
    """The step's throttle, the body's axis and the axis wanted: in the burn the translation
    law's (``_translation``), in the coast the engines off and the axis ``hold`` pre-points along
    (``SC_HOLD_AXIS``); and why to stop before the step (-1: fly it), at the law's cut-off or, in
    the coast, at a step that would end past the ignition (the loop shortens that one)."""
    if sc[SC_HOLD] > 0.5:
        axis = rotate_body_to_frame((x[QW], x[QX], x[QY], x[QZ]), (1.0, 0.0, 0.0))
        wanted = (sc[SC_HOLD_AXIS], sc[SC_HOLD_AXIS + 1], sc[SC_HOLD_AXIS + 2])
        why = STOP_TIME if t + sc[SC_DT] > sc[SC_IGNITE] else -1
        return why, 0.0, axis, wanted
    cutoff, throttle, axis, wanted = _translation(x, view, t, p_pa, sc, mem[MEM_SCALE], law_arrays)
    return (STOP_CUTOFF if cutoff else -1), throttle, axis, wanted


@jit(inline="always")
def _attitude(xc, t, axis, wanted, throttle, sc, mem, ctl, model, out_dir, out_u):
    """The attitude loop's step (``AttitudeController._steer``) on copies of its state
    (``ctl``: reference, memory, effectiveness, reach, bounds, gains, the burn's engines),
    advanced in place; the reference axis into ``out_dir``, the settings into ``out_u``;
    returns the shortfall."""
    ref, memory, b, reach, bounds, gains, burn = ctl
    if mem[MEM_HAS_B] < 0.5 or t - mem[MEM_B_AT] >= sc[SC_REFRESH_S] - 1e-9:
        throttles = np.zeros(burn.shape[0])
        for i in range(burn.shape[0]):
            if burn[i] > 0.5:
                throttles[i] = throttle
        veh, air = model
        step_g, step_f = sc[SC_GIMBAL_STEP], sc[SC_FIN_STEP]
        effectiveness_kernel(xc, throttles, veh, air, step_g, step_f, b)
        mem[MEM_HAS_B], mem[MEM_B_AT] = 1.0, t
        actuator_reach(b, bounds, reach)
    before = np.array((axis[0], axis[1], axis[2]))
    if mem[MEM_HAS_DIR] > 0.5:
        before[:] = mem[MEM_DIR : MEM_DIR + 3]
    reach_min = min(reach[1], reach[2])
    if mem[MEM_SEEDED] < 0.5:
        ref[0:2] = tilt_vector(np.array((axis[0], axis[1], axis[2])))
        ref[2:4] = 0.0
        mem[MEM_SEEDED] = 1.0
    accel = reference_accel(reach, sc[SC_REF_SHARE])
    par = np.array((sc[SC_REF_GAIN], accel, sc[SC_TURN_RATE], reach_min))
    target = np.array((wanted[0], wanted[1], wanted[2]))
    dt = sc[SC_DT]
    return steer_step(xc, target, before, dt, ref, par, gains, memory, b, bounds, out_dir, out_u)


@jit(inline="always")
def _actuate(t, throttle, u, p_pa, sc, gas, hw, out_thr, out_duty):
    """The actuators over the step (``RigidActuators.step`` with no fault, the engines' valves
    following the throttle once lit), on copies of their state ``hw`` advanced in place:
    ``(valves' throttle, thrust, expected thrust)``; each engine's throttle and the thrusters'
    duty into ``out_thr`` and ``out_duty``."""
    spool, healthy, gimbal, fins, all_on, par = hw
    k, f = spool.shape[0], fins.shape[0]
    lit = t >= sc[SC_LIT_AT] - 1e-9
    lit_f = 1.0 if lit else 0.0
    valves = throttle if lit else 0.0
    on = all_on * lit_f
    g_cmd = u[: 2 * k].copy().reshape((k, 2))
    f_cmd = u[2 * k : 2 * k + f].copy()
    state = (spool, healthy, gimbal, fins)
    cmd = (g_cmd, f_cmd, np.array((valves,)))
    n_burn = int(sc[SC_N_BURN])
    lit_a = np.array((lit_f,))
    thrust, expected = actuators_step(
        on, lit_a, valves, sc[SC_DT], p_pa, n_burn, par, state, cmd, out_thr
    )
    asked = u[2 * k + f :]
    out_duty[:] = 0.0
    if gas > 0.0:
        firing = False
        for j in range(asked.shape[0]):
            if asked[j] > 0.0:
                firing = True
        if firing:
            clip_duty(asked, out_duty)
    return valves, thrust, (expected if lit else 0.0)


@jit(inline="always")
def _record(n, t, view, valves, axis, thrust, x, act, d, rec):
    """The step's samples as the recorder writes them: the point-mass row, the rigid state, and
    what the actuators did (``act``: engines' throttle, gimbals, fins, duty)."""
    out, states, r_thr, r_gim, r_fins, r_duty, r_cmd = rec
    row = out[n]
    row[0] = t
    for i in range(7):
        row[1 + i] = view[i]
    row[8] = valves
    row[9], row[10], row[11] = axis
    row[12] = thrust
    states[n] = x
    thr, gimbal, fins, duty = act
    r_thr[n] = thr
    r_gim[n] = gimbal
    r_fins[n] = fins
    r_duty[n] = duty
    r_cmd[n] = d


@jit(inline="always")
def _keep(pieces, flown):
    """A step flown: the state, the memory, the attitude loop's and the actuators' state take
    the copies it advanced."""
    x, mem, ctl, hw, shortfall = pieces
    y, m1, c1, h1, short = flown
    x[:], mem[:], shortfall[:] = y, m1, short
    ctl[0][:], ctl[1][:], ctl[2][:], ctl[3][:] = c1[0], c1[1], c1[2], c1[3]
    hw[0][:], hw[1][:], hw[2][:], hw[3][:] = h1[0], h1[1], h1[2], h1[3]


@jit(inline="always")
def _copies(ctl, hw):
    """Copies of the attitude loop's and the actuators' state a step advances (the rest
    shared)."""
    ref, memory, b, reach, bounds, gains, burn = ctl
    spool, healthy, gimbal, fins, all_on, par = hw
    c1 = (ref.copy(), memory.copy(), b.copy(), reach.copy(), bounds, gains, burn)
    return c1, (spool.copy(), healthy.copy(), gimbal.copy(), fins.copy(), all_on, par)


@jit
def rigid_quiet_steps(x, t, sc, mem, law_arrays, ctl, hw, truth, model, rec, shortfall):
    """Fly the 6-DoF burn from rigid state ``x`` (updated in place) at time ``t`` until a stop.

    Parameters
    ----------
    x : ndarray (14,)
        The true rigid-body state; the state after the last step flown on return.
    t : float
        Its time.
    sc : ndarray (SC_SIZE,)
        The constants at the ``SC_*`` indices (module).
    mem : ndarray (MEM_SIZE,)
        What is carried from step to step (``MEM_*``), updated.
    law_arrays : tuple
        The translation law's settings, the plan's target and table, the window's plans packed
        (``RigidLandingLaw.packed``) and its sample times, the feet's arm table.
    ctl : tuple
        The attitude loop's reference (6,), memory (6,), effectiveness (3, n), reach (3,),
        bounds (3, n), gains and burn engines (k,): the first four updated.
    hw : tuple
        The actuators' spools (k,), healthy spool (1,), gimbals (k, 2), fins (f,), updated; the
        burn's engines running (k,) and the packed scalars.
    truth : tuple
        The truth's vehicle and air arrays (``SixDofKernel.veh``, ``.air``) and its feet (n, 3).
    model : tuple
        The attitude loop's design model (``veh``, ``air``).
    rec : tuple
        The samples: rows (n, 13), rigid states (n, 14), engines' throttle (n, k), gimbals
        (n, k, 2), fins (n, f), duty (n, c), the reference axis (n, 3).
    shortfall : ndarray (3,)
        The attitude loop's last shortfall.

    Returns
    -------
    tuple
        Steps flown, the time after them, and why it stopped (``STOP_*``).
    """
    veh, air, feet_b = truth
    env, at = air[0], air[1]
    dt = sc[SC_DT]
    spool, bounds = hw[0], ctl[4]
    thr, duty = np.empty(spool.shape[0]), np.empty(veh[6].shape[0])
    d, u = np.empty(3), np.empty(bounds.shape[1])
    xc = np.empty(SIZE)
    n = 0
    while n < rec[0].shape[0] and t < sc[SC_T_STOP] and t < sc[SC_T_MAX]:
        arm = sc[SC_LEG_STATION] - interp(x[MASS] - sc[SC_TABLE_DRY], veh[1], veh[2])
        view = point_view(x, arm)
        h = x[2] + env[ENV_BASE]
        p_pa = air_state(h, env[ENV_USE_ATM] > 0.5, at[0], at[1], at[2], at[3], at[4])[0]
        why, throttle, axis, wanted = _command(x, view, t, p_pa, sc, mem, law_arrays)
        if why >= 0:
            return n, t, why
        for i in range(7):
            xc[i] = view[i]
        xc[7:] = x[7:]
        m1 = mem.copy()
        c1, h1 = _copies(ctl, hw)
        short = _attitude(xc, t, axis, wanted, throttle, sc, m1, c1, model, d, u)
        valves, thrust, expected = _actuate(t, throttle, u, p_pa, sc, m1[MEM_GAS], h1, thr, duty)
        y, gas = sixdof_rk4(x, dt, thr, h1[2], h1[3], duty, veh, air)
        if y[MASS] < sc[SC_DRY_KG] and thr.any():
            return n, t, STOP_EVENT
        if y[2] <= sc[SC_REACH_M]:
            if lowest_foot(y, feet_b, veh[1], veh[2], sc[SC_TABLE_DRY]) <= 0.0:
                return n, t, STOP_EVENT
        _record(n, t, view, valves, axis, thrust, x, (thr, h1[2], h1[3], duty), d, rec)
        if expected > 0.0 and t > sc[SC_LIT_AT] + ESTIMATOR_SETTLE_S:
            m1[MEM_SCALE] = thrust_estimate(m1[MEM_SCALE], thrust, expected, dt)
        m1[MEM_GAS] -= gas
        m1[MEM_DIR : MEM_DIR + 3] = d
        m1[MEM_HAS_DIR], m1[MEM_VALVES], m1[MEM_EXPECTED] = 1.0, valves, expected
        _keep((x, mem, ctl, hw, shortfall), (y, m1, c1, h1, short))
        t = t + dt
        n += 1
    return n, t, STOP_TIME
