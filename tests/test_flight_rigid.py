"""The rigid body on the rotating Earth (flight.rigid_kernel, flight.rigid_plant) and the flip
after separation flown as a controlled rotation (flight.rigid_flip).

Run as a script, it prints a short thruster-driven run as JSON (floats as hex), for the
compiled-against-interpreted test.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from boostback.config.loader import load_flight
from boostback.config.vocab import Phase
from boostback.dynamics.rigid_body import quat_between, rotate_body_to_frame
from boostback.dynamics.rigid_state import MASS, QUAT, RATE, SIZE
from boostback.environment.atmosphere import Vacuum
from boostback.environment.frames import enu_basis
from boostback.environment.wind import ConstantWind
from boostback.flight.dynamics import World
from boostback.flight.kernel import air_velocity, command_vector, flight_kernel
from boostback.flight.rigid_flip import (
    CRUISE_MAX_QBAR_PA,
    FlipController,
    FlipFrame,
    fly_flip,
    rigid_state_along,
)
from boostback.flight.rigid_kernel import RigidFlightKernel
from boostback.flight.rigid_plant import RigidFlightPlant
from boostback.flight.rigid_recovery import COAST_GAINS
from boostback.flight.setup import flight_setup
from boostback.gnc.faults import FaultState
from boostback.gnc.protocols import ActuatorCommand, Plant
from boostback.plant.sixdof_setup import burn_engines, sixdof_params

HERE = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=1)
def _falcon9():  # type: ignore[no-untyped-def]
    scenario, vehicle = load_flight("falcon9_rtls")
    return flight_setup(vehicle, scenario), sixdof_params(vehicle)


def _state(h_m: float, speed_mps: float, path_deg: float, heading: str, propellant_kg: float):  # type: ignore[no-untyped-def]
    """A 3-DoF ECEF state over the launch site's longitude + 0.6 deg: ``h_m`` up, moving east
    (or west) at ``speed_mps`` with flight-path angle ``path_deg``."""
    setup, params = _falcon9()
    site = setup.launch_site
    lon = site.lon_rad + math.radians(0.6)
    r = np.asarray(setup.world.earth.geodetic_to_ecef(site.lat_rad, lon, h_m), dtype=float)
    basis = np.asarray(enu_basis(site.lat_rad, lon))
    g = math.radians(path_deg)
    east = 1.0 if heading == "east" else -1.0
    v = basis.T @ (speed_mps * np.array([east * math.cos(g), 0.0, math.sin(g)]))
    return (*map(float, r), *map(float, v), params.dry_mass_kg + propellant_kg), basis


# --- the translation reduces to the 3-DoF flight kernel's --------------------------------------


def _drag_only(params, aero):  # type: ignore[no-untyped-def]
    """The rigid body with the 3-DoF body's drag and nothing that turns it (as
    tests/test_sixdof_plant.py::_point_like): C_A = C_D cos(alpha), C_N = C_D sin(alpha), the
    centre of mass and of pressure at one station, no damping, no fins. The alpha grid is fine
    (h = 0.01 deg): with the body put against the flow at each step's start, the flow turns by
    at most delta ~ a_perp dt / v ~ 5e-4 rad within the step, where the linear table errs by
    delta h / 2 ~ 4e-8 of the drag."""
    mach, cd = np.array(aero.mach), np.array(aero.cd)
    alpha = np.linspace(0.0, math.pi, 18_001)
    station = 15.0
    return dataclasses.replace(
        params,
        aero_mach=mach,
        aero_alpha_rad=alpha,
        aero_axial=cd[:, None] * np.cos(alpha)[None, :],
        aero_normal=cd[:, None] * np.sin(alpha)[None, :],
        aero_cp_station_m=np.full((mach.size, alpha.size), station),
        aero_pitch_damping=np.zeros(mach.size),
        aero_roll_damping=0.0,
        ref_area_m2=aero.reference_area_m2,
        plume_ct=np.zeros(0),
        plume_factor=np.zeros(0),
        fin_axial=np.zeros_like(params.fin_axial),
        fin_force=np.zeros_like(params.fin_force),
        mp_cg_station_m=np.full(params.mp_propellant_kg.size, station),
    )


@pytest.mark.parametrize("windy", [False, True])
def test_with_ideal_attitude_and_drag_only_the_rigid_body_flies_the_3dof_coast(windy) -> None:
    setup, params = _falcon9()
    world = setup.world
    if windy:
        world = World(world.earth, world.atmosphere, ConstantWind((25.0, -10.0, 0.0)))
    body = setup.descent_body
    rigid = RigidFlightKernel.build(_drag_only(params, body.aero), world)
    point = flight_kernel(body, world)
    x3, _b = _state(45_000.0, 1_600.0, -40.0, "west", 20_000.0)
    coast = command_vector(0.0, None, (0.0, 0.0, 1.0), (0.0, 0.0, 0.0))
    k, f, c = 9, params.fin_azimuth_rad.size, params.rcs_position_m.shape[0]
    off = (np.zeros(k), np.zeros((k, 2)), np.zeros(f), np.zeros(c))
    dt, n = 0.1, 600  # 60 s: from 45 km down through the densest air of the coast
    y3 = np.array(x3)
    y = np.zeros(SIZE)
    y[:7] = x3
    for _ in range(n):
        # ideal attitude: the engines into the air flow, no rates
        _h, *u = air_velocity(*y[:6], point.wp, point.wind)
        u = np.asarray(u) / np.linalg.norm(u)
        y[QUAT] = quat_between((1.0, 0.0, 0.0), tuple(float(a) for a in -u))
        y[RATE] = 0.0
        y, gas = rigid.step(y, dt, *off)
        y3 = np.asarray(point.rk4(tuple(y3), dt, coast))
        assert gas == 0.0
    speed = np.linalg.norm(y3[3:6])
    assert speed < 400.0  # the air took more than 1200 m/s: drag dominates the coast
    # the table's error (4e-8 of the drag) over a loss of ~1.4 km/s and 60 s: < 6e-5 m/s and
    # 4e-3 m (the 3-DoF and 6-DoF RK4 steps are otherwise the same equations)
    assert np.linalg.norm(y[:3] - y3[:3]) < 5e-3
    assert np.linalg.norm(y[3:6] - y3[3:6]) < 1e-4
    assert y[MASS] == y3[MASS]


# --- torque-free rotation ----------------------------------------------------------------------


def _rz(angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def test_torque_free_rotation_keeps_its_angular_momentum_in_inertial_space() -> None:
    """In vacuum, engines and thrusters off, the angular momentum ``R(q) I w_i`` (w_i: the rates
    relative to the stars, the Earth's rotation added) is fixed in inertial axes: turned from
    ECEF by the Earth's rotation angle; and the rotational energy is constant. The body is made
    triaxial (yaw inertia x1.3) so that the tumble is not a plain precession."""
    setup, params = _falcon9()
    earth = setup.world.earth
    world = World(earth, Vacuum())
    inertia = params.mp_inertia_kgm2 * np.array([1.0, 1.0, 1.3])
    p = dataclasses.replace(params, mp_inertia_kgm2=inertia)
    kernel = RigidFlightKernel.build(p, world)
    omega = float(kernel.mdl[0][6])
    assert omega == pytest.approx(7.292115e-5, rel=1e-6)
    x3, _b = _state(300_000.0, 1_000.0, 30.0, "east", 30_000.0)
    x = np.zeros(SIZE)
    x[:7] = x3
    x[QUAT] = quat_between((1.0, 0.0, 0.0), (0.6, 0.0, 0.8))
    x[RATE] = (0.4, 0.3, -0.5)
    i_b = np.array(
        [np.interp(30_000.0, p.mp_propellant_kg, p.mp_inertia_kgm2[:, j]) for j in range(3)]
    )

    def momentum_energy(y: np.ndarray, t: float) -> tuple[np.ndarray, float]:
        q = tuple(float(a) for a in y[QUAT])
        w_i = y[RATE] + np.asarray(rotate_body_to_frame((q[0], -q[1], -q[2], -q[3]), (0, 0, omega)))
        h_ecef = np.asarray(rotate_body_to_frame(q, tuple(i_b * w_i)))
        return _rz(omega * t) @ h_ecef, 0.5 * float(w_i @ (i_b * w_i))

    k, f, c = 9, p.fin_azimuth_rad.size, p.rcs_position_m.shape[0]
    off = (np.zeros(k), np.zeros((k, 2)), np.zeros(f), np.zeros(c))
    h0, e0 = momentum_energy(x, 0.0)
    dt = 0.02
    for _ in range(5_000):  # 100 s
        x, _gas = kernel.step(x, dt, *off)
    h1, e1 = momentum_energy(x, 5_000 * dt)
    assert np.linalg.norm(h1 - h0) / np.linalg.norm(h0) < 1e-9
    assert abs(e1 - e0) / e0 < 1e-9
    # without the Earth's rotation in the attitude equations the momentum would sit still in
    # ECEF, and this check would miss by the Earth's turn over 100 s (7e-3 rad)
    assert np.linalg.norm(_rz(-omega * 100.0) @ h1 - h0) / np.linalg.norm(h0) > 1e-3


# --- the plant and the flip --------------------------------------------------------------------


def _separated(propellant_kg: float = 40_000.0, gains=None, h_m: float = 70_000.0):  # type: ignore[no-untyped-def]
    """A built separation: ``h_m`` (70 km) up, 2 km/s east climbing at 35 deg, axis prograde;
    the boostback attitude west and 10 deg below the horizon (a 155 deg turn)."""
    setup, params = _falcon9()
    x3, basis = _state(h_m, 2_000.0, 35.0, "east", propellant_kg)
    axis = np.asarray(x3[3:6]) / np.linalg.norm(x3[3:6])
    e = math.radians(10.0)
    target = basis.T @ np.array([-math.cos(e), 0.0, -math.sin(e)])
    plant = RigidFlightPlant(
        params, setup.world, FaultState(), rigid_state_along(x3, tuple(axis)), 150.0,
        setup.boostback_prop,
    )  # fmt: skip
    lat, lon, _h = setup.world.earth.geodetic_xyz(*x3[:3])
    controller = FlipController(params, FlipFrame(lat, lon), gains)
    return plant, controller, tuple(float(a) for a in target)


def test_the_plant_is_a_plant_and_shows_its_centre_of_mass() -> None:
    plant, _c, _t = _separated()
    x = plant.rigid_state
    assert isinstance(plant, Plant)
    assert plant.state == tuple(x[:7])
    assert plant.altitude_m == pytest.approx(70_000.0, abs=1e-3)
    sensed = plant.sense()
    assert sensed.attitude == tuple(x[7:14])
    assert 0.0 < sensed.qbar_pa < 500.0  # thin air: ~0.5 rho v^2 with rho ~ 1e-4 kg/m^3


def test_the_flip_turns_the_stage_onto_the_boostback_attitude_with_its_thrusters() -> None:
    plant, controller, target = _separated()
    params = plant.params
    m0 = plant.rigid_state[MASS]
    res = fly_flip(plant, controller, target, tol_deg=2.0, rate_tol_dps=0.5, max_time_s=60.0)
    assert res.done
    assert res.turn_deg == pytest.approx(155.0, abs=1e-6)
    assert res.error_deg <= 2.0 and res.rate_dps <= 0.5
    assert 0.0 < res.gas_kg < params.rcs_gas_kg
    # the gas leaves the stage's mass, and nothing else does (the engines are off)
    assert m0 - plant.rigid_state[MASS] == pytest.approx(res.gas_kg, rel=1e-9)
    # no rest-to-rest turn is faster than bang-bang at the thrusters' full one-way pitch
    # acceleration: t >= 2 sqrt(theta / a)
    b = controller.loop.model.effectiveness(plant.rigid_state, np.zeros(9), 1e-3, 1e-2)
    a_max = float(np.clip(b[1], 0.0, None).sum())
    assert a_max > 0.0
    assert res.t_s >= 2.0 * math.sqrt(math.radians(res.turn_deg) / a_max)
    # it settles: the error never grows back past 5 deg once under it
    hist = res.history
    first = int(np.argmax(hist[:, 1] <= 5.0))
    assert hist[first:, 1].max() <= 5.0 + 1e-9


def test_a_slow_turn_coasts_through_its_cruise_and_ends_as_the_fully_stepped_one() -> None:
    # the coast's turn (3 deg/s cap) above the air: between spin-up and braking the loop's
    # reference sits at its rate cap, so that part may be flown torque-free in long steps
    runs = {}
    for cruise in (None, 1.0):
        plant, controller, target = _separated(gains=COAST_GAINS, h_m=130_000.0)
        steps: list[float] = []
        res = fly_flip(
            plant, controller, target, dt_s=0.08, rate_tol_dps=0.2, max_time_s=200.0,
            record=lambda _a, p=plant, s=steps: s.append(p.t_s), cruise_dt_s=cruise,
        )  # fmt: skip
        assert res.done and res.error_deg <= 2.0 and res.rate_dps <= 0.2
        runs[cruise] = (res, np.diff(steps))
    (stepped, dt_stepped), (cruised, dt_cruised) = runs[None], runs[1.0]
    assert dt_stepped.max() == pytest.approx(0.08)
    long_s = float(dt_cruised[dt_cruised > 0.5].sum())
    assert long_s > 0.5 * stepped.t_s  # most of the 155 deg at 3 deg/s is cruise
    assert len(dt_cruised) < 0.5 * len(dt_stepped)
    # the same turn: its time, its peak rate and the gas it takes
    assert cruised.t_s == pytest.approx(stepped.t_s, rel=0.05)
    assert cruised.peak_rate_dps == pytest.approx(stepped.peak_rate_dps, rel=0.05)
    assert cruised.gas_kg == pytest.approx(stepped.gas_kg, rel=0.1)


def test_a_turn_in_the_air_is_not_left_to_coast() -> None:
    # from 70 km (~170 Pa) climbing: the air's moment would turn a coasting stage, so no long
    # step starts until the dynamic pressure is below the cruise's limit
    plant, controller, target = _separated(gains=COAST_GAINS)
    seen: list[tuple[float, float]] = []
    res = fly_flip(
        plant, controller, target, dt_s=0.08, rate_tol_dps=0.2, max_time_s=200.0,
        record=lambda _a: seen.append((plant.t_s, plant.sense().qbar_pa)), cruise_dt_s=1.0,
    )  # fmt: skip
    assert res.done
    t, qbar = np.array(seen).T
    long = np.diff(t) > 0.5
    assert qbar[0] > 100.0 * CRUISE_MAX_QBAR_PA and long.any()
    assert qbar[:-1][long].max() <= CRUISE_MAX_QBAR_PA


def test_a_lit_burn_gives_the_rocket_equation_along_the_axis() -> None:
    """Three boostback engines for 2 s in vacuum, no spool ramps: the mass drops by three
    engines' flow, and the velocity gained beyond a coast from the same state is
    ``v_e ln(m0 / m1)`` along the body axis (v_e = vacuum thrust / flow). The two paths differ
    by their Coriolis terms, ~2 Omega dv t ~ 3e-4 of dv."""
    setup, params = _falcon9()
    p = dataclasses.replace(params, startup_s=0.0, shutdown_s=0.0)
    world = World(setup.world.earth, Vacuum())
    engines = tuple(int(i) for i in burn_engines(setup.booster, "boostback"))
    assert len(engines) == 3
    x3, basis = _state(80_000.0, 1_500.0, 20.0, "east", 30_000.0)
    axis = basis.T @ np.array([-1.0, 0.0, 0.0])
    x = rigid_state_along(x3, tuple(axis))
    lit = RigidFlightPlant(p, world, FaultState(), x, 0.0, setup.boostback_prop, engines)
    off = RigidFlightPlant(p, world, FaultState(), x, 0.0, setup.boostback_prop, ())
    lit.ignite(0.0)
    dt = 0.02
    for _ in range(100):
        tick = lit.tick(Phase.BOOSTBACK)
        act = lit.actuate(ActuatorCommand(1.0, tuple(axis)), tick, dt)
        assert act.throttle == 1.0
        assert lit.step(act, dt, tick) is None
        off.step(off.coast(tuple(axis)), dt, off.tick(Phase.COAST))
    m0, m1 = x3[MASS], lit.rigid_state[MASS]
    assert m0 - m1 == pytest.approx(3 * p.engine_mass_flow_kgps * 2.0, rel=1e-9)
    dv = lit.rigid_state[3:6] - off.rigid_state[3:6]
    expected = p.engine_thrust_vac_n / p.engine_mass_flow_kgps * math.log(m0 / m1)
    assert float(dv @ axis) == pytest.approx(expected, rel=1e-3)
    assert np.linalg.norm(dv - (dv @ axis) * axis) < 1e-3 * expected
    # symmetric engines give no moment: the rates relative to the Earth stay within the
    # Earth's own rate (jet damping and the draining inertia act on the inertial rates)
    assert np.linalg.norm(lit.rigid_state[RATE]) < 7.3e-5


# --- compiled against interpreted --------------------------------------------------------------


def _parity_run() -> dict[str, list[str]]:
    """A second of the flip (thrusters firing, wind and air on): the state and gas, as hex."""
    plant, controller, target = _separated()
    setup, _p = _falcon9()
    plant.kernel = RigidFlightKernel.build(
        plant.params,
        World(setup.world.earth, setup.world.atmosphere, ConstantWind((30.0, 5.0, 0.0))),
    )
    res = fly_flip(plant, controller, target, max_time_s=1.0)
    return {
        "state": [float(v).hex() for v in plant.rigid_state],
        "gas": [float(res.gas_kg).hex()],
    }


def test_compiled_and_interpreted_kernels_give_the_same_bits() -> None:
    def run(jit: bool) -> dict:
        env = {**os.environ, "BOOSTBACK_JIT": "1" if jit else "0"}
        out = subprocess.run(
            [sys.executable, str(Path(__file__))],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return json.loads(out.stdout)

    compiled, interpreted = run(True), run(False)
    assert float.fromhex(compiled["gas"][0]) > 0.0
    assert compiled == interpreted


if __name__ == "__main__":
    print(json.dumps(_parity_run()))
