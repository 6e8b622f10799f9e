"""Frozen dataclasses of the solve path built without their generated ``__init__``.

A frozen dataclass's ``__init__`` binds every field as a keyword and sets each one with
``object.__setattr__``: about 10 us for the 21 fields of ``Discretized`` and 7 us for a
``LandingPlan``, several times the numpy work around them, and a closed-loop landing burn builds
about 90 of each. ``build`` fills the instance's dictionary at once (about 1 us), with the same
defaults and the same ``__post_init__`` check, and refuses a missing or unknown field, as the
constructor would. The instance is the same frozen object: nothing can set its fields after.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ["build"]

T = TypeVar("T")
_SPECS: dict[type, tuple[frozenset[str], frozenset[str], dict[str, Any]]] = {}


def _spec(cls: type) -> tuple[frozenset[str], frozenset[str], dict[str, Any]]:
    """The class's field names, those without a default, and the plain defaults."""
    spec = _SPECS.get(cls)
    if spec is None:
        fields = dataclasses.fields(cls)
        if any(f.default_factory is not dataclasses.MISSING for f in fields):
            raise TypeError(f"{cls.__name__}: build does not call default factories")
        defaults = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
        names = frozenset(f.name for f in fields)
        spec = _SPECS[cls] = (names, names - defaults.keys(), defaults)
    return spec


def build(cls: type[T], values: dict[str, Any]) -> T:
    """``cls(**values)`` for a frozen dataclass ``cls`` (without default factories), faster.

    Parameters
    ----------
    cls : type
        The dataclass.
    values : dict
        Its fields by name; those left out take their defaults.

    Returns
    -------
    An instance of ``cls``, its ``__post_init__`` (if any) run.
    """
    names, required, defaults = _spec(cls)
    if not required <= values.keys() <= names:
        missing, unknown = required - values.keys(), values.keys() - names
        raise TypeError(f"{cls.__name__}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    obj = object.__new__(cls)
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    post = getattr(obj, "__post_init__", None)
    if post is not None:
        post()
    return obj
