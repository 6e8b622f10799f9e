"""Constellation deployment: the ITU milestones of WRC-19 Resolution 35, a case the schedule
can be worked out by hand, the property that deployment never shortens as cadence falls, and
bit-identical results for one seed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boostback.economics import landing
from boostback.economics.deploy import itu_deadlines, run_deploy, satellites_per_launch
from boostback.economics.models import load_deploy

ROOT = __import__("pathlib").Path(__file__).parents[1]
STUDY, GUOWANG, ZQ3 = load_deploy(ROOT / "examples" / "deploy_guowang_zhuque3.toml")


def test_resolution_35_milestones() -> None:
    """10 % within 2 years after the 7-year bringing-into-use period, 50 % within 5, all within
    7: Guowang's September 2020 filings must reach them in 2029.7, 2032.7 and 2034.7."""
    d = itu_deadlines(GUOWANG.filing_year)
    assert [m["share"] for m in d] == [0.1, 0.5, 1.0]
    assert [m["deadline_year"] for m in d] == pytest.approx([2029.7, 2032.7, 2034.7])
    assert GUOWANG.satellites == 12_992 == sum(s.satellites for s in GUOWANG.shells)


def test_satellites_per_launch_from_payload() -> None:
    """8,000 kg with the booster landed on a ship carries eight 1,000 kg satellites."""
    assert satellites_per_launch(STUDY, GUOWANG, ZQ3) == 8


def test_schedule_worked_by_hand() -> None:
    """Everything lands, nothing fails, boosters and pads are plentiful: launches go every
    minimum gap, so 100 % needs ceil(n / k) launches and (ceil(n / k) - 1) gaps."""
    study = STUDY.model_copy(
        update={
            "pads": 50,
            "fleet": 500,
            "launch_success": 1.0,
            "max_launches_per_year": 73.05,  # one launch every 5 days
            "samples": 10,
        }
    )
    r = run_deploy(study, GUOWANG, ZQ3, landing.from_interval(1.0))
    n = math.ceil(12_992 / 8)
    assert np.all(r.launches == n)
    gap_years = 5.0 / 365.25
    want = [math.ceil(share * 12_992 / 8) for share in (0.1, 0.5, 1.0)]
    for i, k in enumerate(want):
        assert r.milestone_years[:, i] == pytest.approx(
            study.first_launch_year + (k - 1) * gap_years
        )
    assert np.all(r.boosters_lost == 0)


def test_expendable_cadence_is_the_production_line() -> None:
    """Thrown away after each flight, boosters come one per build interval once the fleet is
    used up: n launches take (n - fleet) build intervals."""
    study = STUDY.model_copy(
        update={
            "recovery": "expendable",
            "pads": 50,
            "launch_success": 1.0,
            "samples": 10,
            "max_launches_per_year": 10_000.0,
            "boosters_per_year": 36.525,
            "fleet": 5,
        }
    )
    r = run_deploy(study, GUOWANG, ZQ3, landing.from_interval(0.5))
    per = satellites_per_launch(study, GUOWANG, ZQ3)
    n = math.ceil(12_992 / per)
    assert np.all(r.launches == n)
    assert r.milestone_years[0, 2] == pytest.approx(study.first_launch_year + (n - 5) * 10 / 365.25)


@settings(max_examples=25, deadline=None)
@given(
    cadence=st.floats(5.0, 200.0),
    slower=st.floats(1.0, 3.0),
    pads=st.integers(1, 4),
    fleet=st.integers(1, 12),
    p=st.floats(0.3, 1.0),
    which=st.sampled_from(["max_launches_per_year", "boosters_per_year", "pad_turnaround_days"]),
    seed=st.integers(0, 1000),
)
def test_deployment_never_shortens_as_cadence_falls(
    cadence: float, slower: float, pads: int, fleet: int, p: float, which: str, seed: int
) -> None:
    base = {
        "pads": pads,
        "fleet": fleet,
        "samples": 8,
        "seed": seed,
        "max_launches_per_year": cadence,
        "boosters_per_year": 12.0,
        "pad_turnaround_days": 5.0,
    }
    fast = STUDY.model_copy(update=base)
    value = base[which] * slower if which == "pad_turnaround_days" else base[which] / slower
    slow = STUDY.model_copy(update=base | {which: value})
    small = GUOWANG.model_copy(update={"satellites": 800, "shells": []})
    belief = landing.from_interval(p, (max(p - 0.2, 0.0), min(p + 0.05, 1.0)) if p < 1 else None)
    a = run_deploy(fast, small, ZQ3, belief)
    b = run_deploy(slow, small, ZQ3, belief)
    assert np.all(b.milestone_years >= a.milestone_years - 1e-9)


def test_deployment_is_bit_identical_for_one_seed() -> None:
    study = STUDY.model_copy(update={"samples": 50})
    a, b = (run_deploy(study, GUOWANG, ZQ3, landing.from_interval(0.8, (0.55, 0.95))) for _ in "ab")
    assert np.array_equal(a.milestone_years, b.milestone_years, equal_nan=True)
    assert np.array_equal(a.total_cost_usd, b.total_cost_usd)


def test_landing_losses_slow_a_fleet_bound_deployment() -> None:
    """With the fleet and line the bottleneck, losing boosters delays every milestone on average
    and costs more boosters."""
    study = STUDY.model_copy(update={"samples": 60, "fleet": 3, "boosters_per_year": 4.0})
    good = run_deploy(study, GUOWANG, ZQ3, landing.from_interval(0.98))
    poor = run_deploy(study, GUOWANG, ZQ3, landing.from_interval(0.6))
    assert np.nanmean(poor.milestone_years[:, 1]) > np.nanmean(good.milestone_years[:, 1])
    assert poor.boosters_built.mean() > good.boosters_built.mean()
