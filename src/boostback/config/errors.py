"""Configuration errors for people: one line naming the file, the key and the problem."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

__all__ = ["ConfigError", "KeyedValueError", "format_key", "from_validation_error"]


class ConfigError(Exception):
    """A configuration problem: ``str(err)`` is one line, ``"{file}: {key}: {problem}"``."""

    def __init__(self, problem: str, *, file: str | None = None, key: str | None = None) -> None:
        self.file = file
        self.key = key
        self.problem = " ".join(str(problem).split())  # always one line
        super().__init__(self.__str__())

    def __reduce__(self) -> tuple[Any, ...]:  # picklable across worker processes
        return (_rebuild, (self.problem, self.file, self.key))

    def __str__(self) -> str:
        return ": ".join(p for p in (self.file, self.key, self.problem) if p)

    def with_context(self, *, file: str | None = None, prefix: str | None = None) -> ConfigError:
        """A copy with ``file`` filled in (if unset) and ``prefix`` prepended to the key."""
        key = self.key
        if prefix:
            key = prefix if not key else f"{prefix}{'' if key.startswith('[') else '.'}{key}"
        return ConfigError(self.problem, file=self.file or file, key=key)


def _rebuild(problem: str, file: str | None, key: str | None) -> ConfigError:
    return ConfigError(problem, file=file, key=key)


class KeyedValueError(ValueError):
    """A validator error that knows which key (relative to the model) it is about."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def format_key(loc: Sequence[str | int]) -> str:
    """Dotted key from a location: ``('booster', 'cd_mach', 3, 0)`` -> ``booster.cd_mach[3][0]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)}"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _unwrap(tp: Any) -> list[Any]:
    """The concrete types inside Optional/Union/Annotated/list/tuple/dict annotations."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, dict):
        return [t for a in typing.get_args(tp) if a is not Ellipsis for t in _unwrap(a)]
    return [tp]


def _fields_at(model: type[BaseModel] | None, loc: Sequence[str | int]) -> list[str]:
    """Field names allowed at the table holding ``loc[-1]`` (for 'did you mean')."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return []
        inner = [t for t in _unwrap(field.annotation) if isinstance(t, type)]
        current = next((t for t in inner if issubclass(t, BaseModel)), None)
    return list(current.model_fields) if current is not None else []


_NUMBER_TYPES = {"float_type", "float_parsing", "finite_number"}
_INT_TYPES = {"int_type", "int_parsing", "int_from_float"}
_BOUNDS = {
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}


def _problem(err: dict[str, Any], model: type[BaseModel] | None) -> tuple[str, tuple]:
    """Human phrasing of one pydantic error dict, and the (possibly extended) location."""
    kind = err["type"]
    loc = tuple(err["loc"])
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1) if allowed else []
        return ("unknown key" + (f" (did you mean '{close[0]}'?)" if close else "")), loc
    if kind == "missing":
        if loc and isinstance(loc[-1], int):
            count = len(value) if isinstance(value, list | tuple) else _describe(value)
            return f"too few values: got {count}", loc[:-1]
        return "missing required key", loc
    if kind in _NUMBER_TYPES:
        return f"expected a number, got {_describe(value)}", loc
    if kind in _INT_TYPES:
        return f"expected a whole number, got {_describe(value)}", loc
    if kind in ("string_type", "str_type"):
        return f"expected a string, got {_describe(value)}", loc
    if kind == "bool_type":
        return f"expected true or false, got {_describe(value)}", loc
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {_describe(value)}", loc
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a table, got {_describe(value)}", loc
    if kind in ("too_short", "too_long"):
        want = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        word = "at least" if kind == "too_short" else "at most"
        return f"expected {word} {want} values, got {ctx.get('actual_length')}", loc
    if kind in ("literal_error", "enum"):  # a Literal, or a vocabulary enum (config.vocab)
        return f"expected one of {ctx.get('expected', '?')}, got {_describe(value)}", loc
    if kind in _BOUNDS:
        bound = next(iter(ctx.values()), "?")
        bound = f"{bound:g}" if isinstance(bound, int | float) else bound
        return f"must be {_BOUNDS[kind]} {bound}, got {_describe(value)}", loc
    if kind in ("value_error", "assertion_error"):
        cause = ctx.get("error")
        if isinstance(cause, KeyedValueError):
            extra = tuple(int(p) if p.isdigit() else p for p in _split_key(cause.key))
            return str(cause), loc + extra
        message = str(cause) if cause is not None else err["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        return message, loc
    return err["msg"], loc


def _split_key(key: str) -> list[str]:
    parts: list[str] = []
    for chunk in key.split("."):
        head, *indices = chunk.replace("]", "").split("[")
        if head:
            parts.append(head)
        parts.extend(indices)
    return parts


def from_validation_error(
    exc: ValidationError,
    *,
    file: str | None = None,
    prefix: Sequence[str | int] = (),
    model: type[BaseModel] | None = None,
) -> ConfigError:
    """Convert the first error of a pydantic ``ValidationError`` into a ``ConfigError``.

    Unknown keys are reported before anything else: a misspelt key also shows up as a
    missing one, and "unknown key ... did you mean" is the helpful message.
    """
    errors = exc.errors(include_url=False)
    errors.sort(key=lambda e: e["type"] != "extra_forbidden")
    if not errors:
        return ConfigError(str(exc), file=file, key=format_key(prefix) or None)
    problem, loc = _problem(errors[0], model)
    loc = tuple(p for p in loc if not (isinstance(p, str) and p.startswith("function-")))
    key = format_key(tuple(prefix) + loc) or None
    return ConfigError(problem, file=file, key=key)
