"""Self-contained HTML reports of a flight or a campaign: one file, plotly.js inlined once.

The page needs no network: plotly.js is embedded once in the template and each figure is a JSON
block that a small script hands to ``Plotly.newPlot``. ``<body data-plots-ready="N">`` is set
when all N figures have rendered (browser tests wait on it). Static PNGs (matplotlib) are
written beside the HTML and listed at its foot.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from boostback.report import campaign_figures as cf
from boostback.report import figures as ff
from boostback.report.series import FlightSeries, flight_series

if TYPE_CHECKING:
    from boostback.campaign.stats import CampaignSummary

REPORT_NAME = "report.html"
UNITS = (("_mps", "m/s"), ("_kg", "kg"), ("_deg", "deg"), ("_pa", "Pa"), ("_s", "s"), ("_m", "m"))


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


def _label(key: str) -> tuple[str, str]:
    for suffix, unit in UNITS:
        if key.endswith(suffix):
            return key[: -len(suffix)].replace("_", " "), unit
    return key.replace("_", " "), ""


def _cell(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        v = float(v)
        if not math.isfinite(v):
            return "–"
        if abs(v) < 1e-9:
            return "0"
        return f"{v:,.0f}" if abs(v) >= 1e4 else f"{v:.4g}"
    return "" if v is None else str(v)


def key_values(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value with unit) rows of a flat summary dict."""
    rows = []
    for key, v in data.items():
        label, unit = _label(str(key))
        text = _cell(v)
        rows.append((label, f"{text} {unit}".strip() if text not in ("–", "") else text))
    return rows


def table(rows: Iterable[Mapping[str, Any]] | pd.DataFrame) -> dict[str, list]:
    """A list of dicts (or a data frame) as a header row and rows of (text, is_number) cells."""
    records = rows.to_dict(orient="records") if isinstance(rows, pd.DataFrame) else list(rows)
    cols = list(dict.fromkeys(k for r in records for k in r))

    def cell(v: Any) -> tuple[str, bool]:
        return _cell(v), isinstance(v, int | float | np.number) and not isinstance(v, bool)

    return {"columns": cols, "rows": [[cell(r.get(c)) for c in cols] for r in records]}


def render(template: str, out_path: str | Path, **context: Any) -> Path:
    """Render ``templates/<template>`` with the page furniture and write it to ``out_path``."""
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    figs = context.get("figures", [])
    manifest = [{k: f[k] for k in ("id", "traces", "kind")} for f in figs]
    html = (
        _env()
        .get_template(template)
        .render(
            plotly_js=_plotly_js(),
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
) -> Path:
    """Write the flight report of any trajectory-like record (see :mod:`.series`);
    ``pad_site`` (a ``Site``) centres an ECEF record's positions on the landing pad."""
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
            ),
        ),
    ]
    events = [
        {k: e.get(k) for k in ("name", "t_s", "altitude_m", "speed_mps", "propellant_kg")}
        | ({"detail": e["detail"]} if e.get("detail") else {})
        for e in fs.events
    ]
    return render(
        "flight.html.j2",
        out_path,
        title=title,
        summary=key_values(summary or {}),
        figures=figures,
        events=table(events),
        budget=table(budget if budget is not None else propellant_budget(fs)),
        pngs=list(pngs),
    )


def write_flight_report(
    result: Any,
    vehicle: Any,
    out_dir: str | Path,
    *,
    name: str = REPORT_NAME,
    png: bool = True,
    budget: list[dict[str, Any]] | None = None,
) -> Path:
    """Write ``out_dir/name`` for a flight result and, if ``png``, the matplotlib PNGs beside it.

    ``result`` is a landing ``LandingResult`` or a whole-flight ``FlightResult``: its
    ``trajectory`` and ``summary()`` are used, and, when present, ``outcome``, ``first_plan``
    (drawn dashed in the close-up), ``target`` (the pad, for an ECEF record) and ``budget()``
    (``(name, kg)`` pairs; ``budget`` overrides it, else events give one).
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
    return render_flight_report(
        traj,
        out / name,
        title=f"{head}: {getattr(outcome, 'value', outcome)}" if outcome is not None else head,
        summary=summary,
        glide_slope_deg=getattr(landing, "glide_slope_deg", None),
        pad_radius_m=getattr(limits, "max_miss_m", 10.0),
        plan_r_enu_m=plan_r,
        budget=budget,
        pngs=pngs,
        pad_site=getattr(result, "target", None),
    )


# ----------------------------------------------------------------------------- campaigns


def _setting(v: Any) -> str:
    if isinstance(v, dict) and "dist" in v:  # a sampled setting: uniform(low 0.0, high 0.1)
        args = ", ".join(
            f"{k} {_setting(x)}" for k, x in v.items() if x is not None and k != "dist"
        )
        return f"{v['dist']}({args})"
    return v if isinstance(v, str) else json.dumps(v)


def _spec_rows(spec: Mapping[str, Any], key: str, name: str) -> list[dict[str, Any]]:
    rows = []
    for item in spec.get(key) or []:
        params = {k: v for k, v in item.items() if v is not None and k not in (name, "onset")}
        onset = {k: v for k, v in (item.get("onset") or {}).items() if v is not None}
        text = ", ".join(f"{k} {_setting(v)}" for k, v in params.items())
        row = {name: item.get(name, "?"), "settings": text}
        if key == "faults":
            row["onset"] = ", ".join(f"{k} = {v}" for k, v in onset.items()) or "start"
        rows.append(row)
    return rows


def render_campaign_report(
    frame: pd.DataFrame,
    summary: CampaignSummary,
    out_path: str | Path,
    *,
    title: str = "Campaign report",
    spec: Mapping[str, Any] | None = None,
    limits: Mapping[str, float] | None = None,
    pad_radius_m: float | None = None,
    pngs: Iterable[str] = (),
) -> Path:
    """Write the campaign report of a results table and its summary."""
    lim = dict(limits or {})
    pad = pad_radius_m if pad_radius_m is not None else lim.get("max_miss_m")
    figures = [
        figure_block("landing-probability", cf.probability_figure(summary)),
        figure_block(
            "touchdown-scatter", cf.touchdown_scatter(frame, summary.ellipse, pad_radius_m=pad)
        ),
        figure_block("outcomes", cf.outcomes_figure(summary.outcomes)),
        figure_block("distributions", cf.distributions_figure(frame, lim)),
        figure_block("sensitivity", cf.sensitivity_figure(summary.sensitivity)),
    ]
    pct = summary.percentiles.reset_index(names="metric")
    numbers = {
        "runs": summary.runs,
        "completed": summary.completed,
        "errors": summary.errors,
        "landed": summary.landed,
    }
    return render(
        "campaign.html.j2",
        out_path,
        title=title,
        headline=cf.probability_text(summary),
        summary=key_values(numbers),
        figures=figures,
        percentiles=table(pct),
        ellipse=key_values({k: v for k, v in summary.ellipse.items() if k != "cov_m2"}),
        sensitivity=table(summary.sensitivity),
        worst=table(summary.worst),
        dispersions=table(_spec_rows(spec or {}, "dispersions", "path")),
        faults=table(_spec_rows(spec or {}, "faults", "kind")),
        limits=key_values(lim),
        pngs=list(pngs),
    )


def campaign_context(folder: str | Path) -> tuple[dict[str, Any], dict[str, float]]:
    """The campaign spec (``campaign.json``) and, when its scenario loads, the landing limits."""
    meta = Path(folder) / "campaign.json"
    spec = json.loads(meta.read_text()).get("spec", {}) if meta.exists() else {}
    limits: dict[str, float] = {}
    try:
        from boostback.config import load_landing

        _, vehicle = load_landing(spec["scenario"])
        limits = dict(vehicle.booster.limits.model_dump())
    except Exception:  # a scenario path relative to a campaign file we do not know: no limits
        pass
    return spec, limits


def write_campaign_report(
    folder: str | Path, out_path: str | Path | None = None, *, png: bool = True
) -> Path:
    """Write the report of a campaign results folder (PNGs beside the HTML if ``png``)."""
    from boostback.campaign.stats import summarize
    from boostback.campaign.store import load_results

    frame = load_results(folder)
    summary = summarize(frame)
    spec, limits = campaign_context(folder)
    out = Path(out_path) if out_path is not None else Path(folder) / REPORT_NAME
    title = spec.get("name") or Path(folder).name
    pad = limits.get("max_miss_m")
    pngs: list[str] = []
    if png:
        from boostback.report.campaign_plots import save_campaign_plots

        paths = save_campaign_plots(
            frame, summary, out.parent, pad_radius_m=pad, limits=limits, title=title
        )
        pngs = [p.name for p in paths]
    return render_campaign_report(
        frame, summary, out, title=title, spec=spec, limits=limits, pad_radius_m=pad, pngs=pngs
    )
