"""Orbit elements against textbook examples, round trips and the ECI/ECEF invariance."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boostback.environment.frames import eci_to_ecef
from boostback.environment.orbits import (
    Elements,
    ecef_state_to_elements,
    elements_to_state,
    orbit_normal_eci,
    perigee_apogee_to_a_e,
    state_to_elements,
)

MU_VALLADO_KM = 398_600.4418  # Vallado's Earth GM, km^3/s^2
MU_CURTIS_KM = 398_600.0  # Curtis' Earth GM, km^3/s^2
KM = 1e3


def _deg(x: float) -> float:
    return math.degrees(x)


def test_vallado_example_2_5_rv2coe() -> None:
    """Vallado (4th ed.) Example 2-5: state -> elements, published to the digits compared."""
    r = np.array([6524.834, 6862.875, 6448.296]) * KM
    v = np.array([4.901327, 5.533756, -1.976341]) * KM
    el = state_to_elements(r, v, MU_VALLADO_KM * 1e9)
    assert el.p_m / KM == pytest.approx(11_067.790, abs=0.01)
    assert el.a_m / KM == pytest.approx(36_127.343, abs=0.05)
    assert el.e == pytest.approx(0.832853, abs=2e-6)
    assert _deg(el.i_rad) == pytest.approx(87.870, abs=1e-3)
    assert _deg(el.raan_rad) == pytest.approx(227.898, abs=1e-3)
    assert _deg(el.argp_rad) == pytest.approx(53.38, abs=0.01)
    assert _deg(el.nu_rad) == pytest.approx(92.335, abs=1e-3)


def test_vallado_example_2_6_coe2rv() -> None:
    """Vallado (4th ed.) Example 2-6: elements -> state."""
    rad = math.radians
    el = Elements(
        11_067.790 * KM, 0.83285, rad(87.87), rad(227.89), rad(53.38), rad(92.335),
        MU_VALLADO_KM * 1e9,
    )  # fmt: skip
    r, v = elements_to_state(el)
    np.testing.assert_allclose(r / KM, [6525.368, 6861.532, 6449.119], atol=0.01)
    np.testing.assert_allclose(v / KM, [4.902279, 5.533140, -1.975710], atol=2e-6)


def test_curtis_example_4_3() -> None:
    """Curtis (3rd ed.) Example 4.3: r, v -> h, i, RAAN, e, argp, true anomaly, a."""
    r = np.array([-6045.0, -3490.0, 2500.0]) * KM
    v = np.array([-3.457, 6.618, 2.533]) * KM
    el = state_to_elements(r, v, MU_CURTIS_KM * 1e9)
    h_km2ps = math.sqrt(el.p_m * el.mu_m3ps2) / 1e6
    assert h_km2ps == pytest.approx(58_310, abs=5.0)  # published to 4 significant figures
    assert _deg(el.i_rad) == pytest.approx(153.2, abs=0.05)
    assert _deg(el.raan_rad) == pytest.approx(255.3, abs=0.05)
    assert el.e == pytest.approx(0.1712, abs=1e-4)
    assert _deg(el.argp_rad) == pytest.approx(20.07, abs=0.01)
    assert _deg(el.nu_rad) == pytest.approx(28.45, abs=0.01)
    assert el.a_m / KM == pytest.approx(8788, abs=1.0)
    assert el.perigee_radius_m / KM == pytest.approx(7283, abs=1.0)  # Curtis: r_p = 7283 km


def test_curtis_example_4_7() -> None:
    """Curtis (3rd ed.) Example 4.7: h = 80,000 km^2/s, e = 1.4 (hyperbola) -> r, v."""
    mu = MU_CURTIS_KM * 1e9
    h = 80_000.0 * 1e6
    rad = math.radians
    el = Elements(h * h / mu, 1.4, rad(30.0), rad(40.0), rad(60.0), rad(30.0), mu)
    r, v = elements_to_state(el)
    np.testing.assert_allclose(r / KM, [-4040, 4815, 3629], atol=1.0)
    np.testing.assert_allclose(v / KM, [-10.39, -4.772, 1.744], atol=5e-3)  # 4 figures
    assert el.a_m < 0.0 and el.apogee_radius_m == math.inf


def test_circular_orbit_conventions() -> None:
    """A circular inclined orbit: argument of perigee 0, true anomaly = argument of latitude."""
    a = 6_578_137.0
    u = math.radians(130.0)
    el0 = Elements(a, 0.0, math.radians(28.5), math.radians(10.0), 0.0, u)
    r, v = elements_to_state(el0)
    el = state_to_elements(r, v)
    assert el.e < 1e-9
    assert el.argp_rad == 0.0
    assert el.nu_rad == pytest.approx(u, abs=1e-9)
    assert el.perigee_alt_m == pytest.approx(200_000.0, abs=1e-3)
    assert el.apogee_alt_m == pytest.approx(200_000.0, abs=1e-3)
    h = np.cross(r, v)
    np.testing.assert_allclose(
        orbit_normal_eci(el.i_rad, el.raan_rad), h / np.linalg.norm(h), atol=1e-12
    )


def test_circular_period_matches_kepler() -> None:
    """The period is 2 pi sqrt(a^3/mu): a 200 km circular orbit takes about 88.4 min."""
    el = Elements(6_578_137.0, 0.0, 0.5, 0.0, 0.0, 0.0)
    assert el.period_s / 60.0 == pytest.approx(88.49, abs=0.05)


def test_perigee_apogee_to_a_e_gto() -> None:
    """A 185 x 35,786 km GTO: a = (rp + ra)/2, e = (ra - rp)/(ra + rp)."""
    a, e = perigee_apogee_to_a_e(185e3, 35_786e3)
    assert a == pytest.approx(6_378_137.0 + (185e3 + 35_786e3) / 2)
    assert e == pytest.approx(0.7306, abs=1e-4)
    with pytest.raises(ValueError):
        perigee_apogee_to_a_e(300e3, 200e3)


def test_rectilinear_state_rejected() -> None:
    with pytest.raises(ValueError):
        state_to_elements([7e6, 0, 0], [1e3, 0, 0])


@settings(max_examples=150, deadline=None)
@given(
    rp_km=st.floats(150.0, 5_000.0),
    ra_extra_km=st.floats(1.0, 40_000.0),
    inc_deg=st.floats(0.5, 179.5),
    raan_deg=st.floats(0.0, 359.9),
    argp_deg=st.floats(0.5, 359.5),
    nu_deg=st.floats(0.0, 359.9),
)
def test_round_trip(
    rp_km: float, ra_extra_km: float, inc_deg: float, raan_deg: float, argp_deg: float,
    nu_deg: float,
) -> None:  # fmt: skip
    """Elements -> state -> elements returns the elements (elliptic, inclined orbits)."""
    a, e = perigee_apogee_to_a_e(rp_km * KM, (rp_km + ra_extra_km) * KM)
    rad = math.radians
    el0 = Elements(a * (1 - e * e), e, rad(inc_deg), rad(raan_deg), rad(argp_deg), rad(nu_deg))
    el = state_to_elements(*elements_to_state(el0))
    assert el.p_m == pytest.approx(el0.p_m, rel=1e-9)
    assert el.e == pytest.approx(el0.e, abs=1e-9)
    for x, y in ((el.i_rad, el0.i_rad), (el.raan_rad, el0.raan_rad)):
        assert math.remainder(x - y, 2 * math.pi) == pytest.approx(0.0, abs=1e-7)
    du = el.argument_of_latitude_rad - el0.argument_of_latitude_rad
    assert math.remainder(du, 2 * math.pi) == pytest.approx(0.0, abs=1e-7)


@settings(max_examples=50, deadline=None)
@given(t_s=st.floats(0.0, 86_400.0), nu_deg=st.floats(0.0, 359.0))
def test_ecef_state_gives_the_inertial_elements(t_s: float, nu_deg: float) -> None:
    """The elements do not depend on the frame the state was expressed in."""
    rad = math.radians
    el0 = Elements(7.0e6, 0.05, rad(51.6), rad(80.0), rad(30.0), rad(nu_deg))
    r, v = elements_to_state(el0)
    r_f, v_f = eci_to_ecef(r, v, t_s)
    el = ecef_state_to_elements(r_f, v_f, t_s)
    assert el.p_m == pytest.approx(el0.p_m, rel=1e-9)
    assert el.i_rad == pytest.approx(el0.i_rad, abs=1e-9)
    assert math.remainder(el.raan_rad - el0.raan_rad, 2 * math.pi) == pytest.approx(0, abs=1e-9)
