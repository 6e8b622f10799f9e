"""The payload each recovery mode can carry: against SpaceX's published figure, and the
solver's own constraints (reserve kept, orbit reached, residual left)."""

from __future__ import annotations

import math

import pytest

from boostback.payload.missions import mode_problems
from boostback.payload.solver import INSERTION_TOL, ModeResult, evaluate, solve_payload
from boostback.payload.upper_stage import parse_orbit

# SpaceX, Falcon 9 vehicle page (spacex.com/vehicles/falcon-9): "payload to LEO 22,800 kg",
# expendable; Wikipedia's infobox gives it as LEO (28.5 deg) from Cape Canaveral. Taken as a
# 200 km circular orbit at 28.5 deg (docs/payload.md says why).
F9_LEO_EXPENDABLE_KG = 22_800.0


@pytest.fixture(scope="module")
def falcon9_leo() -> dict[str, ModeResult]:
    _veh, problems = mode_problems(
        "falcon9", parse_orbit("200x200x28.5"), ("rtls", "droneship", "expendable")
    )
    out = {}
    for p in problems:
        assert not isinstance(p, tuple)
        out[p.mode] = solve_payload(p)
    return out


def test_falcon9_expendable_leo_within_10_percent(falcon9_leo: dict[str, ModeResult]) -> None:
    """The issue's acceptance: within 10 % of SpaceX's 22,800 kg."""
    payload = falcon9_leo["expendable"].payload_kg
    assert payload == pytest.approx(F9_LEO_EXPENDABLE_KG, rel=0.10)


def test_recovery_costs_payload(falcon9_leo: dict[str, ModeResult]) -> None:
    """Each mode keeps more propellant in the booster than the next: RTLS (boostback all the
    way back) < drone ship (entry and landing only) < expendable (nothing)."""
    r = falcon9_leo
    assert 0.0 < r["rtls"].payload_kg < r["droneship"].payload_kg < r["expendable"].payload_kg


def test_solution_meets_its_constraints(falcon9_leo: dict[str, ModeResult]) -> None:
    """At the solved payload the booster holds exactly its reserve at MECO, the orbit is
    within the insertion tolerance and the upper stage has its reserve left."""
    km, deg = INSERTION_TOL
    for mode, res in falcon9_leo.items():
        assert res.insertion is not None and res.staging is not None and res.reserve is not None
        err = res.insertion.errors
        assert abs(err["perigee_km"]) <= km and abs(err["apogee_km"]) <= km, mode
        assert abs(err["inclination_deg"]) <= deg, mode
        assert res.insertion.propellant_left_kg == pytest.approx(res.residual_kg, abs=50.0)
        assert res.staging.booster_propellant_kg == pytest.approx(
            res.reserve.total_kg, rel=1e-3, abs=1.0
        )
        if mode == "expendable":
            assert res.reserve.total_kg == 0.0


def test_a_heavier_payload_falls_short() -> None:
    """The propellant left over the reserve falls with the payload (what the root-find needs),
    for a fixed ascent."""
    _veh, problems = mode_problems("falcon9", parse_orbit("200x200x28.5"), ("droneship",))
    p = problems[0]
    assert not isinstance(p, tuple)
    kick = 0.018
    left = [evaluate(p, m, kick)[0] for m in (5_000.0, 10_000.0, 15_000.0)]
    assert left[0] > left[1] > left[2]


def test_downrange_without_a_site_is_reported() -> None:
    _veh, problems = mode_problems("falcon9", parse_orbit("200x200x28.5"), ("downrange",))
    assert problems == [("downrange", "no downrange landing site")]


def test_downrange_flies_the_pass_over_its_landing_site() -> None:
    """Minqin lies south-east of Jiuquan (SpaceNews, 3 Dec 2025: ~390 km downrange): a
    downrange Zhuque-3 flight to 58.7 deg takes the south-going (descending) pass; RTLS keeps
    the scenario's north-going one."""
    _veh, problems = mode_problems("zhuque3", parse_orbit("200x200x58.7"), ("downrange", "rtls"))
    down, rtls = problems
    assert not isinstance(down, tuple) and not isinstance(rtls, tuple)
    assert down.setup.scenario.mission.ascending is False
    assert 90.0 < math.degrees(down.setup.launch_azimuth_rad) < 180.0
    assert rtls.setup.scenario.mission.ascending is True


def test_payload_kg_is_the_tables_figure(falcon9_leo: dict[str, ModeResult]) -> None:
    """The one-call entry point (for the economics layer) gives the table's number."""
    from boostback.payload.table import payload_kg

    assert payload_kg("falcon9", "droneship", "200x200x28.5") == pytest.approx(
        falcon9_leo["droneship"].payload_kg, abs=1.0
    )
    with pytest.raises(ValueError, match="no downrange landing site"):
        payload_kg("falcon9", "downrange", "200x200x28.5")
