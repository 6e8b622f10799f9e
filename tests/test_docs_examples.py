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


def test_campaign_examples_in_docs_load_and_draw() -> None:
    from boostback.campaign.run import prepare
    from boostback.campaign.sampling import draw_run
    from boostback.campaign.spec import campaign_from_dict

    blocks = _toml_blocks("campaigns.md")
    assert blocks
    for block in blocks:
        spec = campaign_from_dict(tomllib.loads(block), "docs/campaigns.md")
        ctx = prepare(spec, None, "docs/campaigns.md")
        draws = [draw_run(spec, ctx.targets, ctx.scenario, ctx.vehicle, i) for i in range(4)]
        assert len({tuple(d.inputs.values()) for d in draws}) == 4
