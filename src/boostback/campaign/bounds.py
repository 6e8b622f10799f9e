"""The physically possible values of a dispersed setting, read from the models that validate it.

A mass, a length or a delay must be positive: the vehicle and scenario models say so
(``Field(gt=0)``, ``ge=0``, ...). A campaign that disperses such a setting must not draw an
impossible value at run time, so the bounds are read here from the model's JSON schema, at the
dotted path the campaign file names, and ``campaign.sampling`` refuses a distribution that can
only draw outside them and truncates a normal's tails to them.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

__all__ = ["UNBOUNDED", "Bounds", "model_bounds"]


@dataclass(frozen=True)
class Bounds:
    """An interval of allowed values; an open end excludes its value."""

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False

    def contains(self, value: float) -> bool:
        """Whether ``value`` is allowed."""
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.low) or math.isfinite(self.high)

    def for_integers(self) -> Bounds:
        """The same bounds for an integer setting: open ends become the next integer."""
        low, high = self.low, self.high
        if math.isfinite(low):
            low = float(math.floor(low) + 1 if self.low_open else math.ceil(low))
        if math.isfinite(high):
            high = float(math.ceil(high) - 1 if self.high_open else math.floor(high))
        return Bounds(low, high)

    def text(self) -> str:
        """The interval as text: ``(0, inf)``, ``[0, 1]``."""
        left = "(" if self.low_open or self.low == -math.inf else "["
        right = ")" if self.high_open or self.high == math.inf else "]"
        return f"{left}{self.low:g}, {self.high:g}{right}"


UNBOUNDED = Bounds()


@functools.lru_cache(maxsize=8)
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any] | None:
    """Follow ``$ref`` and single-branch ``allOf``; of an ``anyOf``/``oneOf`` keep the one
    branch that is not null (an optional setting), else give up (``None``)."""
    for _ in range(16):
        if "$ref" in node:
            node = defs.get(node["$ref"].rsplit("/", 1)[-1], {})
        elif len(node.get("allOf", ())) == 1:
            node = node["allOf"][0]
        elif "anyOf" in node or "oneOf" in node:
            options = node.get("anyOf") or node.get("oneOf") or []
            branches = [b for b in options if b.get("type") != "null"]
            if len(branches) != 1:
                return None
            node = branches[0]
        else:
            return node
    return None


def _child(node: dict[str, Any], token: str | int) -> dict[str, Any] | None:
    if isinstance(token, str):
        return node.get("properties", {}).get(token)
    prefix = node.get("prefixItems")
    if prefix is not None:
        return prefix[token] if token < len(prefix) else None
    return node.get("items")


def model_bounds(model: type[BaseModel], tokens: list[str | int]) -> Bounds:
    """The bounds ``model`` puts on the number at ``tokens`` (see ``sampling.parse_path``).

    Parameters
    ----------
    model : pydantic model class
        The vehicle or scenario model.
    tokens : list of str or int
        Field names and list indices from the model's root to the number.

    Returns
    -------
    Bounds
        Its ``ge``/``gt``/``le``/``lt`` constraints; unbounded where the schema says nothing.
    """
    schema = _schema(model)
    defs = schema.get("$defs", {})
    node: dict[str, Any] | None = schema
    for token in tokens:
        node = _resolve(node, defs) if node is not None else None
        node = _child(node, token) if node is not None else None
    node = _resolve(node, defs) if node is not None else None
    if node is None:
        return UNBOUNDED
    low_open = "exclusiveMinimum" in node
    high_open = "exclusiveMaximum" in node
    return Bounds(
        low=float(node.get("exclusiveMinimum", node.get("minimum", -math.inf))),
        high=float(node.get("exclusiveMaximum", node.get("maximum", math.inf))),
        low_open=low_open,
        high_open=high_open,
    )
