"""Plots of a whole flight, and of a flight against telemetry: data in, ``Figure`` out.

Built on ``matplotlib.figure.Figure`` directly (no pyplot state), like the landing plots.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from boostback.config.vocab import EventName
from boostback.report.palette import GREY, VERMILLION, phase_colour
from boostback.telemetry import SimProfile, Telemetry

if TYPE_CHECKING:
    from boostback.flight.result import FlightResult
    from boostback.gnc.record import Trajectory

__all__ = ["comparison_figure", "flight_figure", "save_flight_plots"]

DPI = 110
MARKED = (  # events drawn as dotted lines
    EventName.MECO,
    EventName.BOOSTBACK_START,
    EventName.BOOSTBACK_END,
    EventName.APOGEE,
    EventName.ENTRY_START,
    EventName.ENTRY_END,
    EventName.LANDING_BURN_START,
    EventName.TOUCHDOWN,
    EventName.IMPACT,
)


def _by_phase(ax: Axes, x: np.ndarray, y: np.ndarray, phases: np.ndarray) -> None:
    """Plot ``y(x)`` in segments coloured by flight phase (one legend entry per phase)."""
    seen: set[str] = set()
    start = 0
    for i in range(1, len(phases) + 1):
        if i == len(phases) or phases[i] != phases[start]:
            ph = str(phases[start])
            end = min(i + 1, len(phases))
            label = ph.replace("_", " ") if ph not in seen else None
            seen.add(ph)
            ax.plot(x[start:end], y[start:end], color=phase_colour(ph), lw=1.4, label=label)
            start = i


def _mark_events(ax: Axes, traj: Trajectory) -> None:
    for e in traj.events:
        if e.name in MARKED:
            ax.axvline(e.t_s, color="0.7", lw=0.6, ls=":")


def flight_figure(traj: Trajectory, title: str = "") -> Figure:
    """Altitude, speed, propellant, dynamic pressure against time; altitude against downrange."""
    cols = traj.columns()
    t = cols["t_s"]
    ph = cols["phase"]
    fig = Figure(figsize=(11, 8), dpi=DPI, layout="constrained")
    axs = fig.subplots(3, 2)
    _by_phase(axs[0, 0], t, cols["altitude_m"] / 1e3, ph)
    axs[0, 0].set_ylabel("altitude (km)")
    _by_phase(axs[0, 1], cols["downrange_m"] / 1e3, cols["altitude_m"] / 1e3, ph)
    axs[0, 1].set_xlabel("downrange from the pad (km)")
    axs[0, 1].set_ylabel("altitude (km)")
    _by_phase(axs[1, 0], t, cols["speed_mps"], ph)
    axs[1, 0].set_ylabel("speed, Earth-relative (m/s)")
    _by_phase(axs[1, 1], t, cols["qbar_pa"] / 1e3, ph)
    axs[1, 1].set_ylabel("dynamic pressure (kPa)")
    _by_phase(axs[2, 0], t, cols["mass_kg"] / 1e3, ph)
    axs[2, 0].set_ylabel("mass (t)")
    # the throttle by phase too: each burn in its own phase colour, not one red for all three
    _by_phase(axs[2, 1], t, cols["throttle"], ph)
    n_max = max(float(np.nanmax(cols["engines"])), 1.0) if len(t) else 1.0
    axs[2, 1].plot(t, cols["engines"] / n_max, color=GREY, lw=0.8, ls=":")
    axs[2, 1].set_ylabel(f"throttle; dotted: engines lit / {n_max:g}")
    for ax in axs.flat:
        ax.grid(alpha=0.3)
    for ax in (axs[0, 0], axs[1, 0], axs[1, 1], axs[2, 0], axs[2, 1]):
        ax.set_xlabel("time after liftoff (s)")
        _mark_events(ax, traj)
    fig.legend(
        *axs[0, 0].get_legend_handles_labels(),
        loc="outside lower center",
        ncols=6,
        fontsize=8,
        title="flight phase",
        title_fontsize=8,
    )
    if title:
        fig.suptitle(title)
    return fig


def comparison_figure(sim: SimProfile, tel: Telemetry, title: str = "") -> Figure:
    """Altitude and speed of the simulated flight over the telemetry's."""
    fig = Figure(figsize=(10, 6.5), dpi=DPI, layout="constrained")
    ax_h, ax_v = fig.subplots(2, 1, sharex=True)
    ax_h.plot(tel.t_s, tel.altitude_m / 1e3, color="0.3", lw=2.0, alpha=0.6, label=tel.name)
    ax_h.plot(sim.t_s, sim.altitude_m / 1e3, color=VERMILLION, lw=1.2, label="boostback")
    ax_v.plot(tel.t_s, tel.speed_mps, color="0.3", lw=2.0, alpha=0.6, label=tel.name)
    ax_v.plot(sim.t_s, sim.speed_mps, color=VERMILLION, lw=1.2, label="boostback")
    for t in tel.events.values():
        for ax in (ax_h, ax_v):
            ax.axvline(t, color="0.6", lw=0.5, ls=":")
    ax_h.set_ylabel("altitude (km)")
    ax_v.set_ylabel("speed (m/s)")
    ax_v.set_xlabel("time after liftoff (s)")
    for ax in (ax_h, ax_v):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title or f"simulated flight vs {tel.name}")
    return fig


def save_flight_plots(result: FlightResult, out_dir: str | Path) -> list[Path]:
    """Write ``flight.png`` and the ground-track ``map.png`` into ``out_dir`` (with the map's
    places in ``map_places.json``, for ``boostback report`` to draw again); returns the PNGs."""
    from boostback.report.geo import track_from_result, write_places
    from boostback.report.map import save_map_png

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    title = f"{result.scenario.name or result.vehicle.name}: {result.outcome}"
    path = out / "flight.png"
    fig = flight_figure(result.trajectory, title)
    fig.savefig(path)
    fig.clear()
    paths = [path]
    track = track_from_result(result)
    if track is not None:
        limits = getattr(result.vehicle.booster, "limits", None)
        pad = getattr(limits, "max_miss_m", 10.0)
        paths.append(save_map_png(track, out, pad_radius_m=pad, title=title))
        write_places(track, out)
    return paths
