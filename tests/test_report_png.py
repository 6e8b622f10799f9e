"""Static PNGs beside the HTML reports: written, non-empty, real PNGs of the expected pixel size."""

from __future__ import annotations

import struct
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from boostback.campaign.stats import summarize
from boostback.config.vocab import Phase
from boostback.environment.frames import SITES
from boostback.gnc.record import Event, Trajectory
from boostback.report import write_flight_report
from boostback.report.campaign_plots import DPI, SIZES, save_campaign_plots
from boostback.report.flight_plots import flight_figure
from boostback.report.html import PLOTLY_FILE
from boostback.report.map import MAP_PNG, PNG_SIZE_IN
from boostback.report.map import PNG_DPI as MAP_DPI
from boostback.report.palette import FAILED_COLOUR, LANDED_COLOUR, PHASE_COLOURS
from boostback.report.plots import DPI as FLIGHT_DPI
from boostback.report.plots import trajectory_views

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from the IHDR chunk, after checking the PNG signature."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE and head[12:16] == b"IHDR", path
    return struct.unpack(">II", head[16:24])


def campaign_frame(n: int = 200, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    vz = np.abs(rng.normal(1.5, 1.0, n))
    east, north = rng.normal(0.0, 2.0, n), rng.normal(0.0, 1.0, n)
    outcome = np.where(vz > 10, "crashed", np.where(vz > 2, "hard_landing", "landed"))
    return pd.DataFrame(
        {
            "run": np.arange(n),
            "input:initial.altitude_m": rng.normal(3000.0, 100.0, n) + 50.0 * vz,
            "outcome": outcome,
            "touchdown_vertical_speed_mps": vz,
            "touchdown_lateral_speed_mps": np.abs(rng.normal(0.2, 0.1, n)),
            "miss_distance_m": np.hypot(east, north),
            "propellant_left_kg": rng.normal(4500.0, 300.0, n),
            "touchdown_east_m": east,
            "touchdown_north_m": north,
            "error": "",
        }
    )


def test_campaign_pngs_have_the_expected_size(tmp_path: Path) -> None:
    frame = campaign_frame()
    summary = summarize(frame)
    limits = {"max_vertical_speed_mps": 2.0, "max_miss_m": 10.0}
    paths = save_campaign_plots(frame, summary, tmp_path / "png", pad_radius_m=10.0, limits=limits)
    assert sorted(p.name for p in paths) == sorted(SIZES)
    for path in paths:
        w_in, h_in = SIZES[path.name]
        assert path.stat().st_size > 10_000, path
        assert png_size(path) == (round(w_in * DPI), round(h_in * DPI)), path


def test_campaign_pngs_survive_an_all_landed_campaign(tmp_path: Path) -> None:
    frame = campaign_frame()
    frame["outcome"] = "landed"  # nothing failed: no sensitivity ranking, no failed histogram
    paths = save_campaign_plots(frame, summarize(frame), tmp_path)
    assert all(p.stat().st_size > 5_000 for p in paths)


@pytest.mark.parametrize("runs", [1, 2])
def test_campaign_pngs_of_too_few_runs_for_an_ellipse_warn_nothing(
    tmp_path: Path, runs: int
) -> None:
    """One or two runs have no dispersion ellipse: the zoom panel has nothing to put in a
    legend, and says nothing about it (matplotlib warned 'No artists with labels')."""
    frame = campaign_frame(runs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = save_campaign_plots(frame, summarize(frame), tmp_path, pad_radius_m=10.0)
    assert sorted(p.name for p in paths) == sorted(SIZES)


def _result() -> tuple[SimpleNamespace, SimpleNamespace]:
    n, dry = 300, 25_000.0
    t = np.linspace(0.0, 20.0, n)
    s = 1.0 - t / 20.0
    start = np.array([300.0, -100.0, 2000.0])
    lit = t >= 8.0
    mass = dry + 8_000.0 - np.where(lit, 300.0 * (t - 8.0), 0.0)
    phase = np.where(lit, "landing_burn", "coast").astype(object)
    v = -2.0 * start * s[:, None] / 20.0
    traj = Trajectory.enu(
        t_s=t,
        r_enu_m=start * s[:, None] ** 2,
        v_enu_mps=v,
        mass_kg=mass,
        throttle=np.where(lit, 0.8, 0.0),
        thrust_dir_enu=np.tile([0.0, 0.0, 1.0], (n, 1)),
        thrust_n=np.where(lit, 6e5, 0.0),
        mach=np.linalg.norm(v, axis=1) / 340.0,
        qbar_pa=0.6 * np.linalg.norm(v, axis=1) ** 2,
        phase=phase,
        events=[
            Event(name, float(t[i]), 2000.0 * s[i] ** 2, 1.0, float(mass[i] - dry))
            for name, i in (("start", 0), ("ignition", int(np.argmax(lit))), ("touchdown", n - 1))
        ],
    )
    result = SimpleNamespace(
        trajectory=traj,
        first_plan=None,
        outcome=SimpleNamespace(value="landed"),
        touchdown=None,
        summary=lambda: {"outcome": "landed", "miss_distance_m": 0.0},
    )
    booster = SimpleNamespace(
        landing=SimpleNamespace(glide_slope_deg=5.0), limits=SimpleNamespace(max_miss_m=10.0)
    )
    return result, SimpleNamespace(name="synthetic booster", booster=booster)


@pytest.mark.parametrize("png", [True, False])
def test_flight_report_writes_the_pngs_beside_it(tmp_path: Path, png: bool) -> None:
    result, vehicle = _result()
    html = write_flight_report(result, vehicle, tmp_path, png=png, site=SITES["lz4"])
    assert html == tmp_path / "report.html" and 50_000 < html.stat().st_size < 1_000_000
    assert (tmp_path / PLOTLY_FILE).stat().st_size > 1_000_000  # plotly.js beside it, once
    expected = {
        "time_histories.png": (10 * FLIGHT_DPI, 10 * FLIGHT_DPI),
        "trajectory.png": (12 * FLIGHT_DPI, 6 * FLIGHT_DPI),
        MAP_PNG: tuple(round(d * MAP_DPI) for d in PNG_SIZE_IN),
    }
    for name, size in expected.items():
        path = tmp_path / name
        assert path.exists() == png
        if png:
            assert path.stat().st_size > 10_000
            assert png_size(path) == size
            assert f'href="{name}"' in html.read_text(encoding="utf-8")
    assert (tmp_path / "trajectory.kml").is_file()  # the KML is written either way


def _lines_by_colour(ax: Any) -> set[str]:
    return {to_hex(line.get_color()) for line in ax.get_lines()}


def test_three_burns_are_three_colours_in_the_flight_png() -> None:
    """The throttle panel is coloured by phase: boostback, entry and landing burns differ."""
    n = 400
    t = np.linspace(0.0, 400.0, n)
    phase = np.select(
        [t < 150, t < 200, t < 300, t < 320, t < 380],
        ["ascent", "boostback", "coast", "entry_burn", "aero_descent"],
        "landing_burn",
    ).astype(object)
    cols = {
        "t_s": t,
        "phase": phase,
        "altitude_m": 1e3 * np.sin(np.pi * t / 400.0),
        "downrange_m": t * 100.0,
        "speed_mps": t,
        "qbar_pa": t,
        "mass_kg": 5e5 - t,
        "throttle": np.where(phase == "coast", 0.0, 0.8),
        "engines": np.where(phase == "coast", 0.0, 3.0),
    }
    traj = SimpleNamespace(columns=lambda: cols, events=[])
    fig = flight_figure(traj, "three burns")  # type: ignore[arg-type]
    throttle_ax = fig.axes[5]
    burns = {Phase.BOOSTBACK, Phase.ENTRY_BURN, Phase.LANDING_BURN}
    colours = {to_hex(PHASE_COLOURS[p]) for p in burns}
    assert len(colours) == 3 and colours <= _lines_by_colour(throttle_ax)


def test_a_crash_is_not_drawn_with_the_touchdown_mark() -> None:
    result, _ = _result()
    fig = trajectory_views(
        result.trajectory, glide_slope_deg=5.0, pad_radius_m=10.0, outcome="crashed"
    )
    ends = [line for ax in fig.axes for line in ax.get_lines() if line.get_label() == "crashed"]
    assert ends and all(to_hex(e.get_color()) == to_hex(FAILED_COLOUR) for e in ends)
    assert all(e.get_marker() == "X" for e in ends)
    landed = trajectory_views(result.trajectory, glide_slope_deg=5.0, outcome="landed")
    marks = [ln for ax in landed.axes for ln in ax.get_lines() if ln.get_label() == "landed"]
    assert marks and all(to_hex(m.get_color()) == to_hex(LANDED_COLOUR) for m in marks)
