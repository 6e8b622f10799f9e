"""Interactive flight figures (plotly): a ``FlightSeries`` in, ``plotly`` ``Figure`` out.

Nothing here touches the simulation: :func:`boostback.report.series.flight_series` reads any
trajectory-like record into the ``FlightSeries`` these functions take.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from boostback.config.vocab import Phase
from boostback.report.labels import DECLUTTER, merge_events
from boostback.report.palette import (
    BLACK,
    CONE_COLOUR,
    EVENT_COLOUR,
    OKABE_ITO,
    PAD_COLOUR,
    PHASE_COLOURS,
    VERMILLION,
    outcome_colour,
    outcome_symbol,
    phase_colour,
    rgba,
)
from boostback.report.series import SERIES, FlightSeries

TEMPLATE = "plotly_white"
_Trace = tuple[int, dict[str, Any]]  # (subplot column, add_scatter keywords)


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "x": 0.01},
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        legend={"groupclick": "togglegroup"},
        colorway=list(OKABE_ITO),
    )
    return fig


def _fmt(v: Any, unit: str = "", digits: int = 1) -> str:
    return f"{v:,.{digits}f} {unit}".strip() if isinstance(v, int | float) else "–"


def _event_text(e: dict[str, Any]) -> str:
    return (
        f"<b>{e.get('name', '?')}</b><br>t = {_fmt(e.get('t_s'), 's', 2)}"
        f"<br>altitude {_fmt(e.get('altitude_m'), 'm')}<br>speed {_fmt(e.get('speed_mps'), 'm/s')}"
        f"<br>propellant {_fmt(e.get('propellant_kg'), 'kg', 0)}"
    )


def _circle(radius: float, z: float | None = None, k: int = 73) -> dict[str, np.ndarray]:
    a = np.linspace(0.0, 2 * math.pi, k)
    pts = {"x": radius * np.cos(a), "y": radius * np.sin(a)}
    return pts if z is None else {**pts, "z": np.full(k, z)}


def _event_markers_3d(fig: go.Figure, fs: FlightSeries, r: np.ndarray) -> list[dict[str, Any]]:
    """Event markers (hover for their state) and their labels, one per moment, as scene
    annotations the page moves clear of each other."""
    if not fs.events:
        return []
    ts = np.array([float(e["t_s"]) for e in fs.events])
    pos = np.column_stack([np.interp(ts, fs.t_s, r[:, k]) for k in range(3)])
    fig.add_scatter3d(
        x=pos[:, 0],
        y=pos[:, 1],
        z=pos[:, 2],
        mode="markers",
        marker={"size": 4, "color": EVENT_COLOUR, "symbol": "diamond"},
        hovertext=[_event_text(e) for e in fs.events],
        hoverinfo="text",
        name="events",
    )
    span = float(fs.t_s[-1] - fs.t_s[0]) if len(fs.t_s) else 1.0
    out = []
    for k, e in enumerate(merge_events(fs.events, span)):
        p = [float(np.interp(float(e["t_s"]), fs.t_s, r[:, c])) for c in range(3)]
        out.append(
            {
                "x": p[0],
                "y": p[1],
                "z": p[2],
                "text": e["label"],
                "name": DECLUTTER,
                "showarrow": True,
                "arrowhead": 0,
                "arrowwidth": 1,
                "arrowcolor": EVENT_COLOUR,
                "ax": 30 if k % 2 == 0 else -30,
                "ay": -24,
                "xanchor": "left" if k % 2 == 0 else "right",
                "font": {"size": 11, "color": "#222222"},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        )
    return out


def trajectory_3d(fs: FlightSeries, *, pad_radius_m: float = 10.0, title: str = "") -> go.Figure:
    """The flown path in 3-D (east, north, altitude), one colour per phase, events marked."""
    fig = go.Figure()
    r, seen = fs.r_enu_m, set()
    if r is None:
        return _layout(fig, title or "Trajectory (no positions recorded)", 300)
    for name, i, j in fs.runs():
        j = min(j + 1, len(fs.t_s) - 1)  # join each run to the next one's start
        fig.add_scatter3d(
            x=r[i : j + 1, 0],
            y=r[i : j + 1, 1],
            z=r[i : j + 1, 2],
            mode="lines",
            line={"color": phase_colour(name), "width": 6},
            name=name.replace("_", " "),
            legendgroup=name,
            showlegend=name not in seen,
            customdata=fs.t_s[i : j + 1],
            hovertemplate="t %{customdata:.2f} s<br>E %{x:.0f} m, N %{y:.0f} m<br>"
            "alt %{z:.0f} m<extra>" + name + "</extra>",
        )
        seen.add(name)
    annotations = _event_markers_3d(fig, fs, r)
    fig.add_scatter3d(
        **_circle(pad_radius_m, 0.0),
        mode="lines",
        line={"color": PAD_COLOUR, "width": 8},
        name=f"pad (r = {pad_radius_m:g} m)",
    )
    span = max(float(np.ptp(r[:, 0])), float(np.ptp(r[:, 1])), 2 * pad_radius_m) * 1.1
    ce, cn = float(r[:, 0].max() + r[:, 0].min()) / 2, float(r[:, 1].max() + r[:, 1].min()) / 2
    zr = float(np.clip(np.ptp(r[:, 2]) / span, 0.5, 1.2))
    scene = {
        "xaxis": {"title": "east (m)", "range": [ce - span / 2, ce + span / 2]},
        "yaxis": {"title": "north (m)", "range": [cn - span / 2, cn + span / 2]},
        "zaxis": {"title": "altitude (m)"},
        "aspectmode": "manual",
        "aspectratio": {"x": 1, "y": 1, "z": zr},
        "camera": {"eye": {"x": 1.55, "y": -1.55, "z": 0.5 + 0.4 * zr}},
        "annotations": annotations,
    }
    fig.update_layout(scene=scene)
    return _layout(fig, title or "Trajectory (horizontal axes to scale, altitude not)", 640)


def time_histories(fs: FlightSeries, *, title: str = "") -> go.Figure:
    """Stacked panels on one time axis, phases shaded, events as dashed lines."""
    rows = [s for s in SERIES if s[0] in fs.series]
    fig = make_subplots(rows=max(len(rows), 1), cols=1, shared_xaxes=True, vertical_spacing=0.015)
    for k, (name, label, unit, scale) in enumerate(rows, start=1):
        fig.add_scatter(
            x=fs.t_s,
            y=fs.series[name] * scale,
            mode="lines",
            name=label,
            line={"width": 1.8},
            row=k,
            col=1,
            hovertemplate="t %{x:.2f} s: %{y:.4g} " + unit + "<extra>" + label + "</extra>",
        )
        fig.update_yaxes(title_text=f"{label} ({unit})" if unit else label, row=k, col=1)
    # shapes and labels span the whole stack (x is shared): built as dicts and set at once,
    # since plotly's add_vrect / add_vline per row are quadratic in the number of panels
    span = {"xref": "x", "yref": "paper", "y0": 0.0, "y1": 1.0}
    shapes: list[dict[str, Any]] = []
    for name, i, j in fs.runs():
        j = min(j + 1, len(fs.t_s) - 1)
        shapes.append(
            {
                **span,
                "type": "rect",
                "x0": fs.t_s[i],
                "x1": fs.t_s[j],
                "opacity": 0.08,
                "fillcolor": phase_colour(name),
                "line": {"width": 0},
                "layer": "below",
            }
        )
    dash = {"dash": "dash", "color": EVENT_COLOUR, "width": 1}
    for e in fs.events:
        t = float(e["t_s"])
        shapes.append({**span, "type": "line", "x0": t, "x1": t, "line": dash})
    t_span = float(fs.t_s[-1] - fs.t_s[0]) if len(fs.t_s) else 1.0
    labels = [
        {
            "x": float(e["t_s"]),
            "y": 1.0,
            "xref": "x",
            "yref": "paper",
            "showarrow": False,
            "text": e["label"],
            "name": DECLUTTER,
            "textangle": -90,
            "xanchor": "right",
            "yanchor": "top",
            "font": {"size": 10, "color": EVENT_COLOUR},
            "bgcolor": "rgba(255,255,255,0.8)",
        }
        for e in merge_events(fs.events, t_span)
    ]
    fig.update_layout(shapes=shapes, annotations=labels, meta={"declutter": "down"})
    fig.update_xaxes(title_text="time (s)", row=max(len(rows), 1), col=1)
    fig.update_layout(showlegend=False, hovermode="x")
    return _layout(fig, title or "Time histories", 150 * max(len(rows), 2) + 80)


def event_timeline(fs: FlightSeries, *, title: str = "") -> go.Figure:
    """Phases as bars along time, events as labelled markers (hover for their state)."""
    fig = go.Figure()
    for name, i, j in fs.runs():
        j = min(j + 1, len(fs.t_s) - 1)
        fig.add_bar(
            x=[max(float(fs.t_s[j] - fs.t_s[i]), 1e-3)],
            base=[float(fs.t_s[i])],
            y=["phases"],
            orientation="h",
            marker_color=phase_colour(name),
            name=name.replace("_", " "),
            text=[name.replace("_", " ")],
            textposition="inside",
            hovertemplate=f"{name}: %{{base:.2f}}–%{{x:.2f}} s later<extra></extra>",
            showlegend=False,
        )
    if fs.events:
        fig.add_scatter(
            x=[float(e["t_s"]) for e in fs.events],
            y=["events"] * len(fs.events),
            mode="markers",
            marker={"symbol": "diamond", "size": 11, "color": EVENT_COLOUR},
            hovertext=[_event_text(e) for e in fs.events],
            hoverinfo="text",
            name="events",
            showlegend=False,
        )
    span = float(fs.t_s[-1] - fs.t_s[0]) if len(fs.t_s) else 1.0
    labels = [
        {
            "x": float(e["t_s"]),
            "y": "events",
            "text": e["label"],
            "name": DECLUTTER,
            "showarrow": True,
            "arrowhead": 0,
            "arrowwidth": 1,
            "arrowcolor": EVENT_COLOUR,
            "ax": 0,
            "ay": -22,
            "font": {"size": 11, "color": "#222222"},
            "bgcolor": "rgba(255,255,255,0.85)",
        }
        for e in merge_events(fs.events, span)
    ]
    fig.update_layout(annotations=labels)
    fig.update_layout(barmode="overlay", xaxis_title="time (s)")
    _layout(fig, title or "Event timeline", 330)
    fig.update_layout(margin={"t": 120})  # room above the events for stacked labels
    return fig


def _closeup_start(fs: FlightSeries) -> int:
    lit = [i for name, i, _ in fs.runs() if name == Phase.LANDING_BURN]
    if lit:
        return max(lit[-1] - 5, 0)
    alt = fs.series.get("altitude_m")
    low = np.flatnonzero(alt > 3000.0) if alt is not None else np.array([], int)
    return int(low[-1]) if len(low) else 0


def _toward_farthest(r: np.ndarray) -> np.ndarray:
    """Unit horizontal vector toward the point of ``r`` farthest from the pad (east if none)."""
    far = r[int(np.argmax(np.hypot(r[:, 0], r[:, 1]))), :2]
    return far / np.hypot(*far) if np.hypot(*far) > 0 else np.array([1.0, 0.0])


def _signed_range(p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Horizontal range from the pad, negative where ``p`` lies on the far side from ``u``."""
    return np.where(p[:, :2] @ u < 0, -1.0, 1.0) * np.hypot(p[:, 0], p[:, 1])


def _add_glide_slope(fig: go.Figure, glide_slope_deg: float, hi: float) -> None:
    """The infeasible region below the glide-slope cone, filled, on the side view."""
    s = math.tan(math.radians(glide_slope_deg))
    fig.add_scatter(
        x=[-hi, 0, hi, hi, -hi],
        y=[hi * s, 0, hi * s, 0, 0],
        mode="lines",
        fill="toself",
        fillcolor=rgba(VERMILLION, 0.18),
        line={"color": CONE_COLOUR, "width": 1.2},
        name=f"below the {glide_slope_deg:g}° glide slope (infeasible)",
        row=1,
        col=1,
    )


def _plan_traces(plan_r_enu_m: np.ndarray | None, u: np.ndarray) -> list[_Trace]:
    """The first plan, dashed, as (column, trace) pairs: side view (1) and top view (2)."""
    if plan_r_enu_m is None or not len(plan_r_enu_m):
        return []
    plan, dash = np.asarray(plan_r_enu_m, float), {"dash": "dash", "color": BLACK}
    return [
        (1, {"x": _signed_range(plan, u), "y": plan[:, 2], "name": "first plan", "line": dash}),
        (2, {"x": plan[:, 0], "y": plan[:, 1], "line": dash, "showlegend": False}),
    ]


def _side_view_traces(xs: np.ndarray, z: np.ndarray, pad_radius_m: float) -> list[_Trace]:
    """The flown path (signed range ``xs`` against altitude ``z``) and the pad, in column 1."""
    flown = {"color": PHASE_COLOURS[Phase.LANDING_BURN]}
    pad = {"color": PAD_COLOUR, "width": 8}
    return [
        (1, {"x": xs, "y": z, "name": "flown", "line": flown}),
        (
            1,
            {
                "x": [-pad_radius_m, pad_radius_m],
                "y": [0, 0],
                "name": f"pad (±{pad_radius_m:g} m)",
                "line": pad,
            },
        ),
    ]


def _top_view_traces(
    r: np.ndarray, pad_radius_m: float, outcome: str | None = None
) -> list[_Trace]:
    """The pad to scale, the flown ground track and the end of flight (marked by its outcome:
    only a landing is a green circle), in column 2."""
    flown = {"color": PHASE_COLOURS[Phase.LANDING_BURN]}
    if outcome:
        end = {"symbol": outcome_symbol(outcome)[0], "size": 12, "color": outcome_colour(outcome)}
        end_name = f"end: {outcome.replace('_', ' ')}"
    else:
        end, end_name = {"symbol": "x", "size": 12, "color": BLACK}, "end of flight"
    end["line"] = {"color": "#222222", "width": 1}
    return [
        (
            2,
            {
                **_circle(pad_radius_m),
                "fill": "toself",
                "line": {"color": PAD_COLOUR},
                "showlegend": False,
            },
        ),
        (2, {"x": r[:, 0], "y": r[:, 1], "line": flown, "showlegend": False}),
        (2, {"x": r[-1:, 0], "y": r[-1:, 1], "mode": "markers", "name": end_name, "marker": end}),
    ]


def _closeup_axes(fig: go.Figure, r: np.ndarray, hi: float, pad_radius_m: float) -> None:
    """Axis titles and ranges: the side view spans ``±hi``; the top view zooms on the pad."""
    zoom = 2.5 * max(pad_radius_m, float(np.hypot(*r[-1, :2])))
    fig.update_xaxes(title_text="horizontal range from pad (m)", range=[-hi, hi], row=1, col=1)
    fig.update_yaxes(title_text="altitude (m)", range=[-0.02 * r[:, 2].max(), None], row=1, col=1)
    fig.update_xaxes(title_text="east (m)", range=[-zoom, zoom], row=1, col=2)
    fig.update_yaxes(title_text="north (m)", range=[-zoom, zoom], scaleanchor="x2", row=1, col=2)


def landing_closeup(
    fs: FlightSeries,
    *,
    glide_slope_deg: float | None,
    pad_radius_m: float = 10.0,
    plan_r_enu_m: np.ndarray | None = None,
    title: str = "",
    outcome: str | None = None,
) -> go.Figure:
    """The landing: side view (signed horizontal range vs altitude) with the glide-slope cone
    and the infeasible region below it, and a to-scale top view of the pad."""
    fig = make_subplots(
        rows=1, cols=2, column_widths=[0.6, 0.4], subplot_titles=("side view", "top view, pad")
    )
    if fs.r_enu_m is None:
        return _layout(fig, title or "Landing close-up (no positions recorded)", 300)
    r = fs.r_enu_m[_closeup_start(fs) :]
    u = _toward_farthest(r)
    xs = _signed_range(r, u)
    hi = max(float(np.abs(xs).max()), 2 * pad_radius_m) * 1.15
    if glide_slope_deg:
        _add_glide_slope(fig, glide_slope_deg, hi)
    traces = (
        _plan_traces(plan_r_enu_m, u)
        + _side_view_traces(xs, r[:, 2], pad_radius_m)
        + _top_view_traces(r, pad_radius_m, outcome)
    )
    for col, trace in traces:
        fig.add_scatter(**{"mode": "lines", **trace}, row=1, col=col)
    _closeup_axes(fig, r, hi, pad_radius_m)
    return _layout(fig, title or "Landing close-up", 480)
