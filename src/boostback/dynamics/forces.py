"""The force terms of the 3-DoF point mass, written once as compiled kernels.

Thrust with back-pressure loss, drag from a Cd(Mach) table on the air-relative velocity, and the
retro-propulsion plume that shields the vehicle while the engines fire into the flow (Korzun,
Braun & Cruz 2009: for a single central nozzle the aerodynamic drag nearly vanishes once the
thrust coefficient ``C_T = T / (qbar S)`` exceeds about one). The equations of motion
(``point_mass``) call these, and so do the parameter classes' methods and ``drag_accel``, which
the guidance, the ignition search and the landing plant use: there is no second copy.

Tables are arrays (``xs`` ascending); an empty Cd table means no drag, an empty plume table a
factor of one.
"""

from __future__ import annotations

import math

from boostback.jit import jit
from boostback.numerics import interp

__all__ = [
    "drag_coefficient",
    "drag_terms",
    "engine_thrust",
    "plume_factor",
    "throttle_for_thrust",
]


@jit(inline="always")
def engine_thrust(throttle, thrust_vac_n, exit_area_m2, pressure_pa):
    """Net axial thrust ``throttle * thrust_vac - exit_area * p``, never negative.

    Parameters
    ----------
    throttle : float
        Throttle (1.0: full thrust).
    thrust_vac_n : float
        Vacuum thrust at throttle 1 [N].
    exit_area_m2 : float
        Exit area that the ambient pressure acts on [m^2].
    pressure_pa : float
        Ambient pressure [Pa].

    Returns
    -------
    float
        Thrust [N].
    """
    thrust = throttle * thrust_vac_n - exit_area_m2 * pressure_pa
    if thrust < 0.0:
        thrust = 0.0
    return thrust


@jit(inline="always")
def throttle_for_thrust(thrust_n, thrust_vac_n, exit_area_m2, pressure_pa):
    """The throttle that gives ``thrust_n`` at ``pressure_pa``: :func:`engine_thrust` inverted.

    Parameters
    ----------
    thrust_n : float
        Wanted thrust [N].
    thrust_vac_n, exit_area_m2, pressure_pa : float
        As for :func:`engine_thrust`.

    Returns
    -------
    float
        The throttle, not clipped to the engine's range.
    """
    return (thrust_n + exit_area_m2 * pressure_pa) / thrust_vac_n


@jit(inline="always")
def drag_coefficient(mach, tab_mach, tab_cd):
    """Cd at ``mach`` from the table (0 for an empty table).

    Parameters
    ----------
    mach : float
        Mach number.
    tab_mach, tab_cd : ndarray
        The Cd(Mach) table.

    Returns
    -------
    float
        The drag coefficient.
    """
    if tab_mach.shape[0] == 0:
        return 0.0
    return interp(mach, tab_mach, tab_cd)


@jit(inline="always")
def plume_factor(thrust_n, q_area_n, plume_ct, plume_f):
    """Factor on the drag with ``thrust_n`` firing into a flow of ``qbar * S = q_area_n``.

    Parameters
    ----------
    thrust_n : float
        Thrust into the flow [N] (0 or less: engines off, factor 1).
    q_area_n : float
        Dynamic pressure times reference area [N].
    plume_ct, plume_f : ndarray
        The factor against thrust coefficient (empty: always 1).

    Returns
    -------
    float
        The factor; the table's last one when ``q_area_n`` has underflowed to zero.
    """
    if thrust_n > 0.0 and plume_ct.shape[0] > 0:
        if q_area_n > 0.0:
            return interp(thrust_n / q_area_n, plume_ct, plume_f)
        return plume_f[-1]
    return 1.0


@jit(inline="always")
def drag_terms(ve, vn, vu, mass_kg, rho, sound_mps, thrust_n, tab_m, tab_cd, area, pl_ct, pl_f):
    """Drag acceleration on the air-relative velocity, with the Mach number and ``qbar``.

    Parameters
    ----------
    ve, vn, vu : float
        Velocity relative to the air (east, north, up) [m/s].
    mass_kg : float
        Vehicle mass [kg].
    rho, sound_mps : float
        Air density [kg/m^3] and speed of sound [m/s] (1 in vacuum).
    thrust_n : float
        Thrust firing into the flow [N] (0: engines off).
    tab_m, tab_cd : ndarray
        Cd(Mach) table (empty: no drag).
    area : float
        Reference area [m^2].
    pl_ct, pl_f : ndarray
        Plume table (see :func:`plume_factor`).

    Returns
    -------
    tuple of float
        Drag acceleration (east, north, up) [m/s^2], Mach number and dynamic pressure [Pa].
    """
    speed = math.sqrt(ve * ve + vn * vn + vu * vu)
    mach = speed / sound_mps
    qbar = 0.5 * rho * speed * speed
    if not (rho > 0.0 and speed > 0.0 and tab_m.shape[0] > 0):
        return 0.0, 0.0, 0.0, mach, qbar
    k = -0.5 * rho * speed * drag_coefficient(mach, tab_m, tab_cd) * area / mass_kg
    k *= plume_factor(thrust_n, qbar * area, pl_ct, pl_f)
    return k * ve, k * vn, k * vu, mach, qbar
