"""A whole flight with the booster a rigid body from separation to touchdown (``fly --dof 6``).

The flight is flown once at each fidelity. Checked: the ascent is the point mass's to the bit
(one ascent, whatever the recovery's fidelity); the rigid recovery flies every phase in order
and lands within the vehicle's limits on its legs; the flip settles on its thrusters; the cold
gas is conserved (used plus left is the load); the coast turns the stage to the entry attitude
(engines into the flow at the entry burn); the command line takes ``--dof 6`` and refuses what
it cannot fly with one line and status 2. The comparison of three real flights in 6-DoF with
their telemetry is in ``test_telemetry.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from typer.testing import CliRunner

from boostback.cli.main import app
from boostback.config.loader import load_flight
from boostback.flight.executive import fly_mission
from boostback.flight.result import TIMELINE_EVENTS, FlightResult
from boostback.plant.sixdof_setup import sixdof_params

# the timeline's events a recovery flies through, after separation (the ascent's, the point
# mass's, and the end events of other outcomes left out)
PHASES_IN_ORDER = [
    e for e in TIMELINE_EVENTS[TIMELINE_EVENTS.index("separation") :] if e != "impact"
]
PHASES_IN_ORDER.insert(1, "flip_end")


@pytest.fixture(scope="module")
def flights() -> tuple[FlightResult, FlightResult]:
    scenario, vehicle = load_flight("falcon9_rtls")
    six = scenario.model_copy(update={"sim": scenario.sim.model_copy(update={"dof": 6})})
    return fly_mission(scenario, vehicle), fly_mission(six, vehicle)


def test_the_ascent_is_the_point_mass_s_to_the_bit(
    flights: tuple[FlightResult, FlightResult],
) -> None:
    three, six = flights
    sep3, sep6 = three.event("separation"), six.event("separation")
    assert sep3 is not None and sep6 is not None
    assert sep6.t_s == sep3.t_s
    n = int(np.searchsorted(three.trajectory.t_s, sep3.t_s))
    assert n > 100
    for col in ("t_s", "r_ecef_m", "v_ecef_mps", "mass_kg"):
        np.testing.assert_array_equal(
            getattr(six.trajectory, col)[:n], getattr(three.trajectory, col)[:n]
        )


def test_the_rigid_recovery_flies_every_phase_in_order_and_lands_on_its_legs(
    flights: tuple[FlightResult, FlightResult],
) -> None:
    _, six = flights
    assert six.outcome == "landed"
    names = [e.name for e in six.events]
    assert [n for n in names if n in PHASES_IN_ORDER] == PHASES_IN_ORDER
    s = six.summary()
    limits = six.vehicle.booster.limits
    assert s["touchdown_vertical_speed_mps"] <= limits.max_vertical_speed_mps
    assert s["touchdown_lateral_speed_mps"] <= limits.max_lateral_speed_mps
    assert s["miss_distance_m"] <= limits.max_miss_m
    assert s["touchdown_tilt_deg"] <= limits.max_tilt_deg
    assert 0.0 < s["touchdown_tipover_margin"] <= 1.0
    assert math.isfinite(s["touchdown_rates_dps"])


def test_the_flip_settles_and_the_gas_is_conserved(
    flights: tuple[FlightResult, FlightResult],
) -> None:
    three, six = flights
    s = six.summary()
    assert s["rigid_flip_settled"] == 1.0
    # the MECO thrust axis (prograde) turned onto a boostback back towards the site
    assert 90.0 < s["rigid_flip_turn_deg"] < 180.0
    assert 0.0 < s["rigid_flip_gas_kg"] <= s["rigid_gas_used_kg"]
    load = sixdof_params(six.vehicle).rcs_gas_kg
    assert s["rigid_gas_left_kg"] >= 0.0
    assert s["rigid_gas_used_kg"] + s["rigid_gas_left_kg"] == pytest.approx(load, rel=1e-9)
    # the point mass flips on a timer; the rigid stage's flip is what its thrusters can do
    assert three.summary().get("rigid_flip_s") is None
    assert s["rigid_flip_s"] > 0.0


def test_the_coast_turns_the_stage_engines_first_for_the_entry_burn(
    flights: tuple[FlightResult, FlightResult],
) -> None:
    _, six = flights
    s = six.summary()
    assert s["rigid_entry_alpha_deg"] < 5.0  # angle between the axis and the flow onto it
    assert 0.0 < s["rigid_descent_alpha_max_deg"] <= 10.0 + 1e-9


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["fly", "falcon9", "--recovery", "rtls", "--dof", "5"], "--dof"),
        (["fly", "falcon9", "--recovery", "rtls", "--guidance", "scvx"], "--dof 6"),
        (["fly", "falcon9", "--recovery", "rtls", "--dof", "6", "--guidance", "pdg"], "--guidance"),
    ],
)
def test_fly_refuses_what_it_cannot_fly_with_one_line(args: list[str], words: str) -> None:
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 2, out.output
    lines = [ln for ln in out.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and words in lines[0]


def test_a_whole_flight_lands_on_scvx_guidance_from_the_command_line() -> None:
    """``fly --dof 6 --guidance scvx``: the landing burn planned by successive convexification
    for the rigid body the flight hands over (attitude, rates and gas included)."""
    import json

    out = CliRunner().invoke(
        app, ["fly", "falcon9", "--recovery", "rtls", "--dof", "6", "--guidance", "scvx", "--json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    s = data["summary"]
    assert s["outcome"] == "landed"
    # flown on SCvx's own plan (the ignition decided at more than the planning throttle had left
    # SCvx with no plan in the planning limits, and the flight flew LCvx's)
    assert any(note.startswith("SCvx (PTR) plan at ignition") for note in data["notes"])
    assert not any("no SCvx plan" in note for note in data["notes"])
    assert s["touchdown_lateral_speed_mps"] <= 1.0 and s["miss_distance_m"] <= 10.0


def test_the_flight_report_and_tables_show_the_rigid_body(
    flights: tuple[FlightResult, FlightResult], tmp_path: pytest.TempPathFactory
) -> None:
    """A 6-DoF flight's report carries the landing burn's rigid-body section (attitude, rates,
    actuators, the stage drawn at its attitude) and its terminal tables the rigid figures; the
    point mass's carry neither."""
    from rich.console import Console

    from boostback.mission.tables import limits_table
    from boostback.report.html import write_flight_report

    three, six = flights
    for result, rigid in ((six, True), (three, False)):
        folder = tmp_path / ("six" if rigid else "three")  # type: ignore[operator]
        page = write_flight_report(result, result.vehicle, folder, png=False).read_text()
        assert ('id="rigid-attitude"' in page) is rigid
        console = Console(width=120, record=True)
        console.print(limits_table(result.summary()))
        assert ("flip on the thrusters" in console.export_text()) is rigid
