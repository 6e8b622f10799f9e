"""Campaign files are checked up front: bad paths and impossible distributions are one-line
errors naming the file and the key; the statistics are checked against known values."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from boostback.campaign.run import prepare
from boostback.campaign.sampling import draw_run, parse_path
from boostback.campaign.spec import load_campaign
from boostback.campaign.stats import dispersion_ellipse, sensitivity, summarize, wilson_interval
from boostback.cli import app
from boostback.config.errors import ConfigError

BASE = """
scenario = "falcon9_landing"
runs = 10
seed = 1
"""


def campaign(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(BASE + body)
    return path


@pytest.mark.parametrize(
    ("body", "key", "words"),
    [
        (
            '[[dispersions]]\npath = "initial.altitud_m"\ndist = "normal"\nsigma = 1.0\n',
            "dispersions[0].path",
            "not a setting",
        ),
        (
            '[[dispersions]]\npath = "initial.velocity_enu_mps[5]"\ndist = "normal"\nsigma = 1.0\n',
            "dispersions[0].path",
            "not a setting",
        ),
        (
            '[[dispersions]]\npath = "vehicle.booster.engine.name"\ndist = "normal"\nsigma = 1.0\n',
            "dispersions[0].path",
            "not a number",
        ),
        (
            '[[dispersions]]\npath = "initial.altitude_m"\ndist = "normal"\nsigma = -1.0\n',
            "sigma",
            "positive",
        ),
        (
            '[[dispersions]]\npath = "initial.altitude_m"\ndist = "uniform"\n'
            "low = 5.0\nhigh = 1.0\n",
            "high",
            "low < high",
        ),
        (
            '[[dispersions]]\npath = "initial.altitude_m"\ndist = "truncnormal"\nsigma = 1.0\n',
            "low",
            "needs",
        ),
        ('[[dispersions]]\npath = "initial.altitude_m"\ndist = "gamma"\nsigma = 1.0\n', "dist", ""),
        ('[[faults]]\nkind = "engine_explodes"\n', "kind", "unknown fault"),
        ('[[faults]]\nkind = "thrust_shortfall"\n', "fraction", "needs"),
        (
            '[[faults]]\nkind = "ignition_delay"\ndelay_s = 1.0\nfraction = 0.1\n',
            "fraction",
            "does not apply",
        ),
    ],
)
def test_bad_campaigns_are_rejected_up_front(
    tmp_path: Path, body: str, key: str, words: str
) -> None:
    path = campaign(tmp_path, body)
    with pytest.raises(ConfigError) as err:
        spec, base = load_campaign(path)
        prepare(spec, base, str(path))
    message = str(err.value)
    assert "\n" not in message
    assert "c.toml" in message
    assert key in message
    assert words in message


def test_cli_rejects_a_misspelled_path_with_status_2(tmp_path: Path) -> None:
    path = campaign(
        tmp_path, '[[dispersions]]\npath = "inital.altitude_m"\ndist = "normal"\nsigma = 1.0\n'
    )
    result = CliRunner().invoke(app, ["mc", "run", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "inital.altitude_m" in result.output
    assert "Traceback" not in result.output


def test_parse_path() -> None:
    assert parse_path("initial.velocity_enu_mps[2]") == ["initial", "velocity_enu_mps", 2]
    assert parse_path("booster.cd_mach[0][1]") == ["booster", "cd_mach", 0, 1]
    with pytest.raises(ValueError):
        parse_path("initial..x")


def test_draws_are_reproducible_and_respect_truncation(tmp_path: Path) -> None:
    path = campaign(
        tmp_path,
        '[[dispersions]]\npath = "initial.altitude_m"\ndist = "truncnormal"\nsigma = 500.0\n'
        "low = 2900.0\nhigh = 3100.0\n"
        '[[dispersions]]\npath = "guidance.nodes"\ndist = "choice"\nvalues = [20, 30]\n',
    )
    spec, base = load_campaign(path)
    ctx = prepare(spec, base)
    a = [draw_run(spec, ctx.targets, ctx.scenario, ctx.vehicle, i).inputs for i in range(50)]
    b = [draw_run(spec, ctx.targets, ctx.scenario, ctx.vehicle, i).inputs for i in range(50)]
    assert a == b
    alts = [d["initial.altitude_m"] for d in a]
    assert min(alts) >= 2900.0 and max(alts) <= 3100.0
    assert {d["guidance.nodes"] for d in a} == {20.0, 30.0}
    d0 = draw_run(spec, ctx.targets, ctx.scenario, ctx.vehicle, 0)
    assert isinstance(d0.scenario["guidance"]["nodes"], int)


def test_wilson_interval_known_values() -> None:
    # Wilson (1927) / Newcombe (1998) example: 81 of 263 -> 0.2553 to 0.3662
    lo, hi = wilson_interval(81, 263)
    assert lo == pytest.approx(0.2553, abs=1e-4)
    assert hi == pytest.approx(0.3662, abs=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 5000), frac=st.floats(0, 1))
def test_wilson_interval_contains_the_estimate(n: int, frac: float) -> None:
    k = round(frac * n)
    lo, hi = wilson_interval(k, n)
    assert 0.0 <= lo <= k / n + 1e-12 and k / n - 1e-12 <= hi <= 1.0


def test_dispersion_ellipse_recovers_a_known_covariance() -> None:
    rng = np.random.default_rng(0)
    pts = rng.multivariate_normal([1.0, -2.0], [[4.0, 0.0], [0.0, 1.0]], size=20000)
    e = dispersion_ellipse(pts[:, 0], pts[:, 1])
    k = math.sqrt(5.991464547107979)  # chi-square 95 %, 2 dof
    assert e["semi_major_m"] == pytest.approx(2.0 * k, rel=0.03)
    assert e["semi_minor_m"] == pytest.approx(1.0 * k, rel=0.03)
    assert abs(math.sin(math.radians(e["orientation_deg"]))) < 0.1  # major axis along east


def test_sensitivity_finds_the_input_that_matters() -> None:
    rng = np.random.default_rng(1)
    n = 400
    x_bad = rng.uniform(0, 1, n)
    x_noise = rng.uniform(0, 1, n)
    outcome = np.where(x_bad + 0.2 * rng.normal(size=n) > 0.7, "crashed", "landed")
    frame = pd.DataFrame(
        {"run": range(n), "outcome": outcome, "input:bad": x_bad, "input:noise": x_noise}
    )
    ranking = sensitivity(frame)
    assert ranking.iloc[0]["input"] == "input:bad"
    assert ranking.iloc[0]["direction"] == "high values fail"
    s = summarize(frame)
    assert s.landed == int((outcome == "landed").sum())
    json.dumps(s.as_dict(), default=float)
