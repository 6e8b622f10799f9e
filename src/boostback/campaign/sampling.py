"""Draw one run's inputs: dispersed settings by dotted path, and its faults.

Run ``i`` of a campaign draws from ``SeedSequence(seed).spawn(runs)[i]`` (built directly as
``SeedSequence(seed, spawn_key=(i,))``, the same thing), always in the same order: every
dispersion in file order, then for every fault its presence and all its parameters, drawn even
when the fault is absent. So a run's draws depend on nothing but the seed and its index. With
``sampling = "latin_hypercube"`` or ``"sobol"`` the dispersions take run ``i``'s point of a
space-filling design instead (``campaign.designs``), and the faults draw from the stream as
before.

No draw is physically impossible: a dispersed setting's bounds are read from the model that
validates it (``campaign.bounds``: a mass is positive, a throttle at most 1) and a fault
parameter's from the fault registry. A distribution that can draw outside them (a uniform, a
truncated normal or a choice reaching past them, a normal centred outside) is refused when the
campaign is prepared; a normal's tails are cut at them (the draw is a normal truncated to the
bounds, exactly: a draw that falls inside is kept, one that falls outside is replaced by a
truncated-normal draw).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from boostback.campaign.bounds import UNBOUNDED, Bounds, model_bounds
from boostback.campaign.designs import MAX_LHS_RUNS, Sampling, design_point
from boostback.campaign.spec import CampaignSpec, Distribution, FaultSpec
from boostback.config.errors import ConfigError
from boostback.config.flight_models import FlightScenario
from boostback.config.loader import is_flight_scenario
from boostback.config.models import LandingScenario, Vehicle
from boostback.gnc import faults as F

_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """``initial.velocity_enu_mps[2]`` -> ``['initial', 'velocity_enu_mps', 2]``."""
    tokens: list[str | int] = []
    for part in path.split("."):
        pos = 0
        for m in _TOKEN.finditer(part):
            if m.start() != pos:
                raise ValueError(f"cannot parse '{path}'")
            tokens.append(m.group(1) if m.group(1) else int(m.group(2)))
            pos = m.end()
        if pos != len(part) or not part:
            raise ValueError(f"cannot parse '{path}'")
    return tokens


def get_path(data: Any, tokens: list[str | int]) -> Any:
    node = data
    for tok in tokens:
        if isinstance(tok, str):
            if not isinstance(node, dict) or tok not in node:
                raise KeyError(tok)
            node = node[tok]
        else:
            if not isinstance(node, list | tuple) or tok >= len(node):
                raise KeyError(tok)
            node = node[tok]
    return node


def set_path(data: Any, tokens: list[str | int], value: float) -> None:
    node = data
    for tok in tokens[:-1]:
        node = node[tok]
    last = tokens[-1]
    if isinstance(node, tuple):
        raise TypeError("tuples must be converted to lists before setting")
    node[last] = value


def _listify(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _listify(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_listify(v) for v in obj]
    return obj


@dataclass(frozen=True)
class Target:
    """Where a dispersion writes: the scenario or the vehicle dict, a path, and the base value."""

    path: str
    on_vehicle: bool
    tokens: list[str | int]
    base: float
    integer: bool
    bounds: Bounds = UNBOUNDED  # the values the setting's model allows


def resolve_targets(
    spec: CampaignSpec, scenario: dict[str, Any], vehicle: dict[str, Any], file: str | None
) -> list[Target]:
    """Check every dispersion path against the base model dumps (defaults included), and every
    distribution against the values the setting allows."""
    _check_sampling(spec, file)
    scenario_model = FlightScenario if is_flight_scenario(scenario) else LandingScenario
    targets = []
    for i, d in enumerate(spec.dispersions):
        key = f"dispersions[{i}].path"
        on_vehicle = d.path.startswith("vehicle.")
        try:
            tokens = parse_path(d.path.removeprefix("vehicle.") if on_vehicle else d.path)
        except ValueError as exc:
            raise ConfigError(str(exc), file=file, key=key) from None
        try:
            base = get_path(vehicle if on_vehicle else scenario, tokens)
        except KeyError as exc:
            where = "the vehicle" if on_vehicle else "the scenario"
            raise ConfigError(
                f"'{d.path}' is not a setting of {where} (no '{exc.args[0]}')", file=file, key=key
            ) from None
        if isinstance(base, bool) or not isinstance(base, int | float):
            raise ConfigError(
                f"'{d.path}' is not a number (it is {type(base).__name__})", file=file, key=key
            )
        bounds = model_bounds(Vehicle if on_vehicle else scenario_model, tokens)
        if isinstance(base, int):
            bounds = bounds.for_integers()
        problem = support_problem(d, float(base), bounds)
        if problem is not None:
            field, text = problem
            raise ConfigError(f"'{d.path}' {text}", file=file, key=f"dispersions[{i}].{field}")
        targets.append(
            Target(d.path, on_vehicle, tokens, float(base), isinstance(base, int), bounds)
        )
    return targets


def _check_sampling(spec: CampaignSpec, file: str | None) -> None:
    if spec.sampling is Sampling.LATIN_HYPERCUBE and spec.runs > MAX_LHS_RUNS:
        raise ConfigError(
            f"a Latin hypercube is held in memory: at most {MAX_LHS_RUNS:,} runs "
            f"(got {spec.runs:,}); use sobol",
            file=file,
            key="sampling",
        )


def support_problem(dist: Distribution, base: float, bounds: Bounds) -> tuple[str, str] | None:
    """Why ``dist`` would draw values outside ``bounds``, or ``None`` when it cannot (a normal
    counts as inside when its mean is: its tails are cut at the bounds).

    Parameters
    ----------
    dist : Distribution
        The distribution.
    base : float
        The setting's base value (a normal's mean when the file gives none).
    bounds : Bounds
        The values allowed.

    Returns
    -------
    tuple of str or None
        The distribution's key at fault and the problem, e.g. ``("low", "must lie in (0, inf),
        but this uniform distribution draws down to -5")``.
    """
    allowed = f"must lie in {bounds.text()}, but this {dist.dist} distribution"
    if dist.dist == "choice":
        assert dist.values is not None
        for j, v in enumerate(dist.values):
            if not bounds.contains(v):
                return f"values[{j}]", f"{allowed} can draw {v:g}"
        return None
    if dist.dist == "normal":
        mean = base if dist.mean is None else dist.mean
        if not bounds.contains(mean):
            return "mean", f"{allowed} is centred on {mean:g}"
        return None
    assert dist.low is not None and dist.high is not None
    # a range may touch an open end: a continuous draw lands on it with probability zero
    if dist.low < bounds.low:
        return "low", f"{allowed} draws down to {dist.low:g}"
    if dist.high > bounds.high:
        return "high", f"{allowed} draws up to {dist.high:g}"
    return None


def draw(
    dist: Distribution,
    base: float,
    rng: np.random.Generator,
    bounds: Bounds = UNBOUNDED,
) -> float:
    """One value of ``dist`` (``mean`` defaulting to ``base``), inside ``bounds``.

    Parameters
    ----------
    dist : Distribution
        The distribution.
    base : float
        The setting's base value.
    rng : numpy.random.Generator
        The run's stream.
    bounds : Bounds
        The values allowed: a normal is truncated to them (the other distributions were
        checked to stay inside by :func:`support_problem`).

    Returns
    -------
    float
    """
    mean = base if dist.mean is None else dist.mean
    if dist.dist == "normal":
        assert dist.sigma is not None
        value = float(rng.normal(mean, dist.sigma))
        if bounds.contains(value):
            return value
        # Outside: a fresh truncated-normal draw. Keeping the first draw when it falls inside
        # and redrawing from the truncated law otherwise gives exactly the truncated law, and
        # leaves every run whose draw was possible as it was before truncation existed.
        return _truncnorm(mean, dist.sigma, bounds.low, bounds.high, rng.random())
    if dist.dist == "uniform":
        assert dist.low is not None and dist.high is not None
        return float(rng.uniform(dist.low, dist.high))
    if dist.dist == "choice":
        assert dist.values is not None
        return float(dist.values[int(rng.integers(len(dist.values)))])
    assert dist.low is not None and dist.high is not None
    return _truncnorm(mean, dist.sigma, dist.low, dist.high, rng.random())


def draw_at(dist: Distribution, base: float, u: float, bounds: Bounds = UNBOUNDED) -> float:
    """The value of ``dist`` at probability ``u`` (its inverse CDF), inside ``bounds``: how a
    design's point becomes a draw.

    Parameters
    ----------
    dist : Distribution
        The distribution.
    base : float
        The setting's base value.
    u : float
        A coordinate of the design's point, in (0, 1).
    bounds : Bounds
        The values allowed: a normal is truncated to them.

    Returns
    -------
    float
    """
    mean = base if dist.mean is None else dist.mean
    if dist.dist == "uniform":
        assert dist.low is not None and dist.high is not None
        return float(dist.low + u * (dist.high - dist.low))
    if dist.dist == "choice":
        assert dist.values is not None
        return float(dist.values[min(int(u * len(dist.values)), len(dist.values) - 1)])
    if dist.dist == "normal":
        return _truncnorm(mean, dist.sigma, bounds.low, bounds.high, u)
    assert dist.low is not None and dist.high is not None
    return _truncnorm(mean, dist.sigma, dist.low, dist.high, u)


def _truncnorm(mean: float, sigma: float | None, low: float, high: float, u: float) -> float:
    """The normal(mean, sigma) truncated to [low, high] at probability ``u``."""
    assert sigma is not None
    a, b = (low - mean) / sigma, (high - mean) / sigma
    return float(stats.truncnorm.ppf(u, a, b, loc=mean, scale=sigma))


def _value(
    x: float | Distribution | None,
    rng: np.random.Generator,
    default: float = 0.0,
    bounds: Bounds = UNBOUNDED,
) -> float:
    if x is None:
        return default
    if isinstance(x, Distribution):
        return draw(x, default, rng, bounds)
    return float(x)


def _vector(
    xs: list | None, rng: np.random.Generator, bounds: Bounds
) -> tuple[float, float, float]:
    if xs is None:
        return (0.0, 0.0, 0.0)
    a, b, c = (_value(x, rng, bounds=bounds) for x in xs)
    return (a, b, c)


def draw_fault(spec: FaultSpec, rng: np.random.Generator) -> tuple[bool, F.Fault, dict[str, float]]:
    """Presence, the fault object, and its drawn parameters (for the results table).

    The presence is drawn first, then every parameter in the order the fault registers them
    (an ENU vector as its three components), drawn even when the fault is absent. A normal
    draw is truncated to the parameter's bounds in the registry (a delay is never negative).
    """
    present = bool(rng.random() < spec.probability)
    cls = F.FAULTS[spec.kind]
    phase = spec.onset.phase or cls.default_phase
    onset = F.Onset(spec.onset.t_s, phase, spec.onset.altitude_m)
    values: dict[str, Any] = {}
    columns: dict[str, float] = {}
    for p in cls.params:
        raw = spec.params.get(p.name)
        bounds = Bounds(p.low, p.high)
        if p.vector:
            vec = _vector(raw, rng, bounds)  # type: ignore[arg-type]
            values[p.name] = vec
            for j, axis in enumerate("enu"):
                columns[p.name.replace("_enu_", f"_{axis}_")] = vec[j]
        else:
            default = p.default if p.default is not None else 0.0
            values[p.name] = columns[p.name] = _value(raw, rng, default, bounds)  # type: ignore[arg-type]
    return present, F.build_fault(spec.kind, values, onset), columns


@dataclass(frozen=True)
class Draw:
    """Everything random about one run."""

    scenario: dict[str, Any]
    vehicle: dict[str, Any]
    inputs: dict[str, float]  # dispersed path -> drawn value
    faults: tuple[F.Fault, ...]
    fault_columns: dict[str, float]  # e.g. fault0_thrust_shortfall, fault0_fraction
    rng: np.random.Generator  # continues the run's stream (navigation noise)


def run_rng(seed: int, index: int) -> np.random.Generator:
    """Run ``index``'s generator: identical to ``SeedSequence(seed).spawn(n)[index]``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))


def draw_run(
    spec: CampaignSpec,
    targets: list[Target],
    scenario: dict[str, Any],
    vehicle: dict[str, Any],
    index: int,
) -> Draw:
    rng = run_rng(spec.seed, index)
    scen = _listify(copy.deepcopy(scenario))
    veh = _listify(copy.deepcopy(vehicle))
    inputs: dict[str, float] = {}
    point = design_point(spec.sampling, spec.seed, len(targets), spec.runs, index)
    for j, (disp, tgt) in enumerate(zip(spec.dispersions, targets, strict=True)):
        if point is None:
            value = draw(disp, tgt.base, rng, tgt.bounds)
        else:
            value = draw_at(disp, tgt.base, float(point[j]), tgt.bounds)
        if tgt.integer:
            value = float(round(value))
        set_path(veh if tgt.on_vehicle else scen, tgt.tokens, int(value) if tgt.integer else value)
        inputs[tgt.path] = value
    faults = []
    columns: dict[str, float] = {}
    for i, fs in enumerate(spec.faults):
        present, fault, params = draw_fault(fs, rng)
        columns[f"fault{i}_{fs.kind}"] = float(present)
        for name, val in params.items():  # drawn always; reported only where the fault acts
            columns[f"fault{i}_{name}"] = val if present else float("nan")
        if present:
            faults.append(fault)
    return Draw(scen, veh, inputs, tuple(faults), columns, rng)
