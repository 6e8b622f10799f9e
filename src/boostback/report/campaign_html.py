"""The HTML report of a campaign results folder (``mc run --out``): landing probability,
touchdowns with their 1/2/3σ ellipses, outcomes, distributions, what drives failures (with its
significance), the limit each failed run broke, and the set-up; PNGs and, when the pad's place
is known, a KML of the touchdown ellipses beside it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from boostback.report import campaign_figures as cf
from boostback.report.html import (
    REPORT_NAME,
    PlotlyMode,
    figure_block,
    key_values,
    render,
    table,
)
from boostback.report.labels import human_label
from boostback.report.limits import breach_summary, breaches, sigma_ellipses

if TYPE_CHECKING:
    from boostback.campaign.stats import CampaignSummary

MAX_BREACH_ROWS = 40  # the worst breaches listed one by one (the summary above counts them all)

__all__ = [
    "campaign_context",
    "render_campaign_report",
    "touchdown_kml",
    "write_campaign_report",
]


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


def _sensitivity_rows(sens: pd.DataFrame) -> pd.DataFrame:
    if sens.empty:
        return sens
    out = sens[["input", "auc", "strength", "direction", "p_value", "p_adjusted"]].copy()
    out["input"] = out["input"].astype(str)
    out["significant"] = sens["significant"].map({True: "yes", False: "no (could be chance)"})
    return out.rename(columns={"p_value": "p", "p_adjusted": "p (Bonferroni)", "auc": "AUC"})


def _figures(
    frame: pd.DataFrame,
    summary: CampaignSummary,
    lim: dict[str, float],
    pad: float | None,
    sens: pd.DataFrame,
) -> list[dict[str, Any]]:
    return [
        figure_block("landing-probability", cf.probability_figure(summary)),
        figure_block(
            "touchdown-scatter", cf.touchdown_scatter(frame, summary.ellipse, pad_radius_m=pad)
        ),
        figure_block("outcomes", cf.outcomes_figure(summary.outcomes)),
        figure_block("distributions", cf.distributions_figure(frame, lim)),
        figure_block("sensitivity", cf.sensitivity_figure(sens)),
    ]


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
    plotly: str = PlotlyMode.SHARED,
    files: Iterable[str] = (),
) -> Path:
    """Write the campaign report of a results table and its summary."""
    lim = dict(limits or {})
    pad = pad_radius_m if pad_radius_m is not None else lim.get("max_miss_m")
    sens = cf.significance(summary.sensitivity, frame)
    pct = summary.percentiles.reset_index(names="metric")
    pct["metric"] = [human_label(str(m)) for m in pct["metric"]]
    numbers = {
        "runs": summary.runs,
        "completed": summary.completed,
        "errors": summary.errors,
        "landed": summary.landed,
    }
    broken = breaches(frame, lim)
    sigmas = [
        {"ellipse": f"{e['k']}σ", "normal share inside (%)": round(100 * e["inside"], 1)}
        | {k: e[k] for k in ("semi_major_m", "semi_minor_m", "orientation_deg")}
        for e in sigma_ellipses(summary.ellipse)
    ]
    return render(
        "campaign.html.j2",
        out_path,
        plotly=plotly,
        title=title,
        headline=cf.probability_text(summary),
        summary=key_values(numbers),
        figures=_figures(frame, summary, lim, pad, sens),
        percentiles=table(pct),
        ellipse=key_values(
            {k: v for k, v in summary.ellipse.items() if k not in ("cov_m2", "confidence")}
        ),
        sigmas=table(sigmas),
        sensitivity=table(_sensitivity_rows(sens)),
        any_significant=bool(len(sens) and sens["significant"].any()),
        breaches=table(
            broken.drop(columns=["_key", "_excess"]).head(MAX_BREACH_ROWS)
            if not broken.empty
            else []
        ),
        breach_rows=len(broken),
        breach_summary=table(breach_summary(broken)),
        limits_known=bool(lim),
        worst=table(summary.worst),
        dispersions=table(_spec_rows(spec or {}, "dispersions", "path"), humanize=False),
        faults=table(_spec_rows(spec or {}, "faults", "kind"), humanize=False),
        limits=key_values(lim),
        pngs=list(pngs),
        files=list(files),
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


def touchdown_kml(path: Path, title: str, ellipse: dict[str, Any], site: Any) -> Path | None:
    """``path``: the 1/2/3σ touchdown ellipses placed about ``site`` (a ``Site``)."""
    from boostback.report.geo import latlon_about
    from boostback.report.kml import Ellipse, write_kml

    rings = sigma_ellipses(ellipse)
    if site is None or not rings:
        return None
    lat, lon = latlon_about(site, [ellipse["mean_east_m"]], [ellipse["mean_north_m"]])
    shapes = [
        Ellipse(
            f"{e['k']}σ touchdown ellipse",
            float(lat[0]),
            float(lon[0]),
            e["semi_major_m"],
            e["semi_minor_m"],
            e["orientation_deg"],
        )
        for e in rings
    ]
    return write_kml(path, title, ellipses=shapes)


def write_campaign_report(
    folder: str | Path,
    out_path: str | Path | None = None,
    *,
    png: bool = True,
    plotly: str = PlotlyMode.SHARED,
    site: Any = None,
) -> Path:
    """Write the report of a campaign results folder (PNGs beside the HTML if ``png``; the
    touchdown ellipses as ``trajectory.kml`` when ``site``, a ``Site``, places the pad)."""
    from boostback.campaign.stats import summarize
    from boostback.campaign.store import load_results
    from boostback.report.kml import KML_FILE

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
    kml = touchdown_kml(out.parent / KML_FILE, title, summary.ellipse, site)
    return render_campaign_report(
        frame,
        summary,
        out,
        title=title,
        spec=spec,
        limits=limits,
        pad_radius_m=pad,
        pngs=pngs,
        plotly=plotly,
        files=[kml.name] if kml is not None else [],
    )
