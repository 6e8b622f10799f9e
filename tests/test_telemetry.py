"""Telemetry loading, comparison, and validation of the simulated Falcon 9 RTLS flights.

Validation: the falcon9_rtls (CRS-11-like) and falcon9_saocom1a scenarios are flown and compared
with the webcast telemetry of the real flights: event times within 10 %, altitude and speed at
MECO, boostback end, entry-burn start and landing-burn start within 15 %. The drone-ship case,
falcon9_iridium3 against Iridium NEXT 3 (partial boostback), is held to the same bounds. The
comparisons that the present models miss are marked xfail with the measured error (see the
report of issue #3, and docs/flights.md for the present ones). Each flight is compared twice: as
a point mass, and with the booster a rigid body from separation to touchdown (``sim.dof = 6``:
the flip on its thrusters, the burns steered by its gimbals, the descent on its fins), to the
same bounds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from boostback.config.loader import load_flight
from boostback.flight.executive import fly_mission
from boostback.telemetry import (
    EVENT_TIME_TOL,
    STATE_EVENTS,
    STATE_TOL,
    TIMED_EVENTS,
    ComparisonRow,
    SimProfile,
    compare,
    load_telemetry,
    misses,
)

TELEMETRY = Path(__file__).resolve().parents[2] / "shared" / "data" / "telemetry" / "falcon9"
needs_telemetry = pytest.mark.skipif(
    not (TELEMETRY / "SpaceX_CRS-11" / "analysed.json").is_file(),
    reason=f"shared Falcon 9 telemetry not found at {TELEMETRY}",
)

FLIGHTS = {
    "SpaceX_CRS-11": "falcon9_rtls",
    "SAOCOM_1A": "falcon9_saocom1a",
    "Iridium_NEXT_3": "falcon9_iridium3",
}
# events the webcast telemetry of a flight does not mark
UNMARKED = {("Iridium_NEXT_3", "landing_end")}

# (dof, flight, event, quantity): measured miss of the present models (docs/flights.md, "What
# remains"); none at present.
KNOWN_MISSES: dict[tuple[int, str, str, str], str] = {}


def test_compare_matches_events_and_interpolates_telemetry(tmp_path: Path) -> None:
    (tmp_path / "analysed.json").write_text(
        json.dumps({"time": [0, 10, 20], "altitude": [0.0, 1.0, 3.0], "velocity": [0, 100, 300]})
    )
    (tmp_path / "events.json").write_text(json.dumps({"meco": 15, "apogee": None, "maxq": 5}))
    tel = load_telemetry(tmp_path)
    assert tel.altitude_m.tolist() == [0.0, 1000.0, 3000.0]
    assert tel.events == {"meco": 15.0, "maxq": 5.0}
    sim = SimProfile(
        np.array([0.0, 20.0]),
        np.zeros(2),
        np.zeros(2),
        {"meco": (16.5, 2200.0, 180.0), "apogee": (30.0, 5e3, 0.0)},
    )
    (row,) = compare(sim, tel)
    assert row.event == "meco"
    assert row.altitude_tel_m == pytest.approx(2000.0)
    assert row.speed_tel_mps == pytest.approx(200.0)
    assert row.t_error == pytest.approx(0.1)
    assert row.altitude_error == pytest.approx(0.1)
    assert row.speed_error == pytest.approx(-0.1)


def test_misses_names_each_comparison_outside_its_tolerance() -> None:
    def row(event: str, t: float, h: float, v: float) -> ComparisonRow:
        return ComparisonRow(event, t, 100.0, h, 1000.0, v, 100.0)

    rows = [row("meco", 105.0, 1140.0, 100.0), row("apogee", 89.0, 1000.0, 100.0)]
    events = {"meco": 100.0, "apogee": 100.0, "boostback_end": 100.0}
    # meco: time +5 % and altitude +14 % within; apogee: time -11 %, not a state; boostback_end
    # marked by the telemetry, not flown
    assert misses(rows, events) == ["apogee t -11.0", "boostback_end absent"]
    rows[0] = row("meco", 105.0, 1160.0, 84.0)
    assert misses(rows, events)[:2] == ["apogee t -11.0", "meco altitude +16.0"]
    assert "meco speed -16.0" in misses(rows, events)


def test_ascent_is_designed_for_the_target_orbit_only_without_an_override() -> None:
    """The telemetry scenarios carry their payload's orbit (public mission data) and a fitted
    MECO flight path; without the override the pitch kick is designed for the orbit."""
    from boostback.payload.design import design_ascent

    scenario, vehicle = load_flight("falcon9_rtls")
    assert scenario.mission.target_orbit is not None
    assert design_ascent(scenario, vehicle) == (scenario, None)  # the override stands
    free = scenario.model_copy(
        update={"ascent": scenario.ascent.model_copy(update={"meco_flight_path_deg": None})}
    )
    designed, design = design_ascent(free, vehicle)
    assert design is not None and design.margin_kg > 0.0
    assert designed.ascent.pitch_kick_deg == pytest.approx(design.kick_deg)
    # the most upper-stage margin to 200 x 360 km would be flatter than CRS-11's 41.5 deg
    # (39 deg); bounded by the predicted recovery, whose boostback grows on a flat ascent, the
    # design keeps the booster what its recovery needs and lofts a little (docs/flights.md,
    # point 9)
    assert design.recovery is not None and design.recovery.flyable
    assert 30.0 < design.meco_flight_path_deg < 50.0


@needs_telemetry
@pytest.mark.parametrize("name", ["SpaceX_CRS-11", "SAOCOM_1A", "Iridium_NEXT_3"])
def test_shared_telemetry_loads(name: str) -> None:
    tel = load_telemetry(TELEMETRY / name)
    assert tel.t_s.size > 300
    assert 140.0 <= tel.events["meco"] <= 150.0
    h, v = tel.at(tel.events["meco"])
    assert 55e3 < h < 80e3 and 1500.0 < v < 2000.0


@pytest.fixture(scope="module")
def comparisons() -> Callable[[int], dict[str, dict[str, object]]]:
    """The three flights compared with their telemetry, flown at a fidelity (3: point mass; 6:
    the booster a rigid body from separation, ``sim.dof = 6``), each flown once."""
    flown: dict[int, dict[str, dict[str, object]]] = {}

    def at(dof: int) -> dict[str, dict[str, object]]:
        if dof not in flown:
            out = {}
            for tel_name, scenario_name in FLIGHTS.items():
                scenario, vehicle = load_flight(scenario_name)
                sim = scenario.sim.model_copy(update={"dof": dof})
                result = fly_mission(scenario.model_copy(update={"sim": sim}), vehicle)
                assert result.outcome == "landed"
                rows = compare(
                    result.trajectory.sim_profile(), load_telemetry(TELEMETRY / tel_name)
                )
                out[tel_name] = {r.event: r for r in rows}
            flown[dof] = out
        return flown[dof]

    return at


def _cases() -> list[object]:
    cases = []
    for dof in (3, 6):
        for flight in FLIGHTS:
            items = [(e, "time") for e in TIMED_EVENTS if (flight, e) not in UNMARKED]
            items += [(e, q) for e in STATE_EVENTS for q in ("altitude", "speed")]
            for event, quantity in items:
                why = KNOWN_MISSES.get((dof, flight, event, quantity))
                marks = [pytest.mark.xfail(reason=f"known miss: {why}", strict=True)] if why else []
                cases.append(
                    pytest.param(
                        dof,
                        flight,
                        event,
                        quantity,
                        marks=marks,
                        id=f"dof{dof}-{flight}-{event}-{quantity}",
                    )
                )
    return cases


@needs_telemetry
@pytest.mark.parametrize(("dof", "flight", "event", "quantity"), _cases())
def test_simulated_rtls_flight_matches_telemetry(
    comparisons: Callable[[int], dict[str, dict[str, object]]],
    dof: int,
    flight: str,
    event: str,
    quantity: str,
) -> None:
    row = comparisons(dof)[flight][event]
    if quantity == "time":
        assert abs(row.t_error) <= EVENT_TIME_TOL, (
            f"{event}: {row.t_sim_s:.1f} s vs {row.t_tel_s:.1f} s"
        )
    elif quantity == "altitude":
        assert abs(row.altitude_error) <= STATE_TOL, (
            f"{event}: {row.altitude_sim_m:.0f} m vs {row.altitude_tel_m:.0f} m"
        )
    else:
        assert abs(row.speed_error) <= STATE_TOL, (
            f"{event}: {row.speed_sim_mps:.0f} m/s vs {row.speed_tel_mps:.0f} m/s"
        )
