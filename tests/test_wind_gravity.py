"""Tests for the wind and gravity models."""

from __future__ import annotations

import math

import numpy as np
import pytest

from boostback.constants import EARTH_MU_M3PS2, EARTH_RADIUS_M, G0_MPS2, MARS_G_MPS2
from boostback.environment import (
    ConstantWind,
    GravityModel,
    InverseSquareGravity,
    LayeredWind,
    NoWind,
    UniformGravity,
    WindModel,
)

# ---------------------------------------------------------------- wind


def test_no_wind_and_constant_wind() -> None:
    assert NoWind().at(1e3) == (0.0, 0.0, 0.0)
    np.testing.assert_array_equal(NoWind()(5.0), np.zeros(3))
    w = ConstantWind(np.array([3.0, -4.0, 0.5]))
    assert w.at(0.0) == (3.0, -4.0, 0.5) == w.at(1e5)
    out = w(12.0)
    assert out.shape == (3,)
    np.testing.assert_array_equal(out, [3.0, -4.0, 0.5])
    assert isinstance(w, WindModel) and isinstance(NoWind(), WindModel)
    assert hash(w) == hash(ConstantWind((3, -4, 0.5)))


def test_constant_wind_rejects_bad_shape() -> None:
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        ConstantWind((1.0, 2.0))
    with pytest.raises(ValueError, match="finite"):
        ConstantWind((1.0, math.nan, 0.0))


def _profile() -> LayeredWind:
    return LayeredWind(
        altitudes_m=[0.0, 1000.0, 5000.0],
        v_enu_mps=[[0.0, 0.0, 0.0], [10.0, -2.0, 0.0], [30.0, 6.0, 1.0]],
    )


def test_layered_wind_interpolates_linearly() -> None:
    w = _profile()
    assert w.at(0.0) == (0.0, 0.0, 0.0)
    assert w.at(500.0) == pytest.approx((5.0, -1.0, 0.0))
    assert w.at(1000.0) == pytest.approx((10.0, -2.0, 0.0))
    assert w.at(3000.0) == pytest.approx((20.0, 2.0, 0.5))
    assert w.at(5000.0) == pytest.approx((30.0, 6.0, 1.0))
    np.testing.assert_allclose(w(2000.0), [15.0, 0.0, 0.25])
    assert w(2000.0).shape == (3,)


def test_layered_wind_held_constant_outside_table() -> None:
    w = _profile()
    assert w.at(-100.0) == (0.0, 0.0, 0.0)
    assert w.at(1e6) == (30.0, 6.0, 1.0)


def test_layered_wind_matches_numpy_interp() -> None:
    w = _profile()
    alt = np.array(w.altitudes_m)
    vel = np.array(w.v_enu_mps)
    for h in np.linspace(-500.0, 6000.0, 131):
        expected = [np.interp(h, alt, vel[:, k]) for k in range(3)]
        np.testing.assert_allclose(w.at(float(h)), expected, rtol=1e-12, atol=1e-12)


def test_layered_wind_nan_height_gives_nan() -> None:
    assert all(math.isnan(v) for v in _profile().at(math.nan))


def test_layered_wind_single_entry_is_constant() -> None:
    w = LayeredWind([100.0], [[1.0, 2.0, 3.0]])
    assert w.at(-1e3) == w.at(1e5) == (1.0, 2.0, 3.0)


@pytest.mark.parametrize(
    ("alts", "vels", "match"),
    [
        ([0.0, 1000.0, 500.0], np.zeros((3, 3)), "strictly ascending"),
        ([0.0, 1000.0, 1000.0], np.zeros((3, 3)), "strictly ascending"),
        ([0.0, 1000.0], np.zeros((3, 3)), r"shape \(len\(altitudes_m\), 3\)"),
        ([0.0, 1000.0], np.zeros((2, 2)), r"shape \(len\(altitudes_m\), 3\)"),
        ([], np.zeros((0, 3)), "non-empty"),
        ([[0.0, 1.0]], np.zeros((2, 3)), "1-D"),
        ([0.0, math.nan], np.zeros((2, 3)), "finite"),
    ],
)
def test_layered_wind_rejects_bad_tables(alts, vels, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        LayeredWind(alts, vels)


# ---------------------------------------------------------------- gravity


def test_uniform_gravity_constant() -> None:
    g = UniformGravity()
    assert g.surface_g == G0_MPS2
    for r in ([0.0, 0.0, 0.0], [1e5, -3e4, 2e5], [-7.0, 9.0, -100.0]):
        np.testing.assert_array_equal(g.accel(np.array(r)), [0.0, 0.0, -G0_MPS2])
        assert g.accel_xyz(*r) == (0.0, 0.0, -G0_MPS2)
    batch = UniformGravity(MARS_G_MPS2).accel(np.zeros((4, 3)))
    assert batch.shape == (4, 3)
    np.testing.assert_array_equal(batch[:, 2], -MARS_G_MPS2)
    assert isinstance(g, GravityModel)


@pytest.mark.parametrize("h", [0.0, 1e3, 1e5, 4e5])
@pytest.mark.parametrize("horizontal", [(0.0, 0.0), (5e4, -2e4)])
def test_inverse_square_magnitude_and_direction(h: float, horizontal: tuple[float, float]) -> None:
    grav = InverseSquareGravity()
    x, y = horizontal
    # Put the point at altitude h above the sphere along the local radial direction.
    c = np.array([0.0, 0.0, -EARTH_RADIUS_M])
    direction = np.array([x, y, EARTH_RADIUS_M])
    direction /= np.linalg.norm(direction)
    r = c + (EARTH_RADIUS_M + h) * direction
    a = grav.accel(r)
    assert np.linalg.norm(a) == pytest.approx(EARTH_MU_M3PS2 / (EARTH_RADIUS_M + h) ** 2, rel=1e-12)
    # Points to the centre: anti-parallel to (r - c).
    unit = (r - c) / np.linalg.norm(r - c)
    np.testing.assert_allclose(a / np.linalg.norm(a), -unit, atol=1e-12)
    np.testing.assert_allclose(grav.accel_xyz(*r), a, rtol=1e-12, atol=1e-15)


def test_inverse_square_surface_and_horizontal_components() -> None:
    grav = InverseSquareGravity()
    assert grav.surface_g == pytest.approx(EARTH_MU_M3PS2 / EARTH_RADIUS_M**2)
    ax, ay, az = grav.accel_xyz(0.0, 0.0, 0.0)
    assert ax == 0.0 and ay == 0.0 and az == pytest.approx(-grav.surface_g)
    ax, ay, _ = grav.accel_xyz(1e5, -2e4, 0.0)
    assert ax < 0.0 < ay  # pulled back toward the pad's vertical
    mars = InverseSquareGravity(mu_m3ps2=MARS_G_MPS2 * 3.3895e6**2, radius_m=3.3895e6)
    assert mars.surface_g == pytest.approx(MARS_G_MPS2)
    batch = grav.accel(np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 1e4]]))
    assert batch.shape == (2, 3)
    assert tuple(batch[1]) == grav.accel_xyz(0.0, 0.0, 1e4)  # one kernel behind both
    assert isinstance(grav, GravityModel)


def test_gravity_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError, match="g_mps2"):
        UniformGravity(-1.0)
    with pytest.raises(ValueError, match="radius_m"):
        InverseSquareGravity(radius_m=0.0)
    with pytest.raises(ValueError, match="mu_m3ps2"):
        InverseSquareGravity(mu_m3ps2=math.inf)
    with pytest.raises(ValueError, match="shape"):
        InverseSquareGravity().accel(np.zeros(2))
