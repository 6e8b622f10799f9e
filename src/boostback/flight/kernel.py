"""The equations of motion on the rotating Earth, in the Earth-fixed (ECEF) frame, written once.

State ``x = (x, y, z, vx, vy, vz, m)`` (layout in ``dynamics.state``): ECEF position (m),
velocity relative to the Earth (m/s) and mass (kg). Forces: gravity of the Earth model
(inverse-square, plus J2 for WGS-84), the centrifugal and Coriolis terms of the rotating frame,
thrust along a commanded unit vector with back-pressure-dependent magnitude, drag on the
air-relative velocity from a Cd(Mach) table, shielded by the retro-propulsion plume, and a
grid-fin lateral force perpendicular to that velocity, bounded by ``qbar * authority``. The air
turns with the Earth and moves over it with the world's wind: given east-north-up at the
vehicle's geodetic latitude and longitude, by height above the Earth model, so the air-relative
velocity is ``v_ecef - w_ecef``; Mach, dynamic pressure and the plume's thrust coefficient are
taken on it. RK4 with the controls held over a step; event location by regula falsi
(Illinois) on the event's function, each trial a fresh RK4 step from the step's start.

The Earth model, the atmosphere and the body are turned into plain arrays once
(``flight_kernel``); a command becomes a 10-element array (``command_array``). ``advance`` is one
step with events, for the phases that keep their guidance in Python; ``flight.kernel_loops`` runs
whole loops (the impact prediction, the ascent) on top of it.

Array layouts (``mdl``, the model, is the tuple ``(wp, bp, aero, at, wind)``):

- world ``wp``: ``[wgs84 (1) or sphere (0), a (or radius), b, e2, ep2, mu, omega, j2, use_atm]``:
  the Earth model's ``kernel_params`` (read by ``environment.earth_kernels``, the one source of the
  geodetic conversion, height and gravity) and the atmosphere's switch;
- body ``bp``: ``[reference area, fin authority, k, C_T (k), plume factor (k)]`` with the
  retro-propulsion table (k = 0 without one); aero ``(2, n)``: Mach row, Cd row;
- atmosphere ``at`` ``(5, 8)``: ``environment.atmosphere.LAYERS`` (USSA1976 layer bases, lapse
  rates, base temperatures and pressures, and exponents);
- ``wind`` ``(n, 4)``: rows ``[height, east, north, up]`` of the table that
  ``environment.wind.layered_wind`` interpolates (n = 0: still air, and the still-air code);
- command ``c``: ``[throttle (0 without engines), thrust_vac, exit_area, mass_flow, dir (3),
  fin (3)]``;
- reserve ``rp``: see ``flight.reserve.reserve_array``.

Compiled through ``boostback.jit``, whose cache follows every kernel source (nothing to delete
by hand after an edit); ``BOOSTBACK_JIT=0`` runs the same functions interpreted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from boostback.dynamics.fast import wind_arrays
from boostback.dynamics.forces import drag_coefficient, engine_thrust, plume_factor
from boostback.dynamics.point_mass import PropulsionParams
from boostback.dynamics.state import MASS, PX, PY, PZ, SIZE, VX, VY, VZ
from boostback.environment import atmosphere as atm
from boostback.environment.atmosphere import LAYERS
from boostback.environment.atmosphere import air_state as _atmosphere
from boostback.environment.earth import SphericalEarth, WGS84Earth
from boostback.environment.earth_kernels import enu_to_ecef_xyz, geodetic, gravity, height
from boostback.environment.wind import layered_wind
from boostback.flight.dynamics import Body, Command, State, Vec3, World
from boostback.flight.reserve import reserve_kg
from boostback.jit import jit

__all__ = [
    "FlightKernel",
    "advance",
    "air_velocity",
    "command_array",
    "ecef_derivatives",
    "flight_kernel",
    "relative_to_air",
    "wind_table",
]

# kinds of event: height, speed, mass, reserve reached, and the radial (up) speed falling through
# a level (apogee at 0); EV_ so that EV_MASS is not read as the state's MASS index
EV_ALT, EV_SPEED, EV_MASS, EV_RESERVE, EV_UP_SPEED = 0, 1, 2, 3, 4


# --- the air and the equations of motion ----------------------------------------------------


@jit(inline="always")
def air(h, wp, at):
    """Pressure, density and speed of sound at height ``h``."""
    return _atmosphere(h, wp[8] > 0.5, at[0], at[1], at[2], at[3], at[4])


@jit
def relative_to_air(lat, lon, h, vx, vy, vz, wind):
    """Velocity relative to the air: the ECEF velocity less the wind at (lat, lon, h).

    Parameters
    ----------
    lat, lon, h : float
        Geodetic latitude and longitude [rad] and height [m] of the vehicle.
    vx, vy, vz : float
        Velocity relative to the Earth, ECEF axes [m/s].
    wind : ndarray
        The wind table, rows ``[height, east, north, up]`` (n, 4); n = 0 for still air.

    Returns
    -------
    tuple of float
        ``v - w`` in ECEF axes [m/s]; ``v`` itself in still air.
    """
    if wind.shape[0] == 0:
        return vx, vy, vz
    we, wn, wu = layered_wind(h, wind[:, 0], wind[:, 1:])
    wx, wy, wz = enu_to_ecef_xyz(lat, lon, we, wn, wu)
    return vx - wx, vy - wy, vz - wz


@jit(inline="always")
def air_velocity(px, py, pz, vx, vy, vz, wp, wind):
    """Height and air-relative velocity at an ECEF position and velocity.

    Parameters
    ----------
    px, py, pz, vx, vy, vz : float
        ECEF position [m] and velocity relative to the Earth [m/s].
    wp : ndarray
        The world's parameters.
    wind : ndarray
        The wind table (see :func:`relative_to_air`).

    Returns
    -------
    tuple of float
        Height [m] (the bits of ``height``) and the velocity relative to the air [m/s].
    """
    if wind.shape[0] == 0:
        return height(px, py, pz, wp), vx, vy, vz
    lat, lon, h = geodetic(px, py, pz, wp)
    ux, uy, uz = relative_to_air(lat, lon, h, vx, vy, vz, wind)
    return h, ux, uy, uz


@jit
def ecef_derivatives(x, c, mdl, out):
    """Time derivative of the ECEF state ``x`` under command ``c``, into ``out`` (the rigid
    kernel, ``flight.rigid_kernel``, takes its gravity and frame terms from it)."""
    wp, bp, aero, at, wind = mdl
    px, py, pz, vx, vy, vz, m = x[PX], x[PY], x[PZ], x[VX], x[VY], x[VZ], x[MASS]
    h, ux, uy, uz = air_velocity(px, py, pz, vx, vy, vz, wp, wind)
    p_pa, rho, a = air(h, wp, at)
    ax, ay, az = gravity(px, py, pz, wp)
    w = wp[6]
    ax += w * w * px + 2.0 * w * vy
    ay += w * w * py - 2.0 * w * vx
    mdot = 0.0
    throttle = c[0]
    thrust = 0.0
    if throttle > 0.0:
        thrust = engine_thrust(throttle, c[1], c[2], p_pa)
        f = thrust / m
        ax += f * c[4]
        ay += f * c[5]
        az += f * c[6]
        mdot = -throttle * c[3]
    if rho > 0.0:
        speed = math.sqrt(ux * ux + uy * uy + uz * uz)
        if speed > 0.0:
            q = 0.5 * rho * speed * speed
            k = -q * drag_coefficient(speed / a, aero[0], aero[1]) * bp[0] / (m * speed)
            n_pl = int(bp[2])
            if thrust > 0.0 and n_pl > 0:  # a factor of 1 otherwise, and slicing is not free
                k *= plume_factor(thrust, q * bp[0], bp[3 : 3 + n_pl], bp[3 + n_pl : 3 + 2 * n_pl])
            ax += k * ux
            ay += k * uy
            az += k * uz
            fx, fy, fz = c[7], c[8], c[9]
            if bp[1] > 0.0 and (fx != 0.0 or fy != 0.0 or fz != 0.0):
                along = (fx * ux + fy * uy + fz * uz) / (speed * speed)
                g = q * bp[1] / m
                ax += g * (fx - along * ux)
                ay += g * (fy - along * uy)
                az += g * (fz - along * uz)
    out[PX], out[PY], out[PZ] = vx, vy, vz
    out[VX], out[VY], out[VZ] = ax, ay, az
    out[MASS] = mdot


@jit
def rk4(x, dt, c, mdl, work, out):
    """One classical Runge-Kutta step into ``out``; ``work`` is a (5, 7) scratch array."""
    k1, k2, k3, k4, xt = work[0], work[1], work[2], work[3], work[4]
    h2 = 0.5 * dt
    ecef_derivatives(x, c, mdl, k1)
    for i in range(SIZE):
        xt[i] = x[i] + h2 * k1[i]
    ecef_derivatives(xt, c, mdl, k2)
    for i in range(SIZE):
        xt[i] = x[i] + h2 * k2[i]
    ecef_derivatives(xt, c, mdl, k3)
    for i in range(SIZE):
        xt[i] = x[i] + dt * k3[i]
    ecef_derivatives(xt, c, mdl, k4)
    s = dt / 6.0
    for i in range(SIZE):
        out[i] = x[i] + s * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])


@jit
def _rk4_new(x, dt, c, mdl):
    out = np.empty(SIZE)
    rk4(x, dt, c, mdl, np.empty((5, SIZE)), out)
    return out


@jit
def _derivatives_new(x, c, mdl):
    out = np.empty(SIZE)
    ecef_derivatives(x, c, mdl, out)
    return out


# --- event location (as flight.integrate.step and numerics.illinois) --------------------------


@jit
def event(kind, level, x, wp, rp):
    """Value of an event function at ``x`` (positive before the event); ``flight.integrate``'s
    ``altitude_event``, the speed and ``mass_event`` of the entry burn, and the ascent's MECO."""
    if kind == EV_ALT:
        return height(x[PX], x[PY], x[PZ], wp) - level
    if kind == EV_SPEED:
        return math.sqrt(x[VX] * x[VX] + x[VY] * x[VY] + x[VZ] * x[VZ]) - level
    if kind == EV_MASS:
        return x[MASS] - level
    if kind == EV_UP_SPEED:
        r = math.sqrt(x[PX] * x[PX] + x[PY] * x[PY] + x[PZ] * x[PZ])
        return (x[PX] * x[VX] + x[PY] * x[VY] + x[PZ] * x[VZ]) / r - level
    return (x[MASS] - level) - reserve_kg(x, rp, height(x[PX], x[PY], x[PZ], wp))


@jit
def _refine(kind, level, x, dt, g0, g1, c, mdl, rp, work, xh):
    """The end of the step from ``x`` on which the event falls: regula falsi (Illinois) on the
    event function, then a nudge just across so the event is seen as reached."""
    wp = mdl[0]
    a, b, fa, fb = 0.0, dt, g0, g1
    h = b
    fx = g1
    side = 0
    for _ in range(50):
        h = a + (b - a) * fa / (fa - fb) if fa != fb else 0.5 * (a + b)
        rk4(x, h, c, mdl, work, xh)
        fx = event(kind, level, xh, wp, rp)
        if abs(fx) < 1e-9 or abs(b - a) < 1e-10:
            break
        if fx > 0:
            a, fa = h, fx
            if side == 1:
                fb *= 0.5
            side = 1
        else:
            b, fb = h, fx
            if side == -1:
                fa *= 0.5
            side = -1
    hi = b
    nudge = 1e-9 * max(dt, 1.0)
    while fx > 0.0 and h < hi:  # step just across, so the event is seen as reached
        v = h + nudge
        h = hi if hi < v else v
        rk4(x, h, c, mdl, work, xh)
        fx = event(kind, level, xh, wp, rp)
        nudge *= 4.0
    return h


@jit
def step(x, dt, c, mdl, rp, kinds, levels, g0s, n, work, x1, xe, out):
    """Advance ``x`` by at most ``dt`` into ``out`` (``integrate.step``), given the events'
    values ``g0s`` at ``x``. Returns the step's length, the event's index (-1: none) and the
    height at the end when no event cut the step short and one was a height (else NaN)."""
    wp = mdl[0]
    rk4(x, dt, c, mdl, work, x1)
    h1 = math.nan
    best, best_h = -1, dt
    for j in range(n):
        g0 = g0s[j]
        if g0 <= 0.0:
            continue
        if kinds[j] == EV_ALT:
            if math.isnan(h1):
                h1 = height(x1[PX], x1[PY], x1[PZ], wp)
            g1 = h1 - levels[j]
        else:
            g1 = event(kinds[j], levels[j], x1, wp, rp)
        if g1 > 0.0:
            continue
        h = _refine(kinds[j], levels[j], x, dt, g0, g1, c, mdl, rp, work, xe)
        if best < 0 or h < best_h:
            best, best_h = j, h
            out[:] = xe
    if best < 0:
        out[:] = x1
        return best_h, best, h1
    return best_h, best, math.nan


@jit
def advance(x, dt, c, mdl, rp, kinds, levels):
    """One step of at most ``dt`` from ``x`` to the earliest of the events ``(kinds, levels)``.
    Returns the new state, the step's length and the event's index (-1: none)."""
    n = kinds.shape[0]
    g0s = np.empty(n)
    for j in range(n):
        g0s[j] = event(kinds[j], levels[j], x, mdl[0], rp)
    work = np.empty((5, SIZE))
    x1, xe, out = np.empty(SIZE), np.empty(SIZE), np.empty(SIZE)
    h, best, _h1 = step(x, dt, c, mdl, rp, kinds, levels, g0s, n, work, x1, xe, out)
    return out, h, best


# --- the Python side ---------------------------------------------------------------------------

ATM = LAYERS  # the atmosphere's rows, as the kernel takes them


def command_vector(
    throttle: float, prop: PropulsionParams | None, direction: Vec3, fins: Vec3
) -> np.ndarray:
    """Controls as the compiled kernel takes them: ``[throttle, thrust vac, exit area, mass
    flow, direction (3), fins (3)]`` (the engine's four zero when ``prop`` is None: unlit)."""
    d, f = direction, fins
    if prop is None:
        return np.array([0.0, 0.0, 0.0, 0.0, d[0], d[1], d[2], f[0], f[1], f[2]])
    p = prop
    return np.array(
        [throttle, p.thrust_vac_n, p.exit_area_m2, p.mass_flow_kgps, *d, *f], dtype=np.float64
    )


def command_array(cmd: Command) -> np.ndarray:
    """A command as the compiled kernel takes it (:func:`command_vector`)."""
    return command_vector(cmd.throttle, cmd.prop, cmd.dir_ecef, cmd.fin_ecef)


def derivatives(x: State, cmd: Command, body: Body, world: World) -> State:
    """Time derivative of the ECEF state ``x`` under ``cmd`` (the compiled ``ecef_derivatives``)."""
    return flight_kernel(body, world).derivatives(x, command_array(cmd))


def rk4_step(x: State, dt: float, cmd: Command, body: Body, world: World) -> State:
    """One RK4 step of ``dt`` under ``cmd`` (the compiled ``rk4``)."""
    return flight_kernel(body, world).rk4(x, dt, command_array(cmd))


@dataclass(frozen=True, eq=False)
class FlightKernel:
    """One body in one world, as arrays for the compiled kernel."""

    wp: np.ndarray
    bp: np.ndarray
    aero: np.ndarray
    wind: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))

    def rk4(self, x: State, dt: float, c: np.ndarray) -> State:
        """One RK4 step under command array ``c`` (see ``command_array``)."""
        out = _rk4_new(np.array(x, dtype=np.float64), dt, c, self.model)
        return tuple(out.tolist())  # type: ignore[return-value]

    def derivatives(self, x: State, c: np.ndarray) -> State:
        """Time derivative of ``x`` under command array ``c``."""
        out = _derivatives_new(np.array(x, dtype=np.float64), c, self.model)
        return tuple(out.tolist())  # type: ignore[return-value]

    @property
    def model(self) -> tuple[np.ndarray, ...]:
        """``(wp, bp, aero, at, wind)``: what the compiled loops take."""
        return (self.wp, self.bp, self.aero, ATM, self.wind)


def wind_table(wind: object) -> np.ndarray:
    """A wind model as the kernel's table: rows ``[height, east, north, up]``, shape (n, 4).

    Still air is the empty table, a constant wind a table of one row (held at every height), a
    layered wind its own profile, a gust (``gnc.faults.GustWind``) added to every row. The models
    are read by ``dynamics.fast.wind_arrays``, as the landing kernel reads them; TypeError for a
    model the kernels do not know.
    """
    heights, v_enu, gust = wind_arrays(wind)
    if heights.shape[0] == 0:
        return np.array([[0.0, *gust]]) if any(gust) else np.zeros((0, 4))
    if any(gust):
        v_enu = v_enu + np.asarray(gust)
    return np.ascontiguousarray(np.column_stack((heights, v_enu)), dtype=np.float64)


def _world_array(world: World) -> np.ndarray | None:
    earth, air = world.earth, world.atmosphere
    if type(air) is atm.USSA1976:
        use_atm = 1.0
    elif type(air) is atm.Vacuum:
        use_atm = 0.0
    else:
        return None
    if type(earth) is WGS84Earth or type(earth) is SphericalEarth:
        return np.append(earth.kernel_params, use_atm)
    return None


_KERNELS: dict[tuple[int, int], tuple[Body, World, FlightKernel]] = {}


def flight_kernel(body: Body, world: World) -> FlightKernel:
    """The kernel's arrays for this body and world (cached per pair of objects).

    Raises
    ------
    TypeError
        For an Earth, atmosphere or wind model the kernel does not know (the built-in ones:
        WGS-84 or a sphere; USSA 1976 or vacuum; still, constant or layered wind).
    """
    key = (id(body), id(world))
    hit = _KERNELS.get(key)
    if hit is not None and hit[0] is body and hit[1] is world:
        return hit[2]
    wp = _world_array(world)
    if wp is None:
        raise TypeError(
            f"no flight kernel for {type(world.earth).__name__} with "
            f"{type(world.atmosphere).__name__}: use WGS84Earth or SphericalEarth with USSA1976 "
            "or Vacuum"
        )
    wind = wind_table(world.wind)
    aero = body.aero
    kernel = FlightKernel(
        wp=wp,
        bp=np.array(
            [
                aero.reference_area_m2,
                body.fin_authority_m2,
                len(aero.plume_ct),
                *aero.plume_ct,
                *aero.plume_factor,
            ],
            dtype=np.float64,
        ),
        aero=np.array([aero.mach, aero.cd], dtype=np.float64).reshape(2, len(aero.mach)),
        wind=wind,
    )
    if len(_KERNELS) > 256:
        _KERNELS.clear()
    _KERNELS[key] = (body, world, kernel)  # holding them keeps their ids from being reused
    return kernel
