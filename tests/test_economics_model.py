"""The reuse cost model: Falcon 9 cross-checks against published figures, the lvreuse findings,
renewal-reward consistency of the Monte Carlo, landing beliefs, and the properties of issue #19
(cost per kilogram never falls as landing probability falls; bit-identical for one seed)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boostback.economics import landing
from boostback.economics.models import EconomicsStudy, load_cost
from boostback.economics.montecarlo import run_economics
from boostback.economics.reuse import (
    break_even_flights,
    economic_life,
    expected_flight_cost,
    marginal_unit_cost,
    refurb_schedule,
)

F9 = load_cost("falcon9")
ZQ3 = load_cost("zhuque3")
RECORD = landing.from_counts(528, 539)  # Falcon 9 hard-surface landings 2015-2025


def test_falcon9_list_price_per_kg() -> None:
    """$62M for 22,800 kg to LEO expendable: about $2,720/kg (SpaceX's published figures)."""
    exp = F9.recovery["expendable"].payload_kg["leo"]
    assert F9.list_price_usd / exp == pytest.approx(2_720.0, rel=0.001)
    # the modelled cost of that flight stays below the price SpaceX charges for it
    cost = expected_flight_cost(F9, "expendable", 1.0, flights=300)
    assert cost.total_usd < F9.list_price_usd


def test_falcon9_reused_flight_against_spacex_statements() -> None:
    """Musk (2020): a reused Falcon 9's marginal cost is about $15M; Hofeller (SpaceX, 2020): a
    Starlink launch costs SpaceX under $28M. The model's droneship flight at Falcon 9's landing
    record: marginal (all but the booster's share) within 10-20 $M, full cost under $28M."""
    c = expected_flight_cost(F9, "droneship", RECORD.mean, flights=300)
    marginal = c.total_usd - c.booster_usd
    assert 10e6 <= marginal <= 20e6
    assert c.total_usd < 28e6
    # a booster that lands stays cheaper than one thrown away by a wide margin
    assert c.total_usd < 0.5 * expected_flight_cost(F9, "expendable", 1.0, flights=300).total_usd


def test_lvreuse_twenty_uses_range() -> None:
    """lvreuse (IAC-18): downrange propulsive reuse at ~20 uses costs 1/3 to 2/3 of an
    expendable vehicle of the same payload, i.e. per kilogram. boostback's Falcon 9 lands there
    at every landing probability of the record's interval and above."""
    for p in (RECORD.interval[0], RECORD.mean, 1.0):
        exp = expected_flight_cost(F9, "expendable", p, flights=300)
        reuse = expected_flight_cost(F9, "droneship", p, flights=300, life=20)
        assert 1 / 3 <= reuse.per_kg_usd / exp.per_kg_usd <= 2 / 3


def test_break_even_is_where_the_costs_cross() -> None:
    """The break-even life k is the first at which reuse is no dearer per kg; k - 1 is dearer."""
    for cost, p in ((F9, RECORD.mean), (ZQ3, 0.8), (ZQ3, 0.95)):
        k = break_even_flights(cost, "droneship", p, flights=200)
        exp = expected_flight_cost(cost, "expendable", p, flights=200).per_kg_usd
        assert k is not None
        at = expected_flight_cost(cost, "droneship", p, flights=200, life=k).per_kg_usd
        assert at <= exp
        if k > 1:
            before = expected_flight_cost(cost, "droneship", p, flights=200, life=k - 1)
            assert before.per_kg_usd > exp


def test_flights_per_booster_is_the_geometric_sum() -> None:
    """With no damage, a booster kept with probability p flies sum_{j<life} p^j times."""
    for p in (0.0, 0.5, 0.9, 1.0):
        c = expected_flight_cost(F9, "droneship", p, flights=300, life=10, damaged_share=0.0)
        want = 10.0 if p == 1.0 else (1 - p**10) / (1 - p)
        assert c.flights_per_booster == pytest.approx(want)


def test_monte_carlo_mean_converges_to_the_renewal_reward_cost() -> None:
    """At a known p, a long programme's mean cost per flight tends to the renewal-reward
    expectation (one booster's life is one cycle); the gap is the programme's last, unfinished
    booster, under 1 % here."""
    study = EconomicsStudy(
        cost="falcon9", cadence_per_year=100.0, programme_years=20.0, samples=200, seed=3
    )
    for p in (0.7, 0.95):
        result = run_economics(F9, study, landing.from_interval(p))
        for m in result.modes:
            want = expected_flight_cost(F9, m.mode, p, flights=2000).total_usd
            assert m.per_flight_usd.mean() == pytest.approx(want, rel=0.01), m.mode


def test_economic_life_replaces_when_the_marginal_cost_passes_the_average() -> None:
    """Flight k is flown while its refurbishment is no more than the average cost per flight of
    the booster's first k flights (its unit cost and refurbishments), and not after."""
    steep = F9.model_copy(update={"reuse": F9.reuse.model_copy(update={"refurb_growth": 0.5})})
    life = economic_life(steep, 300)
    r = refurb_schedule(steep, steep.reuse.life_limit_flights)
    hw = steep.hardware
    unit = marginal_unit_cost(hw, hw.booster_unit_usd, 300)  # the 300th booster of the line
    assert 1 < life < steep.reuse.life_limit_flights
    assert life * r[life - 1] <= unit + r[1:life].sum()
    assert (life + 1) * r[life] > unit + r[1 : life + 1].sum()
    assert economic_life(F9, 300) >= 30  # Falcon 9 boosters make 30 flights and more


costs = st.fixed_dictionaries(
    {
        "refurb_growth": st.floats(0.0, 0.6),
        "damaged_share": st.floats(0.0, 1.0),
        "life_limit_flights": st.integers(1, 60),
        "refurb_first_usd": st.floats(0.0, 2e7),
        "lost_booster_extra_usd": st.floats(0.0, 1e7),
        "damaged_refurb_usd": st.floats(0.0, 2e7),
    }
)


@settings(deadline=None)
@given(
    changes=costs,
    learning=st.floats(0.75, 1.0),
    which=st.sampled_from(["falcon9", "zhuque3"]),
    mode=st.sampled_from(["droneship", "rtls"]),
    p_pair=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)),
    flights=st.integers(1, 2000),
)
def test_cost_per_kg_never_falls_as_landing_probability_falls(
    changes: dict, learning: float, which: str, mode: str, p_pair: tuple, flights: int
) -> None:
    base = F9 if which == "falcon9" else ZQ3
    cost = base.model_copy(
        update={
            "reuse": base.reuse.model_copy(update=changes),
            "hardware": base.hardware.model_copy(update={"learning_factor": learning}),
        }
    )
    low, high = sorted(p_pair)
    c_low = expected_flight_cost(cost, mode, low, flights=flights).per_kg_usd
    c_high = expected_flight_cost(cost, mode, high, flights=flights).per_kg_usd
    assert c_low >= c_high * (1 - 1e-12)


@settings(deadline=None, max_examples=30)
@given(seed=st.integers(0, 2**32), p=st.floats(0.3, 1.0), drop=st.floats(0.02, 0.3))
def test_monte_carlo_cost_never_falls_as_landing_probability_falls(
    seed: int, p: float, drop: float
) -> None:
    """On the same draws, the programmes' mean cost per kg never falls as p falls. (One
    programme alone is not ordered: a loss can stand in for a retirement that was due anyway,
    so a single short programme may come out cheaper; docs/economics.md.)"""
    study = EconomicsStudy(
        cost="zhuque3", cadence_per_year=20.0, programme_years=2.0, samples=200, seed=seed
    )
    hi = run_economics(ZQ3, study, landing.from_interval(p))
    lo = run_economics(ZQ3, study, landing.from_interval(max(p - drop, 0.0)))
    for a, b in zip(lo.modes, hi.modes, strict=True):
        assert a.per_kg_usd.mean() >= b.per_kg_usd.mean() * (1 - 1e-12), a.mode


def test_monte_carlo_is_bit_identical_for_one_seed() -> None:
    study = EconomicsStudy(cost="zhuque3", samples=300, seed=11)
    belief = landing.from_interval(0.8, (0.55, 0.95))
    a, b = (run_economics(ZQ3, study, belief) for _ in range(2))
    assert np.array_equal(a.p_samples, b.p_samples)
    for x, y in zip(a.modes, b.modes, strict=True):
        assert np.array_equal(x.per_kg_usd, y.per_kg_usd)
        assert np.array_equal(x.boosters_built, y.boosters_built)
    c = run_economics(ZQ3, study.model_copy(update={"seed": 12}), belief)
    assert not np.array_equal(a.p_samples, c.p_samples)


def test_beta_posterior_of_counts() -> None:
    """Uniform prior: Beta(landed + 1, failed + 1), mean (landed + 1) / (n + 2)."""
    b = landing.from_counts(18, 20)
    assert (b.alpha, b.beta) == (19.0, 3.0)
    assert b.mean == pytest.approx(19 / 22)
    draws = b.sample(np.random.default_rng(0), 200_000)
    assert draws.mean() == pytest.approx(19 / 22, abs=2e-3)
    assert np.quantile(draws, 0.025) == pytest.approx(b.interval[0], abs=3e-3)


def test_interval_becomes_a_beta_of_that_width() -> None:
    b = landing.from_interval(0.9, (0.8, 0.97))
    draws = b.sample(np.random.default_rng(1), 400_000)
    lo, hi = np.quantile(draws, [0.025, 0.975])
    assert draws.mean() == pytest.approx(0.9, abs=1e-3)
    assert hi - lo == pytest.approx(0.17, abs=3e-3)
    point = landing.from_interval(0.9)
    assert math.isinf(point.alpha) and np.all(point.sample(np.random.default_rng(0), 5) == 0.9)


def test_reuse_development_pays_back_sooner_at_higher_cadence() -> None:
    """lvreuse: the savings of reuse pay its development back only at high launch rates. The
    flights to pay back are the same at any cadence (the saving per flight barely moves), the
    years fall as the cadence rises."""
    belief = landing.from_interval(0.95)
    slow, fast = (
        run_economics(ZQ3, EconomicsStudy(cost="zhuque3", cadence_per_year=c, samples=10), belief)
        for c in (5.0, 50.0)
    )
    a, b = slow.development(), fast.development()
    assert a["reuse_payback_years"]["droneship"] > 5 * b["reuse_payback_years"]["droneship"]
    saving = (
        expected_flight_cost(ZQ3, "expendable", 0.95, flights=250).per_kg_usd
        - expected_flight_cost(ZQ3, "droneship", 0.95, flights=250).per_kg_usd
    ) * 8000.0
    assert b["reuse_payback_flights"]["droneship"] == pytest.approx(469e6 / saving)


def test_campaign_outcomes_split_failures_into_damaged_and_lost() -> None:
    """Errors left out, hard landings counted as damaged boosters, the other failures as lost
    ones; the counts become Beta(landed + 1, failed + 1) with the Wilson interval marked."""
    from boostback.campaign.stats import wilson_interval

    outcomes = ["landed"] * 14 + ["hard_landing"] * 3 + ["tipped_over", "crashed", "error"]
    b = landing.from_outcomes(outcomes)
    assert (b.landed, b.attempts) == (14, 19)
    assert (b.alpha, b.beta) == (15.0, 6.0)
    assert b.damaged_share == pytest.approx(3 / 5)
    assert b.interval == wilson_interval(14, 19)
    # a damaged booster (kept, refurbished) is cheaper than a lost one at the same p
    kept = expected_flight_cost(ZQ3, "droneship", b.mean, flights=100, damaged_share=0.6)
    gone = expected_flight_cost(ZQ3, "droneship", b.mean, flights=100, damaged_share=0.0)
    assert kept.per_kg_usd < gone.per_kg_usd
    assert landing.from_outcomes(["landed"] * 5).damaged_share is None
