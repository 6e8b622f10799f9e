"""A drone-ship flight whose file gives no station has the ship's station designed before launch
(issue #18, held-out flights; ``payload.station``): brought in from the ballistic path until the
booster enters at the entry speed its recovery is planned for, as far as the spare allows. On the
old default (the ship under the ballistic path) Iridium NEXT 3 flew no boostback, where the real
booster flew a 23 s one to a ship ~250 km downrange."""

from __future__ import annotations

import math

import pytest

from boostback.config.loader import load_flight
from boostback.flight.executive import TYPICAL_ENTRY_SPEED_MPS, fly_mission
from boostback.flight.setup import flight_setup
from boostback.payload import station as st
from boostback.payload.design import _best, design_ascent, target_orbit
from boostback.payload.solver import mode_problem


def keyless_iridium(payload_kg: float | None = None, ship_km: float | None = None):
    """Iridium NEXT 3 from mission data: no fitted MECO flight path, no ship station."""
    sc, veh = load_flight("falcon9_iridium3")
    asc = sc.ascent.model_copy(update={"meco_flight_path_deg": None, "pitch_kick_deg": None})
    sc = st.with_station(sc.model_copy(update={"ascent": asc}), ship_km)
    if payload_kg is not None:
        mission = sc.mission.model_copy(update={"payload_mass_kg": payload_kg})
        sc = sc.model_copy(update={"mission": mission})
    return sc, veh


@pytest.fixture(scope="module")
def designed():
    sc, veh = keyless_iridium()
    assert st.needs_station(sc)
    out, design = design_ascent(sc, veh)
    return sc, veh, out, design


def test_the_ship_is_brought_in_from_the_ballistic_path(designed) -> None:
    _sc, _veh, out, design = designed
    assert design is not None and design.station is not None
    station = design.station
    assert out.recovery.ship_downrange_km == pytest.approx(station.downrange_km)
    assert station.downrange_km < station.ballistic_km - 100.0
    assert design.margin_kg >= 0.0  # the upper stage keeps its reserve with the ship there
    assert design.recovery is not None and design.recovery.flyable, design.recovery.why
    assert not math.isnan(design.recovery.boostback_pitch_deg)  # a boostback is planned


def test_the_station_is_where_the_entry_comes_down_to_the_planned_speed(designed) -> None:
    sc, veh, _out, design = designed
    station = design.station
    assert station is not None
    assert station.entry_speed_mps > TYPICAL_ENTRY_SPEED_MPS  # and no nearer:
    setup = flight_setup(veh, sc)
    kick = math.exp(_best(mode_problem(setup, setup.vehicle, target_orbit(sc)),
                          sc.mission.payload_mass_kg)[0])  # fmt: skip
    nearer = st._problem(sc, veh, target_orbit(sc), station.downrange_km - 2 * st.TOL_KM)
    assert st._entry_speed(nearer, sc.mission.payload_mass_kg, kick) <= TYPICAL_ENTRY_SPEED_MPS


def test_the_designed_station_is_flown_with_a_boostback_and_lands(designed) -> None:
    _sc, veh, out, _design = designed
    res = fly_mission(out, veh)
    assert res.outcome == "landed"
    assert res.boostback is not None and res.boostback.burned


def test_a_station_in_the_file_is_kept() -> None:
    sc, veh = keyless_iridium(ship_km=300.0)
    assert not st.needs_station(sc)
    out, design = design_ascent(sc, veh)
    assert design is not None and design.station is None
    assert out.recovery.ship_downrange_km == 300.0


def test_without_spare_the_ship_stays_under_the_ballistic_path() -> None:
    """A payload that leaves the upper stage little over its reserve at the ballistic station
    cannot afford the boostback that would bring the entry down: no station is designed."""
    sc, veh = keyless_iridium()
    setup = flight_setup(veh, sc)
    payload = sc.mission.payload_mass_kg
    spare = _best(mode_problem(setup, setup.vehicle, target_orbit(sc)), payload)[1]
    assert spare > 0.0
    heavy, veh = keyless_iridium(payload_kg=payload + 0.9 * spare)
    out, design = design_ascent(heavy, veh)
    assert design is not None and design.margin_kg >= 0.0
    assert design.station is None
    assert out.recovery.ship_downrange_km is None
