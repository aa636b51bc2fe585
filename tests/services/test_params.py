"""Parameters dataclasses: one source for defaults, validation, CLI flags and the API schema."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date

import jsonschema
import pytest

from services.layers import REGISTRY
from services.params import ParameterError, add_arguments, from_arguments, json_schema, param, parse, to_json


@dataclass(frozen=True)
class Example:
    radius: float | None = param(None, "metres", above=0)
    count: int = param(5, "how many", minimum=1, maximum=10)
    shape: str = param("hex", "cell shape", choices=("hex", "square"))
    shares: tuple[float, ...] = param((0.1, 0.5), "shares", above=0, maximum=1)
    since: date | None = param(None, "first day")
    exact: bool = param(False, "exact points only")


def test_defaults_and_conversion_from_text():
    p = parse(Example, {"radius": "250", "count": "7", "shares": "0.2,0.3", "since": "2025-01-31", "exact": "yes"})
    assert p == Example(radius=250.0, count=7, shape="hex", shares=(0.2, 0.3), since=date(2025, 1, 31), exact=True)
    assert parse(Example, {}) == Example()
    assert parse(Example, {"radius": None}).radius is None  # None means "automatic"


@pytest.mark.parametrize("given, name, words", [
    ({"nope": 1}, "nope", "allowed: radius, count"),
    ({"radius": -5}, "radius", "greater than 0"),
    ({"radius": "nan"}, "radius", "finite"),
    ({"radius": "inf"}, "radius", "finite"),
    ({"count": 0}, "count", "at least 1"),
    ({"count": 11}, "count", "at most 10"),
    ({"count": 2.5}, "count", "whole number"),
    ({"count": True}, "count", "a number"),
    ({"shape": "circle"}, "shape", "hex, square"),
    ({"shares": [0.5, 2]}, "shares", "at most 1"),
    ({"since": "2025-02-30"}, "since", "YYYY-MM-DD"),
    ({"exact": "maybe"}, "exact", "true or false"),
    ({"shape": "a\x00b"}, "shape", "text"),
], ids=["unknown", "negative", "nan", "inf", "zero", "too-big", "fraction", "bool", "choice", "share", "date",
        "bool-text", "nul"])
def test_bad_values_name_the_parameter_and_what_is_allowed(given, name, words):
    with pytest.raises(ParameterError, match=words) as info:
        parse(Example, given)
    assert info.value.name == name and str(info.value).startswith(f"{name}: ")


def test_a_list_of_parameters_is_refused():
    with pytest.raises(ParameterError, match="name: value"):
        parse(Example, ["radius", 5])


def test_json_round_trip_and_schema_accepts_the_defaults():
    values = to_json(Example(since=date(2025, 1, 1)))
    assert values["shares"] == [0.1, 0.5] and values["since"] == "2025-01-01"
    assert parse(Example, values) == Example(since=date(2025, 1, 1))
    schema = json_schema(Example)
    jsonschema.validate(to_json(Example()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"count": 0}, schema)
    assert schema["properties"]["shape"]["enum"] == ["hex", "square"]


def test_cli_flags_come_from_the_dataclass():
    parser = argparse.ArgumentParser()
    add_arguments(parser, Example)
    options = vars(parser.parse_args(["--radius", "300", "--shares", "0.2", "--shares", "0.4", "--exact"]))
    assert from_arguments(Example, options) == Example(radius=300.0, shares=(0.2, 0.4), exact=True)
    assert "cell shape (default: hex); one of hex, square" in " ".join(parser.format_help().split())


@pytest.mark.parametrize("kind", REGISTRY.values(), ids=REGISTRY.keys())
def test_every_kind_has_valid_defaults_and_a_schema(kind):
    defaults = to_json(parse(kind.params, {}))
    jsonschema.validate(defaults, json_schema(kind.params))
    for name, prop in json_schema(kind.params)["properties"].items():
        assert prop["description"], f"{kind.name}.{name} has no help text"
