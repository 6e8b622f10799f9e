"""GTO drone-ship flights from a flight file (issue #18, the held-out BulgariaSat-1, SES-11 and
Koreasat 5A): a 27 deg transfer orbit from the Cape is launched due east as the payload solve
launches it (one function, ``environment.frames.out_of_reach_launch``), and a flight whose
payload leaves the booster too little propellant for the preferred descent limits brakes only
to the vehicle's survival envelope (``config.flight_models.descent_limits``, ``entry.limits``)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from boostback.config.errors import ConfigError
from boostback.config.flight_models import EntryPlan, FlightScenario, descent_limits
from boostback.config.loader import load_flight
from boostback.config.models import RecoveryHardware, Vehicle
from boostback.environment.frames import LC39A, launch_azimuth_rad, out_of_reach_launch
from boostback.flight.executive import fly_mission
from boostback.flight.setup import flight_setup, plane_turn
from boostback.payload.design import design_ascent
from boostback.payload.missions import mode_problems
from boostback.payload.recovery import envelope_scenario
from boostback.payload.upper_stage import parse_orbit

VALIDATION = Path(__file__).resolve().parents[1] / "validation" / "scenarios"


@pytest.fixture(scope="module")
def bulgariasat() -> tuple[FlightScenario, Vehicle]:
    return load_flight(str(VALIDATION / "bulgariasat1.toml"))


def test_an_inclination_below_the_latitude_is_launched_due_east() -> None:
    lat = LC39A.lat_deg
    az, note = out_of_reach_launch(lat, 27.0) or (math.nan, "")
    assert az == 90.0 and "due east" in note and "27 deg" in note
    az, note = out_of_reach_launch(-lat, 181.0 - lat) or (math.nan, "")
    assert az == 270.0 and "due west" in note
    for inc in (lat, 51.6, 180.0 - lat):  # a direct launch reaches these
        assert out_of_reach_launch(lat, inc) is None
    with pytest.raises(ValueError, match="not reachable"):  # which the direct formula refuses
        launch_azimuth_rad(math.radians(lat), math.radians(27.0))


def test_the_flight_launches_as_the_payload_solve_does(bulgariasat) -> None:
    sc, veh = bulgariasat
    setup = flight_setup(veh, sc)  # refused before: "not reachable by a direct launch"
    assert setup.launch_azimuth_rad == pytest.approx(math.radians(90.0))
    turn = plane_turn(sc, setup.launch_site)
    assert turn is not None
    _veh, problems = mode_problems(
        "falcon9", parse_orbit("185x35786x27x180"), ("droneship",), launch_site="lc39a"
    )
    (p,) = problems
    assert not isinstance(p, tuple)
    assert p.setup.scenario.mission.launch_azimuth_deg == turn[0]
    assert p.note == turn[1]  # one function: the same launch and the same words
    given = sc.mission.model_copy(update={"inclination_deg": None, "launch_azimuth_deg": 95.0})
    assert plane_turn(sc.model_copy(update={"mission": given}), setup.launch_site) is None
    no_orbit = sc.mission.model_copy(update={"target_orbit": None})  # nothing turns the plane
    with pytest.raises(ConfigError, match="not reachable by a direct launch"):
        flight_setup(veh, sc.model_copy(update={"mission": no_orbit}))


def test_the_flight_result_says_the_upper_stage_turns_the_plane(bulgariasat) -> None:
    sc, veh = bulgariasat
    rec = sc.recovery.model_copy(update={"mode": "expendable", "ship_downrange_km": None})
    asc = sc.ascent.model_copy(update={"pitch_kick_deg": 2.0})
    res = fly_mission(sc.model_copy(update={"recovery": rec, "ascent": asc}), veh)
    assert any("due east" in n and "turns the plane" in n for n in res.notes), res.notes


def _hardware(**over: float | None) -> RecoveryHardware:
    base = dict(
        separation_delay_s=3.0,
        flip_rate_deg_s=10.0,
        boostback_engines=3,
        entry_engines=3,
        max_entry_dynamic_pressure_pa=80e3,
        max_heat_flux_w_m2=60e3,
        nose_radius_m=1.85,
    )
    return RecoveryHardware.model_validate({**base, **over})


def test_the_envelope_is_at_or_above_the_preferred_limits() -> None:
    preferred, envelope = EntryPlan(), EntryPlan(limits="envelope")
    hw = _hardware(envelope_heat_flux_w_m2=140e3)
    assert descent_limits(hw, preferred) == (80e3, 60e3)
    assert descent_limits(hw, envelope) == (80e3, 140e3)  # q: its preferred limit
    assert descent_limits(_hardware(), envelope) == (80e3, 60e3)
    lower = _hardware(envelope_entry_dynamic_pressure_pa=70e3, envelope_heat_flux_w_m2=50e3)
    assert descent_limits(lower, envelope) == (80e3, 60e3)  # never below the preferred limits


def test_the_entry_target_brakes_to_the_named_limits(bulgariasat) -> None:
    sc, veh = bulgariasat
    hw = veh.booster.recovery
    assert hw is not None and hw.envelope_heat_flux_w_m2 is not None

    def peaks(v: float) -> tuple[float, float]:  # a descent whose peaks grow with the speed
        return 80e3 * (v / 1_000.0) ** 2, 60e3 * (v / 1_000.0) ** 3

    envelope = envelope_scenario(sc, veh)
    assert envelope is not None and envelope.entry.limits == "envelope"
    assert envelope_scenario(envelope, veh) is None  # already there
    preferred = flight_setup(veh, sc).entry_target(peaks, 2_400.0)
    survived = flight_setup(veh, envelope).entry_target(peaks, 2_400.0)
    margin = 1.0 - sc.entry.limit_margin
    q_env, heat_env = descent_limits(hw, envelope.entry)
    assert preferred.peak_heat_wpm2 <= margin * hw.max_heat_flux_w_m2
    assert survived.peak_heat_wpm2 <= margin * heat_env
    assert survived.peak_qbar_pa <= margin * q_env
    assert survived.speed_mps > preferred.speed_mps + 100.0  # a smaller entry burn
    expended = sc.recovery.model_copy(update={"mode": "expendable", "ship_downrange_km": None})
    assert envelope_scenario(sc.model_copy(update={"recovery": expended}), veh) is None


def test_a_gto_payload_is_designed_to_the_envelope_and_a_leo_one_is_not(bulgariasat) -> None:
    sc, veh = bulgariasat
    designed, design = design_ascent(sc, veh)
    assert designed.entry.limits == "envelope"  # the preferred limits had no flyable kick
    assert design is not None and design.recovery is not None
    assert design.recovery.flyable, design.recovery.why
    assert design.margin_kg >= 0.0
    assert design.recovery.entry_target_mps > 1_000.0  # braked only to what the stage survives
    leo, _ = load_flight(str(VALIDATION / "crs12.toml"))
    designed_leo, _design = design_ascent(leo, veh)
    assert designed_leo.entry.limits == "preferred"
