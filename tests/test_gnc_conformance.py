"""The conformance suite of the GNC seams (``gnc.protocols``).

Every ``Plant``, ``Navigator``, ``Guidance`` and ``Controller`` passes these checks; a new
implementation (a 6-DoF plant, a second guidance method, an attitude controller) joins by adding
its factory to the tables below and passing them, not by editing the loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from boostback.config import load_flight, load_landing, load_vehicle
from boostback.config.loader import scenario_from_dict
from boostback.config.vocab import Phase
from boostback.control.burns import RetrogradeController, VelocityToGoController
from boostback.control.landing import LandingController
from boostback.dynamics.state import MASS, SIZE
from boostback.environment.frames import enu_basis
from boostback.flight.ascent import guidance_constants
from boostback.flight.ascent_loop import MaxQThrottle
from boostback.flight.descent import FinController
from boostback.flight.ecef_plant import EcefPlant
from boostback.flight.landing_plant import EcefLandingPlant
from boostback.flight.setup import flight_setup
from boostback.gnc.faults import FaultState, NavNoise, Onset, WindGust
from boostback.gnc.navigation import FilteredNavigator, InertialNavigator
from boostback.gnc.outcome import Outcome
from boostback.gnc.protocols import (
    Actuation,
    ActuatorCommand,
    Controller,
    Demand,
    Guidance,
    NavEstimate,
    Navigator,
    Plant,
    Sensed,
    Tick,
)
from boostback.guidance.lcvx_guidance import LcvxGuidance
from boostback.guidance.scvx_guidance import ScvxGuidance
from boostback.mission.landing import fly_landing
from boostback.plant.flat import FlatPlant
from boostback.plant.setup import LandingSetup, landing_setup
from boostback.plant.sixdof import SixDofPlant
from boostback.plant.sixdof_setup import burn_engines, sixdof_params


@pytest.fixture(scope="module")
def setup() -> LandingSetup:
    scenario, vehicle = load_landing("falcon9_landing")
    return landing_setup(vehicle, scenario)


def _over_lz1(setup: LandingSetup) -> tuple[Any, Any, tuple[float, ...]]:
    """The landing burn's start state placed over LZ-1 on the rotating Earth of a whole flight:
    the flight, the pad and the state (ECEF)."""
    scenario, vehicle = load_flight("falcon9_rtls")
    flight = flight_setup(vehicle, scenario)
    pad = flight.target
    assert pad is not None
    x = setup.initial_state()
    basis = enu_basis(pad.lat_rad, pad.lon_rad)
    r = flight.site_ecef(pad) + np.asarray(x[:3]) @ basis
    v = np.asarray(x[3:6]) @ basis
    return flight, pad, (*map(float, r), *map(float, v), x[MASS])


def _rotating_earth_plant(setup: LandingSetup) -> Plant:
    flight, pad, x_ecef = _over_lz1(setup)
    return EcefLandingPlant(setup, FaultState(), flight, x_ecef, pad)  # type: ignore[arg-type]


def _flight_burn_plant(setup: LandingSetup) -> Plant:
    """A whole flight's burn plant (the entry engines) at the same state, on the mission clock."""
    flight, _pad, x_ecef = _over_lz1(setup)
    return EcefPlant(
        flight.descent_body,
        flight.world,
        FaultState(),
        x_ecef,  # type: ignore[arg-type]
        0.0,
        flight.entry_prop,
        3,
        Phase.ENTRY_BURN,
        flight.dry_mass_kg,
    )


def _rigid_plant(setup: LandingSetup) -> Plant:
    """The 6-DoF truth of the landing burn (its 3-DoF view is the feet's centre)."""
    engines = tuple(int(i) for i in burn_engines(setup.stage, "landing"))
    return SixDofPlant(setup, FaultState(), sixdof_params(setup.vehicle), engines)


LANDING_PLANTS: dict[str, Callable[[LandingSetup], Plant]] = {
    "flat point mass": lambda s: FlatPlant(s, FaultState()),
    "rotating Earth (a whole flight's landing burn)": _rotating_earth_plant,
    "rigid body (6-DoF)": _rigid_plant,
}
PLANTS: dict[str, Callable[[LandingSetup], Plant]] = {
    **LANDING_PLANTS,
    "rotating Earth (a whole flight's other burns)": _flight_burn_plant,
}
NAVIGATORS: dict[str, Callable[[LandingSetup], Navigator]] = {
    "filtered, exact fixes": lambda s: FilteredNavigator(FaultState(), 0.5),
    "filtered, noisy fixes": lambda s: FilteredNavigator(
        FaultState((NavNoise(2.0, 0.2),), np.random.default_rng(1)), 0.5
    ),
    "inertial (a whole flight's other burns)": lambda s: InertialNavigator(),
}
GUIDANCES: dict[str, Callable[[LandingSetup], Guidance]] = {
    "lcvx": LcvxGuidance,
    # the rigid body's plan; with a point-mass navigator (no attitude) it plans the body upright
    "scvx (6-DoF)": ScvxGuidance,
}
# the ``guidance.method`` under which ``mission.landing`` flies each guidance
FLOWN_AS: dict[type, str] = {LcvxGuidance: "lcvx", ScvxGuidance: "scvx"}
CONTROLLERS: dict[str, Callable[[LandingSetup], Controller]] = {
    "landing": LandingController,
}
BURN_PHASES = {Phase.COAST, Phase.LANDING_BURN}


def _tick(plant: Plant, phase: str = Phase.COAST) -> Tick:
    return Tick(plant.t_s, phase, plant.altitude_m)


# --- plants ------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", PLANTS.values(), ids=PLANTS.keys())
def test_a_plant_owns_its_state_and_coasts_without_burning(setup, make) -> None:
    plant = make(setup)
    assert isinstance(plant, Plant)
    x0 = plant.state
    assert len(x0) == SIZE and plant.t_s == 0.0
    sensed = plant.sense()
    assert isinstance(sensed, Sensed) and sensed.pressure_pa >= 0.0
    assert math.isinf(sensed.lit_at_s)  # nothing commanded yet
    act = plant.coast((0.0, 0.0, 1.0))
    assert isinstance(act, Actuation) and act.throttle == act.thrust_n == 0.0
    event = plant.step(act, 0.1, _tick(plant))
    assert event is None
    assert plant.t_s == pytest.approx(0.1)
    assert plant.state[MASS] == x0[MASS]
    assert plant.state != x0


@pytest.mark.parametrize("make", PLANTS.values(), ids=PLANTS.keys())
def test_a_plant_lights_when_told_and_burns_propellant(setup, make) -> None:
    plant = make(setup)
    cmd = ActuatorCommand(0.8, (0.0, 0.0, 1.0))
    assert plant.actuate(cmd, _tick(plant, Phase.LANDING_BURN), 0.1).thrust_n == 0.0
    plant.ignite(0.0)
    act = plant.actuate(cmd, _tick(plant, Phase.LANDING_BURN), 0.1)
    assert act.thrust_n > 0.0 and act.expected_thrust_n == pytest.approx(act.thrust_n)
    assert act.lit_at_s == 0.0
    if act.rigid is None:  # a point mass thrusts where it is told
        assert act.direction == cmd.direction
    else:  # a rigid body thrusts along its own axis (the attitude loop turns it)
        assert math.isclose(float(np.linalg.norm(act.direction)), 1.0, rel_tol=1e-9)
    m0 = plant.state[MASS]
    plant.step(act, 0.1, _tick(plant, Phase.LANDING_BURN))
    assert plant.state[MASS] < m0
    assert plant.sense().lit_at_s == 0.0


@pytest.mark.parametrize("make", LANDING_PLANTS.values(), ids=LANDING_PLANTS.keys())
def test_a_plant_stops_at_touchdown(setup, make) -> None:
    plant = make(setup)
    event = None
    while event is None and plant.t_s < 200.0:
        event = plant.step(plant.coast((0.0, 0.0, 1.0)), 0.5, _tick(plant))
    assert event == "touchdown"
    # on the rotating Earth the ground curves away from the pad's plane (~2 cm at 500 m); a
    # rigid body touches down on its lowest foot, its feet's centre a little higher if it tilts
    low = plant.lowest_foot_m if isinstance(plant, SixDofPlant) else plant.altitude_m
    assert low == pytest.approx(0.0, abs=0.05)


# --- navigators --------------------------------------------------------------------------------


@pytest.mark.parametrize("make", NAVIGATORS.values(), ids=NAVIGATORS.keys())
def test_a_navigator_estimates_near_the_truth_and_passes_mass_through(setup, make) -> None:
    nav = make(setup)
    assert isinstance(nav, Navigator)
    plant = PLANTS["flat point mass"](setup)
    for _ in range(50):
        est = nav.update(plant.state, _tick(plant), plant.sense())
        assert isinstance(est, NavEstimate) and len(est.state) == SIZE
        assert est.state[MASS] == plant.state[MASS]
        assert est.thrust_scale == 1.0
        plant.step(plant.coast((0.0, 0.0, 1.0)), 0.02, _tick(plant))
    error = np.subtract(est.state[:3], plant.state[:3])
    # the last estimate is of the previous step's truth: within a step's travel plus noise
    assert np.linalg.norm(error) < 0.02 * 300.0 + 10.0


def test_exact_navigation_is_the_truth_itself(setup) -> None:
    nav = NAVIGATORS["filtered, exact fixes"](setup)
    plant = PLANTS["flat point mass"](setup)
    assert nav.fix(plant.state, _tick(plant)) is plant.state
    assert nav.update(plant.state, _tick(plant), plant.sense()).state is plant.state


@pytest.mark.parametrize("make", NAVIGATORS.values(), ids=NAVIGATORS.keys())
def test_a_navigator_learns_a_weak_engine_from_its_accelerometers(setup, make) -> None:
    nav = make(setup)
    weak = Actuation(0.8, (0.0, 0.0, 1.0), 0.7e6, 1.0e6, lit_at_s=0.0)
    tick = Tick(5.0, Phase.LANDING_BURN, 1000.0)
    for _ in range(200):
        nav.sense(weak, tick, 0.02)
    plant = PLANTS["flat point mass"](setup)
    est = nav.update(plant.state, _tick(plant, Phase.LANDING_BURN), plant.sense())
    assert est.thrust_scale == pytest.approx(0.7, abs=0.01)


# --- guidance ----------------------------------------------------------------------------------


@pytest.mark.parametrize("make", GUIDANCES.values(), ids=GUIDANCES.keys())
def test_a_guidance_plans_ahead_then_lights_and_references_a_plan(setup, make) -> None:
    guidance = make(setup)
    assert isinstance(guidance, Guidance)
    plant = PLANTS["flat point mass"](setup)
    nav = NAVIGATORS["filtered, exact fixes"](setup)
    t_ig = guidance.prepare(plant.state)
    assert math.isfinite(t_ig) and t_ig >= 0.0
    demand = guidance.update(nav.update(plant.state, _tick(plant), plant.sense()), _tick(plant))
    assert isinstance(demand, Demand) and demand.phase in BURN_PHASES
    assert demand.ignite_at_s == t_ig
    while demand.phase == Phase.COAST:
        plant.step(plant.coast((0.0, 0.0, 1.0)), min(0.05, t_ig - plant.t_s + 1e-9), _tick(plant))
        est = nav.update(plant.state, _tick(plant), plant.sense())
        demand = guidance.update(est, _tick(plant))
    assert demand.phase == Phase.LANDING_BURN
    assert demand.reference is not None and demand.reference_t0_s == pytest.approx(plant.t_s)
    # in the burn, the demand keeps the phase it is given
    later = Tick(plant.t_s + 0.02, Phase.ENGINE_CUTOFF, plant.altitude_m)
    assert guidance.update(est, later).phase == Phase.ENGINE_CUTOFF


# Off the predicted fall in the coast (``guidance.ignition.CoastWatch``): a 6-DoF Falcon 9 stage
# (the built-in falcon9_landing's burn) met by tests/test_coast_redecision.py's gust of 40 m/s
# for 20 s, here blowing down: falling faster than the fall its ignition was decided on, it
# reaches that ignition too low to stop (deciding once, SCvx's stage ran dry 153 m off the
# pad); and one that starts climbing engines-up and turns over in the coast on the lift of the
# turn (deciding once, SCvx's touched down 9.6 m off, 7.4 m/s sideways).
COAST_CASES: dict[str, tuple[dict[str, object], tuple[WindGust, ...]]] = {
    "a downdraft": (
        {"altitude_m": 8000.0},
        (WindGust((0.0, 0.0, -40.0), 20.0, Onset(phase=Phase.COAST)),),
    ),
    "a turn-over": ({"velocity_enu_mps": [-15.0, 0.0, 250.0]}, ()),
}


def _rigid_landing(method: str, **initial: object) -> LandingSetup:
    base: dict[str, object] = {
        "altitude_m": 3000.0,
        "velocity_enu_mps": [-15.0, 0.0, -250.0],
        "position_en_m": [400.0, 0.0],
        "propellant_kg": 9000.0,
        **initial,
    }
    data = {
        "vehicle": "falcon9",
        "initial": base,
        "guidance": {"terminal_max_decel_mps2": 6.0, "method": method},
        "sim": {"dof": 6},
    }
    return landing_setup(load_vehicle("falcon9"), scenario_from_dict(data))


@pytest.mark.parametrize("case", COAST_CASES.values(), ids=COAST_CASES.keys())
@pytest.mark.parametrize("make", GUIDANCES.values(), ids=GUIDANCES.keys())
def test_a_guidance_decides_its_ignition_again_off_the_predicted_fall(make, case) -> None:
    initial, gusts = case
    landing = _rigid_landing(FLOWN_AS[make], **initial)
    result = fly_landing(landing, FaultState(gusts))
    assert any("ignition decided again" in note for note in result.notes), result.notes
    td = result.touchdown
    assert result.outcome is Outcome.LANDED, (result.outcome, td)
    assert td is not None and td.miss_m <= landing.stage.limits.max_miss_m


# --- controllers -------------------------------------------------------------------------------


@pytest.mark.parametrize("make", CONTROLLERS.values(), ids=CONTROLLERS.keys())
def test_a_controller_commands_within_the_actuators_limits(setup, make) -> None:
    controller = make(setup)
    assert isinstance(controller, Controller)
    guidance = GUIDANCES["lcvx"](setup)
    plant = PLANTS["flat point mass"](setup)
    guidance.prepare(plant.state)
    x = plant.state
    est = NavEstimate(x, plant.sense().pressure_pa, 1.0, 0.0)
    tick = Tick(guidance.ignition_t_s, Phase.COAST, x[2])  # type: ignore[attr-defined]
    demand = guidance.update(est, tick)
    prop = setup.prop
    turn = math.radians(setup.stage.landing.max_turn_rate_deg_s) * 0.02  # type: ignore[union-attr]
    previous = (0.0, 0.0, 1.0)
    for k in range(20):
        burn = Tick(tick.t_s + 0.02 * k, Phase.LANDING_BURN, x[2])
        cmd = controller.command(est, demand, burn, 0.02)
        assert isinstance(cmd, ActuatorCommand) and isinstance(cmd.cutoff, bool)
        assert prop.throttle_min <= cmd.throttle <= prop.throttle_max
        assert math.isclose(float(np.linalg.norm(cmd.direction)), 1.0, rel_tol=1e-9)
        angle = math.acos(min(1.0, float(np.dot(cmd.direction, previous))))
        assert angle <= turn + 1e-9
        previous = cmd.direction


# --- the controllers of a whole flight's other phases -------------------------------------------


def _flight_controllers(setup: LandingSetup) -> dict[str, tuple[Controller, Demand]]:
    """Each controller of a whole flight's other phases with a demand of its guidance's kind."""
    flight, _pad, _x = _over_lz1(setup)
    p = flight.ascent_prop
    pp = np.array([p.thrust_vac_n, p.exit_area_m2, p.mass_flow_kgps, p.throttle_min, 1.0, 9])
    program = np.array(guidance_constants(flight, 0.05))
    return {
        "retrograde (entry)": (RetrogradeController(0.8), Demand(Phase.ENTRY_BURN, 0.0)),
        "velocity to go (boostback)": (
            VelocityToGoController(flight.boostback_prop, 0.9),
            Demand(Phase.BOOSTBACK, 0.0, np.array([300.0, -40.0, 120.0])),
        ),
        "max-q throttle (ascent)": (
            MaxQThrottle(pp, program),
            Demand(Phase.ASCENT, 0.0, (0.0, 0.6, 0.8)),
        ),
        "fins (grid-fin descent)": (
            FinController(),
            Demand(Phase.AERO_DESCENT, math.inf, (0.3, 0.4, 0.0)),
        ),
    }


def test_the_flight_controllers_command_within_the_actuators_limits(setup) -> None:
    x = _over_lz1(setup)[2]
    for name, (controller, demand) in _flight_controllers(setup).items():
        assert isinstance(controller, Controller), name
        est = NavEstimate(x, 50_000.0, 1.0, 0.0, qbar_pa=30_000.0)  # type: ignore[arg-type]
        for k in range(20):
            tick = Tick(0.02 * k, demand.phase, 2_000.0)
            cmd = controller.command(est, demand, tick, 0.02)
            assert isinstance(cmd, ActuatorCommand) and isinstance(cmd.cutoff, bool), name
            assert 0.0 <= cmd.throttle <= 1.0, name
            assert math.isclose(float(np.linalg.norm(cmd.direction)), 1.0, rel_tol=1e-9), name
            assert float(np.linalg.norm(cmd.fins)) <= 1.0 + 1e-12, name
            assert cmd.hold_s > 0.0, name
