"""Review plots of a landing flight: data in, ``matplotlib.figure.Figure`` out.

Figures are built with ``Figure`` directly (never ``pyplot``), so nothing touches global state:
the functions are headless and safe to call from worker threads. Saving renders with Agg.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from boostback.config.vocab import EventName
from boostback.gnc.record import Trajectory
from boostback.report.palette import (
    BLUE,
    CONE_COLOUR,
    EVENT_COLOUR,
    GREEN,
    GREY,
    ORANGE,
    PAD_COLOUR,
    PNG_DPI,
    POWERED_COLOUR,
    PURPLE,
    VERMILLION,
    outcome_colour,
    outcome_symbol,
    phase_colour,
    save_figures,
)

DPI = PNG_DPI  # the PNGs' resolution (report.palette)

if TYPE_CHECKING:
    from boostback.config.models import Vehicle
    from boostback.guidance.plan import LandingPlan
    from boostback.mission.landing import LandingResult

GLIDE_SLOPE_GID = "glide_slope"  # gid of the two cone lines in the side view
PAD_ZOOM_LABEL = "pad zoom"  # label of the inset (a child axes of the top view)
LEGEND = {"fontsize": 8, "framealpha": 0.85}
INFEASIBLE: dict[str, Any] = {
    "fc": VERMILLION,
    "alpha": 0.15,
    "hatch": "//",
    "ec": VERMILLION,
    "lw": 0,
}


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index pairs of the runs of True in ``mask``."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1, strict=True))


def _dry_mass_kg(traj: Trajectory) -> float | None:
    """Dry mass from the first event's propellant (events know it; the record does not)."""
    for ev in traj.events:
        if math.isfinite(ev.propellant_kg) and len(traj.t_s):
            return float(np.interp(ev.t_s, traj.t_s, traj.mass_kg)) - ev.propellant_kg
    return None


def time_histories(traj: Trajectory, *, title: str = "") -> Figure:
    """Five stacked panels on a shared time axis: altitude, speed, throttle, tilt and mass.

    Events are dashed vertical lines on every panel (named on the top one); the powered phase
    (throttle > 0) is shaded.
    """
    fig = Figure(figsize=(10, 10), layout="constrained")
    axs = fig.subplots(5, 1, sharex=True)
    t, v = traj.t_s, traj.v_enu_mps
    alt, spd, thr, tilt, mass = axs
    alt.plot(t, traj.altitude_m, color=BLUE, label="altitude")
    rng = np.hypot(traj.r_enu_m[:, 0], traj.r_enu_m[:, 1])
    alt.plot(t, rng, color=GREEN, label="horizontal range to pad")
    alt.set_ylabel("altitude, range (m)")
    spd.plot(t, traj.speed_mps, color=BLUE, label="speed")
    spd.plot(t, v[:, 2], color=VERMILLION, label="vertical speed (+ up)")
    spd.plot(t, np.hypot(v[:, 0], v[:, 1]), color=GREEN, label="horizontal speed")
    spd.axhline(0.0, color="k", lw=0.6)
    spd.set_ylabel("speed (m/s)")
    thr.plot(t, traj.throttle, color=VERMILLION, label="throttle")
    thr.set_ylim(0.0, 1.05)
    thr.set_ylabel("throttle (fraction)")
    tilt.plot(t, traj.tilt_deg, color=PURPLE, label="thrust axis from vertical")
    tilt.set_ylabel("tilt (deg)")
    mass.plot(t, traj.mass_kg, color=BLUE, label="vehicle mass")
    dry = _dry_mass_kg(traj)
    if dry is not None:
        mass.plot(t, traj.mass_kg - dry, color=ORANGE, label="propellant left")
        mass.set_ylim(bottom=0.0)
    mass.set_ylabel("mass (kg)")
    mass.set_xlabel("time (s)")

    t0, t1 = (float(t[0]), float(t[-1])) if len(t) else (0.0, 1.0)
    for k, ax in enumerate(axs):
        for m, (i, j) in enumerate(_runs(traj.throttle > 0)):
            lab = "powered (throttle > 0)" if k == m == 0 else None
            ax.axvspan(
                t[i], t[min(j + 1, len(t) - 1)], color=POWERED_COLOUR, alpha=0.12, lw=0, label=lab
            )
        for ev in traj.events:
            ax.axvline(ev.t_s, color=EVENT_COLOUR, ls="--", lw=0.9)
        ax.grid(True, alpha=0.35)
        ax.legend(loc="best", **LEGEND)
    for ev in traj.events:  # name left of the line, or right of it near the start
        left = ev.t_s - t0 > 0.05 * (t1 - t0)
        kw = {
            "rotation": 90,
            "va": "top",
            "ha": "right" if left else "left",
            "fontsize": 8,
            "color": EVENT_COLOUR,
        }
        alt.text(ev.t_s, 0.97, f" {ev.name} ", transform=alt.get_xaxis_transform(), **kw)
    alt.set_xlim(t0, t1)
    fig.suptitle(title or "Landing time histories")
    return fig


def _signed_range(r: np.ndarray, u: np.ndarray) -> np.ndarray:
    """True horizontal range (so the glide-slope cone is exact), negative where ``r . u < 0``."""
    rng = np.hypot(r[:, 0], r[:, 1])
    return np.where(r[:, :2] @ u < 0.0, -rng, rng)


def _ignition_index(traj: Trajectory) -> int | None:
    t_ig = next((ev.t_s for ev in traj.events if ev.name == EventName.IGNITION), None)
    if t_ig is not None and len(traj.t_s):
        return int(np.argmin(np.abs(traj.t_s - t_ig)))
    lit = np.flatnonzero(traj.throttle > 0)
    return int(lit[0]) if len(lit) else None


def _end_marker(traj: Trajectory, outcome: str | None) -> tuple[str, str, str]:
    """(marker, colour, label) of the end of the flight, by its outcome: the green touchdown
    mark only for a landing (a 144 m/s crash is a red cross, whatever the events say)."""
    if outcome:
        _, marker = outcome_symbol(outcome)
        return marker, outcome_colour(outcome), outcome.replace("_", " ")
    landed = any(ev.name == EventName.TOUCHDOWN for ev in traj.events)
    return ("X", PAD_COLOUR, EventName.TOUCHDOWN) if landed else ("X", GREY, "end of record")


def _flown(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    traj: Trajectory,
    ig: int | None,
    outcome: str | None = None,
) -> None:
    """The flown path coloured by phase (runs joined end to start), and start/ignition/end."""
    phase, seen, start = traj.phase, set(), 0
    for i in range(1, len(phase) + 1):
        if i < len(phase) and phase[i] == phase[start]:
            continue
        name, end = str(phase[start]), min(i, len(phase) - 1)
        if end > start:
            lab = None if name in seen else f"flown: {name.replace('_', ' ')}"
            seen.add(name)
            ax.plot(
                x[start : end + 1],
                y[start : end + 1],
                color=phase_colour(name),
                lw=2,
                label=lab,
            )
        start = i
    ax.plot(x[0], y[0], "o", mfc="white", mec="k", ms=7, label=EventName.START, zorder=5)
    if ig is not None:
        ax.plot(
            x[ig],
            y[ig],
            "*",
            color=POWERED_COLOUR,
            mec="k",
            ms=14,
            label=EventName.IGNITION,
            zorder=6,
        )
    marker, colour, lab = _end_marker(traj, outcome)
    ax.plot(x[-1], y[-1], marker, color=colour, mec="k", ms=10, label=lab, zorder=6)


def _emptiest_corners(xn: np.ndarray, yn: np.ndarray) -> list[str]:
    """Axes corners, emptiest first, by the points (axes fraction) in that corner's quadrant."""

    def count(right: bool, upper: bool) -> int:
        in_x = xn > 0.52 if right else xn < 0.48
        return int(np.count_nonzero(in_x & (yn > 0.52 if upper else yn < 0.48)))

    names = [
        (f"{'upper' if up else 'lower'} {'right' if rt else 'left'}", count(rt, up))
        for up in (True, False)
        for rt in (True, False)
    ]
    return [n for n, _ in sorted(names, key=lambda p: p[1])]


def _toward_farthest(r: np.ndarray) -> np.ndarray:
    """Unit horizontal vector toward the point of ``r`` farthest from the pad (east if none)."""
    horiz = np.hypot(r[:, 0], r[:, 1])
    far = r[int(np.argmax(horiz)), :2] if len(r) and horiz.max() > 0 else np.array([1.0, 0.0])
    return far / np.hypot(*far)


def _feasible_plan_r(plan: LandingPlan | None) -> np.ndarray | None:
    """The plan's positions if it is a feasible, non-empty plan, else ``None``."""
    return plan.r_enu_m if plan is not None and plan.feasible and len(plan.t_s) else None


def _glide_slope_cone(ax: Axes, glide_slope_deg: float, x_lo: float, x_hi: float) -> None:
    """The infeasible region below the glide slope, hatched, and the cone's two lines."""
    slope = math.tan(math.radians(glide_slope_deg))
    xx = np.linspace(x_lo, x_hi, 401)
    ax.fill_between(
        xx, 0.0, np.abs(xx) * slope, label="below glide slope (infeasible)", **INFEASIBLE
    )
    for k, x_end in enumerate((x_lo, x_hi)):
        lab = f"glide slope {glide_slope_deg:g}°" if k else None
        ax.plot(
            [0.0, x_end],
            [0.0, abs(x_end) * slope],
            color=CONE_COLOUR,
            lw=1.2,
            gid=GLIDE_SLOPE_GID,
            label=lab,
        )


def _side_view(
    ax: Axes,
    traj: Trajectory,
    ig: int | None,
    plan: LandingPlan | None,
    *,
    glide_slope_deg: float | None,
    pad_radius_m: float,
    outcome: str | None = None,
) -> None:
    """Signed horizontal range vs altitude: glide-slope cone, first plan, flown path and pad."""
    r, pr = traj.r_enu_m, _feasible_plan_r(plan)
    pr_all = pr if pr is not None else np.zeros((0, 3))
    u = _toward_farthest(r)
    bearing = math.degrees(math.atan2(u[0], u[1])) % 360.0
    xs, xp = _signed_range(r, u), _signed_range(pr_all, u)
    x_all = np.concatenate([xs, xp, [-pad_radius_m, pad_radius_m]])
    span = float(np.ptp(x_all))
    x_lo, x_hi = min(x_all.min(), 0.0) - 0.15 * span, max(x_all.max(), 0.0) + 0.1 * span
    z_hi = max(float(np.max(r[:, 2], initial=0.0)), float(np.max(pr_all[:, 2], initial=0.0)), 1.0)
    if glide_slope_deg:
        _glide_slope_cone(ax, glide_slope_deg, x_lo, x_hi)
    if pr is not None and plan is not None:
        ax.plot(xp, pr[:, 2], "k--", lw=1.3, label=f"first plan (t_f = {plan.tf_s:.1f} s)")
    _flown(ax, xs, r[:, 2], traj, ig, outcome)
    pad_kw: dict[str, Any] = {"color": PAD_COLOUR, "lw": 7, "alpha": 0.6, "solid_capstyle": "butt"}
    ax.plot([-pad_radius_m, pad_radius_m], [0, 0], label=f"pad (±{pad_radius_m:g} m)", **pad_kw)
    ax.set(xlim=(x_lo, x_hi), ylim=(-0.02 * z_hi, 1.05 * z_hi), ylabel="altitude (m)")
    ax.set_xlabel(f"horizontal range from pad (m), + toward bearing {bearing:03.0f}°")
    ax.set_title("Side view (not to scale)")


def _top_view(
    top: Axes,
    traj: Trajectory,
    ig: int | None,
    pr: np.ndarray | None,
    pad_radius_m: float,
    outcome: str | None = None,
) -> tuple[Axes, list[str]]:
    """East vs north to scale, with an inset on the pad in the emptiest corner.

    Square limits and equal aspect on both. Returns the inset and the corners, emptiest first
    (the inset takes the first).
    """
    r = traj.r_enu_m
    pr_all = pr if pr is not None else np.zeros((0, 3))
    e = np.concatenate([r[:, 0], pr_all[:, 0], [-pad_radius_m, pad_radius_m]])
    n = np.concatenate([r[:, 1], pr_all[:, 1], [-pad_radius_m, pad_radius_m]])
    half = 0.58 * max(float(np.ptp(e)), float(np.ptp(n)))
    ce, cn = 0.5 * (e.max() + e.min()), 0.5 * (n.max() + n.min())
    corners = _emptiest_corners(
        (r[:, 0] - ce + half) / (2 * half), (r[:, 1] - cn + half) / (2 * half)
    )
    x0, y0 = (0.6 if "right" in corners[0] else 0.1), (0.58 if "upper" in corners[0] else 0.1)
    zoom = top.inset_axes((x0, y0, 0.37, 0.37), label=PAD_ZOOM_LABEL)
    for ax, c_e, c_n, h in ((top, ce, cn, half), (zoom, 0.0, 0.0, 2.5 * pad_radius_m)):
        lab = f"pad (r = {pad_radius_m:g} m)"
        ax.add_patch(
            Circle((0, 0), pad_radius_m, fc=PAD_COLOUR, ec=PAD_COLOUR, alpha=0.25, label=lab)
        )
        if pr is not None:
            ax.plot(pr[:, 0], pr[:, 1], "k--", lw=1.3, label="first plan")
        _flown(ax, r[:, 0], r[:, 1], traj, ig, outcome)
        ax.set(xlim=(c_e - h, c_e + h), ylim=(c_n - h, c_n + h))
        ax.set_aspect("equal", adjustable="box")
    zoom.set_title(f"pad, ±{2.5 * pad_radius_m:g} m", fontsize=8)
    zoom.tick_params(labelsize=7)
    top.set(xlabel="east (m)", ylabel="north (m)", title="Top view")
    return zoom, corners


def trajectory_views(
    traj: Trajectory,
    *,
    glide_slope_deg: float | None,
    pad_radius_m: float = 10.0,
    plan: LandingPlan | None = None,
    title: str = "",
    outcome: str | None = None,
) -> Figure:
    """Side view (signed horizontal range vs altitude, glide-slope cone) and top view (E vs N).

    The side view's abscissa is the true horizontal range from the pad, signed by the side of
    the pad relative to the farthest point flown, so the cone drawn is the exact constraint
    (its two lines carry gid ``GLIDE_SLOPE_GID``). The first plan is drawn dashed if feasible.
    The top view is to scale, with an inset (child axes labelled ``PAD_ZOOM_LABEL``) on the pad.
    """
    fig = Figure(figsize=(12, 6), layout="constrained")
    side, top = fig.subplots(1, 2, width_ratios=[1.25, 1.0])
    ig = _ignition_index(traj)
    _side_view(
        side,
        traj,
        ig,
        plan,
        glide_slope_deg=glide_slope_deg,
        pad_radius_m=pad_radius_m,
        outcome=outcome,
    )
    zoom, corners = _top_view(top, traj, ig, _feasible_plan_r(plan), pad_radius_m, outcome)
    for ax in (side, top, zoom):
        ax.grid(True, alpha=0.35)
    side.legend(loc="best", **LEGEND)
    top.legend(loc=corners[1], **LEGEND)
    fig.suptitle(title or "Landing trajectory")
    return fig


def _title(result: LandingResult, vehicle: Vehicle) -> str:
    head = f"{vehicle.name}: {getattr(result.outcome, 'value', result.outcome)}"
    td = result.touchdown
    if td is None:
        return head
    return (
        f"{head} — touchdown {td.vertical_speed_mps:.2f} m/s down, "
        f"{td.lateral_speed_mps:.2f} m/s lateral, miss {td.miss_m:.2f} m, "
        f"{td.propellant_kg:,.0f} kg propellant left"
    )


def save_landing_plots(result: LandingResult, vehicle: Vehicle, out_dir: Path) -> list[Path]:
    """Write ``time_histories.png`` (10x10 in) and ``trajectory.png`` (12x6 in) at 120 dpi, and
    for a 6-DoF record ``attitude.png`` and ``actuators.png`` (``report.rigid_plots``).

    ``result`` is a ``LandingResult`` (its ``trajectory``, ``first_plan``, ``outcome`` and
    ``touchdown`` are used); ``vehicle`` a ``Vehicle`` (``name``, ``booster.landing`` for the
    glide slope, ``booster.limits.max_miss_m`` as the pad radius). Creates ``out_dir``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    booster = vehicle.booster
    gs = booster.landing.glide_slope_deg if booster.landing is not None else None
    title = _title(result, vehicle)
    traj, miss = result.trajectory, booster.limits.max_miss_m
    figs = {
        "time_histories.png": time_histories(traj, title=title),
        "trajectory.png": trajectory_views(
            traj,
            glide_slope_deg=gs,
            pad_radius_m=miss,
            plan=result.first_plan,
            title=title,
            outcome=str(getattr(result.outcome, "value", result.outcome)),
        ),
    }
    paths = save_figures(figs, out_dir)
    if traj.rigid is not None:  # a 6-DoF flight: attitude.png and actuators.png too
        from boostback.report.rigid_plots import StageShape, save_rigid_plots

        shape = StageShape.from_vehicle(vehicle)
        paths += save_rigid_plots(traj, out_dir, shape=shape, title=vehicle.name)
    return paths
