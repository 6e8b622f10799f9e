"""The vocabularies (config.vocab): unique values, and every name a flight records is a member."""

from __future__ import annotations

from enum import StrEnum

import pytest

from boostback.config import load_flight, load_landing
from boostback.config.vocab import EventName, Outcome, Phase, RecoveryMode
from boostback.flight.executive import fly_mission
from boostback.flight.result import FlightResult
from boostback.mission.landing import LandingResult, fly_landing
from boostback.plant.setup import landing_setup
from boostback.report.palette import OUTCOME_COLOURS, PHASE_COLOURS

VOCABULARIES = (Outcome, RecoveryMode, Phase, EventName)


@pytest.fixture(scope="module")
def rtls() -> FlightResult:
    scenario, vehicle = load_flight("falcon9_rtls")
    return fly_mission(scenario, vehicle)


@pytest.fixture(scope="module")
def expended() -> FlightResult:
    scenario, vehicle = load_flight("falcon9_rtls")
    plan = scenario.recovery.model_copy(update={"mode": RecoveryMode.EXPENDABLE, "site": None})
    return fly_mission(scenario.model_copy(update={"recovery": plan}), vehicle)


@pytest.fixture(scope="module")
def landing() -> LandingResult:
    scenario, vehicle = load_landing("falcon9_landing")
    return fly_landing(landing_setup(vehicle, scenario))


@pytest.mark.parametrize("vocab", VOCABULARIES, ids=lambda v: v.__name__)
def test_values_are_unique_lowercase_names(vocab: type[StrEnum]) -> None:
    values = [m.value for m in vocab.__members__.values()]  # aliases included
    assert len(values) == len(set(values))
    for m in vocab:
        assert m == m.value and m.value == m.name.lower() and str(m) == m.value


def test_outcome_classification_uses_the_vocabulary() -> None:
    from boostback.gnc import outcome

    assert outcome.Outcome is Outcome


def test_every_phase_and_outcome_has_a_colour() -> None:
    assert set(PHASE_COLOURS) == set(Phase)
    assert set(OUTCOME_COLOURS) == set(Outcome)


def test_a_landing_burn_records_only_vocabulary(landing: LandingResult) -> None:
    phases = {str(p) for p in landing.trajectory.phase}
    assert phases <= set(Phase), phases - set(Phase)
    assert {Phase.COAST, Phase.LANDING_BURN, Phase.TOUCHDOWN} <= phases
    events = {e.name for e in landing.trajectory.events}
    assert events <= set(EventName), events - set(EventName)
    assert landing.outcome is Outcome.LANDED


def _check_flight(result: FlightResult) -> set[str]:
    phases = {str(p) for p in result.trajectory.phase}
    assert phases <= set(Phase), phases - set(Phase)
    parquet_phases = set(result.trajectory.columns()["phase"])
    assert parquet_phases == phases
    events = {e.name for e in result.events}
    assert events <= set(EventName), events - set(EventName)
    assert result.outcome in set(Outcome)
    assert result.summary()["recovery"] in set(RecoveryMode)
    return phases


def test_a_landed_flight_records_only_vocabulary(rtls: FlightResult) -> None:
    phases = _check_flight(rtls)
    assert rtls.outcome == Outcome.LANDED
    assert {Phase.ASCENT, Phase.BOOSTBACK, Phase.ENTRY_BURN, Phase.AERO_DESCENT} <= phases
    # the landing burn's samples carry its phases renamed as Phase.in_flight says
    landing = rtls.landing
    assert landing is not None
    inner = [str(p) for p in landing.trajectory.phase]
    assert {Phase.in_flight(p) for p in inner} <= phases
    assert Phase.in_flight(Phase.COAST) is Phase.LANDING_COAST
    assert Phase.in_flight("landing_burn") is Phase.LANDING_BURN
    assert Phase.in_flight(Phase.TOUCHDOWN) is Phase.LANDING_TOUCHDOWN


def test_an_expended_flight_records_only_vocabulary(expended: FlightResult) -> None:
    phases = _check_flight(expended)
    assert expended.outcome == Outcome.EXPENDED
    assert Phase.FALL in phases
    assert expended.event(EventName.IMPACT) is not None
