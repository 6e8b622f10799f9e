"""The 6-DoF report: attitude angles against attitudes built independently, every plotted
series against the record it came from, the stage drawn where the plant puts its feet, the PNGs
and the report section there for a rigid record only, and the section drawn in a real browser.

The closed loop need not land for any of this: a 6-DoF landing's record is complete whatever
its outcome, and nothing here reads the outcome.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation

from boostback.config import load_landing
from boostback.config.vocab import EventName, Frame
from boostback.dynamics.rigid_body import quat_between, quat_from_axis_angle, quat_multiply
from boostback.environment.earth import WGS84Earth
from boostback.environment.frames import SITES, enu_to_ecef, enu_to_ecef_velocity
from boostback.gnc.record import Event, Trajectory
from boostback.gnc.rigid_record import RigidRecord
from boostback.mission.landing import fly_landing
from boostback.plant.legs import feet_body
from boostback.plant.setup import landing_setup
from boostback.report import save_landing_plots, write_flight_report
from boostback.report.html import render_flight_report
from boostback.report.rigid_figures import (
    MAX_DRAWN,
    RIGID_FIGURES,
    actuators_figure,
    attitude_figure,
    closeup_start_s,
    draw_times,
    rigid_blocks,
    stage_segments,
    vehicle_3d,
)
from boostback.report.rigid_plots import (
    AZIMUTH_MIN_TILT_DEG,
    RIGID_PNGS,
    StageShape,
    actuator_histories,
    attitude_angles,
    attitude_histories,
    break_wraps,
    fired_engines,
    local_body_axes,
    save_rigid_plots,
)

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-angle=swiftshader",  # software WebGL, so the 3-D plots render without a GPU
    "--enable-unsafe-swiftshader",
]
UP = (0.0, 0.0, 1.0)


def built_attitude(tilt_deg: float, azimuth_deg: float, roll_deg: float) -> np.ndarray:
    """A quaternion made from its parts: stood up (``quat_between(x_body, up)``, roll zero by
    the module's definition), twisted about x_body by the roll, then leaned by the tilt towards
    the azimuth (a turn about ``up x lean``)."""
    stand = quat_between((1.0, 0.0, 0.0), UP)
    twist = quat_from_axis_angle((1.0, 0.0, 0.0), math.radians(roll_deg))
    b = math.radians(azimuth_deg)
    lean_axis = (-math.cos(b), math.sin(b), 0.0)  # up x (sin b, cos b, 0)
    swing = quat_from_axis_angle(lean_axis, math.radians(tilt_deg))
    return np.array(quat_multiply(swing, quat_multiply(stand, twist)))


def rigid_trajectory(
    quaternion: np.ndarray,
    *,
    frame: Frame = Frame.ENU,
    r_m: np.ndarray | None = None,
    earth: Any = None,
    k: int = 3,
) -> Trajectory:
    """A record around a quaternion history: engine 0 fires, engine 1 fires then goes out at
    mid-record, engine 2 never lights; two fins, four thrusters, rates and alpha as ramps."""
    n = len(quaternion)
    t = np.linspace(0.0, 10.0, n)
    thr = np.zeros((n, k))
    thr[:, 0] = 0.7
    thr[: n // 2, 1] = 0.7
    gimbal = np.zeros((n, k, 2))
    gimbal[:, 0, 0], gimbal[:, 0, 1] = 0.05 * np.sin(t), -0.03 * np.cos(t)
    gimbal[: n // 2, 1, 0] = 0.02
    rigid = RigidRecord(
        quaternion=quaternion,
        rates_rps=np.column_stack((0.01 * t, np.sin(t), -np.cos(t))),
        alpha_rad=np.linspace(math.pi, 2.5, n),
        engine_throttle=thr,
        gimbal_rad=gimbal,
        fins_rad=np.column_stack((0.1 * np.sin(t), -0.2 * np.sin(t))),
        rcs_duty=(np.arange(n)[:, None] % (np.arange(4) + 2) == 0).astype(float),
    )
    r = r_m if r_m is not None else np.column_stack((t, -t, 1000.0 - 90.0 * t))
    return Trajectory(
        frame=frame,
        t_s=t,
        r_m=r,
        v_mps=np.gradient(r, t, axis=0),
        mass_kg=np.linspace(30e3, 28e3, n),
        throttle=thr.sum(axis=1) / k,
        thrust_n=thr.sum(axis=1) * 8e5,
        thrust_dir=rigid.axis,
        mach=np.full(n, 0.3),
        qbar_pa=np.full(n, 1e4),
        phase=np.array(["landing_burn"] * n, dtype=object),
        events=[Event("ignition", 0.0, float(r[0, 2]), 90.0, 2e3)],
        earth=earth,
        rigid=rigid,
    )


@pytest.fixture(scope="module")
def falcon9() -> tuple[Any, Any]:
    return load_landing("falcon9_landing")


@pytest.fixture(scope="module")
def landing6(falcon9: tuple[Any, Any]) -> Any:
    """A 6-DoF Falcon 9 landing burn, whatever its outcome."""
    sc, veh = falcon9
    sc = sc.model_copy(update={"sim": sc.sim.model_copy(update={"dof": 6})})
    return fly_landing(landing_setup(veh, sc))


@pytest.fixture(scope="module")
def landing3(falcon9: tuple[Any, Any]) -> Any:
    sc, veh = falcon9
    return fly_landing(landing_setup(veh, sc))


@pytest.fixture(scope="module")
def shape(falcon9: tuple[Any, Any]) -> StageShape:
    s = StageShape.from_vehicle(falcon9[1])
    assert s is not None
    return s


# ----------------------------------------------------------------------------- the angles


@given(
    tilt=st.floats(0.5, 170.0),
    azimuth=st.floats(0.0, 359.9),
    roll=st.floats(-179.0, 179.0),
)
def test_attitude_angles_recover_an_attitude_built_from_them(
    tilt: float, azimuth: float, roll: float
) -> None:
    traj = rigid_trajectory(np.array([built_attitude(tilt, azimuth, roll)] * 4))
    ang = attitude_angles(traj)
    np.testing.assert_allclose(ang.tilt_deg, tilt, atol=1e-9)
    turn = (ang.azimuth_deg - azimuth + 180.0) % 360.0 - 180.0
    np.testing.assert_allclose(turn, 0.0, atol=1e-7)
    spin = (ang.roll_deg - roll + 180.0) % 360.0 - 180.0
    np.testing.assert_allclose(spin, 0.0, atol=1e-6)


def test_upright_has_no_azimuth_and_upside_down_no_roll() -> None:
    q = np.array([built_attitude(0.0, 0.0, 30.0), built_attitude(180.0, 90.0, 0.0)])
    ang = attitude_angles(rigid_trajectory(q))
    np.testing.assert_allclose(ang.tilt_deg, [0.0, 180.0], atol=1e-9)
    assert math.isnan(ang.azimuth_deg[0]) and ang.azimuth_deg[1] == pytest.approx(90.0)
    assert ang.roll_deg[0] == pytest.approx(30.0) and math.isnan(ang.roll_deg[1])
    small = AZIMUTH_MIN_TILT_DEG * np.array([0.5, 2.0])  # a lean too small to have a direction
    q = np.array([built_attitude(a, 200.0, 0.0) for a in small])
    azimuth = attitude_angles(rigid_trajectory(q)).azimuth_deg
    assert math.isnan(azimuth[0]) and azimuth[1] == pytest.approx(200.0)


def test_an_ecef_record_is_read_in_the_local_vertical() -> None:
    """The same local attitudes at a pad at 28.5 N, 80.5 W, the record kept in ECEF: the angles
    are those of the pad-centred record (the body axes are turned by the ENU -> ECEF rotation of
    each sample)."""
    earth = WGS84Earth()
    lat0, lon0 = math.radians(28.5), math.radians(-80.5)
    q = np.array([built_attitude(5.0 + i, 10.0 * i, -40.0 + 7 * i) for i in range(8)])
    enu = rigid_trajectory(q)
    r_ecef = enu_to_ecef(enu.r_m, earth.geodetic_to_ecef(lat0, lon0, 0.0), lat0, lon0)
    lat, lon, _ = earth.ecef_to_geodetic(r_ecef)
    axes = local_body_axes(enu)
    q_ecef = np.empty_like(q)
    for i in range(len(q)):  # body -> ECEF: the local axes turned into ECEF at this sample
        cols = [enu_to_ecef_velocity(axes[i][:, j], lat[i], lon[i]) for j in range(3)]
        x, y, z, w = Rotation.from_matrix(np.column_stack(cols)).as_quat()
        q_ecef[i] = (w, x, y, z)
    ecef = rigid_trajectory(q_ecef, frame=Frame.ECEF, r_m=r_ecef, earth=earth)
    a, b = attitude_angles(enu), attitude_angles(ecef)
    for name in ("tilt_deg", "azimuth_deg", "roll_deg"):
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), atol=1e-7)


def test_break_wraps_cuts_the_line_only_at_a_wrap() -> None:
    t, y = break_wraps(np.arange(5.0), np.array([350.0, 355.0, 2.0, 8.0, 20.0]))
    assert np.isnan(y[2]) and np.isnan(t[2]) and len(y) == 6
    np.testing.assert_array_equal(y[~np.isnan(y)], [350.0, 355.0, 2.0, 8.0, 20.0])


# -------------------------------------------------------------- plotted values = recorded


def test_the_plotted_attitude_is_the_record(landing6: Any) -> None:
    traj = landing6.trajectory
    rigid = traj.rigid
    fig = attitude_histories(traj)
    tilt, az, rates, alpha = fig.axes[:4]
    want = np.degrees(np.arccos(np.clip(rigid.axis[:, 2], -1.0, 1.0)))
    np.testing.assert_allclose(tilt.lines[0].get_ydata(), want, atol=1e-6)
    np.testing.assert_allclose(tilt.lines[0].get_ydata(), traj.tilt_deg, atol=1e-6)
    for k in range(3):
        np.testing.assert_allclose(rates.lines[k].get_ydata(), np.degrees(rigid.rates_rps[:, k]))
    np.testing.assert_allclose(alpha.lines[0].get_ydata(), np.degrees(rigid.alpha_rad))
    lean = np.degrees(np.arctan2(rigid.axis[:, 0], rigid.axis[:, 1])) % 360.0
    drawn = np.asarray(az.lines[0].get_ydata(), float)
    drawn = drawn[~np.isnan(np.asarray(az.lines[0].get_xdata(), float))]  # the wrap gaps out
    shown = np.isfinite(drawn)
    upright = traj.tilt_deg < AZIMUTH_MIN_TILT_DEG  # the lean has no direction there
    np.testing.assert_array_equal(shown, ~upright)
    np.testing.assert_allclose(drawn[shown], lean[shown], atol=1e-6)


def test_the_plotted_actuators_are_the_record(landing6: Any, shape: StageShape) -> None:
    traj = landing6.trajectory
    rigid = traj.rigid
    fired = fired_engines(rigid)
    assert fired and all(rigid.engine_throttle[:, e].max() > 0 for e in fired)
    fig = actuator_histories(traj, shape=shape)
    thr, gim, fins, rcs = fig.axes[:4]
    engines = [ln for ln in thr.lines if not ln.get_label().startswith("_")]  # events: "_child"
    assert [ln.get_label() for ln in engines] == [f"engine {e}" for e in fired]
    for ln, e in zip(engines, fired, strict=True):
        np.testing.assert_array_equal(ln.get_ydata(), rigid.engine_throttle[:, e])
    engine_lines = [ln for ln in gim.lines if ln.get_label().startswith("engine")]
    assert len(engine_lines) == 2 * len(fired)
    for m, ln in enumerate(engine_lines):
        want = np.degrees(rigid.gimbal_rad[:, fired[m // 2], m % 2])
        np.testing.assert_allclose(ln.get_ydata(), want)
    fin_lines = [ln for ln in fins.lines if ln.get_label().startswith("fin")]
    for f, ln in enumerate(fin_lines):
        np.testing.assert_allclose(ln.get_ydata(), np.degrees(rigid.fins_rad[:, f]))
    limits = {ln.get_label() for ln in gim.lines + fins.lines if "limit" in ln.get_label()}
    assert limits == {"limit ±5°", "limit ±20°"}  # Falcon 9: 5° gimbal, 20° fins in its file
    np.testing.assert_array_equal(
        rcs.collections[0].get_array().reshape(-1), rigid.rcs_duty.T.ravel()
    )


def test_an_engine_out_is_its_own_line_falling_to_zero() -> None:
    q = np.array([built_attitude(3.0, 45.0, 0.0)] * 40)
    traj = rigid_trajectory(q)
    assert fired_engines(traj.rigid) == [0, 1]  # engine 2 never lit: not drawn
    thr = actuator_histories(traj).axes[0]
    out = np.asarray(thr.lines[1].get_ydata())
    assert out[0] == 0.7 and out[-1] == 0.0
    assert "never lit: engine 2" in [t.get_text() for t in thr.texts]


def test_the_plotly_figures_carry_the_record(landing6: Any, shape: StageShape) -> None:
    traj = landing6.trajectory
    rigid = traj.rigid
    att = {tr.name: tr for tr in attitude_figure(traj).data}
    np.testing.assert_allclose(att["tilt"].y, traj.tilt_deg, atol=1e-6)
    np.testing.assert_allclose(att["pitch rate"].y, np.degrees(rigid.rates_rps[:, 1]))
    np.testing.assert_allclose(att["angle of attack"].y, np.degrees(rigid.alpha_rad))
    act = actuators_figure(traj, shape=shape)
    names = [tr.name for tr in act.data]
    fired = fired_engines(rigid)
    assert [n for n in names if n.endswith(("gimbal y", "gimbal z"))] == [
        f"engine {e} gimbal {a}" for e in fired for a in "yz"
    ]
    by_name = {tr.name: tr for tr in act.data}
    np.testing.assert_array_equal(
        by_name[f"engine {fired[0]}"].y, rigid.engine_throttle[:, fired[0]]
    )
    np.testing.assert_array_equal(np.asarray(by_name["thruster duty"].z), rigid.rcs_duty.T)


def test_long_records_are_thinned_in_the_figures() -> None:
    q = np.array([built_attitude(2.0 + 0.001 * i, 0.0, 0.0) for i in range(5000)])
    traj = rigid_trajectory(q)
    fig = attitude_figure(traj, max_points=500)
    tilt = next(tr for tr in fig.data if tr.name == "tilt")
    assert 500 <= len(tilt.y) <= 510
    np.testing.assert_allclose(tilt.y[-1], attitude_angles(traj).tilt_deg[-1])


# ----------------------------------------------------------------------- the stage drawn


def test_the_stage_drawn_has_its_dimensions_on_its_axis(shape: StageShape) -> None:
    q = built_attitude(20.0, 135.0, 10.0)
    traj = rigid_trajectory(np.array([q, q]))
    axes, r = local_body_axes(traj)[0], np.array([5.0, -3.0, 100.0])
    seg = stage_segments(shape, axes, r, throttle=0.75)
    body = seg["top"] - seg["base"]
    assert np.linalg.norm(body) == pytest.approx(shape.length_m)
    np.testing.assert_allclose(body / shape.length_m, traj.rigid.axis[0], atol=1e-12)
    np.testing.assert_allclose(seg["feet"].mean(axis=0), r, atol=1e-9)  # r: the feet's centre
    off_axis = (seg["feet"] - r) - np.outer((seg["feet"] - r) @ axes[:, 0], axes[:, 0])
    np.testing.assert_allclose(np.linalg.norm(off_axis, axis=1), shape.leg_radius_m)
    flame = seg["flame"][1] - seg["flame"][0]
    np.testing.assert_allclose(flame, -0.75 * shape.length_m / 3.0 * axes[:, 0], atol=1e-9)
    # the feet where the plant's legs put them (plant.legs.feet_body, about the feet's station)
    plant_feet = feet_body(shape.leg_count, shape.leg_radius_m, shape.ref_station_m, 0.0)
    want = r + (plant_feet - [shape.ref_station_m, 0.0, 0.0]) @ axes.T
    np.testing.assert_allclose(seg["feet"], want, atol=1e-9)


def test_draw_times_are_evenly_spaced_and_end_at_the_end() -> None:
    t = np.linspace(0.0, 24.37, 1219)
    idx, step = draw_times(t)
    assert step == 2.0 and idx[-1] == len(t) - 1 and len(idx) <= MAX_DRAWN
    np.testing.assert_allclose(t[idx[:-1]], 2.0 * np.arange(len(idx) - 1), atol=0.02)
    idx, step = draw_times(t, every_s=5.0)
    assert step == 5.0 and list(np.round(t[idx])) == [0.0, 5.0, 10.0, 15.0, 20.0, 24.0]


def test_the_3d_figure_is_to_scale_and_draws_the_last_attitude(
    landing6: Any, shape: StageShape
) -> None:
    traj = landing6.trajectory
    fig = vehicle_3d(traj, shape=shape)
    scene = fig.layout.scene
    spans = [np.ptp(getattr(scene, a).range) for a in ("xaxis", "yaxis", "zaxis")]
    ratio = [getattr(scene.aspectratio, a) for a in "xyz"]
    np.testing.assert_allclose(np.array(spans) / np.array(ratio), spans[2] / ratio[2])  # equal
    axis = next(tr for tr in fig.data if tr.name == "stage axis")
    z = np.array([v for v in axis.z if v is not None]).reshape(-1, 2)
    last = stage_segments(shape, local_body_axes(traj)[-1], traj.r_enu_m[-1])
    np.testing.assert_allclose(z[-1], [last["base"][2], last["top"][2]])
    if traj.event(EventName.TOUCHDOWN) is not None:  # on the ground: the lowest foot drawn there
        assert abs(last["feet"][:, 2].min()) < 0.05
    end = vehicle_3d(traj, shape=shape, since_s=closeup_start_s(traj, shape))
    path_z = np.concatenate([tr.z for tr in end.data if tr.name in ("landing burn", "touchdown")])
    high = 12.0 * shape.length_m  # from the last sample above twelve stage lengths
    assert path_z[0] > high and (path_z[1:] <= high).all()


# ---------------------------------------------------------- files and the report section


def test_pngs_for_a_rigid_record_only(
    landing6: Any, landing3: Any, falcon9: tuple[Any, Any], tmp_path: Path
) -> None:
    from PIL import Image

    veh = falcon9[1]
    six = [p.name for p in save_landing_plots(landing6, veh, tmp_path / "six")]
    assert six == ["time_histories.png", "trajectory.png", *RIGID_PNGS]
    for name in RIGID_PNGS:
        with Image.open(tmp_path / "six" / name) as im:
            assert im.size == (1200, 1200)
            assert len(im.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 50
    three = [p.name for p in save_landing_plots(landing3, veh, tmp_path / "three")]
    assert three == ["time_histories.png", "trajectory.png"]
    assert save_rigid_plots(landing3.trajectory, tmp_path / "none") == []
    assert not (tmp_path / "none").exists()


def test_the_report_section_for_a_rigid_record_only(
    landing6: Any, landing3: Any, falcon9: tuple[Any, Any], tmp_path: Path
) -> None:
    assert rigid_blocks(landing3.trajectory) == []
    html3 = write_flight_report(landing3, falcon9[1], tmp_path / "three", png=False).read_text()
    assert 'id="rigid"' not in html3 and "rigid-" not in html3 and "Rigid body" not in html3
    html6 = write_flight_report(landing6, falcon9[1], tmp_path / "six", png=False).read_text()
    assert 'id="rigid"' in html6 and 'href="#rigid"' in html6
    for fig_id in RIGID_FIGURES:
        assert f'id="{fig_id}"' in html6 and f'id="{fig_id}-spec"' in html6
    # the generic renderer takes the record alone: no vehicle, the stage as a plain line
    bare = render_flight_report(landing6.trajectory, tmp_path / "bare" / "report.html")
    assert 'id="rigid-3d"' in bare.read_text()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} missing: run scripts/ensure-chromium.sh (needs root and apt-get)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield b
        b.close()


JS_PLOTS = """() => Array.from(document.querySelectorAll('div.plot')).map(el => ({
    id: el.id, kind: el.dataset.kind, declared: Number(el.dataset.traces),
    traces: (el._fullData || []).length,
    drawn: el.querySelectorAll('.scatterlayer .trace, .heatmaplayer .hm').length,
    canvas: Array.from(el.querySelectorAll('.gl-container canvas'))
        .filter(c => c.width > 0 && c.height > 0).length,
    legend: Array.from(el.querySelectorAll('.legend .legendtext')).map(t => t.textContent),
}))"""


def _colours(png: bytes) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return len(im.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def test_the_rigid_section_renders_in_chromium(
    browser: Any, landing6: Any, falcon9: tuple[Any, Any], tmp_path: Path
) -> None:
    """The 6-DoF report, network blocked: every rigid-body plot drawn (the 3-D ones on a live
    WebGL canvas with a picture on it), its legends there, no error in the console."""
    path = write_flight_report(landing6, falcon9[1], tmp_path, png=False, site=SITES["lz1"])
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def only_local(route: Any) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    try:
        page.goto(path.resolve().as_uri())
        page.wait_for_function("document.body.dataset.plotsReady === '9'", timeout=60_000)
        plots = {p["id"]: p for p in page.evaluate(JS_PLOTS)}
        assert set(RIGID_FIGURES) <= set(plots)
        for fig_id in RIGID_FIGURES:
            p = plots[fig_id]
            assert p["traces"] == p["declared"] >= 4, p
            if fig_id.startswith("rigid-3d"):
                assert p["kind"] == "3d" and p["canvas"] >= 1, p
                assert _colours(page.locator(f"#{fig_id}").screenshot()) > 50
                assert {"stage (to scale)", "legs", "stage axis"} <= set(p["legend"]), p
            else:
                assert p["drawn"] >= p["declared"] - 2, p  # the limit lines may be one trace
        assert page.locator("section#rigid h2").inner_text() == "Rigid body"
        shot = tmp_path / "rigid-screenshot.png"
        page.locator("section#rigid").screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
        assert errors == [], errors
        assert outside == [], outside
    finally:
        page.close()
