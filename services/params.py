"""Analysis parameters: one frozen dataclass per method holds every default, help
text and allowed range, and everything else is derived from it.

The CLI flags (``bco analyse kde --bandwidth``), the API's JSON schema, the
validation that refuses a bad value before anything is queued, and the parameters
recorded on a run all read the same dataclass, so a default lives in one place.

A parameter is declared with :func:`param`::

    @dataclass(frozen=True)
    class KdeParams:
        bandwidth: float | None = param(None, "search radius, metres (default: Esri's rule)", above=0)

``None`` as a default means "chosen by the method"; the resolved value is recorded
on the run beside the value as given.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from datetime import date
from typing import Any


class ParameterError(ValueError):
    """A parameter the user gave is unknown or out of range; the message names it
    and what is allowed, and ``name`` says which one (for API error bodies)."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name


def param(
    default: Any,
    help: str,
    *,
    minimum: float | None = None,
    above: float | None = None,
    maximum: float | None = None,
    choices: tuple | None = None,
    default_text: str | None = None,
) -> Any:
    """A dataclass field with its help text and limits (``above`` is an exclusive minimum);
    ``default_text`` says in words what the default means (e.g. "every offence")."""
    if isinstance(default, list):
        default = tuple(default)
    return dataclasses.field(
        default=default,
        metadata={"help": help, "minimum": minimum, "above": above, "maximum": maximum, "choices": choices,
                  "default_text": default_text},
    )


def _base_type(annotation: Any) -> tuple[type, bool, bool]:
    """(element type, optional, is a sequence) of ``float | None``, ``tuple[str, ...]``, ..."""
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        annotation = args[0]
    if typing.get_origin(annotation) is tuple:
        return typing.get_args(annotation)[0], optional, True
    return annotation, optional, False


def _convert(name: str, value: Any, kind: type) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ParameterError(name, f"expected true or false; got {value!r}")
    if kind is date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ParameterError(name, f"expected a date YYYY-MM-DD; got {value!r}") from None
    if kind in (int, float):
        if isinstance(value, bool):
            raise ParameterError(name, f"expected a number; got {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ParameterError(name, f"expected a number; got {value!r}") from None
        if not math.isfinite(number):
            raise ParameterError(name, f"expected a finite number; got {value!r}")
        if kind is int:
            if number != int(number):
                raise ParameterError(name, f"expected a whole number; got {value!r}")
            return int(number)
        return number
    if not isinstance(value, str) or "\x00" in value:
        raise ParameterError(name, f"expected text; got {value!r}")
    return value


def _check_limits(name: str, value: Any, meta: Mapping) -> None:
    if meta["choices"] is not None and value not in meta["choices"]:
        raise ParameterError(name, f"{value!r} is not allowed; choose one of {', '.join(map(str, meta['choices']))}")
    if meta["minimum"] is not None and value < meta["minimum"]:
        raise ParameterError(name, f"must be at least {meta['minimum']:g}; got {value:g}")
    if meta["above"] is not None and value <= meta["above"]:
        raise ParameterError(name, f"must be greater than {meta['above']:g}; got {value:g}")
    if meta["maximum"] is not None and value > meta["maximum"]:
        raise ParameterError(name, f"must be at most {meta['maximum']:g}; got {value:g}")


def parse(cls: type, given: Mapping[str, Any] | None, *, what: str = "parameter") -> Any:
    """Validate ``given`` (JSON, form or CLI values) into an instance of ``cls``.

    Unknown names, wrong types and out-of-range values raise :class:`ParameterError`
    naming the parameter and what is allowed. Missing names take their default;
    ``None`` (or an empty string) for an optional parameter means "automatic".
    """
    if given is not None and not isinstance(given, Mapping):
        raise ParameterError(what, f"expected an object of name: value pairs; got {type(given).__name__}")
    given = dict(given or {})
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(given) - set(fields))
    if unknown:
        raise ParameterError(unknown[0], f"unknown {what}; allowed: {', '.join(fields)}")
    hints = typing.get_type_hints(cls)
    values = {}
    for name, value in given.items():
        kind, optional, sequence = _base_type(hints[name])
        meta = fields[name].metadata
        if value is None or value == "" or (sequence and value == []):
            if not (optional or sequence):
                raise ParameterError(name, "a value is required")
            values[name] = None if optional else ()
            continue
        if sequence:
            items = value.split(",") if isinstance(value, str) else value
            if not isinstance(items, (list, tuple)):
                raise ParameterError(name, f"expected a list; got {value!r}")
            converted = tuple(_convert(name, item.strip() if isinstance(item, str) else item, kind) for item in items)
            for item in converted:
                _check_limits(name, item, meta)
            values[name] = converted
        else:
            converted = _convert(name, value, kind)
            _check_limits(name, converted, meta)
            values[name] = converted
    return cls(**values)


def to_json(instance: Any) -> dict[str, Any]:
    """The parameters as JSON-able values (dates as ISO text, tuples as lists)."""

    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        return value

    return {f.name: plain(getattr(instance, f.name)) for f in dataclasses.fields(instance)}


def json_schema(cls: type) -> dict[str, Any]:
    """A JSON Schema of ``cls`` (the API form): types, defaults, limits and help."""
    hints = typing.get_type_hints(cls)
    names = {int: "integer", float: "number", str: "string", bool: "boolean", date: "string"}
    properties = {}
    for f in dataclasses.fields(cls):
        kind, optional, sequence = _base_type(hints[f.name])
        meta = f.metadata
        item: dict[str, Any] = {"type": names[kind]}
        if kind is date:
            item["format"] = "date"
        if meta["choices"] is not None:
            item["enum"] = list(meta["choices"])
        for key, schema_key in (("minimum", "minimum"), ("above", "exclusiveMinimum"), ("maximum", "maximum")):
            if meta[key] is not None:
                item[schema_key] = meta[key]
        prop = {"type": "array", "items": item} if sequence else item
        if optional:
            prop = {"anyOf": [prop, {"type": "null"}]}
        default = f.default
        prop |= {"description": meta["help"], "default": list(default) if isinstance(default, tuple) else default}
        properties[f.name] = prop
    return {"type": "object", "properties": properties, "additionalProperties": False}


def add_arguments(parser: argparse.ArgumentParser, cls: type) -> None:
    """One ``--flag`` per field; values stay text so :func:`parse` checks them once."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        kind, optional, sequence = _base_type(hints[f.name])
        meta = f.metadata
        default = meta["default_text"] or (
            "automatic" if f.default is None else (", ".join(map(str, f.default)) if sequence else f.default))
        extra = f"; one of {', '.join(map(str, meta['choices']))}" if meta["choices"] else ""
        flag = "--" + f.name.replace("_", "-")
        if kind is bool:
            parser.add_argument(flag, dest=f.name, action=argparse.BooleanOptionalAction, default=None,
                                help=f"{meta['help']} (default: {default})")
        elif sequence:
            parser.add_argument(flag, dest=f.name, action="append", default=None, metavar=kind.__name__.upper(),
                                help=f"{meta['help']}; repeat for several (default: {default}){extra}")
        else:
            parser.add_argument(flag, dest=f.name, default=None, metavar=kind.__name__.upper(),
                                help=f"{meta['help']} (default: {default}){extra}")


def from_arguments(cls: type, options: Mapping[str, Any]) -> Any:
    """An instance of ``cls`` from parsed CLI options (flags not given keep their default)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return parse(cls, {k: v for k, v in options.items() if k in names and v is not None})
