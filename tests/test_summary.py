"""``print(result)`` and ``result.info()`` show the tables the command line prints, for a landing,
a whole flight and a campaign; the campaign's intervals are the published ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from boostback.campaign.campaign import run_campaign
from boostback.campaign.spec import campaign_from_dict
from boostback.campaign.stats import clopper_pearson_interval, summarize, wilson_interval
from boostback.cli import app
from boostback.config import load_landing
from boostback.config.loader import load_flight
from boostback.flight.executive import fly_mission
from boostback.mission.landing import fly_landing
from boostback.mission.tables import (
    campaign_tables,
    ellipse_line,
    flight_tables,
    landing_tables,
    outcomes_table,
    percentiles_table,
    sensitivity_table,
    to_text,
)
from boostback.plant.setup import landing_setup

runner = CliRunner()


def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output
    return result.output


def _cli_width() -> int:
    from boostback.cli.common import console

    return console.width


@pytest.fixture(scope="module")
def landing() -> tuple[Any, Any]:
    scenario, vehicle = load_landing("falcon9_landing")
    return fly_landing(landing_setup(vehicle, scenario)), vehicle


@pytest.fixture(scope="module")
def flight() -> Any:
    return fly_mission(*load_flight("falcon9_rtls"))


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    spec = campaign_from_dict(
        {
            "scenario": "falcon9_landing",
            "runs": 6,
            "seed": 5,
            "dispersions": [
                {"path": "initial.altitude_m", "dist": "normal", "sigma": 100.0},
                {"path": "initial.position_en_m[0]", "dist": "uniform", "low": 0.0, "high": 600.0},
            ],
            "faults": [
                {"kind": "thrust_shortfall", "probability": 0.5, "fraction": 0.35},
            ],
        }
    )
    out = tmp_path_factory.mktemp("campaign")
    frame = run_campaign(spec, out, workers=1)
    return summarize(frame), out


def test_text_is_plain_and_fixed_width(landing: tuple[Any, Any]) -> None:
    result, _ = landing
    text = str(result)
    assert "\x1b[" not in text and "[bold" not in text  # no colour codes, no markup left
    assert max(len(line) for line in text.splitlines()) <= 100
    for label in ("outcome", "ignition altitude", "miss distance", "propellant left"):
        assert label in text
    assert result.outcome.value in text


def test_a_landing_prints_what_boostback_land_prints(landing: tuple[Any, Any]) -> None:
    result, vehicle = landing
    assert str(result) == to_text(landing_tables(result))
    cli = _cli("land", "falcon9")
    ours = to_text(landing_tables(result, f"{vehicle.name}: landing burn"), _cli_width())
    assert ours in cli


def test_info_prints_the_same_text(landing: tuple[Any, Any], capsys: Any) -> None:
    result, _ = landing
    result.info()
    assert capsys.readouterr().out.rstrip("\n") == str(result)


def test_a_flight_prints_what_boostback_fly_prints(flight: Any) -> None:
    text = str(flight)
    for words in ("event timeline", "propellant budget", "recovery reserve", "outcome and limits"):
        assert words in text
    assert "meco" in text and "touchdown" in text
    width = _cli_width()
    cli = _cli("fly", "falcon9")
    for table in flight_tables(flight, width):
        assert to_text([table], width) in cli


def test_a_campaign_prints_what_boostback_mc_summary_prints(campaign: tuple[Any, Path]) -> None:
    summary, out = campaign
    text = str(summary)
    lo, hi = summary.interval_95_clopper_pearson
    assert f"Clopper-Pearson {lo:.1%} - {hi:.1%}" in text
    assert text == to_text(campaign_tables(summary))
    cli = _cli("mc", "summary", str(out))
    width = _cli_width()
    parts = [outcomes_table(summary), percentiles_table(summary), sensitivity_table(summary)]
    for part in parts:
        if part is not None:
            assert to_text([part], width) in cli
    line = ellipse_line(summary.ellipse)
    assert line is None or line in " ".join(cli.split())


def test_campaign_summary_json_carries_both_intervals(campaign: tuple[Any, Path]) -> None:
    summary, _ = campaign
    data = summary.as_dict()
    assert data["interval_95"] == list(wilson_interval(summary.landed, summary.completed))
    assert data["interval_95_clopper_pearson"] == list(
        clopper_pearson_interval(summary.landed, summary.completed)
    )


def test_clopper_pearson_matches_published_values() -> None:
    # Newcombe (1998), Table I, method 5 ("exact"): 81/263 -> 0.2527 to 0.3676;
    # 0/10 -> 0 to 0.3085; and with every run landed, 300 of 300 -> at least 0.9878
    lo, hi = clopper_pearson_interval(81, 263)
    assert lo == pytest.approx(0.2527, abs=1e-4) and hi == pytest.approx(0.3676, abs=1e-4)
    assert clopper_pearson_interval(0, 10) == (0.0, pytest.approx(0.3085, abs=1e-4))
    assert clopper_pearson_interval(300, 300)[0] == pytest.approx(0.98778, abs=1e-5)
    assert clopper_pearson_interval(0, 0) == (0.0, 1.0)


def _coverage(interval: Any, n: int, grid: np.ndarray) -> np.ndarray:
    """For each true probability p of ``grid``: the chance that the interval of a binomial(n, p)
    count contains p."""
    bounds = np.array([interval(k, n) for k in range(n + 1)])
    pmf = stats.binom.pmf(np.arange(n + 1)[:, None], n, grid[None, :])
    inside = (bounds[:, :1] <= grid) & (grid <= bounds[:, 1:])
    return np.sum(pmf * inside, axis=0)


def test_clopper_pearson_never_covers_less_than_95_percent() -> None:
    """The reason to quote it beside Wilson: its coverage is at least the confidence level for
    every true probability, where Wilson's dips below it for some."""
    n = 30
    grid = np.linspace(0.01, 0.99, 99)
    assert _coverage(clopper_pearson_interval, n, grid).min() >= 0.95 - 1e-9
    assert _coverage(wilson_interval, n, grid).min() < 0.95
