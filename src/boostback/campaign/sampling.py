"""Draw one run's inputs: dispersed settings by dotted path, and its faults.

Run ``i`` of a campaign draws from ``SeedSequence(seed).spawn(runs)[i]`` (built directly as
``SeedSequence(seed, spawn_key=(i,))``, the same thing), always in the same order: every
dispersion in file order, then for every fault its presence and all its parameters, drawn even
when the fault is absent. So a run's draws depend on nothing but the seed and its index.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from boostback.campaign.spec import CampaignSpec, Distribution, FaultSpec
from boostback.config.errors import ConfigError
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


def resolve_targets(
    spec: CampaignSpec, scenario: dict[str, Any], vehicle: dict[str, Any], file: str | None
) -> list[Target]:
    """Check every dispersion path against the base model dumps (defaults included)."""
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
        targets.append(Target(d.path, on_vehicle, tokens, float(base), isinstance(base, int)))
    return targets


def draw(dist: Distribution, base: float, rng: np.random.Generator) -> float:
    mean = base if dist.mean is None else dist.mean
    if dist.dist == "normal":
        return float(rng.normal(mean, dist.sigma))
    if dist.dist == "uniform":
        return float(rng.uniform(dist.low, dist.high))
    if dist.dist == "choice":
        assert dist.values is not None
        return float(dist.values[int(rng.integers(len(dist.values)))])
    assert dist.sigma is not None and dist.low is not None and dist.high is not None
    a, b = (dist.low - mean) / dist.sigma, (dist.high - mean) / dist.sigma
    return float(stats.truncnorm.ppf(rng.random(), a, b, loc=mean, scale=dist.sigma))


def _value(x: float | Distribution | None, rng: np.random.Generator, default: float = 0.0) -> float:
    if x is None:
        return default
    if isinstance(x, Distribution):
        return draw(x, default, rng)
    return float(x)


def _vector(xs: list | None, rng: np.random.Generator) -> tuple[float, float, float]:
    if xs is None:
        return (0.0, 0.0, 0.0)
    a, b, c = (_value(x, rng) for x in xs)
    return (a, b, c)


def draw_fault(spec: FaultSpec, rng: np.random.Generator) -> tuple[bool, F.Fault, dict[str, float]]:
    """Presence, the fault object, and its drawn parameters (for the results table).

    The presence is drawn first, then every parameter in the order the fault registers them
    (an ENU vector as its three components), drawn even when the fault is absent.
    """
    present = bool(rng.random() < spec.probability)
    cls = F.FAULTS[spec.kind]
    phase = spec.onset.phase or cls.default_phase
    onset = F.Onset(spec.onset.t_s, phase, spec.onset.altitude_m)
    values: dict[str, Any] = {}
    columns: dict[str, float] = {}
    for p in cls.params:
        raw = spec.params.get(p.name)
        if p.vector:
            vec = _vector(raw, rng)  # type: ignore[arg-type]
            values[p.name] = vec
            for j, axis in enumerate("enu"):
                columns[p.name.replace("_enu_", f"_{axis}_")] = vec[j]
        else:
            default = p.default if p.default is not None else 0.0
            values[p.name] = columns[p.name] = _value(raw, rng, default)  # type: ignore[arg-type]
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
    for disp, tgt in zip(spec.dispersions, targets, strict=True):
        value = draw(disp, tgt.base, rng)
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
