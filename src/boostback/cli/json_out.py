"""JSON out of the command line: numbers printed to what they mean, non-finite numbers as null.

``--json`` and the ``summary.json`` files go through :func:`print_json` and :func:`write_json`;
full precision stays in the Parquet files (or ``BOOSTBACK_JSON_PRECISION=full``).
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["FULL_PRECISION", "UNIT_DECIMALS", "jsonable", "meaningful", "print_json", "write_json"]

# The finest resolution worth printing, by a key's unit suffix (longest suffix first). JSON keeps
# at least six significant digits and at least this; full precision stays in the Parquet files.
UNIT_DECIMALS = (
    ("_mps2", 4),
    ("_wpm2", 1),
    ("_mps", 4),
    ("_deg", 6),
    ("_rad", 8),
    ("_kg", 3),
    ("_pa", 1),
    ("_m", 3),
    ("_s", 4),
    ("_n", 1),
)
SIGNIFICANT_DIGITS = 6
# BOOSTBACK_JSON_PRECISION=full prints every float as computed (for comparisons to the last bit)
FULL_PRECISION = ("BOOSTBACK_JSON_PRECISION", "full")


def meaningful(value: float, key: str | None = None) -> float:
    """``value`` rounded to what it means: six significant digits, and never coarser than its
    unit's resolution (``UNIT_DECIMALS``: 1 mm for ``_m``, 0.1 mm/s for ``_mps``, ...); as it is
    when ``BOOSTBACK_JSON_PRECISION=full``.

    Parameters
    ----------
    value : float
        A finite number.
    key : str, optional
        Its name, whose suffix gives its unit.

    Returns
    -------
    float
    """
    if value == 0.0 or not math.isfinite(value) or os.environ.get(FULL_PRECISION[0]) == "full":
        return value
    decimals = SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(abs(value)))
    if key is not None:
        unit = next((d for suffix, d in UNIT_DECIMALS if key.endswith(suffix)), None)
        if unit is not None:
            decimals = max(decimals, unit)
    return round(value, decimals)


def jsonable(obj: Any, key: str | None = None) -> Any:
    """Turn a result into plain JSON data: floats rounded to meaningful digits (:func:`meaningful`,
    by the key they sit under), non-finite floats ``None`` (JSON null).

    Parameters
    ----------
    obj : Any
        Dicts, lists, tuples, numbers, strings, and numpy scalars, nested in any way.
    key : str, optional
        The key ``obj`` sits under (lists pass theirs on to their items).

    Returns
    -------
    Any
        The same data with string keys, lists for tuples, Python numbers for numpy scalars,
        rounded floats and ``None`` for NaN and infinities.
    """
    if isinstance(obj, dict):
        return {str(k): jsonable(v, str(k)) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v, key) for v in obj]
    if isinstance(obj, float):
        return meaningful(obj, key) if math.isfinite(obj) else None
    if hasattr(obj, "item"):
        return jsonable(obj.item(), key)
    return obj


def print_json(obj: Any) -> None:
    """Print ``obj`` to standard output as one line of JSON (see :func:`jsonable`).

    Parameters
    ----------
    obj : Any
        The data to print.
    """
    sys.stdout.write(json.dumps(jsonable(obj)) + "\n")


def write_json(path: Path, obj: Any) -> None:
    """Write ``obj`` to ``path`` as indented JSON (see :func:`jsonable`).

    Parameters
    ----------
    path : Path
        The file to write.
    obj : Any
        The data to write.
    """
    path.write_text(json.dumps(jsonable(obj), indent=2) + "\n")
