"""The TOML examples in docs/ are real files: they load through the same validation as users'."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from boostback.config.loader import flight_from_dict, load_vehicle
from boostback.flight.setup import flight_setup

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _toml_blocks(name: str) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", (DOCS / name).read_text(), flags=re.S)


def test_flight_scenario_example_in_docs_loads_and_sets_up() -> None:
    (block,) = _toml_blocks("flights.md")
    scenario = flight_from_dict(tomllib.loads(block), "docs/flights.md")
    vehicle = load_vehicle(scenario.vehicle)
    setup = flight_setup(vehicle, scenario)
    assert setup.target is not None
    assert scenario.entry.throttle == 0.7 and scenario.ascent.throttle == 0.9
