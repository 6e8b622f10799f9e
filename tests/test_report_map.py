"""The report's map, KML export, people's labels, limit breaches, significance and boundary
sweeps: each checked against what it must say, on a real flight where geography matters."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.path import Path as MplPath

from boostback.environment.frames import SITES
from boostback.report.boundary_html import read_sweep
from boostback.report.campaign_figures import sensitivity_figure, significance
from boostback.report.czml import write_czml
from boostback.report.geo import (
    EARTH_RADIUS_M,
    Box,
    PlaceKind,
    land_rings,
    land_within,
    read_places,
    track_from_enu,
    track_from_result,
    write_places,
)
from boostback.report.html import key_values, table
from boostback.report.kml import KML_NS, Ellipse, write_kml
from boostback.report.labels import human, human_label, merge_events
from boostback.report.limits import NO_TOUCHDOWN, breaches, sigma_ellipses
from boostback.report.map import close_view, ground_track_figure, overview_box

NS = {"k": KML_NS}
LZ1 = SITES["lz1"]


def on_land(lat: float, lon: float, detail: bool) -> bool:
    return any(MplPath(r).contains_point((lon, lat)) for r in land_rings(detail))


def ground_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (m), haversine."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def rtls() -> object:
    from boostback.cli.fly import resolve_flight
    from boostback.flight.executive import fly_mission

    scenario, vehicle = resolve_flight("falcon9", "rtls")
    return fly_mission(scenario, vehicle)


def test_bundled_outlines_know_land_from_sea() -> None:
    # Cape Canaveral's launch and landing sites are on land at 1:10m, the Atlantic 150 km
    # east is not, nor is the middle of the Pacific; Madrid and Beijing are on land at 1:110m
    assert on_land(LZ1.lat_deg, LZ1.lon_deg, detail=True)
    assert on_land(28.60839, -80.60417, detail=True)
    assert not on_land(28.5, -79.0, detail=True)
    assert not on_land(0.0, -150.0, detail=False)
    assert on_land(40.42, -3.70, detail=False) and on_land(39.9, 116.4, detail=False)


def test_land_is_clipped_to_the_view() -> None:
    box = Box(28.0, 29.0, -81.0, -80.0)
    rings = land_within(box)
    assert rings and all(len(r) >= 3 for r in rings)
    pts = np.concatenate(rings)
    assert pts[:, 0].min() >= box.lon_lo - 1e-9 and pts[:, 0].max() <= box.lon_hi + 1e-9
    assert pts[:, 1].min() >= box.lat_lo - 1e-9 and pts[:, 1].max() <= box.lat_hi + 1e-9
    assert land_within(Box(10.0, 11.0, -150.0, -149.0)) == []  # open ocean


def test_a_whole_flight_track_has_its_places(rtls: object, tmp_path: Path) -> None:
    track = track_from_result(rtls)
    assert track is not None
    kinds = [p.kind for p in track.places]
    assert kinds[0] is PlaceKind.LAUNCH_SITE and PlaceKind.LANDING_ZONE in kinds
    assert kinds[-1] is PlaceKind.TOUCHDOWN  # it landed: the green touchdown, nothing else
    launch, lz, end = track.places[0], track.place(PlaceKind.LANDING_ZONE), track.places[-1]
    assert (launch.lat_deg, launch.lon_deg) == pytest.approx((28.60839, -80.60417))
    assert ground_m(lz.lat_deg, lz.lon_deg, end.lat_deg, end.lon_deg) < 1.0  # miss ~ 0.01 m
    impacts = [p for p in track.places if p.kind is PlaceKind.IMPACT_PREDICTION]
    # with no boostback the stage would fall ~400 km downrange; after it, near the pad
    far = ground_m(impacts[0].lat_deg, impacts[0].lon_deg, lz.lat_deg, lz.lon_deg)
    near = ground_m(impacts[-1].lat_deg, impacts[-1].lon_deg, lz.lat_deg, lz.lon_deg)
    assert "separation" in impacts[0].name and far > 200e3 and near < 5e3
    # the overview holds every place; the close view is a few km about the end
    box = overview_box(track)
    for p in track.places:
        assert box.lat_lo < p.lat_deg < box.lat_hi and box.lon_lo < p.lon_deg < box.lon_hi
    assert 1e3 < close_view(track).half_m < 10e3
    fig = ground_track_figure(track)
    names = {t.name for t in fig.data}
    assert {"land", "launch site", "landing zone", "predicted impact", "touchdown"} <= names
    write_places(track, tmp_path)
    assert read_places(tmp_path) == (track.places, "landed")  # for `boostback report DIR`


def test_a_crash_ends_on_a_crash_site() -> None:
    t = np.linspace(0.0, 10.0, 20)
    r = np.column_stack([np.linspace(300.0, 280.0, 20), np.zeros(20), np.linspace(2e3, 0, 20)])
    track = track_from_enu(t, r, np.full(20, "landing_burn", object), LZ1, "crashed")
    assert track.places[-1].kind is PlaceKind.CRASH
    assert not any(p.kind is PlaceKind.TOUCHDOWN for p in track.places)
    # 280 m east of LZ-1, placed on the ground to the centimetre
    end = track.places[-1]
    assert ground_m(LZ1.lat_deg, LZ1.lon_deg, end.lat_deg, end.lon_deg) == pytest.approx(
        280.0, abs=0.05
    )


def _apogee_m(result: object) -> float:
    """The flight's apogee event's height (metres above the ellipsoid); ~120 km for RTLS."""
    h = next(e.altitude_m for e in result.events if e.name == "apogee")  # type: ignore[attr-defined]
    assert 100e3 < h < 140e3
    return float(h)


def test_kml_reads_back_with_absolute_altitudes(rtls: object, tmp_path: Path) -> None:
    track = track_from_result(rtls)
    ellipses = [Ellipse("2σ", LZ1.lat_deg, LZ1.lon_deg, 40.0, 10.0, 30.0)]
    path = write_kml(tmp_path / "t.kml", "RTLS", tracks=[("RTLS", track)], ellipses=ellipses)
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{KML_NS}}}kml"
    lines = root.findall(".//k:LineString", NS)
    assert len(lines) == len(track.runs())
    assert {ln.findtext("k:altitudeMode", namespaces=NS) for ln in lines} == {"absolute"}
    pts = np.array(
        [
            [float(v) for v in c.split(",")]
            for ln in lines
            for c in ln.findtext("k:coordinates", namespaces=NS).split()
        ]
    )
    assert pts[0, :2] == pytest.approx([-80.60417, 28.60839], abs=1e-6)  # lon, lat at liftoff
    # the highest point is the flight's apogee (~120 km), in metres above the ellipsoid
    assert pts[:, 2].max() == pytest.approx(_apogee_m(rtls), abs=200.0)
    names = [p.findtext("k:name", namespaces=NS) for p in root.iter(f"{{{KML_NS}}}Placemark")]
    assert {"LC-39A", "touchdown", "2σ"} <= set(names)
    ring = root.find(".//k:Polygon//k:coordinates", NS).text.split()
    ring_pts = np.array([[float(v) for v in c.split(",")[:2]] for c in ring])
    assert ring_pts[0] == pytest.approx(ring_pts[-1])  # closed
    d = [ground_m(LZ1.lat_deg, LZ1.lon_deg, la, lo) for lo, la in ring_pts]
    assert max(d) == pytest.approx(40.0, rel=0.01) and min(d) == pytest.approx(10.0, rel=0.02)


def test_czml_plays_the_flight_back(rtls: object, tmp_path: Path) -> None:
    track = track_from_result(rtls)
    doc = json.loads(write_czml(tmp_path / "t.czml", "RTLS", track).read_text())
    assert doc[0]["id"] == "document" and doc[1]["id"] == "booster"
    s = np.array(doc[1]["position"]["cartographicDegrees"]).reshape(-1, 4)  # t, lon, lat, h
    assert s[0] == pytest.approx([0.0, -80.60417, 28.60839, 0.0], abs=1e-5)
    assert np.all(np.diff(s[:, 0]) > 0) and s[-1, 0] == pytest.approx(track.t_s[-1], abs=1e-3)
    assert s[:, 3].max() == pytest.approx(_apogee_m(rtls), abs=200.0)
    assert len(doc) == 2 + len(track.places)


def test_people_read_labels_with_units() -> None:
    assert human("peak_heat_flux_wpm2") == ("Peak heat flux", "kW/m²", 1e-3)
    assert human_label("peak_qbar_descent_pa") == "Peak dynamic pressure descent (kPa)"
    assert human_label("meco_t_s") == "MECO time (s)"
    assert human_label("input:initial.altitude_m") == "initial.altitude (m)"
    assert human_label("fault0_fraction") == "fault 0: fraction"
    rows = dict(key_values({"peak_heat_flux_wpm2": 33580.22, "runs": 1200, "miss_m": math.nan}))
    assert rows == {"Peak heat flux": "33.58 kW/m²", "Runs": "1,200", "Miss": "–"}
    assert table([{"landing_burn_s": 29.61234}])["rows"] == [[("29.61", True)]]


def test_events_of_one_moment_share_a_label() -> None:
    evs = [
        {"name": "entry_end", "t_s": 378.8},
        {"name": "aero_descent", "t_s": 378.8},
        {"name": "meco", "t_s": 145.5},
        {"name": "separation", "t_s": 148.5},
    ]
    merged = merge_events(evs, span_s=457.0)
    assert [e["label"] for e in merged] == ["MECO", "separation", "entry end · aero descent"]


def test_limit_breaches_say_which_and_by_how_much() -> None:
    frame = pd.DataFrame(
        {
            "run": [0, 1, 2, 3],
            "outcome": ["landed", "hard_landing", "tipped_over", "propellant_depleted"],
            "touchdown_vertical_speed_mps": [1.0, 3.0, 1.5, math.nan],
            "touchdown_lateral_speed_mps": [0.1, 0.2, 1.5, math.nan],
            "touchdown_tilt_deg": [1.0, 1.0, 7.5, math.nan],
            "miss_distance_m": [1.0, 2.0, 3.0, math.nan],
        }
    )
    limits = {"max_vertical_speed_mps": 2.0, "max_lateral_speed_mps": 1.0, "max_tilt_deg": 5.0}
    out = breaches(frame, limits)
    by_run = out.groupby("run")["limit broken"].apply(list).to_dict()
    assert 0 not in by_run  # a landing breaks nothing
    assert by_run[1] == ["touchdown vertical speed ≤ 2 m/s"]
    assert sorted(by_run[2]) == ["touchdown lateral speed ≤ 1 m/s", "touchdown tilt ≤ 5 °"]
    assert by_run[3] == [NO_TOUCHDOWN]
    pct = dict(zip(out["limit broken"], out["over by (%)"], strict=True))
    assert pct["touchdown vertical speed ≤ 2 m/s"] == 50.0 and pct["touchdown tilt ≤ 5 °"] == 50.0


def test_sigma_ellipses_scale_with_k() -> None:
    cov = [[4.0, 0.0], [0.0, 1.0]]
    es = sigma_ellipses({"cov_m2": cov, "mean_east_m": 1.0, "mean_north_m": 0.0})
    assert [e["k"] for e in es] == [1, 2, 3]
    assert [e["semi_major_m"] for e in es] == pytest.approx([2.0, 4.0, 6.0])
    assert es[1]["inside"] == pytest.approx(0.8647, abs=1e-4)
    assert np.max(es[0]["x"]) == pytest.approx(3.0)  # mean 1 + 2 m along east


def test_only_significant_drivers_get_bars() -> None:
    rng = np.random.default_rng(1)
    n = 400
    driver, noise = rng.normal(size=n), rng.normal(size=n)
    fail = driver + 0.3 * rng.normal(size=n) > 1.0
    frame = pd.DataFrame(
        {
            "run": np.arange(n),
            "input:driver": driver,
            "input:noise": noise,
            "outcome": np.where(fail, "crashed", "landed"),
        }
    )
    from boostback.campaign.stats import sensitivity

    sens = significance(sensitivity(frame), frame)
    row = sens.set_index("input")
    assert (
        bool(row.loc["input:driver", "significant"])
        and row.loc["input:driver", "p_adjusted"] < 1e-6
    )
    assert not bool(row.loc["input:noise", "significant"])
    lo, hi = row.loc["input:noise", ["strength_lo", "strength_hi"]]
    assert lo <= row.loc["input:noise", "strength"] <= hi
    fig = sensitivity_figure(sens)
    bars = dict(zip(fig.data[0].y, fig.data[0].x, strict=True))
    assert bars["noise"] == 0.0 and bars["driver"] > 0.5  # no long bar for chance


def test_boundary_sweep_reads_each_magnitude(tmp_path: Path) -> None:
    from test_report_html import write_boundary_folder

    folder = write_boundary_folder(tmp_path / "b", {0.0: 1.0, 0.1: 1.0, 0.2: 0.0}, n=40)
    sweep = read_sweep(folder, threshold=0.9)
    assert sweep.fault == "thrust_shortfall" and sweep.parameter == "fraction"
    assert sweep.table["magnitude"].tolist() == [0.0, 0.1, 0.2]
    p = sweep.table["landing_probability"].to_numpy()
    assert p[0] == p[1] == 1.0 and p[2] == 0.0
    assert (sweep.table["lower_95"] <= p).all() and (p <= sweep.table["upper_95"]).all()
    assert sweep.boundary == 0.1
    assert read_sweep(folder).boundary is None  # no threshold, no boundary claimed
