"""Review plots of a rigid (6-DoF) flight: attitude, rates, angle of attack and every actuator.

Read from ``Trajectory.rigid`` (a ``gnc.rigid_record.RigidRecord``); a 3-DoF record has none and
gets no figure. Matplotlib ``Figure`` objects built directly (no pyplot state), like
``report.plots``; the interactive (plotly) versions are in ``report.rigid_figures``.

**How the attitude is shown.** The stage's attitude is given as its **tilt** (the angle of the
body axis ``x_body`` from the local vertical), the **azimuth** of that tilt (the bearing the nose
leans towards, clockwise from north) and its **roll** (the twist about its own axis), not as
yaw, pitch and roll Euler angles. A booster flies its descent within a few tens of degrees of
vertical (nose up, engines first); with ``x_body`` as the nose, the usual aerospace 3-2-1
sequence has its singularity (gimbal lock) at pitch = 90 deg, which is the standing attitude
itself, so its yaw and roll would swing through meaningless large angles near touchdown. Tilt is
also what the landing limits judge (``max_tilt_deg``) and what the 3-DoF plots show. The
azimuth is undefined at zero tilt (drawn as a gap below :data:`AZIMUTH_MIN_TILT_DEG`); the roll
is the twist left once the axis is swung back upright by the shortest rotation (swing-twist
decomposition), zero when ``y_body`` then points north (the attitude ``quat_between(x_body, up)``
gives a stage standing up), positive right-handed about the axis; it is undefined only upside
down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from boostback.config.vocab import Frame
from boostback.gnc.rigid_record import rotation_matrices
from boostback.report.palette import (
    BLUE,
    EVENT_COLOUR,
    GREEN,
    GREY,
    OKABE_ITO,
    POWERED_COLOUR,
    PURPLE,
    VERMILLION,
    save_figures,
)

if TYPE_CHECKING:
    from boostback.gnc.record import Trajectory
    from boostback.gnc.rigid_record import RigidRecord

__all__ = [
    "AZIMUTH_MIN_TILT_DEG",
    "RIGID_PNGS",
    "AttitudeAngles",
    "StageShape",
    "actuator_histories",
    "attitude_angles",
    "attitude_histories",
    "break_wraps",
    "fired_engines",
    "local_body_axes",
    "save_rigid_plots",
]

LEGEND = {"fontsize": 8, "framealpha": 0.85}
AZIMUTH_MIN_TILT_DEG = 0.05  # below this tilt the direction of the lean is not drawn
RIGID_PNGS = ("attitude.png", "actuators.png")
RATE_NAMES = ("roll", "pitch", "yaw")
RATE_COLOURS = (PURPLE, BLUE, VERMILLION)


# ------------------------------------------------------------------------------ the stage


@dataclass(frozen=True)
class StageShape:
    """What the plots draw of a stage and the limits they mark (stations along ``x_body`` from
    the gimbal plane, metres; limits in radians; ``nan`` where not known).

    ``ref_station_m`` is the station of the point the record's positions follow: the 6-DoF
    plant records its feet's centre (its landing reference point, ``plant.sixdof``).
    """

    length_m: float
    diameter_m: float
    base_station_m: float
    ref_station_m: float
    leg_count: int = 0
    leg_radius_m: float = 0.0
    gimbal_max_rad: float = math.nan
    fin_max_rad: float = math.nan

    @classmethod
    def from_vehicle(cls, vehicle: Any) -> StageShape | None:
        """The booster of ``vehicle`` (a ``Vehicle``), or ``None`` without a
        ``[booster.rigid_body]`` section."""
        stage = getattr(vehicle, "booster", None)
        rigid = getattr(stage, "rigid_body", None)
        if stage is None or rigid is None:
            return None
        legs = stage.legs if rigid.legs is not None else None
        gf = rigid.grid_fins
        return cls(
            length_m=float(stage.length_m),
            diameter_m=float(stage.diameter_m),
            base_station_m=float(rigid.base_station_m),
            ref_station_m=float(
                rigid.legs.feet_station_m if rigid.legs is not None else rigid.base_station_m
            ),
            leg_count=int(legs.count) if legs is not None else 0,
            leg_radius_m=float(legs.span_m) / 2.0 if legs is not None else 0.0,
            gimbal_max_rad=float(stage.engine.gimbal_rad),
            fin_max_rad=math.radians(gf.max_deflection_deg) if gf is not None else math.nan,
        )


# ------------------------------------------------------------------------ derived angles


def local_body_axes(traj: Trajectory) -> np.ndarray:
    """The body axes in the local east-north-up frame of each sample: (n, 3, 3), column ``j``
    is body axis ``j`` (``[:, :, 0]`` is ``x_body``, the stage's long axis).

    A pad-centred (ENU) record is its own local frame; an ECEF record is turned into the ENU
    frame at each sample's latitude and longitude.
    """
    rigid = traj.rigid
    if rigid is None:
        raise ValueError("a 3-DoF record has no attitude")
    rot = rotation_matrices(rigid.quaternion)
    if traj.frame is Frame.ENU:
        return rot
    lat, lon, _ = traj.geodetic()
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    enu = np.stack(
        (
            np.stack((-so, co, np.zeros_like(lat)), -1),
            np.stack((-sl * co, -sl * so, cl), -1),
            np.stack((cl * co, cl * so, sl), -1),
        ),
        1,
    )
    return enu @ rot


@dataclass(frozen=True)
class AttitudeAngles:
    """Tilt from the local vertical, its azimuth (bearing of the lean, clockwise from north,
    [0, 360)) and roll about the axis ((-180, 180]), degrees, one per sample (module
    docstring)."""

    tilt_deg: np.ndarray
    azimuth_deg: np.ndarray
    roll_deg: np.ndarray


def command_tilt_deg(rigid: Any) -> np.ndarray | None:
    """Tilt from vertical (degrees) of the thrust axis the attitude loop steered to, NaN where it
    steered to none; None when the record has no commanded axis at all."""
    axis = getattr(rigid, "command_axis", None)
    if axis is None or not np.isfinite(axis).any():
        return None
    return np.degrees(np.arccos(np.clip(axis[:, 2], -1.0, 1.0)))


def attitude_angles(traj: Trajectory) -> AttitudeAngles:
    """The attitude of every sample of a rigid record as tilt, azimuth and roll (degrees)."""
    axes = local_body_axes(traj)
    a, y = axes[:, :, 0], axes[:, :, 1]
    horiz = np.hypot(a[:, 0], a[:, 1])
    tilt = np.degrees(np.arctan2(horiz, a[:, 2]))  # atan2 keeps its accuracy near 0
    azimuth = np.degrees(np.arctan2(a[:, 0], a[:, 1])) % 360.0
    azimuth = np.where(tilt >= AZIMUTH_MIN_TILT_DEG, azimuth, np.nan)
    # swing the axis back onto up by the shortest rotation (about a x up), then read where
    # y_body points: S v = v + c x v + c x (c x v) / (1 + d), c = a x up, d = a . up
    up = np.broadcast_to([0.0, 0.0, 1.0], a.shape)
    c, d = np.cross(a, up), a[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        y_up = y + np.cross(c, y) + np.cross(c, np.cross(c, y)) / (1.0 + d)[:, None]
    roll = np.degrees(np.arctan2(-y_up[:, 0], y_up[:, 1]))
    roll = np.where(d > -1.0 + 1e-9, roll, np.nan)
    return AttitudeAngles(tilt, azimuth, roll)


def break_wraps(
    t: np.ndarray, deg: np.ndarray, period: float = 360.0
) -> tuple[np.ndarray, np.ndarray]:
    """``(t, deg)`` with a gap (a ``nan`` sample) inserted wherever an angle wraps round (jumps
    by more than half a turn), so no line is drawn across the plot at the wrap."""
    jump = np.flatnonzero(np.abs(np.diff(deg)) > 0.5 * period) + 1
    return np.insert(t, jump, np.nan), np.insert(np.asarray(deg, float), jump, np.nan)


def fired_engines(rigid: RigidRecord) -> list[int]:
    """The engines whose throttle was ever above zero, in index order."""
    thr = rigid.engine_throttle
    return [int(e) for e in np.flatnonzero(np.any(thr > 0.0, axis=0))] if thr.size else []


# ------------------------------------------------------------------------------ matplotlib


def _lit_runs(throttle: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate(([0], (throttle > 0).astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1, strict=True))


def _dress(axs: list[Axes], traj: Trajectory, shaded: int | None = None) -> None:
    """Powered shading (on the first ``shaded`` panels: all by default), events as dashed lines
    (named on the top panel), grid and legends."""
    t = traj.t_s
    t0, t1 = (float(t[0]), float(t[-1])) if len(t) else (0.0, 1.0)
    for k, ax in enumerate(axs):
        for m, (i, j) in enumerate(_lit_runs(traj.throttle) if k < (shaded or len(axs)) else []):
            lab = "powered (throttle > 0)" if k == m == 0 else None
            j = min(j + 1, len(t) - 1)
            ax.axvspan(t[i], t[j], color=POWERED_COLOUR, alpha=0.10, lw=0, label=lab)
        for ev in traj.events:
            ax.axvline(ev.t_s, color=EVENT_COLOUR, ls="--", lw=0.9)
        ax.grid(True, alpha=0.35)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", **LEGEND)
    for ev in traj.events:
        left = ev.t_s - t0 > 0.05 * (t1 - t0)
        axs[0].text(
            ev.t_s,
            0.97,
            f" {ev.name} ",
            transform=axs[0].get_xaxis_transform(),
            rotation=90,
            va="top",
            ha="right" if left else "left",
            fontsize=8,
            color=EVENT_COLOUR,
        )
    axs[0].set_xlim(t0, t1)
    axs[-1].set_xlabel("time (s)")


def _limit_lines(ax: Axes, limit_rad: float, label: str) -> None:
    if math.isfinite(limit_rad) and limit_rad > 0:
        lim = math.degrees(limit_rad)
        ax.axhline(lim, color=GREY, ls=":", lw=1.2, label=f"{label} ±{lim:g}°")
        ax.axhline(-lim, color=GREY, ls=":", lw=1.2)


def attitude_histories(traj: Trajectory, *, title: str = "") -> Figure:
    """Four stacked panels: tilt from vertical; its azimuth and the roll; body rates; total
    angle of attack."""
    rigid = traj.rigid
    if rigid is None:
        raise ValueError("a 3-DoF record has no attitude to plot")
    ang = attitude_angles(traj)
    fig = Figure(figsize=(10, 10), layout="constrained")
    axs = list(fig.subplots(4, 1, sharex=True))
    t = traj.t_s
    tilt, az, rates, alpha = axs
    tilt.plot(t, ang.tilt_deg, color=PURPLE, label="body axis from vertical")
    wanted = command_tilt_deg(rigid)
    if wanted is not None:
        tilt.plot(t, wanted, color=PURPLE, ls="--", lw=0.9, label="commanded thrust axis")
    tilt.set_ylabel("tilt (deg)")
    tilt.set_ylim(bottom=0.0)
    az.plot(*break_wraps(t, ang.azimuth_deg), color=GREEN, label="azimuth of the lean (from N, cw)")
    az.plot(*break_wraps(t, ang.roll_deg), color=BLUE, label="roll about the axis")
    az.set_ylabel("angle (deg)")
    az.set_ylim(-185.0, 365.0)
    for i, (name, colour) in enumerate(zip(RATE_NAMES, RATE_COLOURS, strict=True)):
        rates.plot(t, np.degrees(rigid.rates_rps[:, i]), color=colour, label=f"{name} rate")
    rates.axhline(0.0, color="k", lw=0.6)
    rates.set_ylabel("body rate (deg/s)")
    alpha.plot(t, np.degrees(rigid.alpha_rad), color=VERMILLION, label="total angle of attack")
    alpha.set_ylabel("angle of attack (deg)")
    alpha.set_ylim(-5.0, 185.0)
    alpha.set_yticks([0, 45, 90, 135, 180])
    _dress(axs, traj)
    fig.suptitle(title or "Rigid body: attitude")
    return fig


def _engine_panels(thr: Axes, gim: Axes, rigid: RigidRecord, t: np.ndarray) -> None:
    fired = fired_engines(rigid)
    for n, e in enumerate(fired):
        # engines drawn thinner in turn, so that engines doing the same thing all show
        style = {"color": OKABE_ITO[n % len(OKABE_ITO)], "lw": max(3.0 - 0.6 * n, 1.0)}
        thr.plot(t, rigid.engine_throttle[:, e], label=f"engine {e}", **style)
        gim.plot(t, np.degrees(rigid.gimbal_rad[:, e, 0]), label=f"engine {e}, y", **style)
        gim.plot(t, np.degrees(rigid.gimbal_rad[:, e, 1]), ls="--", label=f"engine {e}, z", **style)
    never = [e for e in range(rigid.engine_throttle.shape[1]) if e not in fired]
    thr.set_ylim(-0.02, 1.05)
    thr.set_ylabel("engine throttle")
    if never:
        note = f"never lit: engine{'s' if len(never) > 1 else ''} {_ranges(never)}"
        thr.text(0.01, 0.04, note, transform=thr.transAxes, fontsize=8, color=EVENT_COLOUR)
    gim.set_ylabel("gimbal (deg)")


def _ranges(idx: list[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``"1-3, 5"``."""
    out, start = [], 0
    for k in range(1, len(idx) + 1):
        if k == len(idx) or idx[k] != idx[k - 1] + 1:
            a, b = idx[start], idx[k - 1]
            out.append(f"{a}" if a == b else f"{a}-{b}")
            start = k
    return ", ".join(out)


def actuator_histories(
    traj: Trajectory, *, shape: StageShape | None = None, title: str = ""
) -> Figure:
    """Four stacked panels: each engine's throttle (the engines that fired; an engine out shows
    as its line dropping), their gimbal angles about y_body (solid) and z_body (dashed), the
    grid fins' deflections and the cold-gas thrusters' duty (a map: thruster against time).
    ``shape`` adds the gimbal and fin limits."""
    rigid = traj.rigid
    if rigid is None:
        raise ValueError("a 3-DoF record has no actuators to plot")
    fig = Figure(figsize=(10, 10), layout="constrained")
    axs = list(fig.subplots(4, 1, sharex=True))
    t = traj.t_s
    thr, gim, fins, rcs = axs
    _engine_panels(thr, gim, rigid, t)
    for f in range(rigid.fins_rad.shape[1]):
        colour = OKABE_ITO[f % len(OKABE_ITO)]
        fins.plot(t, np.degrees(rigid.fins_rad[:, f]), color=colour, label=f"fin {f}")
    fins.set_ylabel("fin deflection (deg)")
    if shape is not None:
        _limit_lines(gim, shape.gimbal_max_rad, "limit")
        _limit_lines(fins, shape.fin_max_rad, "limit")
    c = rigid.rcs_duty.shape[1]
    if c and len(t) > 1:
        edges = np.concatenate(([t[0]], 0.5 * (t[1:] + t[:-1]), [t[-1]]))
        mesh = rcs.pcolormesh(
            edges, np.arange(c + 1) - 0.5, rigid.rcs_duty.T, cmap="Greys", vmin=0.0, vmax=1.0
        )
        fig.colorbar(mesh, ax=rcs, label="duty", pad=0.01)
        rcs.set_yticks(range(c))
        if not rigid.rcs_duty.any():
            rcs.text(0.5, 0.5, "no thruster fired", transform=rcs.transAxes, ha="center")
    else:
        rcs.text(0.5, 0.5, "no cold-gas thrusters", transform=rcs.transAxes, ha="center")
    rcs.set_ylabel("thruster")
    _dress(axs, traj, shaded=3)  # not over the duty map
    fig.suptitle(title or "Rigid body: actuators")
    return fig


def save_rigid_plots(
    traj: Trajectory, out_dir: str | Path, *, shape: StageShape | None = None, title: str = ""
) -> list[Path]:
    """Write ``attitude.png`` and ``actuators.png`` (10x10 in, 120 dpi) for a rigid record;
    nothing (an empty list) for a 3-DoF one. Creates ``out_dir``."""
    if traj.rigid is None:
        return []
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    head = f"{title}: " if title else ""
    figs = {
        RIGID_PNGS[0]: attitude_histories(traj, title=f"{head}attitude"),
        RIGID_PNGS[1]: actuator_histories(traj, shape=shape, title=f"{head}actuators"),
    }
    return save_figures(figs, out)
