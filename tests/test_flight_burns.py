"""A whole flight's boostback and entry burns on the one loop: their plant, navigator,
controllers, and the faults that now reach every burn (engines out, ignition delays, the mission
clock of onsets)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from boostback.config.loader import load_flight
from boostback.config.vocab import EventName, Phase
from boostback.control.burns import RetrogradeController, VelocityToGoController
from boostback.dynamics.state import MASS, SIZE, VEL
from boostback.flight.ecef_plant import EcefPlant
from boostback.flight.executive import fly_mission
from boostback.flight.integrate import speed_event
from boostback.flight.setup import flight_setup
from boostback.gnc.faults import EngineOut, FaultState, GridFinStuck, IgnitionDelay, Onset
from boostback.gnc.loop import RunTimeout
from boostback.gnc.navigation import InertialNavigator
from boostback.gnc.protocols import (
    ActuatorCommand,
    Controller,
    Demand,
    NavEstimate,
    Navigator,
    Plant,
    Tick,
)
from boostback.guidance.burns import BurnNow

# after the boostback of a nominal Falcon 9 RTLS flight: ECEF (m, m/s, kg), time after liftoff
BOOSTBACK_END = (
    188.987,
    (985419.729, -5589990.7, 3152532.161, -156.569, -631.131, -125.173, 41685.891),
)


@pytest.fixture(scope="module")
def rtls():
    scenario, vehicle = load_flight("falcon9_rtls")
    return scenario, vehicle, flight_setup(vehicle, scenario)


def _plant(setup, faults=None, watch=()) -> EcefPlant:
    t0, x0 = BOOSTBACK_END
    hw = setup.booster.recovery
    return EcefPlant(
        setup.descent_body,
        setup.world,
        faults or FaultState(),
        x0,
        t0,
        setup.entry_prop,
        hw.entry_engines,
        Phase.ENTRY_BURN,
        setup.dry_mass_kg,
        watch,
    )


def _tick(plant: EcefPlant, phase: str = Phase.ENTRY_BURN) -> Tick:
    return Tick(plant.t_s, phase, plant.altitude_m)


# --- the seams ----------------------------------------------------------------------------------


def test_the_flight_plant_is_a_plant_on_the_mission_clock(rtls) -> None:
    plant = _plant(rtls[2])
    assert isinstance(plant, Plant)
    assert plant.t_s == BOOSTBACK_END[0] and len(plant.state) == SIZE
    assert 50_000.0 < plant.altitude_m < 200_000.0
    m0 = plant.state[MASS]
    assert plant.step(plant.coast((0.0, 0.0, 1.0)), 1.0, _tick(plant)) is None
    assert plant.state[MASS] == m0 and plant.t_s == pytest.approx(BOOSTBACK_END[0] + 1.0)
    cmd = ActuatorCommand(1.0, (0.0, 0.0, 1.0))
    assert plant.actuate(cmd, _tick(plant), 0.1).thrust_n == 0.0  # not lit yet
    plant.ignite(plant.t_s)
    act = plant.actuate(cmd, _tick(plant), 0.1)
    assert act.thrust_n > 0.0 and plant.lit_engines == rtls[2].booster.recovery.entry_engines
    plant.step(act, 0.1, _tick(plant))
    assert plant.state[MASS] < m0


def test_the_flight_plant_stops_on_the_events_it_watches(rtls) -> None:
    speed0 = float(np.linalg.norm(BOOSTBACK_END[1][VEL]))
    plant = _plant(rtls[2], watch=(speed_event(EventName.ENTRY_END, speed0 - 5.0),))
    plant.ignite(plant.t_s)
    # a retrograde burn slows the stage through the watched speed within a few seconds
    retro = RetrogradeController(1.0)
    event = None
    while event is None and plant.t_s < BOOSTBACK_END[0] + 60.0:
        nav = NavEstimate(plant.state, plant.sense().pressure_pa, 1.0, plant.t_s)
        cmd = retro.command(nav, Demand(Phase.ENTRY_BURN, 0.0), _tick(plant), 0.5)
        event = plant.step(plant.actuate(cmd, _tick(plant), 0.5), 0.5, _tick(plant))
    assert event == EventName.ENTRY_END
    assert float(np.linalg.norm(plant.state[VEL])) == pytest.approx(speed0 - 5.0, abs=1e-3)


def test_the_flight_plant_runs_dry_at_the_dry_mass(rtls) -> None:
    setup = rtls[2]
    t0, x0 = BOOSTBACK_END
    light = (*x0[:MASS], setup.dry_mass_kg + 50.0)  # 50 kg left: a fraction of a second
    plant = EcefPlant(
        setup.descent_body, setup.world, FaultState(), light, t0, setup.entry_prop, 3,
        Phase.ENTRY_BURN, setup.dry_mass_kg,
    )  # fmt: skip
    plant.ignite(t0)
    act = plant.actuate(ActuatorCommand(1.0, (0.0, 0.0, 1.0)), _tick(plant), 1.0)
    assert plant.step(act, 1.0, _tick(plant)) == EventName.PROPELLANT_OUT
    assert plant.state[MASS] == setup.dry_mass_kg and plant.t_s - t0 < 1.0


def test_the_inertial_navigator_counts_the_thrusts_velocity() -> None:
    nav = InertialNavigator()
    assert isinstance(nav, Navigator)
    x = (7e6, 0.0, 0.0, 0.0, 100.0, 0.0, 50_000.0)
    tick = Tick(0.0, Phase.BOOSTBACK, 1e5)
    from boostback.gnc.protocols import Actuation, Sensed

    est = nav.update(x, tick, Sensed(10.0, 0.0))
    assert est.state is x and est.dv_sensed_mps == (0.0, 0.0, 0.0)
    nav.sense(Actuation(1.0, (0.6, 0.8, 0.0), 1.0e6, 1.25e6, 0.0), tick, 0.5)
    est = nav.update(x, tick._replace(t_s=0.5), Sensed(10.0, 0.0))
    assert est.dv_sensed_mps == pytest.approx((6.0, 8.0, 0.0))  # 20 m/s^2 for 0.5 s
    assert est.thrust_scale == pytest.approx(0.8)
    # read once: the next estimate carries the next step's count
    assert nav.update(x, tick, Sensed(10.0, 0.0)).dv_sensed_mps == (0.0, 0.0, 0.0)


def test_the_velocity_to_go_controller_ends_the_burn_inside_the_step(rtls) -> None:
    setup = rtls[2]
    ctl = VelocityToGoController(setup.boostback_prop, 1.0)
    assert isinstance(ctl, Controller)
    x = BOOSTBACK_END[1]
    accel = setup.boostback_prop.thrust_n(0.0, 1.0) / x[MASS]
    nav = NavEstimate(x, 0.0, 1.0, 0.0)
    far = ctl.command(nav, Demand(Phase.BOOSTBACK, 0.0, np.array([0.0, 300.0, 400.0])), _t(), 0.1)
    assert math.isinf(far.hold_s) and far.direction == pytest.approx((0.0, 0.6, 0.8))
    near = np.array([accel * 0.03, 0.0, 0.0])  # 0.03 s of thrust to go
    cmd = ctl.command(nav, Demand(Phase.BOOSTBACK, 0.0, near), _t(), 0.1)
    assert cmd.hold_s == pytest.approx(0.03) and cmd.direction == pytest.approx((1.0, 0.0, 0.0))
    # a weaker engine than the data sheet (the navigator's estimate) burns longer
    weak = ctl.command(
        nav._replace(thrust_scale=0.5), Demand(Phase.BOOSTBACK, 0.0, near), _t(), 0.1
    )
    assert weak.hold_s == pytest.approx(0.06)


def _t() -> Tick:
    return Tick(0.0, Phase.BOOSTBACK, 1e5)


def test_burn_now_lights_at_once_and_holds_its_phase() -> None:
    g = BurnNow(Phase.ENTRY_BURN, 12.5)
    x = BOOSTBACK_END[1]
    assert g.prepare(x) == 12.5
    demand = g.update(NavEstimate(x, 0.0, 1.0, 12.5), Tick(13.0, Phase.ENTRY_BURN, 6e4))
    assert demand.phase == Phase.ENTRY_BURN and demand.ignite_at_s == 12.5


# --- faults in every burn ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def nominal(rtls):
    scenario, vehicle, _ = rtls
    return fly_mission(scenario, vehicle)


def _burn(result, phase: str) -> np.ndarray:
    traj = result.trajectory
    return np.nonzero((traj.phase == phase) & (traj.throttle > 0.0))[0]


def test_an_engine_out_in_the_boostback_burns_on_two_engines_for_longer(rtls, nominal) -> None:
    scenario, vehicle, setup = rtls
    faults = FaultState((EngineOut(1.0, Onset(phase=Phase.BOOSTBACK)),))
    result = fly_mission(scenario, vehicle, faults=faults)
    n, f = _burn(nominal, Phase.BOOSTBACK), _burn(result, Phase.BOOSTBACK)
    count = setup.booster.recovery.boostback_engines
    assert set(nominal.trajectory.engines[n]) == {count}
    assert set(result.trajectory.engines[f]) == {count - 1}
    # thrust = k (throttle T_vac - A p) with k the engines' share: two thirds at the first sample
    first_n, first_f = nominal.trajectory.thrust_n[n[0]], result.trajectory.thrust_n[f[0]]
    assert first_f / first_n == pytest.approx((count - 1) / count, rel=1e-9)
    assert result.boostback.burn_s > 1.3 * nominal.boostback.burn_s
    # the guidance counted the velocity the two engines gave: the impact point is still aimed
    assert result.boostback.miss_m < 500.0
    # the other burns keep all their engines
    e = _burn(result, Phase.ENTRY_BURN)
    assert set(result.trajectory.engines[e]) == {setup.booster.recovery.entry_engines}


def test_an_engine_out_in_the_entry_burn_acts_there_only(rtls, nominal) -> None:
    scenario, vehicle, setup = rtls
    faults = FaultState((EngineOut(1.0, Onset(phase=Phase.ENTRY_BURN)),))
    result = fly_mission(scenario, vehicle, faults=faults)
    b = _burn(result, Phase.BOOSTBACK)
    assert np.array_equal(result.trajectory.thrust_n[b], nominal.trajectory.thrust_n[b])
    e = _burn(result, Phase.ENTRY_BURN)
    assert set(result.trajectory.engines[e]) == {setup.booster.recovery.entry_engines - 1}
    assert result.entry.burn_s > nominal.entry.burn_s


def test_fault_onset_times_count_from_liftoff_in_a_whole_flight(rtls, nominal) -> None:
    """The landing burn keeps its own clock (from the hand-over) for guidance; a fault's onset
    time is mission time: Falcon 9 lands on one engine, so losing it then leaves no thrust."""
    scenario, vehicle, _ = rtls
    lit = _burn(nominal, Phase.LANDING_BURN)
    t_out = float(nominal.trajectory.t_s[lit[len(lit) // 2]])
    result = fly_mission(scenario, vehicle, faults=FaultState((EngineOut(1.0, Onset(t_out)),)))
    traj = result.trajectory
    landing = traj.phase == Phase.LANDING_BURN
    assert np.all(traj.thrust_n[landing & (traj.t_s >= t_out + 1e-6)] == 0.0)
    assert np.any(traj.thrust_n[landing & (traj.t_s < t_out)] > 0.0)
    # before the onset the flight is the nominal one, boostback and entry included
    early = nominal.trajectory.t_s < t_out - 1.0
    assert np.array_equal(traj.r_ecef_m[: early.sum()], nominal.trajectory.r_ecef_m[early])
    assert result.outcome != "landed"


def test_an_ignition_delay_delays_only_the_burn_its_onset_names(rtls, nominal) -> None:
    scenario, vehicle, _ = rtls
    delay = IgnitionDelay(2.0, Onset(phase=Phase.BOOSTBACK))
    result = fly_mission(scenario, vehicle, faults=FaultState((delay,)))
    traj = result.trajectory
    start = result.trajectory.event(EventName.BOOSTBACK_START)
    assert start is not None
    bb = traj.phase == Phase.BOOSTBACK
    dark = traj.t_s[bb & (traj.thrust_n == 0.0)]
    assert dark.min() == pytest.approx(start.t_s) and dark.max() < start.t_s + 2.0
    assert traj.t_s[bb & (traj.thrust_n > 0.0)].min() == pytest.approx(start.t_s + 2.0, abs=0.11)
    # the entry and landing burns light on time: thrust from their first sample
    for phase in (Phase.ENTRY_BURN, Phase.LANDING_BURN):
        first = int(np.argmax(traj.phase == phase))
        assert traj.phase[first] == phase and traj.thrust_n[first] > 0.0


def test_an_engine_out_on_the_way_up_flies_on_to_a_later_meco(rtls, nominal) -> None:
    """CRS-1 (2012) lost one of nine Merlins 79 s after liftoff and flew on to orbit: the ascent
    is flown by the same loop, so the same fault reaches it."""
    scenario, vehicle, setup = rtls
    onset = 79.0
    faults = FaultState((EngineOut(1.0, Onset(onset, Phase.ASCENT)),))
    result = fly_mission(scenario, vehicle, faults=faults)
    traj = result.trajectory
    up = (traj.phase == Phase.ASCENT) & (traj.throttle > 0.0)
    count = setup.booster.engine_count
    assert set(traj.engines[up & (traj.t_s < onset)]) == {count}
    assert set(traj.engines[up & (traj.t_s >= onset)]) == {count - 1}
    assert np.array_equal(
        traj.r_ecef_m[traj.t_s < onset], nominal.trajectory.r_ecef_m[: (traj.t_s < onset).sum()]
    )
    # eight engines take longer to burn down to the same reserve
    assert result.ascent.t_s > nominal.ascent.t_s + 5.0
    assert not result.ascent.depleted


def test_a_jammed_grid_fin_takes_its_share_of_authority_away(rtls, nominal) -> None:
    """The truth loses the authority; guidance, not told, asks for more and saturates sooner.
    (Before the fins were on the loop the fault scaled guidance's idea of the authority instead,
    so a jammed fin pushed harder than commanded.) A 95 % jam: since the booster carries its
    unusable residual and flies the recalibrated entry throttle, a 90 % jam leaves the descent
    more authority than it asks for."""
    scenario, vehicle, _ = rtls
    result = fly_mission(scenario, vehicle, faults=FaultState((GridFinStuck(0.95),)))
    fins = lambda r: np.linalg.norm(  # noqa: E731
        r.trajectory.fin_ecef[r.trajectory.phase == Phase.AERO_DESCENT], axis=1
    )
    assert fins(nominal).max() > 0.2  # the nominal descent uses a third of the authority
    assert fins(result).max() <= 0.05 + 1e-12  # a twentieth is all that is left
    assert nominal.descent.fin_saturated_s == 0.0 < result.descent.fin_saturated_s
    # re-computed at 2 Hz on the predicted impact, the weak fins still bring it near the pad
    assert result.descent.miss_at_handover_m < 20.0


def test_a_whole_flight_answers_to_its_wall_clock_limit(rtls) -> None:
    """Campaign runs of whole flights are bounded like landings: every leg checks the deadline
    (here the ascent's first step, long past a millisecond's limit)."""
    scenario, vehicle, _ = rtls
    with pytest.raises(RunTimeout, match="wall-clock limit"):
        fly_mission(scenario, vehicle, wall_limit_s=1e-3)
