"""The ground-track map of a flight, interactive (plotly) and static (matplotlib), drawn offline.

Two panels: the whole flight over the land (latitude and longitude, the 1:110m or 1:10m Natural
Earth outlines bundled in ``report/data``), and a close view in metres about the end of the
flight (the last few km of the descent, the landing zone and the pad to scale). The track is
coloured by phase with :mod:`.palette`'s phase colours; places are marked by kind, and the end
of the flight by its outcome (a crash is never the green touchdown circle). Nothing is fetched:
the land is drawn as filled polygons from the bundled file, not from a tile or topology server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Polygon
from numpy.typing import ArrayLike
from plotly.subplots import make_subplots

from boostback.report.geo import EARTH_RADIUS_M, Box, GroundTrack, Place, land_within
from boostback.report.palette import (
    COAST_COLOUR,
    LAND_COLOUR,
    OKABE_ITO,
    PAD_COLOUR,
    SEA_COLOUR,
    phase_colour,
    place_marker,
    rgba,
)

__all__ = ["CLOSE_MIN_M", "MAP_PNG", "close_view", "ground_track_figure", "map_png", "save_map_png"]

MAP_PNG = "map.png"
CLOSE_MIN_M = 4000.0  # the close view spans at least this much
CLOSE_BELOW_M = 2_500.0  # and holds the track below this altitude near the end
CLOSE_WITHIN_M = 20_000.0  # ... within this distance of the end
CLOSE_PLACES_M = 4_000.0  # and the places within this distance of the end
PNG_SIZE_IN = (13.0, 6.0)
PNG_DPI = 110
TITLES = ("Ground track", "Near the end of the flight (below 2.5 km)")
LAND_NOTE = "Land: Natural Earth (public domain); 1:10m outlines are good to about 1 km."


@dataclass(frozen=True)
class CloseView:
    """The close view: local east/north (m) about ``lat0``/``lon0`` and its half-width."""

    lat0: float
    lon0: float
    half_m: float

    def en(self, lat: ArrayLike, lon: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """East and north (m) of latitude/longitude (deg): equirectangular, fine over km."""
        k = math.radians(1.0) * EARTH_RADIUS_M
        east = (np.asarray(lon, float) - self.lon0) * k * math.cos(math.radians(self.lat0))
        return east, (np.asarray(lat, float) - self.lat0) * k

    def box(self) -> Box:
        k = math.degrees(1.0 / EARTH_RADIUS_M)
        d_lat = 1.3 * self.half_m * k
        d_lon = d_lat / max(math.cos(math.radians(self.lat0)), 0.05)
        return Box(self.lat0 - d_lat, self.lat0 + d_lat, self.lon0 - d_lon, self.lon0 + d_lon)


def close_view(track: GroundTrack, pad_radius_m: float = 10.0) -> CloseView:
    """About the end of the flight: the track below ``CLOSE_BELOW_M`` within ``CLOSE_WITHIN_M``
    of the end, the places there, and at least ``CLOSE_MIN_M`` across."""
    lat0, lon0 = track.landing_point()
    view = CloseView(lat0, lon0, 1.0)
    e, n = view.en(track.lat_deg, track.lon_deg)
    high = np.flatnonzero(track.alt_m >= CLOSE_BELOW_M)
    final = np.arange(len(e)) > (high[-1] if len(high) else -1)  # the last descent only
    near = final & (np.hypot(e, n) < CLOSE_WITHIN_M)
    reach = float(np.abs(np.concatenate([e[near], n[near], [0.0]])).max())
    for p in track.places:
        pe, pn = view.en(np.array([p.lat_deg]), np.array([p.lon_deg]))
        d = float(max(abs(pe[0]), abs(pn[0])))
        if d < CLOSE_PLACES_M:
            reach = max(reach, d)
    return CloseView(lat0, lon0, max(1.15 * reach, CLOSE_MIN_M / 2, 3 * pad_radius_m))


def overview_box(track: GroundTrack) -> Box:
    lat = np.concatenate([track.lat_deg, [p.lat_deg for p in track.places]])
    lon = np.concatenate([track.lon_deg, [p.lon_deg for p in track.places]])
    return Box.around(lat, lon, pad=0.12, least_m=60_000.0)


def _joined(rings: list[np.ndarray]) -> tuple[list, list]:
    """Rings as one x and one y list with ``None`` between them (one plotly trace)."""
    xs: list = []
    ys: list = []
    for r in rings:
        xs += [*r[:, 0].tolist(), None]
        ys += [*r[:, 1].tolist(), None]
    return xs, ys


def _land_trace(rings: list[np.ndarray], col: int) -> dict:
    xs, ys = _joined(rings)
    return {
        "x": xs,
        "y": ys,
        "mode": "lines",
        "fill": "toself",
        "fillcolor": LAND_COLOUR,
        "line": {"color": COAST_COLOUR, "width": 0.8},
        "name": "land",
        "legendgroup": "land",
        "showlegend": col == 1,
        "hoverinfo": "skip",
    }


def _place_text(p: Place) -> str:
    return f"<b>{p.name}</b><br>{p.kind.value}<br>{p.lat_deg:.5f}°, {p.lon_deg:.5f}°" + (
        f"<br>{p.detail}" if p.detail else ""
    )


def _add_places(fig: go.Figure, track: GroundTrack, view: CloseView) -> None:
    """One trace per kind of place in each panel (legend entries once)."""
    kinds = list(dict.fromkeys(p.kind for p in track.places))
    for kind in kinds:
        ps = [p for p in track.places if p.kind == kind]
        m = place_marker(kind.value)
        lat, lon = np.array([p.lat_deg for p in ps]), np.array([p.lon_deg for p in ps])
        e, n = view.en(lat, lon)
        for col, (x, y) in ((1, (lon, lat)), (2, (e, n))):
            fig.add_scatter(
                x=x,
                y=y,
                mode="markers",
                marker={
                    "symbol": m.plotly,
                    "size": m.size,
                    "color": m.colour,
                    "line": {"color": "#222222", "width": 1},
                },
                name=kind.value,
                legendgroup=f"place:{kind.value}",
                showlegend=col == 1,
                hovertext=[_place_text(p) for p in ps],
                hoverinfo="text",
                row=1,
                col=col,
            )


def _add_track(fig: go.Figure, track: GroundTrack, view: CloseView) -> None:
    """The track by phase in both panels (one legend entry per phase)."""
    seen: set[str] = set()
    e, n = view.en(track.lat_deg, track.lon_deg)
    for name, i, j in track.runs():
        j = min(j + 1, len(track.t_s) - 1)
        for col, (x, y) in ((1, (track.lon_deg, track.lat_deg)), (2, (e, n))):
            fig.add_scatter(
                x=x[i : j + 1],
                y=y[i : j + 1],
                mode="lines",
                line={"color": phase_colour(name), "width": 2.5},
                name=name.replace("_", " "),
                legendgroup=f"phase:{name}",
                showlegend=col == 1 and name not in seen,
                customdata=np.column_stack([track.t_s[i : j + 1], track.alt_m[i : j + 1] / 1e3]),
                hovertemplate="t %{customdata[0]:.1f} s, altitude %{customdata[1]:.2f} km"
                "<extra>" + name.replace("_", " ") + "</extra>",
                row=1,
                col=col,
            )
        seen.add(name)


def ground_track_figure(track: GroundTrack, *, pad_radius_m: float = 10.0) -> go.Figure:
    """The map: the ground track over the land (left) and the close view about its end (right)."""
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], subplot_titles=TITLES)
    box, view = overview_box(track), close_view(track, pad_radius_m)
    fig.add_scatter(**_land_trace(land_within(box), 1), row=1, col=1)
    local = [
        np.column_stack(view.en(r[:, 1], r[:, 0])) for r in land_within(view.box(), detail=True)
    ]
    fig.add_scatter(**_land_trace(local, 2), row=1, col=2)
    pad = np.linspace(0.0, 2 * math.pi, 73)
    _add_track(fig, track, view)
    _add_places(fig, track, view)
    lz = next((p for p in track.places if p.kind.value in ("landing zone", "drone ship")), None)
    if lz is not None:
        ce, cn = view.en(np.array([lz.lat_deg]), np.array([lz.lon_deg]))
        fig.add_scatter(
            x=ce[0] + pad_radius_m * np.cos(pad),
            y=cn[0] + pad_radius_m * np.sin(pad),
            mode="lines",
            fill="toself",
            fillcolor=rgba(PAD_COLOUR, 0.25),
            line={"color": PAD_COLOUR, "width": 1},
            name=f"pad (r = {pad_radius_m:g} m)",
            hoverinfo="skip",
            row=1,
            col=2,
        )
    _map_axes(fig, box, view)
    fig.update_layout(
        template="plotly_white",
        title={"text": "Map: ground track, sites and predicted impacts", "x": 0.01},
        height=600,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        colorway=list(OKABE_ITO),
        legend={"groupclick": "togglegroup"},
        plot_bgcolor=SEA_COLOUR,
        meta={"map": True},
    )
    return fig


def _map_axes(fig: go.Figure, box: Box, view: CloseView) -> None:
    grid = {"gridcolor": "rgba(255,255,255,0.9)", "zeroline": False, "showline": True}
    fig.update_xaxes(
        title_text="longitude (°)", range=[box.lon_lo, box.lon_hi], **grid, row=1, col=1
    )
    fig.update_yaxes(
        title_text="latitude (°)",
        range=[box.lat_lo, box.lat_hi],
        scaleanchor="x",
        scaleratio=box.aspect,
        **grid,
        row=1,
        col=1,
    )
    h = view.half_m
    fig.update_xaxes(title_text="east of the end (m)", range=[-h, h], **grid, row=1, col=2)
    fig.update_yaxes(
        title_text="north of the end (m)", range=[-h, h], scaleanchor="x2", **grid, row=1, col=2
    )


# ----------------------------------------------------------------------------- static PNG


def _mpl_panel(
    ax: Axes,
    rings: list[np.ndarray],
    track_xy: tuple[np.ndarray, np.ndarray],
    track: GroundTrack,
    places_xy: list,
    seen: set[str],
) -> None:
    for r in rings:
        ax.add_patch(Polygon(r, closed=True, fc=LAND_COLOUR, ec=COAST_COLOUR, lw=0.6, zorder=1))
    x, y = track_xy
    for name, i, j in track.runs():
        j = min(j + 1, len(track.t_s) - 1)
        lab = None if name in seen else name.replace("_", " ")
        seen.add(name)
        ax.plot(x[i : j + 1], y[i : j + 1], color=phase_colour(name), lw=1.8, label=lab, zorder=3)
    for p, (px, py) in zip(track.places, places_xy, strict=True):
        m = place_marker(p.kind.value)
        lab = None if f"place:{p.kind}" in seen else p.kind.value
        seen.add(f"place:{p.kind}")
        open_marker = m.plotly.endswith("-open")
        ax.plot(
            px,
            py,
            m.mpl,
            ms=m.size * 0.8,
            mfc="none" if open_marker else m.colour,
            mec=m.colour if open_marker or m.mpl in "xX" else "#222222",
            mew=1.6 if open_marker else 1.0,
            label=lab,
            zorder=5,
        )
    ax.set_facecolor(SEA_COLOUR)
    ax.grid(True, color="white", lw=0.8, zorder=0)


def map_png(track: GroundTrack, *, pad_radius_m: float = 10.0, title: str = "") -> Figure:
    """The same two panels as :func:`ground_track_figure`, for papers and slides."""
    fig = Figure(figsize=PNG_SIZE_IN, layout="constrained")
    over, close = fig.subplots(1, 2, width_ratios=[1.2, 1.0])
    box, view = overview_box(track), close_view(track, pad_radius_m)
    seen: set[str] = set()
    ll = [(p.lon_deg, p.lat_deg) for p in track.places]
    _mpl_panel(over, land_within(box), (track.lon_deg, track.lat_deg), track, ll, seen)
    over.set(xlim=(box.lon_lo, box.lon_hi), ylim=(box.lat_lo, box.lat_hi))
    over.set(xlabel="longitude (°)", ylabel="latitude (°)", title=TITLES[0])
    over.set_aspect(box.aspect)
    local = [
        np.column_stack(view.en(r[:, 1], r[:, 0])) for r in land_within(view.box(), detail=True)
    ]
    en = [tuple(float(v[0]) for v in view.en([p.lat_deg], [p.lon_deg])) for p in track.places]
    _mpl_panel(close, local, view.en(track.lat_deg, track.lon_deg), track, en, seen)
    lz = next((p for p in track.places if p.kind.value in ("landing zone", "drone ship")), None)
    if lz is not None:
        ce, cn = view.en([lz.lat_deg], [lz.lon_deg])
        close.add_patch(
            Circle((float(ce[0]), float(cn[0])), pad_radius_m, fc=PAD_COLOUR, alpha=0.3, zorder=4)
        )
    h = view.half_m
    close.set(
        xlim=(-h, h), ylim=(-h, h), xlabel="east of the end (m)", ylabel="north of the end (m)"
    )
    close.set_title(TITLES[1])
    close.set_aspect("equal")
    fig.legend(loc="outside right center", fontsize=8, framealpha=0.9)
    fig.suptitle(title or "Ground track")
    fig.text(0.995, 0.005, LAND_NOTE, fontsize=7, color="#666666", ha="right")
    return fig


def save_map_png(track: GroundTrack, out_dir: str | Path, **kw: object) -> Path:
    """Write ``map.png`` (``PNG_SIZE_IN`` at ``PNG_DPI``) into ``out_dir``."""
    path = Path(out_dir) / MAP_PNG
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = map_png(track, **kw)  # type: ignore[arg-type]
    fig.savefig(path, dpi=PNG_DPI)
    fig.clear()
    return path
