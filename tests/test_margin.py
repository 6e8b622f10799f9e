"""The landing margin: negative exactly when the landing failed, and what each term measures."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from boostback.config.models import LandingLimits
from boostback.config.vocab import Outcome
from boostback.gnc.outcome import (
    NO_TOUCHDOWN_MARGIN,
    Touchdown,
    classify,
    landing_margin,
    margins,
)

speeds = st.floats(min_value=0.0, max_value=200.0)
positive = st.floats(min_value=0.05, max_value=100.0)


@st.composite
def limits_st(draw: st.DrawFn) -> LandingLimits:
    hard = draw(st.floats(min_value=0.1, max_value=20.0))
    return LandingLimits(
        max_vertical_speed_mps=hard,
        max_lateral_speed_mps=draw(positive),
        max_tilt_deg=draw(st.floats(min_value=0.1, max_value=89.0)),
        max_miss_m=draw(positive),
        crash_speed_mps=hard + draw(positive),
    )


@st.composite
def touchdown_st(draw: st.DrawFn, limits: LandingLimits) -> Touchdown:
    """Touchdowns spread around the limits, exactly on them too (the boundary is landed)."""

    def near(limit: float) -> float:
        return draw(st.one_of(st.just(limit), speeds, st.floats(0.0, 2.0 * limit)))

    rigid = draw(st.booleans())
    miss = draw(st.one_of(st.just(math.inf), st.just(math.nan), st.just(limits.max_miss_m), speeds))
    return Touchdown(
        t_s=10.0,
        vertical_speed_mps=near(limits.max_vertical_speed_mps),
        lateral_speed_mps=near(limits.max_lateral_speed_mps),
        tilt_deg=near(limits.max_tilt_deg),
        miss_m=miss,
        propellant_kg=draw(st.floats(0.0, 1e4)),
        tipover_margin=draw(st.floats(-2.0, 1.0)) if rigid else math.nan,
        rates_dps=draw(st.floats(0.0, 30.0)) if rigid else math.nan,
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Touchdown | None, LandingLimits, bool]:
    limits = draw(limits_st())
    td = draw(st.one_of(st.none(), touchdown_st(limits)))
    return td, limits, draw(st.booleans())


@given(cases(), st.floats(min_value=1.0, max_value=1e5))
def test_margin_negative_exactly_when_the_landing_failed(case, propellant0_kg) -> None:
    td, limits, ran_dry = case
    failed = classify(td, limits, ran_dry) is not Outcome.LANDED
    margin = landing_margin(td, limits, propellant0_kg)
    assert (margin < 0.0) == failed
    assert not math.isnan(margin)


def test_terms_are_fractions_of_each_limit_left() -> None:
    limits = LandingLimits()  # 2 m/s, 1 m/s, 5 deg, 10 m
    td = Touchdown(1.0, 1.0, 0.25, 1.0, 4.0, 300.0)
    terms = margins(td, limits, 1000.0)
    assert terms == {
        "vertical": 0.5,
        "lateral": 0.75,
        "tilt": 0.8,
        "miss": 0.6,
        "propellant": 0.3,
    }
    assert landing_margin(td, limits, 1000.0) == 0.3


def test_rigid_body_is_judged_by_its_legs_not_lateral_speed_or_tilt() -> None:
    limits = LandingLimits()
    # lateral speed and tilt past the point-mass limits, but the legs hold it
    td = Touchdown(1.0, 1.0, 3.0, 20.0, 1.0, 5000.0, tipover_margin=0.2, rates_dps=1.0)
    assert set(margins(td, limits, 1e4)) == {"vertical", "tipover", "miss", "propellant"}
    assert landing_margin(td, limits, 1e4) == 0.2
    assert classify(td, limits, False) is Outcome.LANDED


def test_no_touchdown_and_just_past_a_limit() -> None:
    limits = LandingLimits(max_vertical_speed_mps=3.0, crash_speed_mps=10.0)
    assert landing_margin(None, limits, 1e3) == NO_TOUCHDOWN_MARGIN
    past = Touchdown(1.0, math.nextafter(3.0, 4.0), 0.0, 0.0, 0.0, 10.0)
    assert classify(past, limits, False) is Outcome.HARD_LANDING
    assert landing_margin(past, limits, 1e3) < 0.0
