"""HTML reports of a flight or a campaign, offline: plotly.js shared beside them or inlined.

The page needs no network. plotly.js is either written once as ``plotly.min.js`` beside the
reports of a folder and referenced relatively (``PlotlyMode.SHARED``, the default: 4.8 MB once,
not per report) or embedded in the page (``PlotlyMode.INLINE``: one file to mail). Each figure
is a JSON block that a small script hands to ``Plotly.newPlot``. ``<body data-plots-ready="N">``
is set when all N figures have rendered and ``data-labels-ready="1"`` once the event labels
have been moved clear of each other (browser tests wait on both). Static PNGs (matplotlib), the
KML export and the map's places are written beside the HTML and listed at its foot.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from boostback.report import figures as ff
from boostback.report.geo import (
    GroundTrack,
    track_from_enu,
    track_from_result,
    write_places,
)
from boostback.report.labels import event_name, human, human_value
from boostback.report.map import LAND_NOTE
from boostback.report.series import FlightSeries, flight_series

REPORT_NAME = "report.html"
PLOTLY_FILE = "plotly.min.js"


class PlotlyMode(StrEnum):
    """Where a report's plotly.js lives."""

    SHARED = "shared"  # plotly.min.js beside the report, written once per folder
    INLINE = "inline"  # inside the page: one self-contained file


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("boostback.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def shared_plotly(folder: str | Path) -> Path:
    """``plotly.min.js`` in ``folder``, written unless the same file is already there."""
    path = Path(folder) / PLOTLY_FILE
    js = _plotly_js().encode("utf-8")
    if not path.is_file() or path.stat().st_size != len(js) or path.read_bytes() != js:
        path.write_bytes(js)
    return path


def figure_block(fig_id: str, fig: go.Figure, caption: str = "") -> dict[str, Any]:
    """What the template needs of one figure: its id, JSON, trace count and kind (2d or 3d)."""
    kinds = {t.type for t in fig.data}
    return {
        "id": fig_id,
        "json": fig.to_json(validate=False).replace("</", "<\\/"),  # safe inside <script>
        "traces": len(fig.data),
        "kind": "3d" if kinds & {"scatter3d", "surface", "mesh3d"} else "2d",
        "caption": caption,
    }


def _plain(v: Any) -> Any:
    """numpy scalars as Python ones."""
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _cell(v: Any, scale: float = 1.0) -> str:
    v = _plain(v)
    if isinstance(v, float) and scale != 1.0:
        v *= scale
    return human_value(v)


def key_values(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value with unit) rows of a flat summary dict, labelled for people:
    ``peak_heat_flux_wpm2`` 33580.2 -> ("Peak heat flux", "33.58 kW/m²")."""
    rows = []
    for key, v in data.items():
        label, unit, scale = human(str(key))
        text = _cell(v, scale)
        rows.append((label, f"{text} {unit}".strip() if text not in ("–", "") else text))
    return rows


def table(
    rows: Iterable[Mapping[str, Any]] | pd.DataFrame, *, humanize: bool = True
) -> dict[str, list]:
    """A list of dicts (or a data frame) as a header row and rows of (text, is_number) cells;
    with ``humanize``, column keys become labels with units and values are scaled to match."""
    records = rows.to_dict(orient="records") if isinstance(rows, pd.DataFrame) else list(rows)
    cols = list(dict.fromkeys(k for r in records for k in r))
    heads = [human(str(c)) if humanize else (str(c), "", 1.0) for c in cols]

    def cell(v: Any, scale: float) -> tuple[str, bool]:
        v = _plain(v)
        return _cell(v, scale), isinstance(v, int | float) and not isinstance(v, bool)

    return {
        "columns": [f"{lab} ({unit})" if unit else lab for lab, unit, _ in heads],
        "rows": [[cell(r.get(c), h[2]) for c, h in zip(cols, heads, strict=True)] for r in records],
    }


def render(
    template: str, out_path: str | Path, *, plotly: str = PlotlyMode.SHARED, **context: Any
) -> Path:
    """Render ``templates/<template>`` with the page furniture and write it to ``out_path``;
    ``plotly`` (a :class:`PlotlyMode`) says where plotly.js goes."""
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    mode = PlotlyMode(plotly)
    if mode is PlotlyMode.SHARED:
        shared_plotly(out.parent)
    context.setdefault("files", [])
    figs = context.get("figures", [])
    manifest = [{k: f[k] for k in ("id", "traces", "kind")} for f in figs]
    html = (
        _env()
        .get_template(template)
        .render(
            plotly_js=_plotly_js() if mode is PlotlyMode.INLINE else "",
            plotly_src=PLOTLY_FILE if mode is PlotlyMode.SHARED else "",
            manifest=json.dumps(manifest),
            fig={f["id"]: f for f in figs},
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            **context,
        )
    )
    out.write_text(html, encoding="utf-8")
    return out


# ----------------------------------------------------------------------------- flights


def propellant_budget(fs: FlightSeries) -> list[dict[str, Any]]:
    """Propellant used between consecutive events that know the propellant aboard."""
    evs = [e for e in fs.events if isinstance(e.get("propellant_kg"), int | float)]
    evs = [e for e in evs if math.isfinite(e["propellant_kg"])]
    rows = []
    for a, b in itertools.pairwise(evs):
        rows.append(
            {
                "from": a["name"],
                "to": b["name"],
                "duration_s": float(b["t_s"] - a["t_s"]),
                "used_kg": float(a["propellant_kg"] - b["propellant_kg"]),
                "left_kg": float(b["propellant_kg"]),
            }
        )
    return rows


def _events_table(fs: FlightSeries) -> dict[str, list]:
    rows = []
    for e in fs.events:
        row: dict[str, Any] = {"event": event_name(e.get("name", ""))}
        row |= {k: e.get(k) for k in ("t_s", "altitude_m", "speed_mps", "propellant_kg")}
        rows.append(row | ({"detail": e["detail"]} if e.get("detail") else {}))
    return table(rows)


def _places_table(track: GroundTrack | None) -> dict[str, list]:
    if track is None:
        return table([])
    rows = [
        {"place": p.name, "kind": p.kind.value, "latitude (°)": f"{p.lat_deg:.5f}"}
        | {"longitude (°)": f"{p.lon_deg:.5f}", "detail": p.detail}
        for p in track.places
    ]
    return table(rows, humanize=False)


def render_flight_report(
    trajectory: Any,
    out_path: str | Path,
    *,
    title: str = "Flight report",
    summary: Mapping[str, Any] | None = None,
    glide_slope_deg: float | None = None,
    pad_radius_m: float = 10.0,
    plan_r_enu_m: np.ndarray | None = None,
    budget: list[dict[str, Any]] | None = None,
    pngs: Iterable[str] = (),
    max_points: int = 3000,
    pad_site: Any = None,
    track: GroundTrack | None = None,
    plotly: str = PlotlyMode.SHARED,
    files: Iterable[str] = (),
    stage_shape: Any = None,
    rigid_trajectory: Any = None,
) -> Path:
    """Write the flight report of any trajectory-like record (see :mod:`.series`);
    ``pad_site`` (a ``Site``) centres an ECEF record's positions on the landing pad; ``track``
    (a :class:`~boostback.report.geo.GroundTrack`) adds the map; ``files`` are further files
    beside the report to list (the KML). A record with a ``rigid`` history (6-DoF) gets the
    "Rigid body" section, its stage drawn as ``stage_shape`` (a
    :class:`~boostback.report.rigid_plots.StageShape`) says; ``rigid_trajectory`` gives that
    section another record's history (a 6-DoF whole flight's landing burn)."""
    fs = flight_series(trajectory, max_points=max_points, origin=pad_site)
    figures = [
        figure_block("trajectory-3d", ff.trajectory_3d(fs, pad_radius_m=pad_radius_m)),
        figure_block("time-histories", ff.time_histories(fs)),
        figure_block("event-timeline", ff.event_timeline(fs)),
        figure_block(
            "landing-closeup",
            ff.landing_closeup(
                fs,
                glide_slope_deg=glide_slope_deg,
                pad_radius_m=pad_radius_m,
                plan_r_enu_m=plan_r_enu_m,
                outcome=str((summary or {}).get("outcome") or "") or None,
            ),
        ),
    ]
    if track is not None:
        from boostback.report.map import ground_track_figure

        fig = ground_track_figure(thin_track(track, max_points), pad_radius_m=pad_radius_m)
        figures.insert(0, figure_block("ground-track-map", fig, LAND_NOTE))
    rigid_src = rigid_trajectory if rigid_trajectory is not None else trajectory
    if getattr(rigid_src, "rigid", None) is not None:
        from boostback.report.rigid_figures import rigid_blocks

        blocks = rigid_blocks(
            rigid_src, shape=stage_shape, pad_radius_m=pad_radius_m, max_points=max_points
        )
        figures += [figure_block(fig_id, fig) for fig_id, fig in blocks]
    return render(
        "flight.html.j2",
        out_path,
        plotly=plotly,
        title=title,
        summary=key_values(summary or {}),
        figures=figures,
        events=_events_table(fs),
        budget=table(budget if budget is not None else propellant_budget(fs)),
        places=_places_table(track),
        pngs=list(pngs),
        files=list(files),
    )


def thin_track(track: GroundTrack, max_points: int) -> GroundTrack:
    """At most about ``max_points`` samples of a track (phase boundaries and the end kept)."""
    n = len(track.t_s)
    if n <= max_points:
        return track
    edges = [j for i in range(1, n) if track.phase[i] != track.phase[i - 1] for j in (i - 1, i)]
    idx = np.unique(np.concatenate([np.linspace(0, n - 1, max_points).round(), edges, [n - 1]]))
    idx = idx.astype(int)
    return GroundTrack(
        track.t_s[idx],
        track.lat_deg[idx],
        track.lon_deg[idx],
        track.alt_m[idx],
        track.phase[idx],
        track.places,
        track.outcome,
    )


def flight_track(result: Any, site: Any = None) -> GroundTrack | None:
    """The ground track of a flight result: a whole flight's own, or a landing's placed at
    ``site`` (``None`` for a landing with no site: a pad-centred record has no geography)."""
    traj = result.trajectory
    outcome = getattr(result, "outcome", None)
    outcome = str(getattr(outcome, "value", outcome)) if outcome is not None else None
    if hasattr(traj, "r_ecef_m"):
        return track_from_result(result)
    if site is not None and hasattr(traj, "r_enu_m"):
        return track_from_enu(traj.t_s, traj.r_enu_m, traj.phase, site, outcome)
    return None


def write_flight_extras(
    track: GroundTrack | None, out: Path, *, title: str, png: bool, pad_radius_m: float
) -> tuple[list[str], list[str]]:
    """The map PNG (if ``png``), ``trajectory.kml``, ``trajectory.czml`` and
    ``map_places.json`` beside a flight report; returns (PNG names, other file names) written."""
    if track is None:
        return [], []
    from boostback.report.czml import CZML_FILE, write_czml
    from boostback.report.kml import KML_FILE, write_kml

    pngs = []
    if png:
        from boostback.report.map import save_map_png

        pngs.append(save_map_png(track, out, pad_radius_m=pad_radius_m, title=title).name)
    write_kml(out / KML_FILE, title, tracks=[(title, track)])
    write_czml(out / CZML_FILE, title, track)
    write_places(track, out)
    return pngs, [KML_FILE, CZML_FILE]


def write_flight_report(
    result: Any,
    vehicle: Any,
    out_dir: str | Path,
    *,
    name: str = REPORT_NAME,
    png: bool = True,
    budget: list[dict[str, Any]] | None = None,
    plotly: str = PlotlyMode.SHARED,
    site: Any = None,
) -> Path:
    """Write ``out_dir/name`` for a flight result and, if ``png``, the matplotlib PNGs beside it,
    with the map's ``trajectory.kml`` and ``map_places.json`` (and ``map.png`` if ``png``).

    ``result`` is a landing ``LandingResult`` or a whole-flight ``FlightResult``: its
    ``trajectory`` and ``summary()`` are used, and, when present, ``outcome``, ``first_plan``
    (drawn dashed in the close-up), ``target`` (the pad, for an ECEF record) and ``budget()``
    (``(name, kg)`` pairs; ``budget`` overrides it, else events give one). ``site`` (a
    ``Site``) places a pad-centred landing on the map; a whole flight knows where it is.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    booster = getattr(vehicle, "booster", None)
    landing = getattr(booster, "landing", None)
    limits = getattr(booster, "limits", None)
    plan = getattr(result, "first_plan", None)
    plan_r = plan.r_enu_m if plan is not None and plan.feasible and len(plan.t_s) else None
    outcome = getattr(result, "outcome", None)
    summary = result.summary() if hasattr(result, "summary") else {}
    if budget is None and callable(getattr(result, "budget", None)):
        budget = [{"item": k, "propellant_kg": kg} for k, kg in result.budget()]
    traj = result.trajectory
    pngs: list[str] = []
    if png and hasattr(traj, "v_enu_mps") and limits is not None:
        from boostback.report.plots import save_landing_plots

        pngs = [p.name for p in save_landing_plots(result, vehicle, out)]
    elif png and hasattr(traj, "r_ecef_m"):
        from boostback.report.flight_plots import save_flight_plots

        pngs = [p.name for p in save_flight_plots(result, out)]
    head = getattr(vehicle, "name", "Flight")
    title = f"{head}: {getattr(outcome, 'value', outcome)}" if outcome is not None else head
    pad = getattr(limits, "max_miss_m", 10.0)
    shape, rigid_traj = None, None
    landing_traj = getattr(getattr(result, "landing", None), "trajectory", None)
    if getattr(traj, "rigid", None) is None and getattr(landing_traj, "rigid", None) is not None:
        rigid_traj = landing_traj  # a 6-DoF whole flight: its landing burn's rigid history
    if getattr(traj, "rigid", None) is not None or rigid_traj is not None:
        from boostback.report.rigid_plots import StageShape

        shape = StageShape.from_vehicle(vehicle)
    track = flight_track(result, site)
    map_pngs, files = write_flight_extras(track, out, title=title, png=png, pad_radius_m=pad)
    pngs += [p for p in map_pngs if p not in pngs]
    if not png and (out / "flight.png").is_file():  # fly --report: flight.png already written
        pngs = [p for p in ("flight.png", "map.png") if (out / p).is_file()]
    return render_flight_report(
        traj,
        out / name,
        title=title,
        summary=summary,
        glide_slope_deg=getattr(landing, "glide_slope_deg", None),
        pad_radius_m=pad,
        plan_r_enu_m=plan_r,
        budget=budget,
        pngs=pngs,
        pad_site=getattr(result, "target", None),
        track=track,
        plotly=plotly,
        files=files,
        stage_shape=shape,
        rigid_trajectory=rigid_traj,
    )
