"""Tests for the Earth models and reference frames (environment/earth.py, environment/frames.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from boostback.environment import earth_kernels as ek
from boostback.environment import frames as fr
from boostback.environment.earth import EarthModel, SphericalEarth, WGS84Earth
from boostback.environment.frames import CAPE_CANAVERAL_SLC40 as SLC40
from boostback.environment.frames import LZ1, Site

WGS84 = WGS84Earth()
SPHERE = SphericalEarth()
OMEGA = WGS84.omega_radps
D = math.radians
FAST = settings(max_examples=100, deadline=None)

HALF_PI = math.pi / 2
lats = st.one_of(st.sampled_from([-HALF_PI, 0.0, HALF_PI]), st.floats(-HALF_PI, HALF_PI))
lons = st.floats(-math.pi, math.pi, exclude_max=True)
heights = st.floats(-10_000.0, 1_000_000.0)
coords = st.floats(-1e7, 1e7)
vec3 = st.tuples(coords, coords, coords).map(np.array)
vel3 = st.tuples(*(st.floats(-1e4, 1e4),) * 3).map(np.array)


def test_wgs84_radii_and_published_values() -> None:
    # NIMA TR8350.2 Table 3.1 / 3.3: a = 6378137 m, b = 6356752.3142 m.
    assert WGS84.b_m == pytest.approx(6_356_752.3142, abs=1e-4)
    np.testing.assert_allclose(WGS84.geodetic_to_ecef(0.0, 0.0, 0.0), [6_378_137.0, 0, 0])
    np.testing.assert_allclose(
        WGS84.geodetic_to_ecef(math.pi / 2, 0, 0), [0, 0, WGS84.b_m], atol=1e-6
    )
    assert WGS84.surface_radius_m(0.0) == pytest.approx(6_378_137.0, abs=1e-6)
    assert WGS84.surface_radius_m(math.pi / 2) == pytest.approx(WGS84.b_m, abs=1e-6)
    # Vallado, Fundamentals of Astrodynamics and Applications, Example 3-3:
    # r = (6524.834, 6862.875, 6448.296) km -> 34.352496 deg, 46.4464 deg, 5085.22 km.
    lat, lon, h = WGS84.ecef_to_geodetic([6_524_834.0, 6_862_875.0, 6_448_296.0])
    assert math.degrees(lat) == pytest.approx(34.352496, abs=5e-6)
    assert math.degrees(lon) == pytest.approx(46.4464, abs=1e-4)
    assert h == pytest.approx(5_085_220.0, abs=10.0)


def test_wgs84_gravity_matches_normal_gravity() -> None:
    # Point mass + J2 minus centrifugal vs WGS-84 normal gravity (TR8350.2 Table 3.4):
    # equator 9.7803253359, pole 9.8321849378 m/s^2 (higher zonals account for the ~1e-4 gap).
    a, b = WGS84.a_m, WGS84.b_m
    g_eq = np.linalg.norm(
        WGS84.gravity_ecef([a, 0, 0]) + fr.rotating_frame_accel_ecef([a, 0, 0], 0)
    )
    assert g_eq == pytest.approx(9.7803253359, abs=2e-4)
    assert np.linalg.norm(WGS84.gravity_ecef([0, 0, b])) == pytest.approx(9.8321849378, abs=2e-4)


@given(vec3.filter(lambda r: np.linalg.norm(r) > 6e6))
@FAST
def test_j2_gravity_is_gradient_of_potential(r: np.ndarray) -> None:
    mu, a, j2 = WGS84.mu_m3ps2, WGS84.a_m, WGS84.j2

    def potential(p: np.ndarray) -> float:
        d = np.linalg.norm(p)
        return mu / d * (1.0 - j2 * (a / d) ** 2 * (1.5 * (p[2] / d) ** 2 - 0.5))

    step = 10.0
    grad = [(potential(r + step * e) - potential(r - step * e)) / (2 * step) for e in np.eye(3)]
    np.testing.assert_allclose(WGS84.gravity_ecef(r), grad, rtol=0, atol=1e-8)
    np.testing.assert_allclose(WGS84.gravity_xyz(*r), WGS84.gravity_ecef(r), rtol=1e-14)


def test_sphere_is_wgs84_with_zero_flattening() -> None:
    flat = WGS84Earth(a_m=SPHERE.radius_m, f=0.0, j2=0.0)
    pts = SPHERE.geodetic_to_ecef([0.3, -1.2, 1.5], [2.0, -0.5, 0.1], [0.0, 4e5, 1e6])
    np.testing.assert_allclose(
        flat.geodetic_to_ecef([0.3, -1.2, 1.5], [2, -0.5, 0.1], [0, 4e5, 1e6]), pts
    )
    for f_val, s_val in zip(flat.ecef_to_geodetic(pts), SPHERE.ecef_to_geodetic(pts), strict=True):
        np.testing.assert_allclose(f_val, s_val, atol=1e-9)
    np.testing.assert_allclose(flat.gravity_ecef(pts), SPHERE.gravity_ecef(pts), rtol=1e-14)
    g = SPHERE.gravity_ecef([SPHERE.radius_m, 0, 0])
    np.testing.assert_allclose(g, [-SPHERE.mu_m3ps2 / SPHERE.radius_m**2, 0, 0])


@pytest.mark.parametrize("earth", [WGS84, SPHERE], ids=["wgs84", "sphere"])
@given(lat=lats, lon=lons, h=heights)
@FAST
def test_geodetic_round_trip(earth: EarthModel, lat: float, lon: float, h: float) -> None:
    r = earth.geodetic_to_ecef(lat, lon, h)
    lat2, lon2, h2 = earth.ecef_to_geodetic(r)
    assert abs(h2 - h) < 1e-6  # metres: far below the 1 mm requirement
    assert abs(lat2 - lat) * 6.4e6 < 1e-6
    np.testing.assert_allclose(earth.geodetic_to_ecef(lat2, lon2, h2), r, rtol=0, atol=1e-6)
    assert earth.geodetic_xyz(*r) == pytest.approx((lat2, lon2, h2), abs=1e-9)
    assert earth.altitude_m(r) == pytest.approx(h, abs=1e-6)


@pytest.mark.parametrize("earth", [WGS84, SPHERE], ids=["wgs84", "sphere"])
def test_earth_models_vectorise(earth: EarthModel) -> None:
    assert isinstance(earth, EarthModel)
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(-1.5, 1.5, (4, 5)), rng.uniform(-3, 3, (4, 5))
    r = earth.geodetic_to_ecef(lat, lon, 1e3)
    assert r.shape == (4, 5, 3)
    out = earth.ecef_to_geodetic(r)
    np.testing.assert_allclose(out[0], lat, atol=1e-12)
    assert earth.gravity_ecef(r).shape == (4, 5, 3)
    assert earth.gravity_ecef(r)[1, 2] == pytest.approx(earth.gravity_ecef(r[1, 2]))
    assert earth.surface_radius_m(lat).shape == (4, 5)
    assert isinstance(earth.altitude_m(r[0, 0]), float)
    with pytest.raises(ValueError, match="shape"):
        earth.gravity_ecef([1.0, 2.0])


@pytest.mark.parametrize("earth", [WGS84, SPHERE], ids=["wgs84", "sphere"])
def test_earth_methods_are_the_kernels_the_flight_flies(earth: WGS84Earth | SphericalEarth) -> None:
    """Scalar and vectorised methods wrap ``environment.earth_kernels``: the same bits."""
    rng = np.random.default_rng(11)
    r = earth.geodetic_to_ecef(rng.uniform(-1.5, 1.5, 200), rng.uniform(-3, 3, 200), 1e5)
    wp = earth.kernel_params
    lat, lon, h = earth.ecef_to_geodetic(r)
    g = earth.gravity_ecef(r)
    alt = earth.altitude_m(r)
    for i, p in enumerate(r.tolist()):
        assert earth.geodetic_xyz(*p) == ek.geodetic(*p, wp) == (lat[i], lon[i], h[i])
        assert earth.gravity_xyz(*p) == ek.gravity(*p, wp) == tuple(g[i])
        assert alt[i] == ek.height(*p, wp) == h[i]
    wp[ek.WP_A] = 1.0  # a copy: the model's own parameters are not touched
    assert earth.kernel_params[ek.WP_A] == earth.equatorial_radius_m


@given(lat=lats, lon=lons, v=vel3)
@FAST
def test_enu_to_ecef_kernel_matches_the_frames(lat: float, lon: float, v: np.ndarray) -> None:
    ref = fr.enu_to_ecef_velocity(v, lat, lon)
    np.testing.assert_allclose(ek.enu_to_ecef_xyz(lat, lon, *v.tolist()), ref, rtol=0, atol=1e-9)


def test_bad_earth_parameters() -> None:
    with pytest.raises(ValueError, match="radius_m"):
        SphericalEarth(radius_m=-1.0)
    with pytest.raises(ValueError, match="f must be"):
        WGS84Earth(f=1.5)
    assert SphericalEarth(omega_radps=0.0).omega_radps == 0.0


@given(r=vec3, v=vel3, t=st.floats(-1e5, 1e5))
@FAST
def test_eci_ecef_round_trip(r: np.ndarray, v: np.ndarray, t: float) -> None:
    r_ecef, v_ecef = fr.eci_to_ecef(r, v, t)
    r_eci, v_eci = fr.ecef_to_eci(r_ecef, v_ecef, t)
    np.testing.assert_allclose(r_eci, r, rtol=0, atol=1e-6)
    np.testing.assert_allclose(v_eci, v, rtol=0, atol=1e-9)
    np.testing.assert_allclose(fr.rotation_eci_to_ecef(t) @ r, r_ecef, rtol=0, atol=1e-6)
    assert np.linalg.norm(r_ecef) == pytest.approx(np.linalg.norm(r))


def test_eci_ecef_sense_of_rotation_and_epoch() -> None:
    a = WGS84.a_m
    r0, v0 = np.array([a, 0.0, 0.0]), np.array([1.0, 2.0, 3.0])
    r, v = fr.eci_to_ecef(r0, v0, 0.0)
    np.testing.assert_array_equal(r, r0)
    np.testing.assert_allclose(v, v0 - np.cross([0, 0, OMEGA], r0))
    # A quarter turn later the Greenwich point has moved east, to ECI +y.
    r_eci, _ = fr.ecef_to_eci(r0, np.zeros(3), (math.pi / 2) / OMEGA)
    np.testing.assert_allclose(r_eci, [0, a, 0], atol=1e-6)


def test_point_fixed_on_earth_moves_with_omega_cross_r() -> None:
    t = np.linspace(0.0, 3600.0, 361)
    r_ecef = np.broadcast_to(SLC40.r_ecef(), (t.size, 3))
    r_eci, v_eci = fr.ecef_to_eci(r_ecef, np.zeros(3), t)
    assert r_eci.shape == v_eci.shape == (361, 3)
    np.testing.assert_allclose(v_eci, np.cross([0, 0, OMEGA], r_eci), atol=1e-9)
    speed = OMEGA * np.hypot(r_ecef[0, 0], r_ecef[0, 1])  # ~408 m/s at the Cape
    np.testing.assert_allclose(np.linalg.norm(v_eci, axis=1), speed)
    dr_dt = np.gradient(r_eci, t, axis=0, edge_order=2)
    np.testing.assert_allclose(dr_dt, v_eci, atol=1e-3)
    r_back, v_back = fr.eci_to_ecef(r_eci, v_eci, t)
    np.testing.assert_allclose(r_back, r_ecef, atol=1e-6)
    np.testing.assert_allclose(v_back, 0.0, atol=1e-9)


def test_free_fall_rotating_frame_matches_inertial_integration() -> None:
    site = SLC40
    r0 = site.r_ecef() + 10_000.0 * fr.enu_to_ecef_velocity([0, 0, 1], site.lat_rad, site.lon_rad)
    opts = {"method": "DOP853", "rtol": 1e-12, "atol": 1e-9}

    def f_ecef(_t: float, y: np.ndarray) -> np.ndarray:
        acc = WGS84.gravity_ecef(y[:3]) + fr.rotating_frame_accel_ecef(y[:3], y[3:])
        return np.concatenate((y[3:], acc))

    def f_eci(t: float, y: np.ndarray) -> np.ndarray:
        rot = fr.rotation_eci_to_ecef(t)  # the J2 field turns with the Earth
        return np.concatenate((y[3:], rot.T @ WGS84.gravity_ecef(rot @ y[:3])))

    sol_ecef = solve_ivp(f_ecef, (0, 30), np.concatenate((r0, np.zeros(3))), **opts)
    r_eci0, v_eci0 = fr.ecef_to_eci(r0, np.zeros(3), 0.0)
    sol_eci = solve_ivp(f_eci, (0, 30), np.concatenate((r_eci0, v_eci0)), **opts)
    r_a, v_a = sol_ecef.y[:3, -1], sol_ecef.y[3:, -1]
    r_b, v_b = fr.eci_to_ecef(sol_eci.y[:3, -1], sol_eci.y[3:, -1], 30.0)
    assert np.linalg.norm(r_a - r_b) < 1e-3
    assert np.linalg.norm(v_a - v_b) < 1e-6
    # Physics check: it fell ~4.4 km and Coriolis pushed it ~(1/3) w g t^3 cos(lat) = 5.6 m east.
    d_enu = fr.ecef_to_enu(r_a, r0, site.lat_rad, site.lon_rad)
    assert -4_500 < d_enu[2] < -4_300
    assert d_enu[0] == pytest.approx(OMEGA * 9.79 * 30**3 * math.cos(site.lat_rad) / 3, rel=0.05)


@given(lat=lats, lon=lons)
@FAST
def test_enu_basis_is_right_handed_and_normal_to_ellipsoid(lat: float, lon: float) -> None:
    b = fr.enu_basis(lat, lon)
    np.testing.assert_allclose(b @ b.T, np.eye(3), atol=1e-14)
    np.testing.assert_allclose(np.cross(b[0], b[1]), b[2], atol=1e-14)
    dr_dh = WGS84.geodetic_to_ecef(lat, lon, 1.0) - WGS84.geodetic_to_ecef(lat, lon, 0.0)
    np.testing.assert_allclose(dr_dh, b[2], atol=1e-8)


@given(lat=lats, lon=lons, h=heights, d=vec3.map(lambda x: x / 100))
@FAST
def test_enu_round_trip(lat: float, lon: float, h: float, d: np.ndarray) -> None:
    origin = WGS84.geodetic_to_ecef(lat, lon, h)
    r_enu = fr.ecef_to_enu(origin + d, origin, lat, lon)
    assert np.linalg.norm(r_enu) == pytest.approx(np.linalg.norm(d), abs=1e-6)
    np.testing.assert_allclose(fr.enu_to_ecef(r_enu, origin, lat, lon), origin + d, atol=1e-6)
    v = fr.ecef_to_enu_velocity(d, lat, lon)
    np.testing.assert_allclose(fr.enu_to_ecef_velocity(v, lat, lon), d, atol=1e-6)


def test_enu_known_offsets_and_vectorisation() -> None:
    pad = SLC40
    o = pad.r_ecef()
    up = WGS84.geodetic_to_ecef(pad.lat_rad, pad.lon_rad, 100.0)
    assert fr.ecef_to_enu(up, o, pad.lat_rad, pad.lon_rad) == pytest.approx([0, 0, 100], abs=1e-8)
    lz = fr.ecef_to_enu(LZ1.r_ecef(), o, pad.lat_rad, pad.lon_rad)
    assert lz[0] > 3_000 and lz[1] < -8_000  # LZ-1 is ~9 km south-south-east of SLC-40
    az = math.atan2(lz[0], lz[1]) % (2 * math.pi)
    brg = fr.initial_bearing(pad.lat_rad, pad.lon_rad, LZ1.lat_rad, LZ1.lon_rad)
    assert az == pytest.approx(brg, abs=D(0.2))
    pts = np.stack([LZ1.r_ecef(), up, o])
    out = fr.ecef_to_enu(pts, o, pad.lat_rad, pad.lon_rad)
    assert out.shape == (3, 3)
    np.testing.assert_allclose(out[0], lz)
    np.testing.assert_allclose(fr.enu_to_ecef(out, o, pad.lat_rad, pad.lon_rad), pts, atol=1e-6)


def test_launch_azimuth_equator_and_iss_from_the_cape() -> None:
    assert fr.launch_azimuth_rad(0.0, 0.0) == pytest.approx(math.pi / 2)
    assert fr.launch_azimuth_rad(D(28.5), D(28.5)) == pytest.approx(math.pi / 2)
    inertial = math.degrees(fr.launch_azimuth_rad(D(28.5), D(51.6), omega_radps=0.0))
    rotating = math.degrees(fr.launch_azimuth_rad(D(28.5), D(51.6)))
    assert 44.0 < inertial < 45.5
    # Earth already gives ~410 m/s east, so the vehicle aims further north: ~42.8 deg.
    assert 1.5 < inertial - rotating < 3.0
    desc = math.degrees(fr.launch_azimuth_rad(D(28.5), D(51.6), ascending=False))
    assert desc == pytest.approx(180.0 - rotating)


def test_launch_azimuth_polar_retrograde_and_errors() -> None:
    assert fr.launch_azimuth_rad(D(34.6), D(90.0), omega_radps=0.0) == pytest.approx(0.0, abs=1e-9)
    polar = math.degrees(fr.launch_azimuth_rad(D(34.6), D(90.0)))
    assert 356.0 < polar < 360.0  # must cancel the eastward surface speed: slightly west of north
    west = fr.launch_azimuth_rad(D(34.6), D(180.0 - 34.6), omega_radps=0.0)
    assert west == pytest.approx(3 * math.pi / 2)
    sso_south = math.degrees(fr.launch_azimuth_rad(D(34.6), D(97.4), ascending=False))
    assert 180.0 < sso_south < 200.0
    with pytest.raises(ValueError, match="not reachable"):
        fr.launch_azimuth_rad(D(28.5), D(20.0))
    with pytest.raises(ValueError, match="not reachable"):
        fr.launch_azimuth_rad(D(-40.0), D(150.0))


def test_great_circle_known_values() -> None:
    london, paris = (D(51.5074), D(-0.1278)), (D(48.8566), D(2.3522))
    assert fr.great_circle_distance_m(*london, *paris) == pytest.approx(343.6e3, abs=1.5e3)
    quarter = math.pi / 2 * SPHERE.radius_m
    assert fr.great_circle_distance_m(0.0, 0.0, math.pi / 2, 1.0) == pytest.approx(quarter)
    assert fr.destination(0.0, 0.0, 0.0, quarter)[0] == pytest.approx(math.pi / 2)
    assert fr.initial_bearing(0.0, 0.0, 0.0, 0.1) == pytest.approx(math.pi / 2)
    assert fr.initial_bearing(0.0, 0.0, -0.1, 0.0) == pytest.approx(math.pi)
    lat, lon = fr.destination(0.0, D(179.0), math.pi / 2, D(2.0) * SPHERE.radius_m)
    assert (lat, math.degrees(lon)) == pytest.approx((0.0, -179.0))


@given(lat1=st.floats(-1.5, 1.5), lon1=lons, lat2=st.floats(-1.5, 1.5), lon2=lons)
@FAST
def test_destination_inverts_bearing_and_distance(
    lat1: float, lon1: float, lat2: float, lon2: float
) -> None:
    d = fr.great_circle_distance_m(lat1, lon1, lat2, lon2)
    if d < 1.0 or d > 0.99 * math.pi * SPHERE.radius_m:  # coincident or near-antipodal
        return
    assert fr.great_circle_distance_m(lat2, lon2, lat1, lon1) == pytest.approx(d)
    lat, lon = fr.destination(lat1, lon1, fr.initial_bearing(lat1, lon1, lat2, lon2), d)
    assert fr.great_circle_distance_m(lat, lon, lat2, lon2) < 1e-3


def test_sites() -> None:
    assert set(fr.SITES.values()) >= {SLC40, LZ1, fr.VANDENBERG_SLC4E, fr.LZ4}
    for s in fr.SITES.values():
        assert s.source
        r = s.r_ecef()
        assert np.linalg.norm(r) == pytest.approx(WGS84.surface_radius_m(s.lat_rad) + s.alt_m)
        assert WGS84.altitude_m(r) == pytest.approx(s.alt_m, abs=1e-6)
        assert SPHERE.altitude_m(s.r_ecef(SPHERE)) == pytest.approx(s.alt_m, abs=1e-6)
    assert fr.JIUQUAN_ZHUQUE3_PAD.estimate and fr.ZHUQUE3_LANDING_SITE.estimate
    assert not SLC40.estimate

    def km(a: Site, b: Site) -> float:
        return fr.great_circle_distance_m(a.lat_rad, a.lon_rad, b.lat_rad, b.lon_rad) / 1e3

    assert 8.0 < km(SLC40, LZ1) < 10.0  # "about 9 km"
    assert 0.3 < km(fr.VANDENBERG_SLC4E, fr.LZ4) < 0.5  # "about 425 m"
    assert 380.0 < km(fr.JIUQUAN_ZHUQUE3_PAD, fr.ZHUQUE3_LANDING_SITE) < 400.0  # "around 390 km"
    assert fr.VANDENBERG_SLC4E.lat_rad == pytest.approx(D(34.632))
    with pytest.raises(ValueError, match="bad lat/lon"):
        Site("nowhere", 91.0, 0.0)
