"""A campaign's random inputs as one OpenTURNS distribution, and a run flown at a point of it.

Rare-event methods choose the points a campaign flies instead of drawing them run by run. The
point holds one coordinate per random input, in file order:

- every dispersion, as its own law: ``normal`` (truncated to the setting's bounds, as
  :func:`boostback.campaign.sampling.draw` truncates it), ``truncnormal``, ``uniform``; a
  ``choice`` as a Uniform(0, 1) coordinate ``u`` that picks ``values[floor(u n)]`` (the
  inverse CDF :func:`~boostback.campaign.sampling.draw_at` uses for designs);
- every fault whose ``probability`` lies strictly between 0 and 1, its presence as a
  Uniform(0, 1) coordinate ``u``: present when ``u < probability`` (as a run draws it);
- every fault parameter given as a distribution (each component of a vector), as its law
  truncated to the registry's bounds.

Constant parameters stay constant. All coordinates are continuous and independent, so the
isoprobabilistic transformation to standard normal space is the Rosenblatt one, marginal by
marginal. What is *not* a coordinate: the noise a ``nav_noise`` fault adds at every step. Each
point flies with its own noise stream, seeded from the campaign's seed and the point's bytes, so
a point always flies the same way (a deterministic limit state, which caching and resuming
need); the noise acts as a random effect the methods see through the margin.
"""

from __future__ import annotations

import copy
import hashlib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from boostback.campaign.bounds import UNBOUNDED, Bounds
from boostback.campaign.sampling import Draw, _listify, draw_at, set_path
from boostback.campaign.spec import Distribution
from boostback.gnc import faults as F

if TYPE_CHECKING:
    import openturns as ot

    from boostback.campaign.run import CampaignContext


@dataclass(frozen=True)
class Variable:
    """One coordinate of the input space.

    ``kind`` is ``"dispersion"`` (``index`` into ``spec.dispersions``), ``"presence"`` (of fault
    ``index``) or ``"fault_param"`` (of fault ``index``: ``param`` and, for a vector, ``axis``).
    ``dist`` is ``None`` for a Uniform(0, 1) coordinate that is not itself the value (a choice's
    or a presence's ``u``).
    """

    name: str
    kind: str
    index: int
    dist: Distribution | None
    base: float = 0.0
    bounds: Bounds = UNBOUNDED
    latent: bool = False  # a Uniform(0, 1) coordinate mapped through ``draw_at``
    param: str = ""
    axis: int = -1


def variables(spec: Any, targets: list[Any]) -> list[Variable]:
    """The campaign's random inputs, in file order (dispersions, then faults).

    Parameters
    ----------
    spec : CampaignSpec
        The campaign.
    targets : list of Target
        Its dispersions resolved against the scenario and vehicle (``CampaignContext.targets``).

    Returns
    -------
    list of Variable
    """
    out: list[Variable] = []
    for i, (d, t) in enumerate(zip(spec.dispersions, targets, strict=True)):
        out.append(
            Variable(f"input:{t.path}", "dispersion", i, d, t.base, t.bounds, d.dist == "choice")
        )
    for i, fs in enumerate(spec.faults):
        if 0.0 < fs.probability < 1.0:
            out.append(Variable(f"fault{i}_{fs.kind}:u", "presence", i, None, latent=True))
        for p in F.FAULTS[fs.kind].params:
            raw = fs.params.get(p.name)
            bounds = Bounds(p.low, p.high)
            if p.vector and isinstance(raw, list):
                for j, comp in enumerate(raw):
                    if isinstance(comp, Distribution):
                        axis = "_" + "enu"[j] + "_"
                        name = f"fault{i}_{p.name.replace('_enu_', axis)}"
                        latent = comp.dist == "choice"
                        out.append(
                            Variable(name, "fault_param", i, comp, 0.0, bounds, latent, p.name, j)
                        )
            elif isinstance(raw, Distribution):
                base = p.default if p.default is not None else 0.0
                latent = raw.dist == "choice"
                name = f"fault{i}_{p.name}"
                out.append(Variable(name, "fault_param", i, raw, base, bounds, latent, p.name))
    return out


def marginal(v: Variable) -> ot.Distribution:
    """The OpenTURNS law of one coordinate."""
    import openturns as ot

    d = v.dist
    if v.latent or d is None:
        return ot.Uniform(0.0, 1.0)
    if d.dist == "uniform":
        assert d.low is not None and d.high is not None
        return ot.Uniform(d.low, d.high)
    mean = v.base if d.mean is None else d.mean
    assert d.sigma is not None
    if d.dist == "truncnormal":
        assert d.low is not None and d.high is not None
        return ot.TruncatedNormal(mean, d.sigma, d.low, d.high)
    low, high = v.bounds.low, v.bounds.high
    normal = ot.Normal(mean, d.sigma)
    if math.isfinite(low) and math.isfinite(high):
        return ot.TruncatedNormal(mean, d.sigma, low, high)
    if math.isfinite(low):
        return ot.TruncatedDistribution(normal, low, ot.TruncatedDistribution.LOWER)
    if math.isfinite(high):
        return ot.TruncatedDistribution(normal, high, ot.TruncatedDistribution.UPPER)
    return normal


def distribution(vs: list[Variable]) -> ot.Distribution:
    """The joint law of the coordinates (independent), with their names as the description."""
    import openturns as ot

    joint = ot.JointDistribution([marginal(v) for v in vs])
    joint.setDescription([v.name for v in vs])
    return joint


def value(v: Variable, x: float) -> float:
    """The setting's value at coordinate ``x`` (a latent ``u`` through its inverse CDF)."""
    if v.latent and v.dist is not None:
        return draw_at(v.dist, v.base, min(max(x, 0.0), 1.0), v.bounds)
    return float(x)


def noise_rng(seed: int, point: tuple[float, ...]) -> np.random.Generator:
    """The point's own stream for the noise it flies with (navigation noise)."""
    words = np.frombuffer(hashlib.sha256(np.asarray(point, float).tobytes()).digest(), np.uint32)
    return np.random.default_rng(np.random.SeedSequence([seed, *map(int, words)]))


def point_draw(ctx: CampaignContext, point: tuple[float, ...]) -> Draw:
    """A run's inputs at ``point``: what :func:`~boostback.campaign.sampling.draw_run` gives
    for a drawn run (``CampaignContext.points_draw``).

    Parameters
    ----------
    ctx : CampaignContext
        The campaign.
    point : tuple of float
        One coordinate per :func:`variables` entry.

    Returns
    -------
    Draw
    """
    spec = ctx.spec
    vs = variables(spec, ctx.targets)
    if len(point) != len(vs):
        raise ValueError(f"a point has {len(vs)} coordinates, got {len(point)}")
    scen = _listify(copy.deepcopy(ctx.scenario))
    veh = _listify(copy.deepcopy(ctx.vehicle))
    inputs: dict[str, float] = {}
    present = {i: fs.probability >= 1.0 for i, fs in enumerate(spec.faults)}
    params: dict[int, dict[str, Any]] = {i: {} for i in range(len(spec.faults))}
    for v, x in zip(vs, point, strict=True):
        if v.kind == "dispersion":
            tgt = ctx.targets[v.index]
            val = value(v, x)
            if tgt.integer:
                val = float(round(val))
            set_path(veh if tgt.on_vehicle else scen, tgt.tokens, int(val) if tgt.integer else val)
            inputs[tgt.path] = val
        elif v.kind == "presence":
            present[v.index] = x < spec.faults[v.index].probability
        elif v.axis >= 0:
            params[v.index].setdefault(v.param, {})[v.axis] = value(v, x)
        else:
            params[v.index][v.param] = value(v, x)
    faults, columns = _faults(spec, present, params)
    return Draw(scen, veh, inputs, tuple(faults), columns, noise_rng(spec.seed, tuple(point)))


def _faults(
    spec: Any, present: dict[int, bool], drawn: dict[int, dict[str, Any]]
) -> tuple[list[F.Fault], dict[str, float]]:
    """The faults present at a point, and their columns as a drawn run has them."""
    faults: list[F.Fault] = []
    columns: dict[str, float] = {}
    for i, fs in enumerate(spec.faults):
        cls = F.FAULTS[fs.kind]
        onset = F.Onset(fs.onset.t_s, fs.onset.phase or cls.default_phase, fs.onset.altitude_m)
        values: dict[str, Any] = {}
        cols: dict[str, float] = {}
        for p in cls.params:
            raw = fs.params.get(p.name)
            if p.vector:
                got = drawn[i].get(p.name, {})
                comps = list(raw) if isinstance(raw, list) else [None, None, None]
                vec = tuple(
                    float(got[j]) if j in got else float(c or 0.0) for j, c in enumerate(comps)
                )
                values[p.name] = vec
                for j, axis in enumerate("enu"):
                    cols[p.name.replace("_enu_", f"_{axis}_")] = vec[j]
            elif p.name in drawn[i]:
                values[p.name] = cols[p.name] = float(drawn[i][p.name])
            else:
                default = p.default if p.default is not None else 0.0
                values[p.name] = cols[p.name] = float(default if raw is None else raw)
        columns[f"fault{i}_{fs.kind}"] = float(present[i])
        for name, val in cols.items():
            columns[f"fault{i}_{name}"] = val if present[i] else float("nan")
        if present[i]:
            faults.append(F.build_fault(fs.kind, values, onset))
    return faults, columns
