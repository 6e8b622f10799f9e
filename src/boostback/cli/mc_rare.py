"""``boostback mc rare``: a campaign's failure probability by subset simulation, importance
sampling or FORM, instead of plain Monte Carlo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from boostback.cli.common import check_out_dir, check_range, console, err_console, fail, guarded
from boostback.cli.json_out import print_json
from boostback.cli.mc import RARE_INSTALL, check_backend
from boostback.config.loader import check_kind
from boostback.config.vocab import FileKind

__all__ = ["rare"]

MAX_RUNS = 10_000_000
MAX_WORKERS = 1024


@guarded
def rare(
    campaign: Annotated[Path, typer.Argument(help="Campaign TOML file.")],
    out: Annotated[Path, typer.Option(help="Folder for the runs flown (re-running resumes).")],
    method: Annotated[str, typer.Option(help="subset, importance or form.")] = "subset",
    target_cov: Annotated[
        float, typer.Option("--target-cov", help="Stop at this coefficient of variation.")
    ] = 0.1,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the campaign's).")] = None,
    samples: Annotated[
        int, typer.Option(help="Runs per subset level, cross-entropy step or sampling block.")
    ] = 1000,
    max_runs: Annotated[
        int, typer.Option("--max-runs", help="The most runs to ask for.")
    ] = 100_000,
    workers: Annotated[int | None, typer.Option(help="Local worker processes.")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None,
    dask_local: Annotated[
        int | None, typer.Option("--dask-local", help="Start a Dask LocalCluster of N workers.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Estimate P(the landing fails) with its coefficient of variation and 95 % interval, the
    runs spent, the most likely failure points and the inputs that lead there.

    The campaign's dispersions and faults are the inputs; each run's landing margin is the
    limit state (failure: margin < 0). Runs flown are kept in OUT/evaluations and reused when
    the same command runs again (same seed, same points). Needs OpenTURNS (the 'rare' extra).
    """
    from boostback.campaign.spec import load_campaign

    if method not in ("subset", "importance", "form"):
        fail(f"--method: must be subset, importance or form, got '{method}'")
    check_out_dir(out)
    check_range("--target-cov", target_cov, 1e-3, 10.0)
    check_range("--samples", samples, 10, 1_000_000)
    check_range("--max-runs", max_runs, 10, MAX_RUNS)
    check_range("--workers", workers, 1, MAX_WORKERS)
    check_backend(dask_local, scheduler)
    check_range("--seed", seed, 0, 2**63 - 1)
    check_kind(str(campaign), FileKind.CAMPAIGN)
    _need_openturns()
    from boostback.campaign.rare import RareOptions
    from boostback.campaign.rare_campaign import rare_estimate

    spec, base = load_campaign(campaign)
    opts = RareOptions(
        method=method,
        target_cov=target_cov,
        seed=spec.seed if seed is None else seed,
        samples=samples,
        max_runs=max_runs,
    )

    def progress(p: Any) -> None:
        if not json_out:
            err_console.print(
                f"\r{p.asked} runs asked ({p.reused} reused, {p.flown} flown), {p.failed} failed",
                end="",
            )

    result, state = rare_estimate(
        spec,
        out,
        opts,
        base_dir=base,
        file=str(campaign),
        workers=workers,
        scheduler=scheduler,
        dask_local=dask_local,
        progress=progress,
    )
    if not json_out:
        err_console.print()
    payload = {**result.as_dict(), "reused": state.reused, "flown": state.flown}
    if json_out:
        print_json(payload)
        return
    _print(payload, str(out))


def _need_openturns() -> None:
    """Refuse in one line, saying how to install it, when OpenTURNS (the 'rare' extra) is not."""
    try:
        import openturns  # noqa: F401
    except ImportError:
        fail(f"mc rare needs OpenTURNS (the 'rare' extra): install it with {RARE_INSTALL}")


def _print(r: dict[str, Any], out: str) -> None:
    lo, hi = r["interval_95"]
    console.print(
        f"[bold]P(failure)[/] = {r['probability']:.4g}  (CoV {r['cov']:.3f}, 95 % interval "
        f"[{lo:.4g}, {hi:.4g}]) by {r['method']}, {r['runs']} runs "
        f"({r['flown']} flown, {r['reused']} reused), {r['failures']} failed"
    )
    for note in r["notes"]:
        console.print(f"  {note}")
    names = r["names"]
    if r["design_points"]:
        table = Table(title="Most likely failure points (the first is the design point)")
        table.add_column("input")
        for k in range(len(r["design_points"])):
            table.add_column(f"#{k + 1}", justify="right")
        for name in [*names, "beta", "margin"]:
            table.add_row(name, *(f"{p[name]:.4g}" for p in r["design_points"]))
        console.print(table)
    if r["importance"]:
        imp = Table(title="Inputs that lead there (importance factors, alpha^2)")
        imp.add_column("input")
        imp.add_column("share", justify="right")
        for name, share in sorted(r["importance"].items(), key=lambda kv: -kv[1]):
            imp.add_row(name, f"{share:.1%}")
        console.print(imp)
    console.print(f"Runs in {out}/evaluations; result in {out}/rare_result.json")
