"""Tests for the USSA1976 atmosphere and the vacuum model."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ambiance import Atmosphere as AmbianceAtmosphere
from hypothesis import given, settings
from hypothesis import strategies as st

from boostback.environment import (
    USSA1976,
    Atmosphere,
    AtmosphereModel,
    Vacuum,
    ussa1976,
    ussa1976_scalar,
    vacuum,
)

# U.S. Standard Atmosphere 1976, NOAA-S/T 76-1562, Table I (geometric altitude, SI units):
# altitude [km], temperature [K], pressure [Pa], density [kg/m^3].
NOAA_TABLE_I = [
    (0.0, 288.150, 1.01325e5, 1.2250),
    (1.0, 281.651, 8.9876e4, 1.1117),
    (5.0, 255.676, 5.4048e4, 7.3643e-1),
    (10.0, 223.252, 2.6500e4, 4.1351e-1),
    (11.0, 216.774, 2.2700e4, 3.6480e-1),
    (15.0, 216.650, 1.2111e4, 1.9476e-1),
    (20.0, 216.650, 5.5293e3, 8.8910e-2),
    (30.0, 226.509, 1.1970e3, 1.8410e-2),
    (32.0, 228.490, 8.8906e2, 1.3555e-2),
    (40.0, 250.350, 2.8714e2, 3.9957e-3),
    (47.0, 269.684, 1.1585e2, 1.4965e-3),
    (50.0, 270.650, 7.9779e1, 1.0269e-3),
    (60.0, 247.021, 2.1958e1, 3.0968e-4),
    (70.0, 219.585, 5.2209e0, 8.2829e-5),
    (80.0, 198.639, 1.0524e0, 1.8458e-5),
    (86.0, 186.87, 3.7338e-1, 6.958e-6),
]


@pytest.mark.parametrize(("z_km", "t_k", "p_pa", "rho"), NOAA_TABLE_I)
def test_matches_noaa_table_i(z_km: float, t_k: float, p_pa: float, rho: float) -> None:
    t, p, d, _ = ussa1976_scalar(z_km * 1e3)
    assert t == pytest.approx(t_k, rel=1e-3)
    assert p == pytest.approx(p_pa, rel=2e-3)
    assert d == pytest.approx(rho, rel=2e-3)


def test_noaa_table_i_tight() -> None:
    """The printed table digits are reproduced to ~1e-4, far inside the tolerances above."""
    for z_km, t_k, p_pa, rho in NOAA_TABLE_I:
        t, p, d, _ = ussa1976_scalar(z_km * 1e3)
        assert abs(t / t_k - 1) < 2e-5
        assert abs(p / p_pa - 1) < 1e-4
        assert abs(d / rho - 1) < 1e-4


def test_sea_level_speed_of_sound() -> None:
    # Table I: 340.29 m/s at sea level; 295.07 m/s in the 11-20 km isothermal layer.
    assert ussa1976_scalar(0.0)[3] == pytest.approx(340.294, rel=1e-5)
    assert ussa1976_scalar(15e3)[3] == pytest.approx(295.070, rel=1e-5)


def test_ambiance_oracle_dense_grid() -> None:
    """ambiance implements ICAO 1993 (= USSA1976 to 80 km); its input is geometric altitude."""
    h = np.linspace(0.0, 80e3, 500)
    ref = AmbianceAtmosphere(h)
    ours = ussa1976(h)
    np.testing.assert_allclose(ours.temperature_k, ref.temperature, rtol=1e-6)
    np.testing.assert_allclose(ours.pressure_pa, ref.pressure, rtol=2e-5)
    np.testing.assert_allclose(ours.density_kgpm3, ref.density, rtol=2e-5)
    np.testing.assert_allclose(ours.speed_of_sound_mps, ref.speed_of_sound, rtol=1e-5)


def test_ambiance_oracle_below_sea_level() -> None:
    h = np.linspace(-5e3, 0.0, 51)
    ref = AmbianceAtmosphere(h)
    ours = ussa1976(h)
    np.testing.assert_allclose(ours.temperature_k, ref.temperature, rtol=1e-6)
    np.testing.assert_allclose(ours.pressure_pa, ref.pressure, rtol=2e-5)
    np.testing.assert_allclose(ours.density_kgpm3, ref.density, rtol=2e-5)


def test_vectorised_equals_scalar() -> None:
    # one point kernel behind both: the same bits
    h = np.concatenate([np.linspace(-8e3, 200e3, 2001), [11e3, 20e3, 80e3, 86e3, 84_852.0]])
    vec = ussa1976(h)
    for i, hi in enumerate(h):
        s = ussa1976_scalar(float(hi))
        assert tuple(float(field[i]) for field in vec) == s, hi


def test_equations_of_motion_use_the_same_kernel() -> None:
    from boostback.environment.atmosphere import LAYERS, air_state

    for h in np.linspace(-6e3, 150e3, 157):
        _t, p, rho, a = ussa1976_scalar(float(h))
        assert air_state(float(h), True, *LAYERS) == (p, rho, a)
        assert air_state(float(h), False, *LAYERS) == (0.0, 0.0, 1.0)


def test_scalar_input_gives_floats_and_shapes_preserved() -> None:
    out = ussa1976(1000.0)
    assert isinstance(out, Atmosphere)
    assert all(isinstance(v, float) for v in out)
    assert out == pytest.approx(ussa1976_scalar(1000.0), rel=1e-12)
    grid = ussa1976(np.zeros((4, 5)))
    assert all(np.shape(v) == (4, 5) for v in grid)


def test_clipped_below_minus_5km() -> None:
    assert ussa1976_scalar(-20e3) == ussa1976_scalar(-5e3)
    assert ussa1976_scalar(-5e3)[0] == pytest.approx(288.15 + 6.5 * 5.0039, rel=1e-5)


def test_extension_above_86km_isothermal_exponential() -> None:
    t86, p86, rho86, a86 = ussa1976_scalar(86e3)
    t, p, rho, a = ussa1976_scalar(200e3)
    assert t == t86
    assert a == a86
    assert 0.0 < p < 1e-8 and 0.0 < rho < 1e-12
    # Continuity at 86 km and constant density ratio per unit geopotential height.
    below, above = ussa1976_scalar(86e3 - 1e-3), ussa1976_scalar(86e3 + 1e-3)
    assert above[1] == pytest.approx(below[1], rel=1e-6)
    assert p / p86 == pytest.approx(rho / rho86, rel=1e-12)


def test_molecular_weight_correction_80_to_86km() -> None:
    # Kinetic T = T_M * M/M0; Table 8 gives M/M0 = 0.999579 at 86 km, T_M(86 km) = 186.946 K.
    assert ussa1976_scalar(86e3)[0] == pytest.approx(186.946 * 0.999579, rel=1e-9)
    h83 = 6_356_766.0 * 83e3 / (6_356_766.0 + 83e3)  # geopotential altitude of 83 km
    tm83 = 214.65 - 2.0e-3 * (h83 - 71e3)
    assert ussa1976_scalar(83e3)[0] == pytest.approx(tm83 * 0.999870, rel=1e-12)
    assert ussa1976_scalar(83.25e3)[0] / ussa1976_scalar(83.25e3)[3] ** 2 == pytest.approx(
        ussa1976_scalar(80e3)[0] / ussa1976_scalar(80e3)[3] ** 2 * (0.999870 + 0.999829) / 2,
        rel=1e-12,
    )
    # Speed of sound uses T/M = T_M/M0: continuous, no kink from the ratio.
    a80, a86 = ussa1976_scalar(80e3)[3], ussa1976_scalar(86e3)[3]
    assert a86 == pytest.approx(math.sqrt(1.4 * 8.31432 * 186.946 / 0.0289644), rel=1e-9)
    assert a86 < a80


@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=-5e3, max_value=150e3, allow_nan=False),
    st.floats(min_value=1e-3, max_value=155e3),
)
def test_pressure_density_strictly_decrease(h: float, dh: float) -> None:
    h2 = min(h + dh, 150e3)
    if h2 <= h:
        return
    t1, p1, r1, a1 = ussa1976_scalar(h)
    t2, p2, r2, a2 = ussa1976_scalar(h2)
    for v in (t1, p1, r1, a1, t2, p2, r2, a2):
        assert math.isfinite(v) and v > 0.0
    assert p2 < p1
    assert r2 < r1


def test_never_nan_up_to_high_altitude() -> None:
    out = ussa1976(np.linspace(-1e5, 1e6, 10_001))
    for field in out:
        assert np.all(np.isfinite(field))
        assert np.all(field > 0.0)


def test_vacuum() -> None:
    assert vacuum(1234.0) == (0.0, 0.0, 0.0, 1.0)
    out = vacuum(np.array([0.0, 1e3, 1e5]))
    np.testing.assert_array_equal(out.pressure_pa, 0.0)
    np.testing.assert_array_equal(out.density_kgpm3, 0.0)
    np.testing.assert_array_equal(out.temperature_k, 0.0)
    np.testing.assert_array_equal(out.speed_of_sound_mps, 1.0)
    v = Vacuum()
    assert v.scalar(5e3) == (0.0, 0.0, 0.0, 1.0)
    assert v(np.zeros(3)).density_kgpm3.shape == (3,)


def test_model_objects_follow_protocol() -> None:
    model = USSA1976()
    assert isinstance(model, AtmosphereModel)
    assert isinstance(Vacuum(), AtmosphereModel)
    assert model.scalar(1e4) == ussa1976_scalar(1e4)
    np.testing.assert_array_equal(model(np.array([1e4]))[1], ussa1976(np.array([1e4]))[1])
    assert USSA1976() == USSA1976() and hash(Vacuum()) == hash(Vacuum())
