"""Frozen dataclasses of the solve path built without their generated ``__init__``.

A frozen dataclass's ``__init__`` binds every field as a keyword and sets each one with
``object.__setattr__``: about 10 us for the 21 fields of ``Discretized`` and 7 us for a
``LandingPlan``, several times the numpy work around them, and a closed-loop landing burn builds
about 90 of each. ``build`` fills the instance's dictionary at once (about 1 us), with the same
defaults and the same ``__post_init__`` check, and refuses a missing or unknown field, as the
constructor would. ``replace`` is ``dataclasses.replace`` the same way (a problem is copied
with new fields a few times per solve). The instance is the same frozen object: nothing can set
its fields after.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ["build", "replace"]

T = TypeVar("T")
# per class: field names, those without a default, the plain defaults, any default factory
_SPECS: dict[type, tuple[frozenset[str], frozenset[str], dict[str, Any], bool]] = {}


def _spec(cls: type) -> tuple[frozenset[str], frozenset[str], dict[str, Any], bool]:
    """The class's field names, those without a default, the plain defaults, and whether a
    field has a default factory."""
    spec = _SPECS.get(cls)
    if spec is None:
        fields = dataclasses.fields(cls)
        factory = any(f.default_factory is not dataclasses.MISSING for f in fields)
        defaults = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
        names = frozenset(f.name for f in fields)
        spec = _SPECS[cls] = (names, names - defaults.keys(), defaults, factory)
    return spec


def _finish(obj: T) -> T:
    post = getattr(obj, "__post_init__", None)
    if post is not None:
        post()
    return obj


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
    names, required, defaults, factory = _spec(cls)
    if factory:
        raise TypeError(f"{cls.__name__}: build does not call default factories")
    if not required <= values.keys() <= names:
        missing, unknown = required - values.keys(), values.keys() - names
        raise TypeError(f"{cls.__name__}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    obj = object.__new__(cls)
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    return _finish(obj)


def replace(obj: T, changes: dict[str, Any]) -> T:
    """``dataclasses.replace(obj, **changes)`` for a frozen dataclass instance, faster: its
    fields copied, ``changes`` set, ``__post_init__`` (if any) run.

    Parameters
    ----------
    obj : dataclass instance
        The instance to copy.
    changes : dict
        New values of some of its fields.

    Returns
    -------
    A new instance of ``type(obj)``.
    """
    cls = type(obj)
    names = _spec(cls)[0]
    unknown = changes.keys() - names
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {sorted(unknown)[0]!r}")
    new = object.__new__(cls)
    new.__dict__.update({name: obj.__dict__[name] for name in names})
    new.__dict__.update(changes)
    return _finish(new)
