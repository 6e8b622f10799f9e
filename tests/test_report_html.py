"""HTML reports, offline: plotly.js shared beside them (or inlined), and every report kind
(landing, whole flight, campaign, boundary) rendered in a real browser with the network blocked.

The browser tests drive Debian's Chromium (``/usr/bin/chromium``, installed by
``scripts/ensure-chromium.sh``) through Playwright; they never download a browser, and skip with
the reason when Chromium or Playwright is missing. Screenshots go beside each report, and also
to ``$BOOSTBACK_SCREENSHOTS`` when that is set.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from boostback.campaign.campaign import run_campaign
from boostback.campaign.spec import load_campaign
from boostback.campaign.store import write_part
from boostback.cli import app as cli_app
from boostback.cli.report import folder_kind, report, write_report
from boostback.config import load_landing
from boostback.environment.earth import WGS84Earth
from boostback.environment.frames import SITES, enu_to_ecef, enu_to_ecef_velocity
from boostback.mission.landing import fly_landing
from boostback.plant.setup import landing_setup
from boostback.report import write_boundary_report, write_campaign_report, write_flight_report
from boostback.report.figures import time_histories, trajectory_3d
from boostback.report.html import PLOTLY_FILE, PlotlyMode, render_flight_report
from boostback.report.series import flight_series

ROOT = Path(__file__).parents[1]
CHROMIUM = Path("/usr/bin/chromium")
MAX_BYTES = 10 * 1024 * 1024  # an inline report
MAX_SHARED_BYTES = 3 * 1024 * 1024  # a report whose plotly.js lives beside it
FLIGHT_PLOTS = {"trajectory-3d": 4, "time-histories": 7, "event-timeline": 3, "landing-closeup": 6}
MAP_PLOTS = {"ground-track-map": 6} | FLIGHT_PLOTS  # a flight that knows where it is
CAMPAIGN_PLOTS = {
    "landing-probability": 1,
    "touchdown-scatter": 4,
    "outcomes": 1,
    "distributions": 9,
    "sensitivity": 1,
}
BOUNDARY_PLOTS = {"boundary-sweep": 1, "boundary-outcomes": 1}
# legend entries each kind of report must show (its map, its ellipses, its threshold)
LEGENDS = {
    "landing": {"land", "landing zone", "touchdown", "landing burn", "pad (r = 10 m)"},
    "flight": {"land", "launch site", "landing zone", "predicted impact", "touchdown", "ascent"},
    "campaign": {"1σ ellipse", "2σ ellipse", "3σ ellipse", "mean touchdown", "landed"},
    "boundary": {"landing probability, 95 % Wilson interval", "threshold 70 %", "boundary"},
}
BROWSER_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-angle=swiftshader",  # software WebGL, so the 3-D plot renders without a GPU
    "--enable-unsafe-swiftshader",
]
runner = CliRunner()


def synthetic_campaign(n: int = 1000, seed: int = 3) -> pd.DataFrame:
    """A results table shaped like ``load_results`` (no flights flown), mostly landings."""
    rng = np.random.default_rng(seed)
    alt = rng.normal(3000.0, 150.0, n)
    shortfall = rng.random(n) < 0.2
    fraction = np.where(shortfall, rng.uniform(0.0, 0.1, n), np.nan)
    vz = np.abs(rng.normal(1.2, 0.4, n)) + np.where(shortfall, 400.0 * np.nan_to_num(fraction), 0)
    east, north = rng.normal(0.3, 1.5, n), rng.normal(-0.2, 0.6, n)
    miss = np.hypot(east, north)
    outcome = np.where(vz > 10.0, "crashed", np.where(vz > 2.0, "hard_landing", "landed"))
    outcome = np.where((outcome == "landed") & (miss > 4.5), "missed_pad", outcome).astype(object)
    outcome[:3] = "error"
    frame = pd.DataFrame(
        {
            "run": np.arange(n),
            "input:initial.altitude_m": alt,
            "input:environment.wind_enu_mps[0]": rng.uniform(-5.0, 5.0, n),
            "fault0_thrust_shortfall": shortfall.astype(float),
            "fault0_fraction": fraction,
            "outcome": outcome,
            "touchdown_vertical_speed_mps": vz,
            "touchdown_lateral_speed_mps": np.abs(rng.normal(0.2, 0.1, n)),
            "miss_distance_m": miss,
            "propellant_left_kg": rng.normal(4500.0, 400.0, n),
            "touchdown_east_m": east,
            "touchdown_north_m": north,
            "error": np.where(outcome == "error", "RuntimeError: synthetic", ""),
        }
    )
    for col in ("touchdown_vertical_speed_mps", "miss_distance_m", "touchdown_east_m"):
        frame.loc[frame["outcome"] == "error", col] = np.nan
    return frame


def write_campaign_folder(folder: Path, frame: pd.DataFrame, scenario: str) -> Path:
    """A campaign results folder as ``mc run --out`` leaves it, from a table."""
    (folder / "runs").mkdir(parents=True)
    spec = {"name": "synthetic campaign", "scenario": scenario, "seed": 1, "dispersions": []}
    (folder / "campaign.json").write_text(json.dumps({"spec": spec}))
    for part in np.array_split(np.arange(len(frame)), 4):
        write_part(folder, frame.iloc[part].to_dict(orient="records"))
    return folder


@pytest.fixture(scope="module")
def flight_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A landing burn placed at LZ-1, so that it has a map."""
    scenario, vehicle = load_landing("falcon9_landing")
    result = fly_landing(landing_setup(vehicle, scenario))
    return write_flight_report(
        result, vehicle, tmp_path_factory.mktemp("flight"), site=SITES["lz1"]
    )


@pytest.fixture(scope="module")
def whole_flight_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A whole Falcon 9 RTLS flight, as `fly --report` writes it."""
    from boostback.cli.fly import resolve_flight
    from boostback.flight.executive import fly_mission

    scenario, vehicle = resolve_flight("falcon9", "rtls")
    result = fly_mission(scenario, vehicle)
    return write_flight_report(result, vehicle, tmp_path_factory.mktemp("whole"), png=False)


def write_boundary_folder(folder: Path, rates: dict[float, float], n: int = 60) -> Path:
    """An ``mc boundary --out`` folder: one campaign folder per magnitude, landing ``rate``."""
    rng = np.random.default_rng(4)
    for m, rate in rates.items():
        frame = synthetic_campaign(n, seed=int(100 * m) + 1)
        frame["outcome"] = np.where(rng.random(n) < rate, "landed", "crashed").astype(object)
        sub = folder / f"fraction={m:g}"
        write_campaign_folder(sub, frame, "zhuque3_landing")
        spec = json.loads((sub / "campaign.json").read_text())
        spec["spec"]["faults"] = [{"kind": "thrust_shortfall", "params": {"fraction": m}}]
        (sub / "campaign.json").write_text(json.dumps(spec))
    return folder


@pytest.fixture(scope="module")
def boundary_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_boundary_folder(
        tmp_path_factory.mktemp("boundary") / "bnd", {0.0: 0.95, 0.1: 0.9, 0.2: 0.3, 0.3: 0.0}
    )
    return write_boundary_report(folder, threshold=0.7)


@pytest.fixture(scope="module")
def campaign_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec, base = load_campaign(ROOT / "examples" / "falcon9_landing_dispersions.toml")
    out = tmp_path_factory.mktemp("campaign") / "mc"
    run_campaign(spec, out, base_dir=base, runs=4, workers=1)
    return out


@pytest.fixture(scope="module")
def campaign_report(campaign_folder: Path) -> Path:
    out = campaign_folder.parent / "html" / "report.html"
    return write_campaign_report(campaign_folder, out, site=SITES["lz1"])


@pytest.fixture(scope="module")
def big_campaign_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("big") / "mc"
    write_campaign_folder(folder, synthetic_campaign(1000), "falcon9_landing")
    return write_campaign_report(folder, png=False, plotly=PlotlyMode.INLINE)


def _assert_one_offline_file(path: Path) -> str:
    """An inline report: plotly.js embedded exactly once, nothing fetched from anywhere."""
    html = path.read_text(encoding="utf-8")
    assert path.stat().st_size < MAX_BYTES
    assert len(re.findall(r"\* plotly\.js v\d", html)) == 1  # plotly.js embedded exactly once
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)  # no script fetched from anywhere
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?(https?:)?//", html, re.I)
    return html


def _assert_offline(path: Path) -> str:
    """A shared report: small, plotly.js not in it but beside it, and the only script it loads
    is that file, by a relative name (nothing from the network)."""
    html = path.read_text(encoding="utf-8")
    if not re.search(r"<script[^>]*\bsrc\s*=", html, re.I):
        return _assert_one_offline_file(path)
    assert path.stat().st_size < MAX_SHARED_BYTES
    assert not re.findall(r"\* plotly\.js v\d", html)  # not embedded
    assert re.findall(r"<script[^>]*\bsrc\s*=\s*\"([^\"]*)\"", html, re.I) == [PLOTLY_FILE]
    js = path.parent / PLOTLY_FILE
    assert js.is_file() and re.search(r"\* plotly\.js v\d", js.read_text(encoding="utf-8")[:400])
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?(https?:)?//", html, re.I)
    return html


def test_flight_report_is_offline_with_every_plot_and_its_map(flight_report: Path) -> None:
    html = _assert_offline(flight_report)
    manifest = json.loads(re.search(r'id="bb-manifest">(.*?)</script>', html).group(1))
    assert {m["id"] for m in manifest} == set(MAP_PLOTS)
    for m in manifest:
        assert m["traces"] >= MAP_PLOTS[m["id"]], m
    assert "ignition" in html and "Propellant budget" in html
    for name in (
        "time_histories.png",
        "map.png",
        "trajectory.kml",
        "trajectory.czml",
        "map_places.json",
    ):
        assert (flight_report.parent / name).stat().st_size > 0, name
    assert 'href="trajectory.kml"' in html and 'href="map.png"' in html


def test_shared_plotly_is_written_once_per_folder(tmp_path: Path) -> None:
    """Reports in one folder share one plotly.min.js: ~4.8 MB once, not per report."""
    rec = SimpleNamespace(t_s=np.linspace(0.0, 10.0, 50), altitude_m=np.linspace(100.0, 0.0, 50))
    a = render_flight_report(rec, tmp_path / "a.html", title="a")
    js = tmp_path / PLOTLY_FILE
    stamp = js.stat().st_mtime_ns
    b = render_flight_report(rec, tmp_path / "b.html", title="b")
    assert js.stat().st_mtime_ns == stamp  # the same file: not written again
    for path in (a, b):
        assert path.stat().st_size < 200_000
        _assert_offline(path)
    inline = render_flight_report(rec, tmp_path / "one" / "c.html", plotly=PlotlyMode.INLINE)
    _assert_one_offline_file(inline)
    assert not (inline.parent / PLOTLY_FILE).exists()


def test_campaign_reports_are_one_offline_file(
    campaign_report: Path, big_campaign_report: Path
) -> None:
    for path in (campaign_report, big_campaign_report):
        html = _assert_offline(path)
        for plot in CAMPAIGN_PLOTS:
            assert f'id="{plot}"' in html
    big = big_campaign_report.read_text(encoding="utf-8")
    worst = big.split('id="worst"')[1].split("</section>")[0]
    assert worst.count("<tr>") == 11  # the header and the ten worst runs, with their inputs
    assert "initial.altitude (m)" in worst
    broken = big.split('id="limits-broken"')[1].split("</section>")[0]
    assert "touchdown vertical speed ≤ 2 m/s" in broken and "Over by (%)" in broken
    assert "The 40 worst of" in broken
    # the pad is placed at LZ-1: the touchdown ellipses go to KML beside the report
    assert (campaign_report.parent / "trajectory.kml").is_file()


def test_generic_record_missing_arrays_are_skipped(tmp_path: Path) -> None:
    t = np.linspace(0.0, 100.0, 50_000)  # a long record: thinned, its events kept
    rec = SimpleNamespace(
        t_s=t,
        altitude_m=1e4 - 90.0 * t,
        speed_mps=300.0 - t,
        phase=np.where(t < 60.0, "entry", "descent").astype(object),
        events=[{"name": "entry_burn_end", "t_s": 60.0, "propellant_kg": 12e3}],
    )
    fs = flight_series(rec, max_points=2000)
    assert len(fs.t_s) < 2100 and np.min(np.abs(fs.t_s - 60.0)) < t[1]  # the event's sample
    k = int(np.argmax(fs.phase == "descent"))
    assert fs.t_s[k] - fs.t_s[k - 1] == pytest.approx(t[1])  # both sides of the boundary kept
    assert set(fs.series) == {"altitude_m", "speed_mps"} and fs.r_enu_m is None
    assert len(time_histories(fs).data) == 2
    assert len(trajectory_3d(fs).data) == 0  # no positions: an empty, titled figure
    path = render_flight_report(rec, tmp_path / "r.html", title="generic")
    assert "entry burn end" in _assert_offline(path)


def ecef_record(n: int = 400) -> SimpleNamespace:
    """A whole-flight-like record in ECEF: up 5 km and 2 km east, then down onto the pad."""
    earth = WGS84Earth()
    lat0, lon0 = np.radians(28.5), np.radians(-80.5)
    s = np.linspace(0.0, 1.0, n)
    enu = np.column_stack(
        [2000.0 * np.sin(np.pi * s), 300.0 * s * (1 - s), 5e3 * np.sin(np.pi * s)]
    )
    origin = earth.geodetic_to_ecef(lat0, lon0, 0.0)
    r = enu_to_ecef(enu, origin, lat0, lon0)
    up = enu_to_ecef_velocity(np.tile([0.0, 0.0, 1.0], (n, 1)), lat0, lon0)
    rec = SimpleNamespace(
        t_s=100.0 * s,
        r_ecef_m=r,
        earth=earth,
        throttle=np.where(s > 0.8, 0.7, 0.0),
        thrust_dir_ecef=up,
        phase=np.where(s < 0.5, "boostback", np.where(s > 0.8, "landing_burn", "coast")),
        events=[{"name": "apogee", "t_s": 50.0, "propellant_kg": 9e3}],
    )
    rec.geodetic = lambda: earth.ecef_to_geodetic(r)
    rec.enu = enu
    return rec


def test_ecef_record_is_made_local_about_the_pad(tmp_path: Path) -> None:
    rec = ecef_record()
    pad = SimpleNamespace(lat_rad=np.radians(28.5), lon_rad=np.radians(-80.5))
    fs = flight_series(rec, origin=pad)
    assert fs.r_enu_m is not None
    np.testing.assert_allclose(fs.r_enu_m[:, :2], rec.enu[:, :2], atol=0.5)
    np.testing.assert_allclose(fs.r_enu_m[:, 2], rec.enu[:, 2], atol=2.0)  # geodetic altitude
    lit = rec.throttle > 0
    np.testing.assert_allclose(fs.series["tilt_deg"][lit], 0.0, atol=0.2)  # ~local vertical
    assert np.isnan(fs.series["tilt_deg"][~lit]).all()  # no thrust, no tilt
    # the same record as `fly --out` leaves it: Parquet columns and the nested summary.json
    folder = tmp_path / "fly"
    folder.mkdir()
    lat, lon, h = rec.geodetic()
    cols = {"t_s": rec.t_s, "phase": rec.phase.astype(str), "altitude_m": h}
    cols |= {f"{a}_ecef_m": rec.r_ecef_m[:, k] for k, a in enumerate("xyz")}
    cols |= {"lat_deg": np.degrees(lat), "lon_deg": np.degrees(lon), "throttle": rec.throttle}
    pd.DataFrame(cols).to_parquet(folder / "trajectory.parquet")
    payload = {
        "summary": {"vehicle": "test booster", "outcome": "landed"},
        "timeline": rec.events,
        "budget": {"boostback burn": 1234.5, "left at the end (margin)": 2345.0},
    }
    (folder / "summary.json").write_text(json.dumps(payload))
    html = _assert_offline(write_report(folder))
    assert "test booster: landed" in html and "left at the end (margin)" in html
    assert "apogee" in html
    assert 'id="ground-track-map"' in html  # latitude and longitude columns: a map
    assert (folder / "trajectory.kml").is_file() and (folder / "map.png").is_file()


def test_report_command_detects_flight_and_campaign_folders(
    campaign_folder: Path, tmp_path: Path
) -> None:
    app = typer.Typer()
    app.command()(report)
    flight = tmp_path / "land"
    assert runner.invoke(cli_app, ["land", "falcon9", "--out", str(flight)]).exit_code == 0
    (flight / "trajectory.png").unlink()  # regenerated beside the report
    assert folder_kind(flight) == "flight" and folder_kind(campaign_folder) == "campaign"
    for folder, out in ((flight, tmp_path / "f.html"), (campaign_folder, tmp_path / "c.html")):
        res = runner.invoke(app, [str(folder), "-o", str(out)])
        assert res.exit_code == 0, res.output
        assert "report written" in res.output
        _assert_offline(out)
    assert (tmp_path / "trajectory.png").stat().st_size > 0
    assert (tmp_path / "campaign_touchdown.png").stat().st_size > 0
    (tmp_path / "nothing").mkdir()  # a missing folder is said not to exist (test_file_kinds)
    res = runner.invoke(app, [str(tmp_path / "nothing")])
    assert res.exit_code == 2 and "neither a campaign folder" in res.output
    res = runner.invoke(app, [str(flight), "--site", "atlantis"])
    assert res.exit_code == 2 and "unknown site 'atlantis'" in res.output
    res = runner.invoke(app, [str(flight), "--site", "lz1", "-o", str(tmp_path / "m" / "r.html")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "m" / "trajectory.kml").is_file()
    assert 'id="ground-track-map"' in (tmp_path / "m" / "r.html").read_text(encoding="utf-8")
    bnd = write_boundary_folder(tmp_path / "bnd", {0.0: 1.0, 0.2: 0.5})
    assert folder_kind(bnd) == "boundary"
    res = runner.invoke(app, [str(bnd), "--threshold", "0.8", "--plotly", "inline"])
    assert res.exit_code == 0, res.output
    _assert_one_offline_file(bnd / "report.html")


# ------------------------------------------------------------------------ in a real browser


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
    svg: el.querySelectorAll('svg.main-svg').length,
    drawn: el.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length,
    fills: el.querySelectorAll('.scatterlayer .js-fill').length,
    note: Array.from(el.querySelectorAll('.annotation-text')).map(a => a.textContent).join(' '),
    legend: Array.from(el.querySelectorAll('.legend .legendtext')).map(t => t.textContent),
    canvas: Array.from(el.querySelectorAll('.gl-container canvas'))
        .filter(c => c.width > 0 && c.height > 0).length,
}))"""
# the drawn boxes of the event labels (annotations named "declutter"), per plot
JS_LABELS = """() => Object.fromEntries(
  Array.from(document.querySelectorAll('div.plot')).map(el => [
    el.id,
    Array.from(el.querySelectorAll('g[data-index]')).filter(g => {
        const m = /^annotation(?:-(\\w+))?$/.exec((g.getAttribute('class') || '').split(' ')[0]);
        if (!m) return false;
        const list = m[1] ? (el.layout[m[1]] || {}).annotations : el.layout.annotations;
        const a = (list || [])[Number(g.getAttribute('data-index'))];
        return a && a.name === 'declutter';
    }).map(g => {
        const r = g.querySelector('.annotation-text-g').getBoundingClientRect();
        return {text: g.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    }),
  ]))"""


def _open(browser: Any, path: Path, n_plots: int) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def only_local(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(path.resolve().as_uri())
    page.wait_for_function(f"document.body.dataset.plotsReady === '{n_plots}'", timeout=60_000)
    page.wait_for_function("document.body.dataset.labelsReady === '1'", timeout=30_000)
    return page, errors, outside


def overlapping(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of label boxes that overlap (touching edges do not count)."""
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (
                a["left"] < b["right"] - 0.5
                and b["left"] < a["right"] - 0.5
                and a["top"] < b["bottom"] - 0.5
                and b["top"] < a["bottom"] - 0.5
            ):
                out.append((a["text"], b["text"]))
    return out


def _colours(png: bytes) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return len(im.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def _screenshot(page: Any, path: Path, name: str) -> Path:
    shot = path.parent / f"{name}-screenshot.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("BOOSTBACK_SCREENSHOTS"):
        dest = Path(os.environ["BOOSTBACK_SCREENSHOTS"])
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, dest / shot.name)
    return shot


MOVED_LABELS = """() => Object.fromEntries(['time-histories', 'event-timeline'].map(id => [
    id, document.getElementById(id).layout.annotations.filter(
        a => a.name === 'declutter' && ((a.yshift || 0) !== 0 || (a.showarrow && a.ay !== -22))
    ).length,
]))"""


def test_overlapping_finds_overlaps_and_only_those() -> None:
    box = {"text": "a", "left": 0.0, "right": 10.0, "top": 0.0, "bottom": 5.0}
    assert overlapping([box, box | {"text": "b", "left": 9.0, "right": 20.0}]) == [("a", "b")]
    assert overlapping([box, box | {"text": "b", "left": 10.0, "right": 20.0}]) == []  # touching
    assert overlapping([box, box | {"text": "b", "top": 5.0, "bottom": 9.0}]) == []


REPORTS = {  # browser case -> (fixture, plots expected, legend entries expected)
    "landing": ("flight_report", MAP_PLOTS, LEGENDS["landing"]),
    "flight": ("whole_flight_report", MAP_PLOTS, LEGENDS["flight"]),
    "campaign": ("campaign_report", CAMPAIGN_PLOTS, LEGENDS["campaign"]),
    "campaign_1000": ("big_campaign_report", CAMPAIGN_PLOTS, LEGENDS["campaign"]),
    "boundary": ("boundary_report", BOUNDARY_PLOTS, LEGENDS["boundary"]),
}


def _check_plot(page: Any, name: str, p: dict[str, Any], least: int) -> None:
    assert p["traces"] == p["declared"] >= least, p
    assert p["svg"] >= 1, p
    if p["kind"] == "3d":  # WebGL: a live canvas with a drawn picture on it
        assert p["canvas"] >= 1, p
        assert _colours(page.locator(f"#{name}").screenshot()) > 50
    elif name == "sensitivity" and "no failures to explain" in p["note"]:
        pass  # a campaign where every run landed: the figure says so
    else:
        assert p["drawn"] >= 1, p
    if name == "ground-track-map":  # the land is drawn, filled, from the bundled outlines
        assert p["fills"] >= 2, p
        assert _colours(page.locator(f"#{name}").screenshot()) > 50


@pytest.mark.parametrize("which", list(REPORTS))
def test_report_renders_in_chromium(browser: Any, which: str, request: Any) -> None:
    """Each kind of report, network blocked: every plot drawn, the map and the legend there,
    no two event labels overprinting, and the page small (plotly.js beside it)."""
    fixture, expected, legend = REPORTS[which]
    path = request.getfixturevalue(fixture)
    page, errors, outside = _open(browser, path, len(expected))
    try:
        plots = {p["id"]: p for p in page.evaluate(JS_PLOTS)}
        assert set(plots) == set(expected)
        for name, least in expected.items():
            _check_plot(page, name, plots[name], least)
        entries = {t.strip() for p in plots.values() for t in p["legend"]}
        for want in legend:
            assert any(e.startswith(want) for e in entries), (want, sorted(entries))
        labels = page.evaluate(JS_LABELS)
        for name, boxes in labels.items():
            assert overlapping(boxes) == [], (name, overlapping(boxes))
        if which in ("landing", "flight"):  # the event labels are there to be checked
            assert len(labels["event-timeline"]) >= 3 and len(labels["trajectory-3d"]) >= 3
        if which == "flight":  # MECO and separation 3 s apart: the page had to move labels
            moved = page.evaluate(MOVED_LABELS)
            assert moved["time-histories"] and moved["event-timeline"], moved
        shot = _screenshot(page, path, which)
        assert shot.stat().st_size > 10_000
        assert errors == [], errors
        assert outside == [], outside
        limit = MAX_BYTES if which == "campaign_1000" else MAX_SHARED_BYTES
        assert path.stat().st_size < limit
    finally:
        page.close()


def test_a_page_without_its_plotly_says_so(
    browser: Any, boundary_report: Path, tmp_path: Path
) -> None:
    """A shared report copied without plotly.min.js tells the reader what is missing."""
    alone = tmp_path / "report.html"
    shutil.copy(boundary_report, alone)
    page = browser.new_page()
    try:
        page.goto(alone.resolve().as_uri())
        page.wait_for_selector("p.warning", timeout=10_000)
        assert "plotly.min.js" in page.inner_text("p.warning")
        assert page.evaluate("document.body.dataset.plotsReady") == "0"
    finally:
        page.close()
