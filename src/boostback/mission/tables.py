"""The tables boostback prints, for a landing burn, a whole flight and a campaign.

One set of table builders for the command line and for Python: ``print(result)`` and
``result.info()`` show what ``boostback land``, ``boostback fly`` and ``boostback mc summary``
show. The builders return rich renderables; :func:`to_text` lays them out as plain text at a
fixed width (no colour, no terminal needed) and :func:`show` prints them on a console (in colour
on a terminal).

The builders read their results through attributes only, so this module sits in ``mission/``
(below the flights and campaigns it describes) and imports nothing above it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Console, RenderableType
from rich.table import Table

__all__ = [
    "FLIGHT_SUCCESS",
    "FLIGHT_TEXT_WIDTH",
    "TEXT_WIDTH",
    "budget_table",
    "campaign_header",
    "campaign_tables",
    "counted",
    "ellipse_line",
    "flight_tables",
    "fmt_number",
    "landing_table",
    "landing_tables",
    "limits_table",
    "notes_lines",
    "outcomes_table",
    "percentiles_table",
    "reserve_table",
    "sensitivity_table",
    "show",
    "timeline_table",
    "to_text",
]

TEXT_WIDTH = 100  # columns of plain text (print(result)); the CLI passes its console's width
FLIGHT_TEXT_WIDTH = 120  # a flight's timeline keeps its notes on one line at this width
INLINE_NOTES_WIDTH = 100  # narrower than this, the timeline's notes go under the table
FLIGHT_SUCCESS = ("landed", "expended")
LANDING_SUCCESS = ("landed",)
SENSITIVITY_ROWS = 8

# (label, summary key, unit) of the landing table, in the order boostback land prints them
LANDING_ROWS = (
    ("outcome", "outcome", ""),
    ("ignition time", "ignition_t_s", "s"),
    ("ignition altitude", "ignition_altitude_m", "m"),
    ("burn time", "burn_time_s", "s"),
    ("touchdown vertical speed", "touchdown_vertical_speed_mps", "m/s"),
    ("touchdown lateral speed", "touchdown_lateral_speed_mps", "m/s"),
    ("touchdown tilt", "touchdown_tilt_deg", "deg"),
    ("miss distance", "miss_distance_m", "m"),
    ("propellant used", "propellant_used_kg", "kg"),
    ("propellant left", "propellant_left_kg", "kg"),
    ("guidance re-plans", "replans", ""),
    ("guidance solves", "guidance_solves", ""),
)


def to_text(renderables: Iterable[RenderableType], width: int = TEXT_WIDTH) -> str:
    """Lay renderables out as plain text, one after the other, at a fixed width.

    Parameters
    ----------
    renderables : iterable of rich renderables
        Tables, texts or strings (rich markup in strings is applied, then its styles dropped).
    width : int
        Columns to lay out at.

    Returns
    -------
    str
        The text, without colour codes and without a trailing newline.
    """
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, color_system=None, force_terminal=False, highlight=False
    )
    for item in renderables:
        console.print(item)
    return buffer.getvalue().rstrip("\n")


def show(renderables: Iterable[RenderableType], console: Console | None = None) -> None:
    """Print renderables on a console: in colour on a terminal, plain when piped.

    Parameters
    ----------
    renderables : iterable of rich renderables
        What to print.
    console : Console, optional
        Where to print; default a new console on standard output.
    """
    console = console if console is not None else Console(highlight=False)
    for item in renderables:
        console.print(item)


def fmt_number(value: float, scale: float = 1.0, digits: int = 1) -> str:
    """``value / scale`` with thousands separators and ``digits`` decimals ("n/a": not finite)."""
    return "n/a" if not math.isfinite(value) else f"{value / scale:,.{digits}f}"


def _outcome_markup(outcome: str, success: Sequence[str]) -> str:
    colour = "green" if outcome in success else "red"
    return f"[bold {colour}]{outcome}[/]"


def notes_lines(notes: Iterable[str]) -> list[str]:
    """A flight's notes as ``note:`` lines (rich markup), as the CLI prints them.

    Parameters
    ----------
    notes : iterable of str
        The notes.

    Returns
    -------
    list of str
        One line per note.
    """
    return [f"[yellow]note:[/] {note}" for note in notes]


# -- a landing burn ------------------------------------------------------------------------------


def landing_table(summary: Mapping[str, Any], title: str = "landing burn") -> Table:
    """The table ``boostback land`` prints.

    Parameters
    ----------
    summary : mapping
        ``LandingResult.summary()``.
    title : str
        The table's title (the CLI's is ``"<vehicle name>: landing burn"``).

    Returns
    -------
    Table
        Quantity and value, with units.
    """
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for name, key, unit in LANDING_ROWS:
        value = summary[key]
        if key == "outcome":
            text = _outcome_markup(str(value), LANDING_SUCCESS)
        elif isinstance(value, float):
            text = "n/a" if not math.isfinite(value) else f"{value:,.2f} {unit}".strip()
        else:
            text = f"{value} {unit}".strip()
        table.add_row(name, text)
    return table


def landing_tables(result: Any, title: str = "landing burn") -> list[RenderableType]:
    """Everything ``boostback land`` prints about a landing: its table, then its notes.

    Parameters
    ----------
    result : LandingResult
        The landing.
    title : str
        The table's title.

    Returns
    -------
    list of rich renderables
    """
    return [landing_table(result.summary(), title), *notes_lines(result.notes)]


# -- a whole flight ------------------------------------------------------------------------------


def timeline_table(result: Any, width: int = TEXT_WIDTH) -> Table:
    """The event timeline of a flight.

    Below ``INLINE_NOTES_WIDTH`` columns the events' notes leave the table for a list under it
    (its caption), so that the numbers stay on one line each.

    Parameters
    ----------
    result : FlightResult
        The flight.
    width : int
        Columns the table is laid out in.

    Returns
    -------
    Table
    """
    title = f"{result.scenario.name or result.vehicle.name}: event timeline"
    events = result.timeline()
    inline = width >= INLINE_NOTES_WIDTH
    notes = [f"{e.name}: {e.detail}" for e in events if e.detail]
    caption = None if inline or not notes else "\n".join(notes)
    table = Table(
        title=title, caption=caption, caption_justify="left", box=box.SIMPLE_HEAD, pad_edge=False
    )
    table.add_column("event", no_wrap=True)
    for col in ("T+ (s)", "alt (km)", "speed (m/s)", "range (km)", "prop. (t)"):
        table.add_column(col, justify="right", no_wrap=True)
    if inline:
        table.add_column("note")
    for e in events:
        row = [
            e.name,
            fmt_number(e.t_s),
            fmt_number(e.altitude_m, 1e3, 2),
            fmt_number(e.speed_mps, 1.0, 0),
            fmt_number(e.downrange_m, 1e3, 1),
            fmt_number(e.propellant_kg, 1e3, 2),
        ]
        table.add_row(*row, *([e.detail] if inline else []))
    return table


def budget_table(result: Any) -> Table:
    """Propellant spent in each burn of a flight, and what is left (``FlightResult.budget()``).

    Parameters
    ----------
    result : FlightResult
        The flight.

    Returns
    -------
    Table
    """
    table = Table(title="propellant budget")
    table.add_column("item")
    table.add_column("propellant (t)", justify="right")
    for name, kg in result.budget():
        table.add_row(name, fmt_number(kg, 1e3, 2))
    return table


def reserve_table(result: Any) -> Table:
    """The recovery reserve needed at the flight's MECO, for every recovery mode.

    Parameters
    ----------
    result : FlightResult
        The flight.

    Returns
    -------
    Table
    """
    table = Table(
        title="recovery reserve needed at this MECO, by recovery mode (t), and its velocity "
        "changes (m/s): boostback / entry / landing",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("mode", no_wrap=True)
    for col in ("boostback", "entry", "landing", "margin", "total"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("dv (m/s)", justify="right", no_wrap=True)
    for mode, b in result.reserve_table.items():
        flown = " (flown)" if mode == result.scenario.recovery.mode else ""
        table.add_row(
            mode + flown,
            *(fmt_number(kg, 1e3, 1) for kg in (b.boostback_kg, b.entry_kg, b.landing_kg)),
            fmt_number(b.margin_kg, 1e3, 1),
            fmt_number(b.total_kg, 1e3, 1),
            f"{b.boostback_dv_mps:.0f}/{b.entry_dv_mps:.0f}/{b.landing_dv_mps:.0f}",
        )
    return table


def limits_table(summary: Mapping[str, Any]) -> Table:
    """A flight's outcome and the figures that have limits, beside their limits.

    Parameters
    ----------
    summary : mapping
        ``FlightResult.summary()``.

    Returns
    -------
    Table
    """
    table = Table(title="outcome and limits")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_column("limit", justify="right")
    table.add_row("outcome", _outcome_markup(summary["outcome"], FLIGHT_SUCCESS), "")
    s = summary
    rows = [
        ("miss distance (m)", s["miss_distance_m"], None, 1.0),
        ("touchdown vertical speed (m/s)", s["touchdown_vertical_speed_mps"], None, 1.0),
        ("max-Q, ascent (kPa)", s["max_q_ascent_pa"], s["max_q_ascent_limit_pa"], 1e3),
        (
            "peak dynamic pressure, descent (kPa)",
            s["peak_qbar_descent_pa"],
            s["peak_qbar_descent_limit_pa"],
            1e3,
        ),
        (
            "peak heating index (kW/m^2)",
            s["peak_heat_flux_wpm2"],
            s["peak_heat_flux_limit_wpm2"],
            1e3,
        ),
        ("entry-burn target speed (m/s)", s["entry_target_speed_mps"], None, 1.0),
    ]
    if "rigid_flip_s" in s:  # a 6-DoF flight: the rigid body's figures
        rows += [
            ("touchdown tilt (deg)", s.get("touchdown_tilt_deg", math.nan), None, 1.0),
            ("touchdown body rates (deg/s)", s.get("touchdown_rates_dps", math.nan), None, 1.0),
            (
                "tip-over margin (1: upright at rest)",
                s.get("touchdown_tipover_margin", math.nan),
                None,
                1.0,
            ),
            ("flip on the thrusters (s)", s["rigid_flip_s"], None, 1.0),
            ("nitrogen used (kg)", s["rigid_gas_used_kg"], None, 1.0),
            ("nitrogen left (kg)", s["rigid_gas_left_kg"], None, 1.0),
            ("angle of attack at entry burn (deg)", s["rigid_entry_alpha_deg"], None, 1.0),
            (
                "largest angle of attack, fin descent (deg)",
                s["rigid_descent_alpha_max_deg"],
                None,
                1.0,
            ),
        ]
    for name, value, limit, scale in rows:
        table.add_row(
            name, fmt_number(value, scale, 2), "" if limit is None else fmt_number(limit, scale, 1)
        )
    return table


def flight_tables(result: Any, width: int = TEXT_WIDTH) -> list[RenderableType]:
    """Everything ``boostback fly`` prints about a flight: timeline, propellant budget, reserve
    by recovery mode, outcome and limits, then the notes.

    Parameters
    ----------
    result : FlightResult
        The flight.
    width : int
        Columns the timeline is laid out in (see :func:`timeline_table`).

    Returns
    -------
    list of rich renderables
    """
    return [
        timeline_table(result, width),
        budget_table(result),
        reserve_table(result),
        limits_table(result.summary()),
        *notes_lines(result.notes),
    ]


# -- a campaign ----------------------------------------------------------------------------------


def counted(n: int, noun: str) -> str:
    """``n`` and the noun, in the singular for one: "1 run", "3 runs"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def campaign_header(summary: Any, where: str = "campaign") -> str:
    """The campaign's first line: runs, errors, landing probability and its 95 % intervals.

    Parameters
    ----------
    summary : CampaignSummary
        ``campaign.stats.summarize(frame)``.
    where : str
        What the results are (the CLI gives the results folder).

    Returns
    -------
    str
        One line of rich markup.
    """
    lo, hi = summary.interval_95
    line = (
        f"[bold]{where}[/]: {counted(summary.runs, 'run')}, {counted(summary.errors, 'error')}. "
        "Landing probability "
        f"[bold]{summary.landing_probability:.1%}[/] (95% Wilson interval {lo:.1%} - {hi:.1%}"
    )
    exact = getattr(summary, "interval_95_clopper_pearson", None)
    if exact is not None:
        line += f"; Clopper-Pearson {exact[0]:.1%} - {exact[1]:.1%}"
    return line + ")"


def outcomes_table(summary: Any) -> Table:
    """How many runs ended in each outcome.

    Parameters
    ----------
    summary : CampaignSummary
        The campaign's summary.

    Returns
    -------
    Table
    """
    t = Table(title="Outcomes")
    t.add_column("outcome")
    t.add_column("runs", justify="right")
    t.add_column("fraction", justify="right")
    for r in summary.outcomes.to_dict(orient="records"):
        t.add_row(r["outcome"], str(r["runs"]), f"{r['fraction']:.1%}")
    return t


def percentiles_table(summary: Any) -> Table:
    """Touchdown figures' percentiles over the runs that completed.

    Parameters
    ----------
    summary : CampaignSummary
        The campaign's summary.

    Returns
    -------
    Table
    """
    p = Table(title="Touchdown percentiles (completed runs)")
    p.add_column("metric")
    for col in summary.percentiles.columns:
        p.add_column(col, justify="right")
    for name, row in summary.percentiles.iterrows():
        p.add_row(str(name), *[f"{v:.3g}" for v in row.to_numpy()])
    return p


def ellipse_line(ellipse: Mapping[str, Any]) -> str | None:
    """The touchdown dispersion ellipse in one line, or ``None`` with fewer than 3 touchdowns.

    Parameters
    ----------
    ellipse : mapping
        ``CampaignSummary.ellipse``.

    Returns
    -------
    str or None
    """
    e = ellipse
    if e.get("n", 0) < 3:
        return None
    return (
        f"Touchdown 95% ellipse: centre ({e['mean_east_m']:.2f} E, {e['mean_north_m']:.2f} N) "
        f"m, semi-axes {e['semi_major_m']:.2f} x {e['semi_minor_m']:.2f} m, "
        f"major axis at {e['orientation_deg']:.0f} deg from east"
    )


def sensitivity_table(summary: Any, rows: int = SENSITIVITY_ROWS) -> Table | None:
    """The inputs that best separate failed from landed runs, or ``None`` when none do.

    Parameters
    ----------
    summary : CampaignSummary
        The campaign's summary.
    rows : int
        How many inputs to list, strongest first.

    Returns
    -------
    Table or None
    """
    if not len(summary.sensitivity):
        return None
    st = Table(title="What drives failures (AUC of each input alone)")
    for col in ("input", "AUC", "strength", "direction", "p-value"):
        st.add_column(col)
    for r in summary.sensitivity.head(rows).to_dict(orient="records"):
        st.add_row(
            r["input"],
            f"{r['auc']:.2f}",
            f"{r['strength']:.2f}",
            r["direction"],
            f"{r['p_value']:.2g}",
        )
    return st


def campaign_tables(summary: Any, where: str = "campaign") -> list[RenderableType]:
    """Everything ``boostback mc summary`` prints: the probability line, outcomes, percentiles,
    the dispersion ellipse and what drives failures.

    Parameters
    ----------
    summary : CampaignSummary
        ``campaign.stats.summarize(frame)``.
    where : str
        What the results are (the CLI gives the results folder).

    Returns
    -------
    list of rich renderables
    """
    parts: list[RenderableType | None] = [
        campaign_header(summary, where),
        outcomes_table(summary),
        percentiles_table(summary),
        ellipse_line(summary.ellipse),
        sensitivity_table(summary),
    ]
    return [p for p in parts if p is not None]
