"""Campaign draws are physically possible (a normal's tails are cut at the setting's bounds, a
distribution that can only draw outside them is refused), and the space-filling designs
(Latin hypercube, Sobol') spread the runs as they promise, reproducibly."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from scipy.stats import qmc

from boostback.campaign.bounds import Bounds, model_bounds
from boostback.campaign.designs import MAX_LHS_RUNS, design_point
from boostback.campaign.run import prepare
from boostback.campaign.sampling import draw, draw_fault, draw_run, parse_path
from boostback.campaign.spec import Distribution, campaign_from_dict, load_campaign
from boostback.config.errors import ConfigError
from boostback.config.models import LandingScenario, Vehicle


def _campaign(tmp_path: Path, body: str, runs: int = 10, head: str = "") -> Path:
    path = tmp_path / "c.toml"
    path.write_text(f'{head}scenario = "falcon9_landing"\nruns = {runs}\nseed = 3\n{body}')
    return path


def _draws(path: Path, n: int | None = None) -> list[dict[str, float]]:
    spec, base = load_campaign(path)
    ctx = prepare(spec, base)
    count = spec.runs if n is None else n
    return [draw_run(spec, ctx.targets, ctx.scenario, ctx.vehicle, i).inputs for i in range(count)]


def test_bounds_are_read_from_the_models() -> None:
    assert model_bounds(LandingScenario, parse_path("initial.propellant_kg")) == Bounds(0.0)
    dry = model_bounds(Vehicle, parse_path("booster.dry_mass_kg"))
    assert dry.low == 0.0 and dry.low_open and not dry.contains(0.0) and dry.contains(1e-9)
    throttle = model_bounds(Vehicle, parse_path("booster.engine.throttle_min"))
    assert (throttle.low, throttle.high) == (0.0, 1.0)
    nodes = model_bounds(LandingScenario, parse_path("guidance.nodes"))
    assert (nodes.low, nodes.high) == (10.0, 200.0)
    # an optional setting (Pos | None) keeps its bounds; where the schema says nothing, none
    decel = model_bounds(LandingScenario, parse_path("guidance.terminal_max_decel_mps2"))
    assert decel.low == 0.0 and decel.low_open
    assert not model_bounds(Vehicle, parse_path("sources")).bounded


def test_a_normal_draw_of_a_mass_is_never_negative(tmp_path: Path) -> None:
    # propellant aboard ~ normal(200 kg, 1000 kg): untruncated, 42 % of draws would be negative
    path = _campaign(
        tmp_path,
        '[[dispersions]]\npath = "initial.propellant_kg"\ndist = "normal"\n'
        "mean = 200.0\nsigma = 1000.0\n",
        runs=400,
    )
    values = np.array([d["initial.propellant_kg"] for d in _draws(path)])
    assert values.min() >= 0.0
    # and the draws follow the normal truncated at 0, not a normal clipped to 0
    law = stats.truncnorm((0.0 - 200.0) / 1000.0, np.inf, loc=200.0, scale=1000.0)
    assert stats.kstest(values, law.cdf).pvalue > 0.01
    assert np.mean(values == 0.0) == 0.0


def test_a_normal_delay_is_never_negative() -> None:
    spec = campaign_from_dict(
        {
            "scenario": "falcon9_landing",
            "runs": 1,
            "seed": 0,
            "faults": [
                {"kind": "ignition_delay", "delay_s": {"dist": "normal", "mean": 0.1, "sigma": 1.0}}
            ],
        }
    )
    rng = np.random.default_rng(7)
    delays = [draw_fault(spec.faults[0], rng)[2]["delay_s"] for _ in range(300)]
    assert min(delays) >= 0.0
    assert sum(d < 0.1 for d in delays) > 0  # the lower tail is cut, not the whole left half


def test_draws_inside_the_bounds_are_the_plain_normal_draws() -> None:
    """Truncation changes only the draws that were impossible: earlier campaigns keep theirs."""
    dist = Distribution(dist="normal", mean=3000.0, sigma=50.0)
    ours = [
        draw(dist, 0.0, np.random.default_rng(s), Bounds(0.0, low_open=True)) for s in range(50)
    ]
    plain = [float(np.random.default_rng(s).normal(3000.0, 50.0)) for s in range(50)]
    assert ours == plain


@pytest.mark.parametrize(
    ("dispersion", "key", "words"),
    [
        ('dist = "uniform"\nlow = -50.0\nhigh = 500.0', "dispersions[0].low", "draws down to -50"),
        ('dist = "normal"\nmean = -10.0\nsigma = 5.0', "dispersions[0].mean", "centred on -10"),
        ('dist = "choice"\nvalues = [100.0, -1.0]', "dispersions[0].values[1]", "can draw -1"),
        (
            'dist = "truncnormal"\nmean = 0.0\nsigma = 5.0\nlow = -5.0\nhigh = 5.0',
            "dispersions[0].low",
            "[0, inf)",
        ),
    ],
)
def test_a_distribution_that_draws_impossible_values_is_refused(
    tmp_path: Path, dispersion: str, key: str, words: str
) -> None:
    path = _campaign(tmp_path, f'[[dispersions]]\npath = "initial.propellant_kg"\n{dispersion}\n')
    spec, base = load_campaign(path)
    with pytest.raises(ConfigError) as err:
        prepare(spec, base, str(path))
    assert err.value.key == key
    assert words in str(err.value) and str(path) in str(err.value)


def test_a_throttle_above_one_is_refused(tmp_path: Path) -> None:
    path = _campaign(
        tmp_path,
        '[[dispersions]]\npath = "vehicle.booster.engine.throttle_min"\ndist = "uniform"\n'
        "low = 0.3\nhigh = 1.2\n",
    )
    spec, base = load_campaign(path)
    with pytest.raises(ConfigError, match=r"draws up to 1\.2") as err:
        prepare(spec, base, str(path))
    assert err.value.key == "dispersions[0].high"


def test_latin_hypercube_draws_every_stratum_once(tmp_path: Path) -> None:
    runs = 40
    path = _campaign(
        tmp_path,
        '[[dispersions]]\npath = "initial.altitude_m"\ndist = "uniform"\nlow = 2000.0\n'
        'high = 4000.0\n[[dispersions]]\npath = "initial.propellant_kg"\ndist = "normal"\n'
        "sigma = 300.0\n",
        runs=runs,
        head='sampling = "latin_hypercube"\n',
    )
    draws = _draws(path)
    alt = np.array([d["initial.altitude_m"] for d in draws])
    strata = np.floor((alt - 2000.0) / 2000.0 * runs).astype(int)
    assert sorted(strata) == list(range(runs))
    spec, base = load_campaign(path)
    mean = prepare(spec, base).scenario["initial"]["propellant_kg"]
    prop = np.array([d["initial.propellant_kg"] for d in draws])
    u = stats.norm.cdf(prop, loc=mean, scale=300.0)
    assert sorted(np.floor(u * runs).astype(int)) == list(range(runs))


def test_sobol_runs_fill_the_space_better_than_random_draws(tmp_path: Path) -> None:
    body = (
        '[[dispersions]]\npath = "initial.altitude_m"\ndist = "uniform"\nlow = 2000.0\n'
        'high = 4000.0\n[[dispersions]]\npath = "environment.wind_enu_mps[0]"\ndist = "uniform"\n'
        "low = -10.0\nhigh = 10.0\n"
    )
    points = {}
    for sampling in ("random", "sobol"):
        path = _campaign(tmp_path, body, runs=64, head=f'sampling = "{sampling}"\n')
        draws = _draws(path)
        points[sampling] = np.array(
            [
                [
                    (d["initial.altitude_m"] - 2000.0) / 2000.0,
                    (d["environment.wind_enu_mps[0]"] + 10) / 20,
                ]
                for d in draws
            ]
        )
    assert qmc.discrepancy(points["sobol"]) < 0.2 * qmc.discrepancy(points["random"])


@pytest.mark.parametrize("sampling", ["latin_hypercube", "sobol"])
def test_a_design_point_depends_only_on_seed_index_and_runs(sampling: str) -> None:
    alone = design_point(sampling, 11, 3, 32, 17)
    in_order = [design_point(sampling, 11, 3, 32, i) for i in range(32)]
    assert alone is not None and np.array_equal(alone, in_order[17])
    assert np.all((alone > 0) & (alone < 1))
    assert not np.array_equal(alone, design_point(sampling, 12, 3, 32, 17))


def test_sobol_points_do_not_depend_on_the_run_count() -> None:
    a = design_point("sobol", 5, 2, 16, 9)
    b = design_point("sobol", 5, 2, 1024, 9)
    assert a is not None and np.array_equal(a, b)


def test_sampling_key_is_checked() -> None:
    with pytest.raises(ConfigError) as err:
        campaign_from_dict(
            {"scenario": "falcon9_landing", "runs": 4, "seed": 0, "sampling": "sobl"}
        )
    assert err.value.key == "sampling"
    assert design_point("random", 0, 2, 4, 0) is None


def test_a_latin_hypercube_too_large_for_memory_is_refused(tmp_path: Path) -> None:
    path = _campaign(
        tmp_path,
        '[[dispersions]]\npath = "initial.altitude_m"\ndist = "uniform"\nlow = 2000.0\n'
        "high = 4000.0\n",
        runs=MAX_LHS_RUNS + 1,
        head='sampling = "latin_hypercube"\n',
    )
    spec, base = load_campaign(path)
    with pytest.raises(ConfigError, match="sobol") as err:
        prepare(spec, base, str(path))
    assert err.value.key == "sampling"


def test_integer_settings_keep_integer_bounds() -> None:
    assert Bounds(0.0, low_open=True).for_integers() == Bounds(1.0)
    assert Bounds(0.5, 9.5).for_integers() == Bounds(1.0, 9.0)
    assert not math.isfinite(Bounds().for_integers().low)
