"""The build of :mod:`boostback.aot`'s extension modules: ``python -m boostback.aot_build``.

It flies nothing: it solves one Falcon 9 landing problem with the compiled kernels, reads the
signature numba chose for each kernel declared ``jit(aot=True)``, and compiles exactly that
signature with ``numba.pycc`` (the same source, the same options) into one extension module per
kernel, in the kernels' cache folder named after today's sources.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from boostback.aot import MANIFEST, Kernel, aot_dir, forget_manifest, kernels, manifest

__all__ = ["build", "main"]


def _arg_spec(t: Any) -> Any:
    """A numba argument type as the manifest records it (None: not supported)."""
    from numba.core import types

    if isinstance(t, types.Array):
        layout = "C" if t.layout == "C" else "A"
        return [str(t.dtype), t.ndim, layout, t.mutable] if t.layout in "CA" else None
    if t == types.float64:
        return "float64"
    if t == types.int64:
        return "int64"
    if t == types.boolean:
        return "bool"
    return None


def _unliteral(t: Any) -> Any:
    """A return type without literal values (numba types ``return 0, it`` with a literal; the
    exported signature must name the plain type)."""
    from numba.core import types

    if isinstance(t, types.UniTuple):
        return types.UniTuple(_unliteral(t.dtype), t.count)
    if isinstance(t, types.Tuple):
        return types.Tuple([_unliteral(x) for x in t.types])
    return types.unliteral(t)


def _train() -> None:
    """Solve one Falcon 9 landing problem with the compiled kernels (their signatures set)."""
    from boostback.bench import ignition_problem
    from boostback.config.loader import load_landing
    from boostback.guidance.conic import ConicSolver

    scenario, vehicle = load_landing("falcon9_landing")
    bp = ignition_problem(vehicle, scenario)
    ConicSolver(50).solve(bp.prob, bp.tf_s, disturbance_enu_mps2=bp.drag_at(bp.tf_s, 50))


def _compile_one(kernel: Kernel, sig: Any, folder: Path, name: str) -> None:
    """One kernel's signature into the extension module ``name`` in ``folder``, compiled with
    the options numba compiles it with (the error model decides what a division by zero does)."""
    from numba.pycc import CC, compiler

    original = compiler.compile_extra

    def with_options(*args: Any, **kwargs: Any) -> Any:
        flags = args[5]
        for option in ("error_model", "fastmath", "boundscheck"):
            if option in kernel.options:
                setattr(flags, option, kernel.options[option])
        return original(*args, **kwargs)

    cc = CC(name)
    cc.output_dir = str(folder)
    cc.target_cpu = "host"  # as numba's own compiler targets this machine
    cc.export("run", sig)(kernel.dispatcher.py_func)
    compiler.compile_extra = with_options
    try:
        cc.compile()
    finally:
        compiler.compile_extra = original


def build(say: Callable[[str], None] = print, force: bool = False) -> Path | None:
    """Build the extension modules of every ``aot`` kernel into :func:`aot_dir`.

    Parameters
    ----------
    say : callable
        Receives one line per kernel built or skipped.
    force : bool
        Build even if the folder holds modules for today's sources already.

    Returns
    -------
    Path or None
        The folder built, or None when there is no writable cache folder.
    """
    target = aot_dir()
    if target is None:
        say("aot: no writable cache folder; kernels stay with numba")
        return None
    if not force and manifest():
        say(f"aot: already built for these sources ({len(manifest())} kernels)")
        return target
    _train()
    work = Path(tempfile.mkdtemp(prefix=".aot-", dir=target.parent))
    built: dict[str, Any] = {}
    for key, kernel in sorted(kernels().items()):
        sigs = list(kernel.dispatcher.signatures)
        if len(sigs) != 1:
            say(f"aot: {key}: {len(sigs)} signatures seen in training, not built")
            continue
        args = [_arg_spec(t) for t in sigs[0]]
        if any(a is None for a in args):
            say(f"aot: {key}: an argument type it cannot check, not built")
            continue
        overload = kernel.dispatcher.overloads[sigs[0]]
        sig = _unliteral(overload.signature.return_type)(*sigs[0])
        name = "_bb_" + key.replace(".", "_")
        t0 = time.perf_counter()
        _compile_one(kernel, sig, work, name)
        (file,) = [p.name for p in work.glob(f"{name}.*") if p.suffix in (".so", ".pyd")]
        built[key] = {"module": name, "file": file, "export": "run", "args": args}
        say(f"aot: {key} built in {time.perf_counter() - t0:.1f} s")
    (work / MANIFEST).write_text(json.dumps(built, indent=1))
    shutil.rmtree(target, ignore_errors=True)
    os.replace(work, target)
    forget_manifest()
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m boostback.aot_build [--quiet] [--force]``: build the modules (if today's sources
    have none yet, or with ``--force``); exit 0 when built or current, 3 when the build failed."""
    args = list(argv if argv is not None else sys.argv[1:])
    quiet = "--quiet" in args
    try:
        folder = build(say=(lambda _line: None) if quiet else print, force="--force" in args)
    except Exception as exc:  # no C compiler, a numba without pycc: numba's path still works
        print(f"aot: not built ({type(exc).__name__}: {exc}); kernels stay with numba")
        return 3
    if folder is not None and not quiet:
        print(f"aot: modules in {folder}")
    return 0


if __name__ == "__main__":  # run as boostback.aot_build's own module, not a second copy of it
    from boostback.aot_build import main as _main

    raise SystemExit(_main())
