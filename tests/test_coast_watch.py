"""The coast's watch over the predicted fall (``guidance.ignition.CoastWatch``), the one check
both landing guidances hold: when it is due, when it decides again, and the one note that counts
the re-decisions."""

from __future__ import annotations

import pytest

from boostback.config import load_landing
from boostback.dynamics import State
from boostback.guidance.ignition import CoastWatch, ballistic_path
from boostback.plant.setup import LandingSetup, landing_setup

PERIOD_S = 0.5


@pytest.fixture(scope="module")
def setup() -> LandingSetup:
    scenario, vehicle = load_landing("falcon9_landing")
    return landing_setup(vehicle, scenario)


def _watch(setup: LandingSetup, t0_s: float = 0.0) -> CoastWatch:
    watch = CoastWatch(setup.sim.dt_s, PERIOD_S, setup.stage.limits.max_miss_m)
    watch.watch(ballistic_path(setup, setup.initial_state(), setup.sim.dt_s, 20.0), t0_s)
    return watch


def _east(x: State, metres: float) -> State:
    return (x[0] + metres, *x[1:])


def test_a_check_is_due_once_a_period_and_only_before_the_ignition(setup) -> None:
    watch = _watch(setup, t0_s=2.0)
    assert not watch.due(2.0 + 0.9 * PERIOD_S, 10.0)
    assert watch.due(2.0 + PERIOD_S, 10.0)
    assert not watch.due(10.0, 10.0)  # at the ignition: the burn, not the coast
    assert not CoastWatch(setup.sim.dt_s, PERIOD_S, 10.0).due(1.0, 10.0)  # nothing watched


def test_a_stage_on_its_fall_keeps_its_ignition_and_one_off_it_decides_again(setup) -> None:
    watch, notes = _watch(setup), ["an earlier note"]
    decided: list[float] = []

    def decide(x: State, t_s: float) -> float:
        decided.append(t_s)
        return t_s + 3.0

    dt, miss = setup.sim.dt_s, setup.stage.limits.max_miss_m
    on = watch.fall[round(PERIOD_S / dt)]  # type: ignore[index]
    assert watch.check(on, PERIOD_S, 8.0, decide, notes) == 8.0
    assert watch.next_check_s == pytest.approx(2 * PERIOD_S)
    assert decided == [] and notes == ["an earlier note"]
    just_inside = _east(on, 0.99 * miss)
    assert watch.check(just_inside, PERIOD_S, 8.0, decide, notes) == 8.0
    assert watch.check(_east(on, 1.01 * miss), PERIOD_S, 8.0, decide, notes) == PERIOD_S + 3.0
    assert decided == [PERIOD_S]
    notes.append("a note of the new decision")
    assert watch.check(_east(on, 2.0 * miss), PERIOD_S, 8.0, decide, notes) == PERIOD_S + 3.0
    # one note counts the re-decisions, where the first was written
    assert len(notes) == 3 and notes[2] == "a note of the new decision"
    assert notes[1].startswith("the coast left its predicted fall 2 time(s)")
    assert "ignition decided again, at t=3.50s" in notes[1]
