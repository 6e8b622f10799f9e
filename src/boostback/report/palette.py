"""The report's colours, one table for every figure, matplotlib and plotly alike.

The palette is Okabe & Ito's (2008), distinguishable under the common forms of colour-vision
deficiency, with its usual grey. Colours are ``#rrggbb`` strings, which both libraries take.
A phase keeps its colour inside a whole flight (``coast`` and ``landing_coast`` are one colour);
a name the table does not know gets :data:`OTHER`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from boostback.config.vocab import Outcome, Phase

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "BLACK",
    "BLUE",
    "COAST_COLOUR",
    "CONE_COLOUR",
    "EVENT_COLOUR",
    "FAILED_COLOUR",
    "GREEN",
    "GREY",
    "LANDED_COLOUR",
    "LAND_COLOUR",
    "NOT_SIGNIFICANT",
    "OKABE_ITO",
    "ORANGE",
    "OTHER",
    "OUTCOME_COLOURS",
    "OUTCOME_SYMBOLS",
    "PAD_COLOUR",
    "PHASE_COLOURS",
    "PLACE_MARKERS",
    "PNG_DPI",
    "POWERED_COLOUR",
    "PURPLE",
    "SEA_COLOUR",
    "SKY_BLUE",
    "VERMILLION",
    "YELLOW",
    "Marker",
    "outcome_colour",
    "outcome_symbol",
    "phase_colour",
    "place_marker",
    "rgba",
    "save_figures",
]

# Okabe-Ito
BLACK = "#000000"
ORANGE = "#e69f00"
SKY_BLUE = "#56b4e9"
GREEN = "#009e73"  # "bluish green"
YELLOW = "#f0e442"
BLUE = "#0072b2"
VERMILLION = "#d55e00"
PURPLE = "#cc79a7"  # "reddish purple"
GREY = "#999999"
# in the order plotly and matplotlib cycle through for series that are neither phase nor outcome
OKABE_ITO = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, YELLOW, BLACK)

PHASE_COLOURS: dict[Phase, str] = {
    Phase.ASCENT: BLUE,
    Phase.COAST: SKY_BLUE,
    Phase.FLIP: YELLOW,
    Phase.BOOSTBACK: ORANGE,
    Phase.ENTRY_BURN: PURPLE,
    Phase.AERO_DESCENT: GREEN,
    Phase.LANDING_BURN: VERMILLION,
    Phase.ENGINE_CUTOFF: GREY,
    Phase.FALLING: BLACK,
    Phase.TOUCHDOWN: BLACK,
    Phase.FALL: BLACK,
    Phase.LANDING_COAST: SKY_BLUE,
    Phase.LANDING_ENGINE_CUTOFF: GREY,
    Phase.LANDING_FALLING: BLACK,
    Phase.LANDING_TOUCHDOWN: BLACK,
    Phase.FLIGHT: GREY,
}

OUTCOME_COLOURS: dict[Outcome, str] = {
    Outcome.LANDED: GREEN,
    Outcome.HARD_LANDING: ORANGE,
    Outcome.TIPPED_OVER: PURPLE,
    Outcome.MISSED_PAD: SKY_BLUE,
    Outcome.CRASHED: VERMILLION,
    Outcome.PROPELLANT_DEPLETED: BLUE,
    Outcome.TIMEOUT: GREY,
    Outcome.EXPENDED: YELLOW,
    Outcome.ERROR: BLACK,
}

# outcome-coded markers: the shape says it too (a crash is never a green circle)
OUTCOME_SYMBOLS: dict[Outcome, tuple[str, str]] = {  # plotly symbol, matplotlib marker
    Outcome.LANDED: ("circle", "o"),
    Outcome.HARD_LANDING: ("triangle-down", "v"),
    Outcome.TIPPED_OVER: ("diamond", "D"),
    Outcome.MISSED_PAD: ("square", "s"),
    Outcome.CRASHED: ("x", "X"),
    Outcome.PROPELLANT_DEPLETED: ("x", "X"),  # came down without a landing: a cross too
    Outcome.TIMEOUT: ("hexagon", "h"),
    Outcome.EXPENDED: ("cross", "P"),
    Outcome.ERROR: ("x-thin", "x"),
}
NOT_SIGNIFICANT = GREY  # a failure driver that the test cannot tell from chance

OTHER = GREY  # a phase or outcome the tables do not name
LANDED_COLOUR = OUTCOME_COLOURS[Outcome.LANDED]
FAILED_COLOUR = OUTCOME_COLOURS[Outcome.CRASHED]  # every way of not landing, taken together
PAD_COLOUR = GREEN
POWERED_COLOUR = PHASE_COLOURS[Phase.LANDING_BURN]  # engine lit (shading, ignition marker)
EVENT_COLOUR = "#444444"
CONE_COLOUR = "#555555"


def phase_colour(name: str) -> str:
    """The colour of a phase (by its name), :data:`OTHER` for a name that is no ``Phase``."""
    return PHASE_COLOURS.get(name, OTHER)  # type: ignore[call-overload]


def outcome_colour(name: str) -> str:
    """The colour of an outcome (by its name), :data:`OTHER` for a name that is no ``Outcome``."""
    return OUTCOME_COLOURS.get(name, OTHER)  # type: ignore[call-overload]


def outcome_symbol(name: str) -> tuple[str, str]:
    """(plotly symbol, matplotlib marker) of an outcome (by its name)."""
    return OUTCOME_SYMBOLS.get(name, ("x", "X"))  # type: ignore[call-overload]


def rgba(colour: str, alpha: float) -> str:
    """``#rrggbb`` as a CSS ``rgba(...)`` string (for plotly fills)."""
    r, g, b = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha:g})"


# ---------------------------------------------------------------- map places
LAND_COLOUR = "#ece6d8"
COAST_COLOUR = "#8c8577"
SEA_COLOUR = "#e8f1f8"


@dataclass(frozen=True)
class Marker:
    """How one kind of place is marked: plotly symbol, matplotlib marker, colour, size."""

    plotly: str
    mpl: str
    colour: str
    size: float = 11.0


# keyed by ``report.geo.PlaceKind`` values (strings, so the palette imports nothing above it);
# the end of a flight is marked by its outcome: only a landing gets the green touchdown circle
PLACE_MARKERS: dict[str, Marker] = {
    "launch site": Marker("triangle-up", "^", BLUE, 12.0),
    "landing zone": Marker("square-open", "s", PAD_COLOUR, 14.0),
    "drone ship": Marker("diamond-open", "D", PAD_COLOUR, 14.0),
    "predicted impact": Marker("x-thin-open", "x", BLACK, 10.0),
    "drop zone": Marker("square", "s", GREY, 10.0),
    "touchdown": Marker("circle", "o", LANDED_COLOUR, 10.0),
    "crash site": Marker("x", "X", FAILED_COLOUR, 13.0),
    "end of record": Marker("x", "X", GREY, 12.0),
    "start of the record": Marker("circle-open", "o", BLACK, 10.0),
}


def place_marker(kind: str) -> Marker:
    """The marker of a kind of place (a grey cross for a kind the table does not know)."""
    return PLACE_MARKERS.get(str(kind), Marker("x", "X", OTHER))


PNG_DPI = 120  # the resolution of every PNG the reports write beside their pages


def save_figures(figs: Mapping[str, Figure], out_dir: str | Path, dpi: int = PNG_DPI) -> list[Path]:
    """Write each matplotlib figure of ``figs`` (file name -> figure) into ``out_dir`` and free
    it; returns the paths in order.

    Parameters
    ----------
    figs : mapping of str to Figure
        Figures built with ``matplotlib.figure.Figure`` (never registered with pyplot, so
        clearing one is all that closing it needs).
    out_dir : str or Path
        Created if missing.
    dpi : int
        Resolution.

    Returns
    -------
    list of Path
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figs.items():
        paths.append(out / name)
        fig.savefig(paths[-1], dpi=dpi)
        fig.clear()
    return paths
