"""docker/compose.yml, checked without a Docker engine: valid against the Compose
Specification's JSON schema (vendored in docker/compose-spec/ with its licence, so no
network is needed), and consistent with the image and the settings it names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker" / "compose.yml"
SCHEMA = ROOT / "docker" / "compose-spec" / "compose-spec.json"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_the_compose_file_is_valid_against_the_compose_specification(compose):
    schema = json.loads(SCHEMA.read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_schema_check_catches_a_mistake(compose):
    """The control: the same validator refuses a misspelt key."""
    broken = {**compose, "services": {**compose["services"], "web": {**compose["services"]["web"], "helthcheck": {}}}}
    assert list(jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).iter_errors(broken))


def test_every_part_of_the_topology_is_there_with_a_health_check_and_its_volume(compose):
    services = compose["services"]
    assert set(services) == {"db", "web", "worker", "scheduler"}
    assert all("healthcheck" in service for service in services.values())
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    for name in ("web", "worker", "scheduler"):
        assert "media:/var/lib/geo-bco" in services[name]["volumes"]
        assert services[name]["environment"]["BCO_VAR_DIR"] == "/var/lib/geo-bco"
    assert set(compose["volumes"]) == {"pgdata", "media"}


def test_the_commands_are_ones_the_image_entrypoint_knows(compose):
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    for name in ("web", "worker", "scheduler"):
        assert re.search(rf"^\s+{compose['services'][name]['command']}\)", entrypoint, re.M), name


def test_every_setting_the_compose_file_sets_is_read_by_the_settings(compose):
    settings_source = (ROOT / "geo_bco" / "settings.py").read_text()
    names = {name for service in compose["services"].values() for name in service.get("environment", {})
             if name.startswith("BCO_")}
    assert names and all(f'"{name}"' in settings_source for name in names), names
