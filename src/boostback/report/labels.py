"""Event labels that never overprint, and people's names for the report's keys.

Two halves of one job. In Python: events at (nearly) the same moment share one label
(:func:`merge_events`), and every label is a plotly annotation marked ``declutter`` so that the
page moves it clear of the others once it is drawn (the script in ``templates/base.html.j2``
measures the real text boxes in the browser and shifts the overlapping ones; the browser tests
check that no two boxes overlap). And :func:`human` turns a key such as
``peak_heat_flux_wpm2`` into "Peak heat flux (kW/m²)" with the value scaled to match.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "DECLUTTER",
    "UNIT_SUFFIXES",
    "event_name",
    "human",
    "human_label",
    "human_value",
    "merge_events",
]

DECLUTTER = "declutter"  # the annotation name that the page's script moves clear of others

# key suffix -> (unit shown, factor from the stored SI value), longest suffixes first
UNIT_SUFFIXES: tuple[tuple[str, str, float], ...] = (
    ("_wpm2", "kW/m²", 1e-3),
    ("_w_m2", "kW/m²", 1e-3),
    ("_mps2", "m/s²", 1.0),
    ("_mps", "m/s", 1.0),
    ("_kg", "kg", 1.0),
    ("_deg", "°", 1.0),
    ("_pa", "kPa", 1e-3),
    ("_km", "km", 1.0),
    ("_m2", "m²", 1.0),
    ("_m", "m", 1.0),
    ("_s", "s", 1.0),
    ("_n", "kN", 1e-3),
)
# words that read better spelled out or in their usual capitals
WORDS = {
    "qbar": "dynamic pressure",
    "meco": "MECO",
    "dv": "Δv",
    "t": "time",
    "max": "max",
    "lz": "LZ",
    "rtls": "RTLS",
    "q": "q",
}


def event_name(name: Any) -> str:
    """An event's name for people: ``landing_burn_start`` -> "landing burn start"."""
    return " ".join(WORDS[w] if w in ("meco", "rtls", "lz") else w for w in str(name).split("_"))


def _split_unit(key: str) -> tuple[str, str, float]:
    for suffix, unit, scale in UNIT_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)], unit, scale
    return key, "", 1.0


def human(key: str) -> tuple[str, str, float]:
    """(label, unit, scale) of a key: ``peak_heat_flux_wpm2`` -> ("Peak heat flux", "kW/m²",
    1e-3); a campaign input ``input:initial.altitude_m`` keeps its path ("initial.altitude")."""
    key = str(key)
    if key.startswith("input:"):
        stem, unit, scale = _split_unit(key[len("input:") :])
        return stem, unit, scale
    stem, unit, scale = _split_unit(key)
    if stem.startswith("fault") and stem[5:6].isdigit():  # fault0_fraction -> fault 0: fraction
        num, _, rest = stem[5:].partition("_")
        return f"fault {num}: {rest.replace('_', ' ')}", unit, scale
    words = [WORDS.get(w, w) for w in stem.split("_") if w]
    text = " ".join(words)
    return (text[:1].upper() + text[1:]) if text else key, unit, scale


def human_label(key: str) -> str:
    """``peak_heat_flux_wpm2`` -> "Peak heat flux (kW/m²)"."""
    label, unit, _ = human(key)
    return f"{label} ({unit})" if unit else label


def human_value(v: Any, digits: int = 4) -> str:
    """A number with sensible digits: thousands separated, ``digits`` significant below 10⁴,
    none after the point above; ``–`` for NaN and infinities."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "–"
        if abs(v) < 1e-9:
            return "0"
        if abs(v) >= 1e4:
            return f"{v:,.0f}"
        return f"{v:.{digits}g}"
    return "" if v is None else str(v)


def merge_events(
    events: Sequence[Mapping[str, Any]], span_s: float, *, fraction: float = 0.002
) -> list[dict[str, Any]]:
    """Events closer than ``fraction`` of ``span_s`` in time become one (their names joined with
    " · "), so that labels of one moment are one label. The first event's fields are kept."""
    out: list[dict[str, Any]] = []
    gap = max(fraction * span_s, 1e-6)
    for e in sorted(events, key=lambda e: float(e["t_s"])):
        if out and float(e["t_s"]) - float(out[-1]["t_s"]) <= gap:
            out[-1]["label"] = f"{out[-1]['label']} · {event_name(e.get('name', ''))}"
            continue
        out.append(dict(e) | {"label": event_name(e.get("name", ""))})
    return out
