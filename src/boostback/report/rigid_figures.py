"""Interactive (plotly) figures of a rigid (6-DoF) flight, for the report's "Rigid body" section:
attitude, actuators, and the stage drawn at its attitude along its 3-D path.

The angles are those of ``report.rigid_plots`` (tilt, azimuth of the lean, roll: see there why
not Euler angles). Kept apart from the matplotlib plots so that writing PNGs never loads plotly.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from boostback.report.palette import (
    BLACK,
    BLUE,
    EVENT_COLOUR,
    GREEN,
    GREY,
    OKABE_ITO,
    ORANGE,
    PAD_COLOUR,
    POWERED_COLOUR,
    PURPLE,
    VERMILLION,
    phase_colour,
)
from boostback.report.rigid_plots import (
    RATE_COLOURS,
    RATE_NAMES,
    StageShape,
    attitude_angles,
    break_wraps,
    command_tilt_deg,
    fired_engines,
    local_body_axes,
)

if TYPE_CHECKING:
    from boostback.gnc.record import Trajectory

__all__ = [
    "RIGID_FIGURES",
    "actuators_figure",
    "attitude_figure",
    "closeup_start_s",
    "draw_times",
    "rigid_blocks",
    "stage_segments",
    "thin_index",
    "vehicle_3d",
]

TEMPLATE = "plotly_white"
RIGID_FIGURES = (
    "rigid-attitude",
    "rigid-actuators",
    "rigid-3d",
    "rigid-3d-end",
)  # report figure ids
NICE_STEPS_S = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)
MAX_DRAWN = 15  # stage drawings along the path, at most (the last sample is always drawn)
_HOVER = "t %{x:.2f} s: %{y:.4g} "


def thin_index(traj: Trajectory, max_points: int) -> np.ndarray:
    """At most about ``max_points`` sample indices, phase boundaries, events and the ends kept."""
    n = len(traj.t_s)
    if n <= max_points:
        return np.arange(n)
    ph = traj.phase
    keep = [0, n - 1] + [j for i in range(1, n) if ph[i] != ph[i - 1] for j in (i - 1, i)]
    keep += [int(np.argmin(np.abs(traj.t_s - e.t_s))) for e in traj.events]
    base = np.linspace(0, n - 1, max_points).round().astype(int)
    return np.unique(np.concatenate([base, np.asarray(keep, dtype=int)]))


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "x": 0.01},
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        colorway=list(OKABE_ITO),
    )
    return fig


def _shapes(traj: Trajectory, idx: np.ndarray) -> list[dict[str, Any]]:
    """Powered shading and dashed event lines spanning every panel (x is shared)."""
    t, lit = traj.t_s[idx], traj.throttle[idx] > 0
    span = {"xref": "x", "yref": "paper", "y0": 0.0, "y1": 1.0}
    edges = np.diff(np.concatenate(([0], lit.astype(np.int8), [0])))
    out: list[dict[str, Any]] = []
    for i, j in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1, strict=True):
        j = min(j + 1, len(t) - 1)
        rect = {"type": "rect", "x0": t[i], "x1": t[j], "fillcolor": POWERED_COLOUR}
        out.append({**span, **rect, "opacity": 0.08, "line": {"width": 0}, "layer": "below"})
    dash = {"dash": "dash", "color": EVENT_COLOUR, "width": 1}
    for e in traj.events:
        out.append({**span, "type": "line", "x0": e.t_s, "x1": e.t_s, "line": dash})
    return out


def _line(
    fig: go.Figure, row: int, t: np.ndarray, y: np.ndarray, name: str, unit: str, **kw: Any
) -> None:
    fig.add_scatter(
        x=t,
        y=y,
        mode="lines",
        name=name,
        legendgroup=f"row{row}",
        hovertemplate=_HOVER + unit + "<extra>" + name + "</extra>",
        row=row,
        col=1,
        **kw,
    )


def _stack(rows: int, titles: tuple[str, ...]) -> go.Figure:
    return make_subplots(
        rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.04, subplot_titles=titles
    )


def attitude_figure(traj: Trajectory, *, max_points: int = 3000, title: str = "") -> go.Figure:
    """Tilt from vertical; azimuth of the lean and roll; body rates; total angle of attack."""
    rigid = traj.rigid
    if rigid is None:
        raise ValueError("a 3-DoF record has no attitude to plot")
    idx = thin_index(traj, max_points)
    ang, t = attitude_angles(traj), traj.t_s[idx]
    titles = ("tilt from vertical", "azimuth of the lean, roll", "body rates", "angle of attack")
    fig = _stack(4, titles)
    _line(fig, 1, t, ang.tilt_deg[idx], "tilt", "deg", line={"color": PURPLE})
    wanted = command_tilt_deg(rigid)
    if wanted is not None:
        style = {"color": PURPLE, "dash": "dash", "width": 1}
        _line(fig, 1, t, wanted[idx], "commanded thrust axis", "deg", line=style)
    for name, deg, colour in (
        ("azimuth of the lean (from N, cw)", ang.azimuth_deg, GREEN),
        ("roll about the axis", ang.roll_deg, BLUE),
    ):
        _line(fig, 2, *break_wraps(t, deg[idx]), name, "deg", line={"color": colour})
    for k, (name, colour) in enumerate(zip(RATE_NAMES, RATE_COLOURS, strict=True)):
        rate = np.degrees(rigid.rates_rps[idx, k])
        _line(fig, 3, t, rate, f"{name} rate", "deg/s", line={"color": colour})
    alpha = np.degrees(rigid.alpha_rad[idx])
    _line(fig, 4, t, alpha, "angle of attack", "deg", line={"color": VERMILLION})
    for row, label in enumerate(("tilt (deg)", "angle (deg)", "rate (deg/s)", "alpha (deg)"), 1):
        fig.update_yaxes(title_text=label, row=row, col=1)
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(range=[-5, 185], tickvals=[0, 45, 90, 135, 180], row=4, col=1)
    fig.update_xaxes(title_text="time (s)", row=4, col=1)
    fig.update_layout(shapes=_shapes(traj, idx), hovermode="x")
    return _layout(fig, title or "Attitude", 900)


def actuators_figure(
    traj: Trajectory,
    *,
    shape: StageShape | None = None,
    max_points: int = 3000,
    title: str = "",
) -> go.Figure:
    """Per-engine throttle and gimbal angles (engines that fired), fin deflections, and the
    cold-gas thrusters' duty as a map (thruster against time); limits dotted if ``shape``."""
    rigid = traj.rigid
    if rigid is None:
        raise ValueError("a 3-DoF record has no actuators to plot")
    idx = thin_index(traj, max_points)
    t = traj.t_s[idx]
    fired = fired_engines(rigid)
    never = [e for e in range(rigid.engine_throttle.shape[1]) if e not in fired]
    thr_title = "engine throttle" + (f" (never lit: {len(never)})" if never else "")
    titles = (thr_title, "gimbal angles", "grid-fin deflections", "cold-gas thruster duty")
    fig = _stack(4, titles)
    for n, e in enumerate(fired):  # thinner in turn: engines doing the same thing all show
        style = {"color": OKABE_ITO[n % len(OKABE_ITO)], "width": max(3.5 - 0.7 * n, 1.2)}
        _line(fig, 1, t, rigid.engine_throttle[idx, e], f"engine {e}", "", line=style)
        for a, (axis, dash) in enumerate((("y", "solid"), ("z", "dash"))):
            gim = np.degrees(rigid.gimbal_rad[idx, e, a])
            _line(fig, 2, t, gim, f"engine {e} gimbal {axis}", "deg", line=style | {"dash": dash})
    for f in range(rigid.fins_rad.shape[1]):
        style = {"color": OKABE_ITO[f % len(OKABE_ITO)]}
        _line(fig, 3, t, np.degrees(rigid.fins_rad[idx, f]), f"fin {f}", "deg", line=style)
    limits = (shape.gimbal_max_rad, shape.fin_max_rad) if shape is not None else ()
    for row, lim in zip((2, 3), limits, strict=False):
        if math.isfinite(lim) and lim > 0 and len(t):
            y = [math.degrees(lim), math.degrees(lim), None, -math.degrees(lim), -math.degrees(lim)]
            x = [t[0], t[-1], None, t[0], t[-1]]
            _line(fig, row, x, y, "limit", "deg", line={"color": GREY, "dash": "dot"})
    c = rigid.rcs_duty.shape[1]
    if c:
        fig.add_heatmap(
            x=t,
            y=np.arange(c),
            z=rigid.rcs_duty[idx].T,
            zmin=0.0,
            zmax=1.0,
            colorscale="Greys",
            colorbar={"title": {"text": "duty"}, "len": 0.22, "y": 0.11},
            name="thruster duty",
            hovertemplate="t %{x:.2f} s, thruster %{y}: duty %{z:.2f}<extra></extra>",
            row=4,
            col=1,
        )
        if not rigid.rcs_duty.any():
            fig.add_annotation(
                text="no thruster fired", xref="x4 domain", yref="y4 domain", x=0.5, y=0.5,
                showarrow=False,
            )  # fmt: skip
    for row, label in enumerate(("throttle", "gimbal (deg)", "fin (deg)", "thruster"), 1):
        fig.update_yaxes(title_text=label, row=row, col=1)
    fig.update_yaxes(range=[-0.02, 1.05], row=1, col=1)
    fig.update_xaxes(title_text="time (s)", row=4, col=1)
    fig.update_layout(shapes=_shapes(traj, idx), hovermode="x")
    return _layout(fig, title or "Actuators", 900)


# ------------------------------------------------------------------ the stage along its path


def draw_times(t_s: np.ndarray, every_s: float | None = None) -> tuple[np.ndarray, float]:
    """Indices of the samples at which the stage is drawn: one every ``every_s`` seconds from
    the start (the sample nearest each time), and the last sample. ``every_s`` defaults to the
    smallest of :data:`NICE_STEPS_S` giving at most :data:`MAX_DRAWN` drawings."""
    if not len(t_s):
        return np.zeros(0, dtype=int), every_s or 1.0
    span = float(t_s[-1] - t_s[0])
    if every_s is None:
        fit = [s for s in NICE_STEPS_S if span / s <= MAX_DRAWN - 1]
        every_s = fit[0] if fit else span / (MAX_DRAWN - 1)
    want = t_s[0] + every_s * np.arange(int(span // every_s) + 1)
    idx = np.clip(np.searchsorted(t_s, want), 0, len(t_s) - 1)
    return np.unique(np.append(idx, len(t_s) - 1)), float(every_s)


def stage_segments(
    shape: StageShape, axes: np.ndarray, r_m: np.ndarray, throttle: float = 0.0
) -> dict[str, np.ndarray]:
    """The stage drawn at one attitude, in the frame of ``r_m``: ``axes`` (3, 3) holds the body
    axes as columns, ``r_m`` is the record's point (station ``shape.ref_station_m``).

    Returns ``base`` and ``top`` (3,) of the body's axis, ``feet`` (legs, 3) and ``hinges``
    (legs, 3) of the legs (drawn, not modelled: each a strut from its foot to the side of the
    body one footprint radius above the base), and ``flame`` (2, 3): from the base along
    ``-x_body``, a third of the length at full throttle.
    """
    x = axes[:, 0]

    def at(station: float, radial: np.ndarray | None = None) -> np.ndarray:
        p = r_m + (station - shape.ref_station_m) * x
        return p if radial is None else p + radial @ axes[:, 1:].T

    base, top = at(shape.base_station_m), at(shape.base_station_m + shape.length_m)
    az = (np.arange(shape.leg_count) + 0.5) * (2.0 * math.pi / max(shape.leg_count, 1))
    ring = np.stack((np.cos(az), np.sin(az)), 1)  # legs as plant.legs.feet_body places them
    feet = at(shape.ref_station_m, shape.leg_radius_m * ring)
    hinges = at(shape.base_station_m + shape.leg_radius_m, 0.5 * shape.diameter_m * ring)
    flame = np.stack((base, base - (shape.length_m / 3.0) * max(throttle, 0.0) * x))
    return {"base": base, "top": top, "feet": feet, "hinges": hinges, "flame": flame}


def _cylinder(
    base: np.ndarray, top: np.ndarray, axes: np.ndarray, radius: float, k: int = 12
) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (2k, 3) and side triangles (2k, 3) of a cylinder from ``base`` to ``top``."""
    a = np.linspace(0.0, 2 * math.pi, k, endpoint=False)
    ring = radius * (np.cos(a)[:, None] * axes[:, 1] + np.sin(a)[:, None] * axes[:, 2])
    verts = np.concatenate((base + ring, top + ring))
    i = np.arange(k)
    j = (i + 1) % k
    tris = np.concatenate((np.stack((i, j, i + k), 1), np.stack((j, j + k, i + k), 1)))
    return verts, tris


def _polyline(parts: list[np.ndarray]) -> dict[str, list[float | None]]:
    """Line pieces (each (m, 3)) as one scatter3d trace's x, y, z, broken by gaps."""
    out: dict[str, list[float | None]] = {"x": [], "y": [], "z": []}
    for p in parts:
        for c, key in enumerate("xyz"):
            out[key] += [float(v) for v in p[:, c]] + [None]
    return out


def _local_r(traj: Trajectory) -> np.ndarray:
    """Positions east, north, up: a pad-centred record's own, an ECEF one's about its end."""
    if hasattr(traj, "r_enu_m"):
        return traj.r_enu_m
    from boostback.report.series import enu_about

    lat, lon, h = traj.geodetic()
    return enu_about(traj.r_m, h, float(lat[-1]), float(lon[-1]), traj.earth)


def _stage_traces(
    fig: go.Figure, traj: Trajectory, shape: StageShape, r: np.ndarray, idx: np.ndarray
) -> None:
    axes = local_body_axes(traj)
    parts = [stage_segments(shape, axes[i], r[i], float(traj.throttle[i])) for i in idx]
    verts, tris = [], []
    for n, (i, p) in enumerate(zip(idx, parts, strict=True)):
        v, f = _cylinder(p["base"], p["top"], axes[i], 0.5 * shape.diameter_m)
        verts.append(v)
        tris.append(f + n * len(v))
    v, f = np.concatenate(verts), np.concatenate(tris)
    fig.add_mesh3d(
        x=v[:, 0], y=v[:, 1], z=v[:, 2], i=f[:, 0], j=f[:, 1], k=f[:, 2],
        color=GREY, opacity=1.0, flatshading=True, name="stage (to scale)", showlegend=True,
        hoverinfo="skip",
    )  # fmt: skip
    axis = _polyline([np.stack((p["base"], p["top"])) for p in parts])
    text = [f"t {traj.t_s[i]:.1f} s" for i in idx for _ in range(3)]
    fig.add_scatter3d(
        **axis, mode="lines", line={"color": BLACK, "width": 4}, name="stage axis",
        text=text, hovertemplate="%{text}<extra>stage axis</extra>",
    )  # fmt: skip
    if shape.leg_count:
        legs = [
            np.stack((h, f)) for p in parts for h, f in zip(p["hinges"], p["feet"], strict=True)
        ]
        fig.add_scatter3d(
            **_polyline(legs), mode="lines", line={"color": BLUE, "width": 3}, name="legs",
            hoverinfo="skip",
        )  # fmt: skip
    fired = [p["flame"] for i, p in zip(idx, parts, strict=True) if traj.throttle[i] > 0]
    if fired:
        fig.add_scatter3d(
            **_polyline(fired), mode="lines", line={"color": ORANGE, "width": 6},
            name="exhaust (length: throttle)", hoverinfo="skip",
        )  # fmt: skip


def _equal_scene(r: np.ndarray, shape: StageShape, pad_radius_m: float) -> dict[str, Any]:
    """East and north over one square span (the path's, the pad's and a stage length, at
    least), altitude from the ground to above the top of the stage, all to one scale."""
    reach = shape.length_m + abs(shape.base_station_m - shape.ref_station_m)
    half = 0.55 * max(float(np.ptp(r[:, 0])), float(np.ptp(r[:, 1])), 2 * pad_radius_m, reach)
    ce, cn = (0.5 * float(r[:, k].max() + r[:, k].min()) for k in (0, 1))
    z0, z1 = min(0.0, float(r[:, 2].min())), float(r[:, 2].max()) + reach
    big = max(2 * half, z1 - z0)
    ratio = {"x": 2 * half / big, "y": 2 * half / big, "z": (z1 - z0) / big}
    tall = ratio["z"] > ratio["x"]
    return {
        "xaxis": {"title": "east (m)", "range": [ce - half, ce + half]},
        "yaxis": {"title": "north (m)", "range": [cn - half, cn + half]},
        "zaxis": {"title": "altitude (m)", "range": [z0, z1]},
        "aspectmode": "manual",
        "aspectratio": ratio,
        "camera": {"eye": {"x": 1.15, "y": -1.15, "z": 0.3} if tall else None},
    }


def _path_traces(fig: go.Figure, traj: Trajectory, r: np.ndarray, idx: np.ndarray) -> None:
    """The record's path over samples ``idx`` (ascending), one trace per run of a phase."""
    ph, seen, start = traj.phase[idx], set(), 0
    for i in range(1, len(idx) + 1):
        if i < len(idx) and ph[i] == ph[start]:
            continue
        name, sel = str(ph[start]), idx[start : min(i, len(idx) - 1) + 1]
        fig.add_scatter3d(
            x=r[sel, 0], y=r[sel, 1], z=r[sel, 2],
            mode="lines", line={"color": phase_colour(name), "width": 3},
            name=name.replace("_", " "), legendgroup=name, showlegend=name not in seen,
            customdata=traj.t_s[sel],
            hovertemplate="t %{customdata:.2f} s<br>E %{x:.1f} m, N %{y:.1f} m<br>"
            "alt %{z:.1f} m<extra>" + name + "</extra>",
        )  # fmt: skip
        seen.add(name)
        start = i


def vehicle_3d(
    traj: Trajectory,
    *,
    shape: StageShape | None = None,
    every_s: float | None = None,
    since_s: float | None = None,
    pad_radius_m: float = 10.0,
    max_points: int = 3000,
    title: str = "",
) -> go.Figure:
    """The path of the record's point, one colour per phase, and the stage drawn at its
    attitude every ``every_s`` seconds (:func:`draw_times`) and at the end: a cylinder to scale
    with its axis as a line, legs and exhaust (:func:`stage_segments`). All three axes to one
    scale. ``since_s``: only the record from that time on. Without a ``shape`` the stage is
    drawn as a 40 m line on the record's point."""
    if traj.rigid is None:
        raise ValueError("a 3-DoF record has no attitude to draw")
    shape = shape or StageShape(
        length_m=40.0, diameter_m=0.0, base_station_m=0.0, ref_station_m=0.0
    )
    r, fig = _local_r(traj), go.Figure()
    first = int(np.searchsorted(traj.t_s, since_s)) if since_s is not None else 0
    first = min(first, max(len(traj.t_s) - 1, 0))
    idx = thin_index(traj, max_points)
    _path_traces(fig, traj, r, np.union1d(idx[idx >= first], [first]))
    drawn, step = draw_times(traj.t_s[first:], every_s)
    if len(drawn):
        _stage_traces(fig, traj, shape, r, drawn + first)
    a = np.linspace(0.0, 2 * math.pi, 73)
    fig.add_scatter3d(
        x=pad_radius_m * np.cos(a), y=pad_radius_m * np.sin(a), z=np.zeros_like(a),
        mode="lines", line={"color": PAD_COLOUR, "width": 6}, name=f"pad (r = {pad_radius_m:g} m)",
    )  # fmt: skip
    fig.update_layout(scene=_equal_scene(r[first:], shape, pad_radius_m))
    head = title or f"The stage at its attitude every {step:g} s and at the end (to scale)"
    return _layout(fig, head, 720)


def closeup_start_s(traj: Trajectory, shape: StageShape | None, lengths: float = 12.0) -> float:
    """When the record last came down through ``lengths`` stage lengths above the ground (its
    start if never above)."""
    high = (shape.length_m if shape is not None else 40.0) * lengths
    above = np.flatnonzero(_local_r(traj)[:, 2] > high)
    return float(traj.t_s[above[-1]]) if len(above) else float(traj.t_s[0])


def rigid_blocks(
    traj: Any,
    *,
    shape: StageShape | None = None,
    pad_radius_m: float = 10.0,
    max_points: int = 3000,
) -> list[tuple[str, go.Figure]]:
    """The report's rigid-body figures as (id, figure) pairs: none for a record without a
    ``rigid`` history (a 3-DoF flight)."""
    if getattr(traj, "rigid", None) is None:
        return []
    since = closeup_start_s(traj, shape)
    low = (shape.length_m if shape is not None else 40.0) * 12.0
    figs = (
        attitude_figure(traj, max_points=max_points),
        actuators_figure(traj, shape=shape, max_points=max_points),
        vehicle_3d(traj, shape=shape, pad_radius_m=pad_radius_m, max_points=max_points),
        vehicle_3d(
            traj,
            shape=shape,
            since_s=since,
            pad_radius_m=pad_radius_m,
            max_points=max_points,
            title=f"The last {low:,.0f} m, from t = {since:.1f} s (to scale)",
        ),
    )
    return list(zip(RIGID_FIGURES, figs, strict=True))
