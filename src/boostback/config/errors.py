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


_NUMBER_TYPES = {"float_type", "float_parsing"}
_INT_TYPES = {"int_type", "int_parsing", "int_from_float"}
_BOUNDS = {
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}


_TYPE_MISMATCH = {
    "float_type",
    "float_parsing",
    "int_type",
    "int_parsing",
    "string_type",
    "str_type",
    "bool_type",
    "list_type",
    "tuple_type",
    "dict_type",
    "model_type",
    "model_attributes_type",
}
_SCALAR_TAGS = {"float", "int", "str", "bool"}


def _is_union_tag(part: str | int) -> bool:
    """Whether a location part names a member of a union (``float``, ``Distribution``,
    ``list[...]``, ``function-after[...]``) rather than a key: keys are snake_case."""
    if not isinstance(part, str):
        return False
    return part in _SCALAR_TAGS or "[" in part or part.startswith("function-") or part[:1].isupper()


def _rank(err: dict[str, Any]) -> tuple[bool, bool]:
    """Sort key for the error to report: unknown keys first; then, inside a union, the member
    the value was meant for (its own error) before the members of the wrong type."""
    in_union = any(_is_union_tag(p) for p in err["loc"])
    return err["type"] != "extra_forbidden", in_union and err["type"] in _TYPE_MISMATCH


def _unwrap_annotated(tp: Any, meta: list[Any]) -> Any:
    """Strip Optional and Annotated from ``tp``, collecting the constraints into ``meta``."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp, *extra = typing.get_args(tp)
            for m in extra:
                meta.extend(getattr(m, "metadata", None) or [m])
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def _bounds_at(model: type[BaseModel] | None, loc: Sequence[str | int]) -> list[Any]:
    """The constraints (``annotated_types`` Gt/Ge/Lt/Le...) of the value at ``loc``."""
    tp: Any = model
    meta: list[Any] = []
    for part in loc:
        tp = _unwrap_annotated(tp, meta)
        if isinstance(part, str):
            fields = getattr(tp, "model_fields", None) if isinstance(tp, type) else None
            if not fields or part not in fields:
                return []
            field = fields[part]
            tp, meta = field.annotation, list(field.metadata)
            continue
        args = typing.get_args(tp)
        origin = typing.get_origin(tp)
        if origin is list and args:
            tp, meta = args[0], []
        elif origin is tuple and args and args[-1] is not Ellipsis and part < len(args):
            tp, meta = args[part], []
        elif origin is tuple and args:
            tp, meta = args[0], []
        else:
            return []
    _unwrap_annotated(tp, meta)
    return meta


def _range_text(meta: list[Any]) -> str:
    """``[0, 1]``, ``(0, 1]``, ``> 0`` ... from constraints; "" when there are none."""
    low = next(((m.ge, "[") for m in meta if getattr(m, "ge", None) is not None), None)
    low = low or next(((m.gt, "(") for m in meta if getattr(m, "gt", None) is not None), None)
    high = next(((m.le, "]") for m in meta if getattr(m, "le", None) is not None), None)
    high = high or next(((m.lt, ")") for m in meta if getattr(m, "lt", None) is not None), None)
    if low and high:
        return f"{low[1]}{low[0]:g}, {high[0]:g}{high[1]}"
    if low:
        return f"{'>=' if low[1] == '[' else '>'} {low[0]:g}"
    if high:
        return f"{'<=' if high[1] == ']' else '<'} {high[0]:g}"
    return ""


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
    if kind == "finite_number":
        allowed = _range_text(_bounds_at(model, _keys(loc)))
        where = f" in {allowed}" if allowed.startswith(("[", "(")) else ""
        where = where or (f" {allowed}" if allowed else "")
        return f"must be a finite number{where}, got {_describe(value)}", loc
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
        allowed = _range_text(_bounds_at(model, _keys(loc)))
        both = f" (allowed: {allowed})" if allowed.startswith(("[", "(")) else ""
        return f"must be {_BOUNDS[kind]} {bound}, got {_describe(value)}{both}", loc
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


def _keys(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """``loc`` without union-member tags and validator names: the keys as the file has them."""
    return tuple(p for p in loc if not _is_union_tag(p))


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
    missing one, and "unknown key ... did you mean" is the helpful message. A value that may
    take several forms (a number or a distribution) is reported against the form it has.
    """
    errors = exc.errors(include_url=False)
    errors.sort(key=_rank)
    if not errors:
        return ConfigError(str(exc), file=file, key=format_key(prefix) or None)
    problem, loc = _problem(errors[0], model)
    loc = _keys(loc)
    key = format_key(tuple(prefix) + loc) or None
    return ConfigError(problem, file=file, key=key)
