"""Review plots: figure structure on a synthetic descent, PNG output, and one real flight."""

from __future__ import annotations

import io
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.figure import Figure

from boostback.gnc.record import Event, Trajectory
from boostback.guidance.plan import LandingPlan, PlanStatus
from boostback.report import save_landing_plots, time_histories, trajectory_views
from boostback.report.plots import DPI, GLIDE_SLOPE_GID, PAD_ZOOM_LABEL

DRY_KG = 25_000.0
T_END_S = 20.0
T_IG_S = 8.0


def synthetic(events: bool = True, lateral: bool = True, n: int = 200) -> Trajectory:
    """A quadratic fall onto the pad: coast until T_IG_S, then a burn that tilts upright."""
    t = np.linspace(0.0, T_END_S, n)
    s = 1.0 - t / T_END_S
    start = np.array([300.0, -120.0, 2000.0]) if lateral else np.array([0.0, 0.0, 2000.0])
    r = start * s[:, None] ** 2
    v = -2.0 * start * s[:, None] / T_END_S
    lit = t >= T_IG_S
    throttle = np.where(lit, 0.8, 0.0)
    tilt = np.where(lit, np.radians(15.0) * s, 0.0)
    direction = np.column_stack([np.sin(tilt), np.zeros(n), np.cos(tilt)])
    mass = DRY_KG + 8_000.0 - np.where(lit, 300.0 * (t - T_IG_S), 0.0)
    phase = np.array(["landing_burn" if b else "coast" for b in lit], dtype=object)
    phase[-1] = "touchdown"
    evs = []
    if events:
        for name, i in (("start", 0), ("ignition", int(np.argmax(lit))), ("touchdown", n - 1)):
            speed = float(np.linalg.norm(v[i]))
            evs.append(Event(name, float(t[i]), float(r[i, 2]), speed, float(mass[i] - DRY_KG)))
    return Trajectory.enu(
        t_s=t,
        r_enu_m=r,
        v_enu_mps=v,
        mass_kg=mass,
        throttle=throttle,
        thrust_dir_enu=direction,
        thrust_n=throttle * 8e5,
        mach=np.linalg.norm(v, axis=1) / 340.0,
        qbar_pa=0.5 * 1.2 * np.linalg.norm(v, axis=1) ** 2,
        phase=phase,
        events=evs,
    )


def plan_for(traj: Trajectory, status: PlanStatus = PlanStatus.OPTIMAL) -> LandingPlan:
    i = int(np.argmax(traj.throttle > 0))
    r = traj.r_enu_m[i:][::10]
    m = traj.mass_kg[i:][::10]
    k = len(r)
    return LandingPlan(
        status=status,
        tf_s=float(traj.t_s[-1] - traj.t_s[i]),
        t_s=np.linspace(0.0, float(traj.t_s[-1] - traj.t_s[i]), k),
        r_enu_m=r * 1.02,
        v_enu_mps=traj.v_enu_mps[i:][::10],
        mass_kg=m,
        accel_enu_mps2=np.tile([0.0, 0.0, 12.0], (k, 1)),
        sigma_mps2=np.full(k, 12.0),
        landing_error_m=0.0,
    )


def cone_lines(fig: Figure) -> list:
    return [ln for ln in fig.axes[0].get_lines() if ln.get_gid() == GLIDE_SLOPE_GID]


def labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def fake_result(traj: Trajectory, plan: LandingPlan | None, landed: bool = True):
    td = SimpleNamespace(
        t_s=T_END_S, vertical_speed_mps=0.9, lateral_speed_mps=0.1, miss_m=1.5, propellant_kg=2e3
    )
    outcome = "landed" if landed else "timeout"
    return SimpleNamespace(
        trajectory=traj, first_plan=plan, outcome=outcome, touchdown=td if landed else None
    )


def fake_vehicle(glide_slope_deg: float | None = 5.0, max_miss_m: float = 10.0):
    landing = None if glide_slope_deg is None else SimpleNamespace(glide_slope_deg=glide_slope_deg)
    limits = SimpleNamespace(max_miss_m=max_miss_m)
    return SimpleNamespace(
        name="Test booster", booster=SimpleNamespace(landing=landing, limits=limits)
    )


def test_time_histories_has_five_shared_panels_with_events_and_powered_shading():
    traj = synthetic()
    fig = time_histories(traj, title="synthetic")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 5
    ax0 = fig.axes[0]
    assert all(ax.get_shared_x_axes().joined(ax0, ax) for ax in fig.axes)
    assert fig.axes[-1].get_xlabel() == "time (s)"
    assert all("(" in ax.get_ylabel() for ax in fig.axes)  # units on every panel
    assert fig.axes[2].get_ylim() == pytest.approx((0.0, 1.05))
    names = {t.get_text().strip() for t in ax0.texts}
    assert names == {"start", "ignition", "touchdown"}
    for ax in fig.axes:  # one dashed line per event on every panel
        dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
        assert sorted(ln.get_xdata()[0] for ln in dashed) == pytest.approx(
            [0.0, traj.t_s[np.argmax(traj.throttle > 0)], T_END_S]
        )
    assert "powered (throttle > 0)" in labels(ax0)
    assert "propellant left" in labels(fig.axes[4])
    prop = next(ln for ln in fig.axes[4].get_lines() if ln.get_label() == "propellant left")
    assert prop.get_ydata()[0] == pytest.approx(8_000.0)
    assert fig.get_suptitle() == "synthetic"


def test_trajectory_views_two_panels_cone_plan_and_markers():
    traj = synthetic()
    fig = trajectory_views(traj, glide_slope_deg=5.0, pad_radius_m=10.0, plan=plan_for(traj))
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2  # the pad zoom is a child (inset) axes of the top view
    side, top = fig.axes
    assert [a.get_label() for a in top.child_axes] == [PAD_ZOOM_LABEL]
    lines = cone_lines(fig)
    assert len(lines) == 2
    for ln in lines:  # from the pad, rising at the glide-slope angle on either side
        (x0, x1), (z0, z1) = ln.get_xdata(), ln.get_ydata()
        assert (x0, z0) == (0.0, 0.0)
        assert np.degrees(np.arctan2(z1, abs(x1))) == pytest.approx(5.0)
    assert {np.sign(ln.get_xdata()[1]) for ln in lines} == {-1.0, 1.0}
    side_labels = labels(side)
    for want in ("below glide slope (infeasible)", "ignition", "touchdown", "flown: coast"):
        assert want in side_labels
    assert any(lab.startswith("first plan") for lab in side_labels)
    assert "flown: landing burn" in side_labels
    assert {"pad (r = 10 m)", "touchdown", "first plan"} <= set(labels(top))
    assert top.get_aspect() == 1.0
    assert top.get_xlabel() == "east (m)" and top.get_ylabel() == "north (m)"
    assert "(m)" in side.get_xlabel() and side.get_ylabel() == "altitude (m)"


@pytest.mark.parametrize("gs", [None, 0.0])
def test_no_cone_without_glide_slope(gs):
    fig = trajectory_views(synthetic(), glide_slope_deg=gs)
    assert cone_lines(fig) == []
    assert "below glide slope (infeasible)" not in labels(fig.axes[0])


def test_infeasible_plan_is_not_drawn():
    traj = synthetic()
    failed = LandingPlan.failed(PlanStatus.INFEASIBLE, "no", 1, 0.0)
    for plan in (failed, plan_for(traj, PlanStatus.INFEASIBLE)):
        fig = trajectory_views(traj, glide_slope_deg=5.0, plan=plan)
        assert not any(lab.startswith("first plan") for lab in labels(fig.axes[0]))


def test_no_events_no_plan_and_no_lateral_motion_still_plot(tmp_path):
    traj = synthetic(events=False, lateral=False)
    fig = time_histories(traj)
    assert len(fig.axes) == 5 and len(fig.axes[0].texts) == 0
    assert "propellant left" not in labels(fig.axes[4])  # no event to derive dry mass from
    fig = trajectory_views(traj, glide_slope_deg=None, plan=None)
    assert len(fig.axes) == 2
    assert "end of record" in labels(fig.axes[0])
    fig.savefig(io.BytesIO(), format="png")  # renders
    paths = save_landing_plots(fake_result(traj, None, landed=False), fake_vehicle(None), tmp_path)
    assert all(p.stat().st_size > 0 for p in paths)


def test_save_landing_plots_writes_two_pngs_of_the_right_size(tmp_path):
    traj = synthetic()
    out = tmp_path / "new" / "dir"
    paths = save_landing_plots(fake_result(traj, plan_for(traj)), fake_vehicle(), out)
    assert [p.name for p in paths] == ["time_histories.png", "trajectory.png"]
    assert all(p.parent == out and p.stat().st_size > 10_000 for p in paths)
    assert png_size(paths[0]) == (10 * DPI, 10 * DPI)
    assert png_size(paths[1]) == (12 * DPI, 6 * DPI)


def test_figures_are_thread_safe_and_headless():
    traj = synthetic()

    def render(gs: float) -> int:
        buf = io.BytesIO()
        trajectory_views(traj, glide_slope_deg=gs, plan=plan_for(traj)).savefig(
            buf, format="png", dpi=40
        )
        time_histories(traj).savefig(buf, format="png", dpi=40)
        return buf.tell()

    with ThreadPoolExecutor(max_workers=2) as pool:
        sizes = list(pool.map(render, [0.0, 5.0]))
    assert all(size > 1_000 for size in sizes)


def test_real_falcon9_flight_saves_plots(tmp_path):
    from boostback.config import load_landing
    from boostback.mission.landing import fly_landing
    from boostback.plant.setup import landing_setup

    scenario, vehicle = load_landing("falcon9_landing")
    result = fly_landing(landing_setup(vehicle, scenario))
    paths = save_landing_plots(result, vehicle, tmp_path)
    assert [p.name for p in paths] == ["time_histories.png", "trajectory.png"]
    assert all(p.is_file() and p.stat().st_size > 10_000 for p in paths)
    assert png_size(paths[1]) == (12 * DPI, 6 * DPI)
