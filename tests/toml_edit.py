"""Edit TOML files as data for the bad-input and fuzz tests: read one, change or delete the value
at a dotted key (``booster.engine.isp_vac_s``, ``initial.velocity_enu_mps[2]``), write it back.

Writing is one ``key = value`` line per top-level key, tables inline: valid TOML (NaN and
infinities included) that ``tomllib`` reads back to the same data.
"""

from __future__ import annotations

import copy
import json
import math
import re
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["DELETE", "dumps", "edited", "keys_of", "load"]

DELETE = object()  # the value that removes a key
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def load(path: str | Path) -> dict[str, Any]:
    """A TOML file as data."""
    return tomllib.loads(Path(path).read_text())


def _key(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"no TOML for {type(v).__name__}")


def dumps(data: dict[str, Any]) -> str:
    """``data`` as TOML text."""
    return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in data.items())


def _parts(key: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _PART.findall(key)]


def edited(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of ``data`` with ``value`` at ``key`` (``DELETE`` removes it); the tables on the
    way are created when missing."""
    out = copy.deepcopy(data)
    parts = _parts(key)
    node: Any = out
    for part in parts[:-1]:
        if isinstance(part, str) and part not in node:
            node[part] = {}
        node = node[part]
    last = parts[-1]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return out


def keys_of(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every value in ``data`` as (dotted key, value): tables, lists and their items too
    (``a``, ``a.b``, ``a.b[2]``), parents before children."""
    if isinstance(data, dict):
        items = [(f"{prefix}.{k}" if prefix else k, v) for k, v in data.items()]
    elif isinstance(data, list):
        items = [(f"{prefix}[{i}]", v) for i, v in enumerate(data)]
    else:
        return []
    out: list[tuple[str, Any]] = []
    for key, value in items:
        out.append((key, value))
        out.extend(keys_of(value, key))
    return out
