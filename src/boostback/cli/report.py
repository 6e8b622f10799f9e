"""``boostback report RESULTS_DIR -o report.html``: an offline HTML report (and PNGs, KML).

RESULTS_DIR is a campaign folder (``campaign.json`` and ``runs/part-*.parquet``, as ``mc run
--out`` writes), a boundary folder (one such campaign per magnitude, ``<param>=<value>/``, as
``mc boundary --out`` writes) or a flight folder (``summary.json`` and ``trajectory.csv`` or
``trajectory.parquet``, as ``land --out`` and ``fly --out`` write). plotly.js goes beside the
report as ``plotly.min.js`` (``--plotly shared``, the default) or into it (``--plotly inline``).
:func:`write_report` does the same from Python.
"""

from __future__ import annotations

import json
import math
import shutil
from enum import StrEnum
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, Literal

import numpy as np
import typer

from boostback.cli.common import builtin_site, check_out_dir, console, fail, guarded, prepare_out
from boostback.config.errors import ConfigError
from boostback.config.loader import check_kind

__all__ = ["PlotlyChoice", "folder_kind", "load_flight_folder", "report", "write_report"]


class PlotlyChoice(StrEnum):
    """``--plotly``: where the report's plotly.js goes (``report.html.PlotlyMode``)."""

    SHARED = "shared"
    INLINE = "inline"


FLIGHT_PNGS = ("time_histories.png", "trajectory.png")  # a landing burn's
ALL_PNGS = (*FLIGHT_PNGS, "flight.png")  # flight.png: a whole flight's
# record attribute -> column names that may hold it, first found wins
COLUMNS = {
    "altitude_m": ("altitude_m", "up_m"),
    "speed_mps": ("speed_mps",),
    "mach": ("mach",),
    "qbar_pa": ("qbar_pa",),
    "throttle": ("throttle",),
    "tilt_deg": ("tilt_deg",),
    "mass_kg": ("mass_kg",),
    "thrust_n": ("thrust_n",),
    "downrange_m": ("downrange_m",),
    "engines": ("engines",),
    "heat_flux_wpm2": ("heat_flux_wpm2",),
}


def folder_kind(folder: Path) -> Literal["campaign", "flight", "boundary"] | None:
    """Which kind of results folder ``folder`` is, or ``None`` when it is none of them."""
    if (folder / "campaign.json").is_file() and any((folder / "runs").glob("part-*.parquet")):
        return "campaign"
    if (folder / "summary.json").is_file() and _trajectory_file(folder) is not None:
        return "flight"
    if folder.is_dir():
        from boostback.report.boundary_html import is_boundary_folder

        if is_boundary_folder(folder):
            return "boundary"
    return None


def _trajectory_file(folder: Path) -> Path | None:
    for name in ("trajectory.parquet", "trajectory.csv"):
        if (folder / name).is_file():
            return folder / name
    return None


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


def _events(folder: Path, payload: dict[str, Any], t: np.ndarray) -> list[dict[str, Any]]:
    """``events.json`` or the payload's ``timeline`` when present, else one event per finite
    ``<name>_t_s`` of the summary."""
    if (folder / "events.json").is_file():
        return list(json.loads((folder / "events.json").read_text()))
    if isinstance(payload.get("timeline"), list):  # a whole flight's payload (fly --out)
        return [dict(e) for e in payload["timeline"]]
    nested = payload.get("summary")
    summary: dict[str, Any] = nested if isinstance(nested, dict) else payload
    evs = [{"name": "start", "t_s": float(t[0])}] if len(t) else []
    evs += [
        {"name": k[: -len("_t_s")], "t_s": float(v)}
        for k, v in summary.items()
        if k.endswith("_t_s") and _finite(v)
    ]
    return sorted(evs, key=lambda e: e["t_s"])


def load_flight_folder(folder: str | Path) -> tuple[SimpleNamespace, dict[str, Any]]:
    """A flight folder's trajectory as a record the report figures read, and its summary."""
    folder = Path(folder)
    try:
        payload = json.loads((folder / "summary.json").read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"not readable as JSON ({exc})", file=str(folder / "summary.json")
        ) from None
    if not isinstance(payload, dict):
        raise ConfigError("must hold a JSON object", file=str(folder / "summary.json"))
    nested = isinstance(payload.get("summary"), dict)  # fly --out: summary, timeline, budget
    summary = payload["summary"] if nested else payload
    path = _trajectory_file(folder)
    if path is None:
        raise ConfigError("no trajectory.csv or trajectory.parquet here", file=str(folder))
    import pandas as pd  # only here: a command that writes no report need not load it

    cols = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    if "t_s" not in cols:
        raise ConfigError("the trajectory has no t_s column", file=str(path))
    t = cols["t_s"].to_numpy(float)
    rec = SimpleNamespace(t_s=t)
    for attr, names in COLUMNS.items():
        name = next((c for c in names if c in cols), None)
        if name is not None:
            setattr(rec, attr, cols[name].to_numpy(float))
    if {"east_m", "north_m", "up_m"} <= set(cols.columns):
        rec.r_enu_m = cols[["east_m", "north_m", "up_m"]].to_numpy(float)
    if {"v_east_mps", "v_north_mps", "v_up_mps"} <= set(cols.columns):
        rec.v_enu_mps = cols[["v_east_mps", "v_north_mps", "v_up_mps"]].to_numpy(float)
        rec.speed_mps = np.linalg.norm(rec.v_enu_mps, axis=1)
    if {"x_ecef_m", "lat_deg", "lon_deg", "altitude_m"} <= set(cols.columns) and len(t):
        from boostback.environment.earth import WGS84Earth
        from boostback.report.series import enu_about

        lat, lon = np.radians(cols["lat_deg"].to_numpy(float)), np.radians(cols["lon_deg"])
        r = cols[["x_ecef_m", "y_ecef_m", "z_ecef_m"]].to_numpy(float)
        h = cols["altitude_m"].to_numpy(float)
        rec.r_enu_m = enu_about(r, h, float(lat[-1]), float(np.asarray(lon)[-1]), WGS84Earth())
    rec.events = _events(folder, payload, t)
    rec.columns_table = cols
    if nested and isinstance(payload.get("budget"), dict):
        rec.budget = [{"item": k, "propellant_kg": v} for k, v in payload["budget"].items()]
    if "phase" in cols:
        rec.phase = cols["phase"].astype(str).to_numpy(object)
    elif _finite(summary.get("ignition_t_s")):  # a landing flight: coast, then the burn
        rec.phase = np.where(t < summary["ignition_t_s"], "coast", "landing_burn").astype(object)
        if _finite(summary.get("touchdown_t_s")) and len(t):
            rec.phase[-1] = "touchdown"
    left = summary.get("propellant_left_kg")
    if hasattr(rec, "mass_kg") and isinstance(left, int | float) and _finite(left) and len(t):
        dry = float(rec.mass_kg[-1]) - float(left)
        for e in rec.events:
            e.setdefault("propellant_kg", float(np.interp(e["t_s"], t, rec.mass_kg)) - dry)
    return rec, summary


def _write_pngs(
    rec: SimpleNamespace, folder: Path, out_dir: Path, glide: float | None, pad: float, title: str
) -> None:
    """The PNGs beside the HTML in ``out_dir``: those the results folder holds (copied when
    ``out_dir`` is elsewhere), the others drawn from the folder's trajectory."""
    prepare_out(out_dir)
    held = {n for n in ALL_PNGS if (folder / n).is_file()}
    if out_dir.resolve() != folder.resolve():
        for name in held:
            shutil.copyfile(folder / name, out_dir / name)
    _flight_pngs(rec, out_dir, glide, pad, [n for n in FLIGHT_PNGS if n not in held])
    if "flight.png" not in held:
        _whole_flight_png(rec, out_dir / "flight.png", title)


def _whole_flight_png(rec: SimpleNamespace, path: Path, title: str) -> None:
    """``flight.png`` of a whole flight (``fly --out``), drawn from its trajectory."""
    needed = ("phase", "altitude_m", "downrange_m", "speed_mps", "qbar_pa", "mass_kg")
    if not all(hasattr(rec, a) for a in (*needed, "throttle", "engines")):
        return
    from boostback.report.flight_plots import flight_figure

    cols = {a: getattr(rec, a) for a in (*needed, "throttle", "engines")} | {"t_s": rec.t_s}
    traj = SimpleNamespace(
        columns=lambda: cols,
        events=[SimpleNamespace(name=e["name"], t_s=e["t_s"]) for e in rec.events],
    )
    fig = flight_figure(traj, title)  # type: ignore[arg-type]
    fig.savefig(path)
    fig.clear()


def _flight_pngs(
    rec: SimpleNamespace, out_dir: Path, glide: float | None, pad: float, needed: list[str]
) -> None:
    """The matplotlib views of a landing folder: the PNGs named in ``needed``."""
    if not needed or not all(hasattr(rec, a) for a in ("r_enu_m", "v_enu_mps", "mass_kg")):
        return
    from boostback.gnc.record import Event, Trajectory
    from boostback.report.plots import DPI, time_histories, trajectory_views

    n = len(rec.t_s)
    tilt = np.radians(getattr(rec, "tilt_deg", np.zeros(n)))
    traj = Trajectory.enu(
        t_s=rec.t_s,
        r_enu_m=rec.r_enu_m,
        v_enu_mps=rec.v_enu_mps,
        mass_kg=rec.mass_kg,
        throttle=getattr(rec, "throttle", np.zeros(n)),
        thrust_dir_enu=np.column_stack([np.sin(tilt), np.zeros(n), np.cos(tilt)]),
        thrust_n=getattr(rec, "thrust_n", np.zeros(n)),
        mach=getattr(rec, "mach", np.zeros(n)),
        qbar_pa=getattr(rec, "qbar_pa", np.zeros(n)),
        phase=getattr(rec, "phase", np.full(n, "flight", object)),
        events=[
            Event(
                e["name"],
                e["t_s"],
                float(np.interp(e["t_s"], rec.t_s, rec.r_enu_m[:, 2])),
                float(np.interp(e["t_s"], rec.t_s, rec.speed_mps)),
                e.get("propellant_kg", math.nan),
            )
            for e in rec.events
        ],
    )
    figs = {
        "time_histories.png": lambda: time_histories(traj),
        "trajectory.png": lambda: trajectory_views(
            traj,
            glide_slope_deg=glide,
            pad_radius_m=pad,
            outcome=getattr(rec, "outcome", None),
        ),
    }
    prepare_out(out_dir)
    for name in needed:
        fig = figs[name]()
        fig.savefig(out_dir / name, dpi=DPI)
        fig.clear()


def _flight_track(rec: SimpleNamespace, folder: Path, outcome: Any, site: Any) -> Any:
    """The map's track of a flight folder: its latitude/longitude columns (with the places a
    report left there), or a pad-centred landing placed at ``site``; ``None`` otherwise."""
    from boostback.report.geo import read_places, track_from_columns, track_from_enu

    places, saved = read_places(folder)
    outcome = str(outcome or saved or "") or None
    track = track_from_columns(rec.columns_table, outcome, places)
    if track is None and site is not None and hasattr(rec, "r_enu_m"):
        phase = getattr(rec, "phase", np.full(len(rec.t_s), "flight", object))
        track = track_from_enu(rec.t_s, rec.r_enu_m, phase, site, outcome)
    return track


def write_report(
    folder: str | Path,
    out: str | Path | None = None,
    *,
    png: bool = True,
    glide_slope_deg: float | None = None,
    pad_radius_m: float | None = None,
    plotly: str = "shared",
    site: str | None = None,
    threshold: float | None = None,
) -> Path:
    """Write the report of a campaign, boundary, rare-event or flight folder to ``out`` (default
    FOLDER/report.html); ``site`` (a built-in site key) places a pad-centred landing or a
    campaign's touchdowns on the Earth; ``threshold`` is a boundary folder's landing probability
    to keep."""
    from boostback.report.html import REPORT_NAME, render_flight_report, write_flight_extras

    folder = Path(folder)
    out_path = Path(out) if out is not None else folder / REPORT_NAME
    if (folder / "rare_result.json").is_file():  # an mc rare folder
        from boostback.report.rare_html import write_rare_report

        return write_rare_report(folder, out_path, plotly=plotly)
    kind = folder_kind(folder)
    pad_site = builtin_site(site)
    if kind == "campaign":
        from boostback.report.campaign_html import write_campaign_report

        return write_campaign_report(folder, out_path, png=png, plotly=plotly, site=pad_site)
    if kind == "boundary":
        from boostback.report.boundary_html import write_boundary_report

        return write_boundary_report(folder, out_path, threshold=threshold, plotly=plotly)
    if kind is None and not folder.exists():
        raise ConfigError("does not exist", file=str(folder))
    if kind is None:
        raise ConfigError(
            "is neither a campaign folder (campaign.json and runs/part-*.parquet), a boundary "
            "folder (<param>=<value>/ campaign folders) nor a flight folder (summary.json and "
            "trajectory.csv or trajectory.parquet)",
            file=str(folder),
        )
    rec, summary = load_flight_folder(folder)
    glide = glide_slope_deg if glide_slope_deg is not None else summary.get("glide_slope_deg")
    pad = pad_radius_m or summary.get("max_miss_m") or summary.get("pad_radius_m") or 10.0
    outcome = summary.get("outcome")
    head = str(summary.get("vehicle") or folder.resolve().name)
    title = f"{head}: {outcome}" if outcome else head
    rec.outcome = str(outcome) if outcome else None
    if png:
        _write_pngs(rec, folder, out_path.parent, glide, pad, title)
    track = _flight_track(rec, folder, outcome, pad_site)
    prepare_out(out_path.parent)
    map_pngs, files = write_flight_extras(
        track, out_path.parent, title=title, png=png, pad_radius_m=float(pad)
    )
    pngs = [n for n in (*ALL_PNGS, *map_pngs) if (out_path.parent / n).exists()]
    return render_flight_report(
        rec,
        out_path,
        title=title,
        summary=summary,
        glide_slope_deg=glide,
        pad_radius_m=float(pad),
        budget=getattr(rec, "budget", None),
        pngs=list(dict.fromkeys(pngs)),
        track=track,
        plotly=plotly,
        files=files,
    )


def _check_out_file(out: Path | None) -> None:
    """Refuse, in one line (status 2) and before any work, an HTML file that cannot be written:
    a folder, or a path under a file."""
    if out is None:
        return
    if out.is_dir():
        fail(f"--out: {out}: is a folder; give the HTML file to write")
    above = out.parent
    while not above.exists() and above.parent != above:
        above = above.parent
    if above.exists() and not above.is_dir():
        fail(f"--out: {out}: cannot write there: {above} is not a folder")
    check_out_dir(out.parent)  # a read-only place


@guarded
def report(
    results_dir: Annotated[
        Path, typer.Argument(help="A campaign folder (mc run --out) or a flight folder (--out).")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="HTML file to write (default: RESULTS_DIR/report.html)."),
    ] = None,
    png: Annotated[
        bool,
        typer.Option(
            help="Also write the static PNGs in the HTML file's folder (a flight's: copied "
            "from RESULTS_DIR, or drawn from its data where it has none)."
        ),
    ] = True,
    glide_slope_deg: Annotated[
        float | None, typer.Option(help="Flight folders: glide-slope cone to draw (deg).")
    ] = None,
    pad_radius_m: Annotated[
        float | None, typer.Option(help="Flight folders: pad radius to draw (default: 10 m).")
    ] = None,
    plotly: Annotated[
        PlotlyChoice,
        typer.Option(
            help="shared: plotly.min.js written once beside the reports of a folder; inline: "
            "inside the page (one 5 MB file to send)."
        ),
    ] = PlotlyChoice.SHARED,
    site: Annotated[
        str | None,
        typer.Option(
            help="Landing and campaign folders: the built-in site (lz1, lz4, zq3_landing, ...) "
            "where the pad is, to draw a map and write trajectory.kml."
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            min=0.0, max=1.0, help="Boundary folders: the landing probability to keep (0-1)."
        ),
    ] = None,
) -> None:
    """Write an HTML report (opens offline) of a campaign, a boundary sweep, an mc rare
    estimate or a flight."""
    check_kind(str(results_dir), names=False)  # a TOML file: say which command takes it
    _check_out_file(out)
    path = write_report(
        results_dir,
        out,
        png=png,
        glide_slope_deg=glide_slope_deg,
        pad_radius_m=pad_radius_m,
        plotly=plotly.value,
        site=site,
        threshold=threshold,
    )
    size_mb = path.stat().st_size / 1e6
    console.print(f"report written to [bold]{path}[/] ({size_mb:.1f} MB)", highlight=False)
