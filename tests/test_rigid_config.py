"""The rigid vehicle (#16): the ``[booster.rigid_body]`` section's validation, the mass properties
against analytic cases, the body-aero estimate against slender-body theory and the drag tables,
and ``sixdof_params`` on both built-in vehicles."""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boostback.config.errors import ConfigError
from boostback.config.loader import load_vehicle, vehicle_from_dict
from boostback.config.rigid_models import DryStructure
from boostback.dynamics.aero_estimate import crossflow_cd, crossflow_eta, estimate_body_aero
from boostback.dynamics.mass_properties import dry_mass_properties, stage_mass_properties
from boostback.plant.sixdof_setup import burn_engines, engine_geometry, sixdof_params
from toml_edit import DELETE, dumps, edited, load

ROOT = Path(__file__).resolve().parents[1]
VEHICLES = ROOT / "src" / "boostback" / "vehicles"
BUILTINS = ["falcon9", "zhuque3"]


def _vehicle_data(key: str = "falcon9") -> dict[str, Any]:
    return load(VEHICLES / f"{key}.toml")


def _refused(tmp_path: Path, data: dict[str, Any]) -> ConfigError:
    path = tmp_path / "v.toml"
    path.write_text(dumps(data))
    with pytest.raises(ConfigError) as info:
        load_vehicle(path)
    text = str(info.value)
    assert "\n" not in text and "Traceback" not in text
    assert str(path) in text, text
    return info.value


# --- validation -----------------------------------------------------------------------------

RB = "booster.rigid_body"

BAD = [
    # (key, value, expected key in the error, words in the problem)
    (f"{RB}.tanks[0].share", 0.5, f"{RB}.tanks", "add up to"),
    (f"{RB}.tanks[0].top_station_m", 0.5, f"{RB}.tanks[0].top_station_m", "must be above"),
    (f"{RB}.tanks[1].bottom_station_m", 10.0, f"{RB}.tanks[1].bottom_station_m", "overlaps"),
    (f"{RB}.tanks[1].top_station_m", 45.0, f"{RB}.tanks[1].top_station_m", "off the stage"),
    (f"{RB}.tanks[0].radius_m", 2.5, f"{RB}.tanks[0].radius_m", "outside"),
    (f"{RB}.tanks[0].radius_m", 0.5, f"{RB}.tanks[0]", "denser than any propellant"),
    (f"{RB}.tanks[0].radius_m", "1.8", f"{RB}.tanks[0].radius_m", "expected a number"),
    (f"{RB}.tanks[0].radius_m", math.nan, f"{RB}.tanks[0].radius_m", "finite"),
    (f"{RB}.tanks[0].volume", 3.0, f"{RB}.tanks[0].volume", "unknown key"),
    (f"{RB}.dry.cg_station_m", 12.0, f"{RB}.dry.parts", "not both"),
    (f"{RB}.dry.parts[0].mass_share", 0.5, f"{RB}.dry.parts", "add up to"),
    (f"{RB}.dry.parts[0].top_station_m", -3.0, f"{RB}.dry.parts[0].top_station_m", "below"),
    (f"{RB}.dry.parts[1].radius_m", 2.0, f"{RB}.dry.parts[1].radius_m", "outside"),
    (f"{RB}.engines.landing", [9], f"{RB}.engines.landing", "does not exist"),
    (f"{RB}.engines.landing", [0, 1], f"{RB}.engines.landing", "landing.engines is 1"),
    (f"{RB}.engines.entry", [0, 0, 1], f"{RB}.engines.entry", "listed twice"),
    (f"{RB}.engines.boostback", [0, 1], f"{RB}.engines.boostback", "boostback_engines is 3"),
    (f"{RB}.engines.centre_engines", 2, f"{RB}.engines.centre_engines", "<= 1"),
    (f"{RB}.engines.ring_radius_m", 2.0, f"{RB}.engines.ring_radius_m", "outside"),
    (f"{RB}.engines.gimbal_rate_deg_s", 0.0, f"{RB}.engines.gimbal_rate_deg_s", "> 0"),
    (f"{RB}.engines.gimbal_rate_deg_s", DELETE, f"{RB}.engines.gimbal_rate_deg_s", "missing"),
    (f"{RB}.grid_fins.span_radius_m", 1.0, f"{RB}.grid_fins.span_radius_m", "inside"),
    (f"{RB}.grid_fins.force", [[0.0, 0.5]], f"{RB}.grid_fins.force", "or none"),
    (f"{RB}.legs.feet_station_m", 0.0, f"{RB}.legs.feet_station_m", "below the stage's base"),
    (f"{RB}.cold_gas.pods", 1.5, f"{RB}.cold_gas.pods", "whole number"),
    (f"{RB}.base_station_m", 1.0, f"{RB}.base_station_m", "<= 0"),
    ("booster.grid_fins", DELETE, f"{RB}.grid_fins", "no [grid_fins]"),
]


@pytest.mark.parametrize(("key", "value", "where", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_rigid_body_is_refused_in_one_line(
    tmp_path: Path, key: str, value: Any, where: str, words: str
) -> None:
    err = _refused(tmp_path, edited(_vehicle_data(), key, value))
    assert err.key == where, str(err)
    assert words in err.problem, str(err)


def test_dry_structure_as_given_and_its_checks(tmp_path: Path) -> None:
    given = {"cg_station_m": 14.0, "roll_inertia_kgm2": 8e4, "pitch_inertia_kgm2": 5e6}
    data = edited(_vehicle_data(), f"{RB}.dry", given)
    vehicle = vehicle_from_dict(data)
    params = sixdof_params(vehicle)
    assert params.mp_cg_station_m[0] == pytest.approx(14.0)
    assert params.mp_inertia_kgm2[0] == pytest.approx([8e4, 5e6, 5e6])
    err = _refused(tmp_path, edited(data, f"{RB}.dry.roll_inertia_kgm2", 1.1e7))
    assert err.key == f"{RB}.dry.roll_inertia_kgm2" and "twice" in err.problem
    err = _refused(tmp_path, edited(data, f"{RB}.dry.pitch_inertia_kgm2", DELETE))
    assert err.key == f"{RB}.dry.pitch_inertia_kgm2"


def _aero_tables() -> dict[str, Any]:
    return {
        "mach": [0.0, 2.0],
        "alpha_deg": [0.0, 90.0, 180.0],
        "axial": [[0.3, 0.0, -0.8], [0.3, 0.0, -1.2]],
        "normal": [[0.0, 10.0, 0.0], [0.0, 12.0, 0.0]],
        "cp_station_m": [[18.0, 18.0, 18.0], [18.0, 18.5, 18.0]],
        "pitch_damping": [-1.0, -2.0],
    }


def test_aero_tables_when_given_are_used_as_given(tmp_path: Path) -> None:
    data = edited(_vehicle_data(), f"{RB}.aero", _aero_tables())
    params = sixdof_params(vehicle_from_dict(data))
    assert params.aero_alpha_rad == pytest.approx([0.0, math.pi / 2, math.pi])
    assert params.aero_normal[1, 1] == 12.0 and params.aero_axial[1, 2] == -1.2
    assert params.aero_pitch_damping == pytest.approx([-1.0, -2.0])
    for key, value, where in [
        ("alpha_deg", [0.0, 90.0, 170.0], "alpha_deg[2]"),
        ("normal", [[0.0, 10.0, 0.0]], "normal"),
        ("pitch_damping", [-1.0], "pitch_damping"),
        ("cp_station_m", [[18.0, 18.0, 18.0], [18.0, 50.0, 18.0]], "cp_station_m[1][1]"),
    ]:
        err = _refused(tmp_path, edited(data, f"{RB}.aero.{key}", value))
        assert err.key == f"{RB}.aero.{where}", str(err)


def test_a_vehicle_without_a_rigid_body_is_refused_in_one_line() -> None:
    data = edited(_vehicle_data(), RB, DELETE)
    data["sources"] = {k: v for k, v in data["sources"].items() if not k.startswith(RB)}
    vehicle = vehicle_from_dict(data)
    with pytest.raises(ConfigError) as info:
        sixdof_params(vehicle)
    assert info.value.key == "booster.rigid_body"
    assert "\n" not in str(info.value) and "--dof 3" in str(info.value)


# --- mass properties: analytic cases ----------------------------------------------------------


def _dry(parts: list[dict[str, Any]]) -> DryStructure:
    return DryStructure(parts=parts)


def test_uniform_solid_and_shell_cylinders() -> None:
    m, r, length = 1000.0, 1.5, 12.0
    solid = _dry(
        [dict(mass_share=1.0, bottom_station_m=2.0, top_station_m=14.0, radius_m=r, shape="solid")]
    )
    cg, ix, iy = dry_mass_properties(solid, m)
    assert cg == pytest.approx(8.0)
    assert ix == pytest.approx(m * r**2 / 2)
    assert iy == pytest.approx(m * (3 * r**2 + length**2) / 12)
    shell = _dry([dict(mass_share=1.0, bottom_station_m=2.0, top_station_m=14.0, radius_m=r)])
    _, ix, iy = dry_mass_properties(shell, m)
    assert ix == pytest.approx(m * r**2)
    assert iy == pytest.approx(m * (r**2 / 2 + length**2 / 12))


def test_two_point_masses_give_the_reduced_mass_inertia() -> None:
    m1, m2, a, b = 300.0, 700.0, -1.0, 9.0
    parts = [
        dict(mass_share=0.3, bottom_station_m=a, top_station_m=a, radius_m=0.0, shape="solid"),
        dict(mass_share=0.7, bottom_station_m=b, top_station_m=b, radius_m=0.0, shape="solid"),
    ]
    cg, ix, iy = dry_mass_properties(_dry(parts), m1 + m2)
    assert cg == pytest.approx((m1 * a + m2 * b) / (m1 + m2))
    assert ix == 0.0
    assert iy == pytest.approx(m1 * m2 / (m1 + m2) * (b - a) ** 2)


def _one_tank(propellant: np.ndarray, dry_kg: float = 2000.0, load_kg: float = 8000.0):
    return stage_mass_properties(
        propellant,
        dry_kg,
        0.0,
        (0.0, 0.0),
        load_kg,
        np.array([1.0]),
        np.array([4.0]),
        np.array([10.0]),
        np.array([1.2]),
    )


def test_a_tank_of_liquid_by_the_parallel_axis_theorem() -> None:
    """A point dry mass at station 0 and one tank (bottom 4 m, 10 m long, radius 1.2 m): full,
    the liquid is a solid cylinder centred at 9 m; half full, one 5 m long centred at 6.5 m."""
    md, r = 2000.0, 1.2
    cg, inertia = _one_tank(np.array([8000.0, 4000.0]))
    for i, (mp, height) in enumerate([(8000.0, 10.0), (4000.0, 5.0)]):
        centre = 4.0 + height / 2
        assert cg[i] == pytest.approx(mp * centre / (md + mp))
        own = mp * (3 * r**2 + height**2) / 12
        assert inertia[i, 1] == pytest.approx(own + md * mp / (md + mp) * centre**2)
        assert inertia[i, 0] == pytest.approx(mp * r**2 / 2)
        assert inertia[i, 2] == inertia[i, 1]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0.05, 1.0),  # share weight
            st.floats(-2.0, 30.0),  # bottom
            st.floats(0.0, 10.0),  # length
            st.floats(0.0, 2.0),  # radius
            st.booleans(),  # shell
        ),
        min_size=1,
        max_size=6,
    ),
    st.floats(0.0, 1.0),
)
def test_inertia_about_the_cg_is_the_least_about_any_station(parts: list, fill: float) -> None:
    """Steiner: the pitch inertia about the centre of mass equals the inertia about station 0
    less M x_cg^2 (computed here piece by piece, independently of the module)."""
    total = sum(p[0] for p in parts)
    dry = _dry(
        [
            dict(
                mass_share=w / total,
                bottom_station_m=b,
                top_station_m=b + length,
                radius_m=r,
                shape="shell" if shell else "solid",
            )
            for w, b, length, r, shell in parts
        ]
    )
    if abs(sum(p.mass_share for p in dry.parts) - 1.0) > 1e-9:
        return
    m = 5000.0
    cg, ix, iy = dry_mass_properties(dry, m)
    about_zero = 0.0
    for p in dry.parts:
        mi, length, r = p.mass_share * m, p.top_station_m - p.bottom_station_m, p.radius_m
        own = mi * ((6 if p.shape == "shell" else 3) * r**2 + length**2) / 12
        about_zero += own + mi * (0.5 * (p.bottom_station_m + p.top_station_m)) ** 2
    assert iy == pytest.approx(about_zero - m * cg**2, rel=1e-9, abs=1e-6)
    assert iy >= -1e-9 and ix <= 2 * iy + 1e-6


def test_the_liquid_column_falls_as_the_tank_drains() -> None:
    """Settled aft: with p aboard the column is p / (rho pi r^2) high, rho = load / volume,
    so the liquid's own centre sinks towards the tank's bottom as it drains."""
    load, r, length = 8000.0, 1.2, 10.0
    rho = load / (math.pi * r**2 * length)
    props = np.linspace(0.0, load, 9)[1:]
    cg, _ = _one_tank(props, dry_kg=1e-9)  # the liquid alone
    height = props / (rho * math.pi * r**2)
    assert cg == pytest.approx(4.0 + height / 2)


# --- the built-in vehicles ------------------------------------------------------------------


@pytest.fixture(scope="module", params=BUILTINS)
def built(request: pytest.FixtureRequest) -> tuple[Any, Any]:
    vehicle = load_vehicle(request.param)
    return vehicle, sixdof_params(vehicle)


def test_arrays_have_their_shapes_and_types(built: tuple[Any, Any]) -> None:
    vehicle, p = built
    stage = vehicle.booster
    n = p.mp_propellant_kg.shape[0]
    assert p.mp_cg_station_m.shape == (n,) and p.mp_inertia_kgm2.shape == (n, 3)
    assert p.engine_position_m.shape == p.engine_axis.shape == (stage.engine_count, 3)
    m, a = p.aero_mach.shape[0], p.aero_alpha_rad.shape[0]
    for table in (p.aero_axial, p.aero_normal, p.aero_cp_station_m):
        assert table.shape == (m, a)
    assert p.aero_pitch_damping.shape == (m,)
    f = stage.grid_fins.count
    assert p.fin_azimuth_rad.shape == (f,)
    assert p.fin_force.shape == (p.fin_mach.shape[0], p.fin_deflection_rad.shape[0])
    assert p.rcs_position_m.shape == p.rcs_direction.shape == (6, 3)
    for name, value in vars(p).items():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float64 and value.flags.c_contiguous, name
            assert np.all(np.isfinite(value)), name


def test_mass_properties_are_physical_and_move_as_the_tanks_drain(built: tuple[Any, Any]) -> None:
    vehicle, p = built
    stage, rigid = vehicle.booster, vehicle.booster.rigid_body
    assert p.mp_propellant_kg[0] == 0.0
    assert p.mp_propellant_kg[-1] == pytest.approx(stage.propellant_mass_kg)
    base, top = rigid.base_station_m, rigid.base_station_m + stage.length_m
    assert np.all((p.mp_cg_station_m > base) & (p.mp_cg_station_m < top))
    roll, pitch = p.mp_inertia_kgm2[:, 0], p.mp_inertia_kgm2[:, 1]
    assert np.all(roll > 0) and np.all(roll <= 2 * pitch)
    assert np.array_equal(p.mp_inertia_kgm2[:, 1], p.mp_inertia_kgm2[:, 2])
    assert np.all(np.diff(roll) > 0)  # each kilogram of liquid adds m r^2 / 2
    assert pitch[-1] > pitch[len(pitch) // 2] > pitch[0]  # the inertia falls as they drain
    # Full: the centre of mass from the file's numbers, by hand.
    parts = rigid.dry.parts
    moment = sum(
        q.mass_share * stage.dry_mass_kg * (q.bottom_station_m + q.top_station_m) / 2 for q in parts
    )
    moment += sum(
        t.share * stage.propellant_mass_kg * (t.bottom_station_m + t.top_station_m) / 2
        for t in rigid.tanks
    )
    assert p.mp_cg_station_m[-1] == pytest.approx(moment / stage.wet_mass_kg)
    assert abs(p.mp_cg_station_m[-1] - p.mp_cg_station_m[0]) > 1.0  # it moves


def test_engines_and_burns(built: tuple[Any, Any]) -> None:
    vehicle, p = built
    stage = vehicle.booster
    rigid = stage.rigid_body
    assert p.engine_position_m[0] == pytest.approx([0, 0, 0])  # the centre engine
    ring = np.hypot(p.engine_position_m[1:, 1], p.engine_position_m[1:, 2])
    assert ring == pytest.approx(np.full(8, rigid.engines.ring_radius_m))
    assert np.abs(p.engine_position_m.sum(axis=0)).max() < 1e-12
    assert np.linalg.norm(p.engine_axis, axis=1) == pytest.approx(np.ones(9))
    for burn, size in [
        ("boostback", stage.recovery.boostback_engines),
        ("entry", stage.recovery.entry_engines),
        ("landing", stage.landing_engines),
    ]:
        lit = burn_engines(stage, burn)
        assert len(lit) == len(set(lit)) == size
        # Symmetric: the lit engines' thrust passes through the axis.
        assert np.abs(p.engine_position_m[lit].sum(axis=0)).max() < 1e-9, burn
    assert list(burn_engines(load_vehicle("falcon9").booster, "entry")) == [0, 1, 5]
    assert list(burn_engines(load_vehicle("falcon9").booster, "landing")) == [0]


def test_canted_engines_lean_their_thrust_towards_the_axis() -> None:
    data = edited(_vehicle_data(), "booster.engine.cant_deg", 10.0)
    pos, axis = engine_geometry(vehicle_from_dict(data).booster)
    radial = np.einsum("ij,ij->i", pos[1:, 1:], axis[1:, 1:])
    assert np.all(radial < 0)
    assert axis[:, 0] == pytest.approx(np.full(9, math.cos(math.radians(10.0))))


def test_fins_thrusters_and_legs(built: tuple[Any, Any]) -> None:
    vehicle, p = built
    stage = vehicle.booster
    assert np.diff(p.fin_azimuth_rad) == pytest.approx(np.full(3, math.pi / 2))
    assert p.fin_force[:, ::-1] == pytest.approx(-p.fin_force)  # odd in the deflection
    assert p.fin_deflection_rad[-1] == pytest.approx(p.fin_max_rad)
    assert p.fin_force[:, -1] == pytest.approx(stage.grid_fins.normal_force_coeff)
    assert p.fin_axial == pytest.approx(stage.grid_fins.drag_coeff)
    assert p.fin_area_m2 == stage.grid_fins.area_m2 and p.fin_span_radius_m > stage.diameter_m / 2
    assert np.linalg.norm(p.rcs_direction, axis=1) == pytest.approx(np.ones(6))
    assert np.allclose(p.rcs_direction[:, 0], 0.0)  # lateral thrusters: torques, not axial thrust
    assert p.leg_count == stage.legs.count
    assert p.leg_footprint_radius_m == pytest.approx(stage.legs.span_m / 2)
    assert p.leg_station_m < stage.rigid_body.base_station_m
    assert p.ref_area_m2 == pytest.approx(stage.area_m2) and p.ref_length_m == stage.length_m
    assert p.dry_mass_kg == stage.dry_mass_kg


def test_body_aero_agrees_with_the_drag_tables(built: tuple[Any, Any]) -> None:
    """Engines first (alpha = pi) the axial force is the 3-DoF drag; nose first the ascent's."""
    vehicle, p = built
    stage = vehicle.booster
    mach, cd = stage.cd_table
    rows = np.searchsorted(p.aero_mach, mach)
    assert p.aero_mach[rows] == pytest.approx(mach)
    assert p.aero_axial[rows, -1] == pytest.approx(-cd)
    up = np.asarray(vehicle.ascent.cd_mach)
    rows = np.searchsorted(p.aero_mach, up[:, 0])
    assert p.aero_axial[rows, 0] == pytest.approx(up[:, 1])
    assert np.all(p.aero_normal >= 0) and np.all(p.aero_normal[:, [0, -1]] < 1e-12)
    top = stage.rigid_body.base_station_m + stage.length_m
    assert np.all(
        (p.aero_cp_station_m >= stage.rigid_body.base_station_m) & (p.aero_cp_station_m <= top)
    )
    assert np.all(p.aero_pitch_damping < 0)


# --- the aerodynamic estimate ---------------------------------------------------------------

CD_DOWN = (np.array([0.0, 1.0, 3.0]), np.array([0.75, 0.8, 1.2]))


def test_slender_body_with_a_pointed_nose_has_the_slender_body_slope() -> None:
    """Slender-body theory (Munk; Nielsen, 'Missile Aerodynamics', ch. 3): dC_N/dalpha = 2 per
    rad on the base area, acting at l - V / S_b from the tip: 2/3 of a cone's length."""
    length, d, nose = 20.0, 1.0, 3.0
    alpha = np.array([0.0, 1e-6, math.pi / 4, math.pi / 2, math.pi])
    est = estimate_body_aero(
        length, d, 0.0, CD_DOWN, top_area_ratio=0.0, nose_length_m=nose, alpha_rad=alpha
    )
    for row in range(est.mach.shape[0]):
        assert est.normal[row, 1] / 1e-6 == pytest.approx(2.0, rel=1e-4)
        assert est.cp_station_m[row, 1] == pytest.approx(length - 2 * nose / 3, rel=1e-3)
        assert est.cp_station_m[row, 0] == pytest.approx(length - 2 * nose / 3, rel=1e-3)


def test_an_open_cylinder_is_all_crossflow_and_symmetric_fore_and_aft() -> None:
    """Both ends the full cross-section: no slender-body force, so C_N starts quadratically;
    a body alike at both ends has the same normal force at alpha and pi - alpha, acting at its
    middle; broadside, the crossflow of Jorgensen's method."""
    length, d = 40.0, 4.0
    alpha = np.radians(np.arange(0.0, 181.0, 15.0))
    est = estimate_body_aero(length, d, -2.0, CD_DOWN, alpha_rad=alpha)
    assert est.normal == pytest.approx(est.normal[:, ::-1])
    assert est.cp_station_m == pytest.approx(np.full_like(est.cp_station_m, -2.0 + length / 2))
    small = estimate_body_aero(length, d, 0.0, CD_DOWN, alpha_rad=np.array([0.0, 1e-3, 2e-3]))
    assert small.normal[0, 2] / small.normal[0, 1] == pytest.approx(4.0, rel=1e-5)  # quadratic
    broadside = est.normal[0, 6]
    assert broadside == pytest.approx(
        crossflow_eta(10.0) * crossflow_cd(0.0) * 4 * length / (math.pi * d)
    )
    assert 0.65 < crossflow_eta(10.0) < 0.72  # Jorgensen's figure at L/d = 10: ~0.68


def test_axial_force_follows_cos_squared_between_the_tables() -> None:
    up = (np.array([0.0, 3.0]), np.array([0.3, 0.3]))
    alpha = np.radians([0.0, 60.0, 90.0, 120.0, 180.0])
    est = estimate_body_aero(40.0, 4.0, 0.0, CD_DOWN, up, alpha_rad=alpha)
    row = int(np.searchsorted(est.mach, 1.0))
    assert est.axial[row] == pytest.approx([0.3, 0.075, 0.0, -0.2, -0.8], abs=1e-12)
    # Without a nose-first table the engines-first one stands in.
    est = estimate_body_aero(40.0, 4.0, 0.0, CD_DOWN, None, alpha_rad=alpha)
    assert est.axial[row, 0] == pytest.approx(0.8)


def test_a_larger_reference_area_scales_the_normal_force_down() -> None:
    d = 4.0
    own = estimate_body_aero(40.0, d, 0.0, CD_DOWN)
    twice = estimate_body_aero(40.0, d, 0.0, CD_DOWN, ref_area_m2=2 * math.pi * d**2 / 4)
    assert twice.normal == pytest.approx(own.normal / 2)


def test_the_example_in_the_docs_loads_on_falcon_9() -> None:
    text = (ROOT / "docs" / "vehicles.md").read_text()
    block = next(b for b in re.findall(r"```toml\n(.*?)```", text, flags=re.S) if RB in b)
    data = _vehicle_data()
    data["booster"]["rigid_body"] = tomllib.loads(block)["booster"]["rigid_body"]
    params = sixdof_params(vehicle_from_dict(data, "docs/vehicles.md"))
    assert params.rcs_position_m.shape == (6, 3) and params.leg_count == 4
