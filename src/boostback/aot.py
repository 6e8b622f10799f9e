"""Kernels compiled ahead of time: the solver's first call without numba's start-up.

A process pays numba's start-up (its typing and target registries, ~0.25 s of CPU) on its first
call of any compiled kernel, even when the machine code comes from numba's on-disk cache. For a
short process (a single landing solve, a campaign worker's first run) that is most of its time.
The kernels declared ``jit(aot=True)`` (the landing solve's) are also compiled, from the same
source and with the same options, by ``numba.pycc`` into extension modules that load without
numba's compiler: ``python -m boostback.aot_build`` builds them (``make test`` and ``make bench``
do).

- The build flies nothing: it solves one landing problem with the compiled kernels, reads the
  signatures numba chose for each ``aot`` kernel, and exports exactly those.
- The modules live in the kernels' cache folder (:func:`boostback.jit.cache_dir`), named after a
  hash of every kernel source, so an edited source is never run from a stale module: it runs
  through numba as before until the next build.
- A call goes to the extension module only while numba's compiler has not started in the process
  and every argument has the type the module was built for (an extension module does not check
  its arguments' types); otherwise to the numba dispatcher. Both run the same machine code's
  arithmetic, so the results are the same to the bit (tests/test_aot.py checks it).
- ``BOOSTBACK_AOT=0`` leaves every call to numba.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from boostback.jit import cache_dir, switch

__all__ = [
    "MANIFEST",
    "Kernel",
    "aot_dir",
    "forget_manifest",
    "kernels",
    "loaded",
    "manifest",
    "numba_started",
]

ENABLED: bool = switch("BOOSTBACK_AOT")
MANIFEST = "manifest.json"
_registry: dict[str, Kernel] = {}
_state: dict[str, Any] = {}


def numba_started() -> bool:
    """Whether numba's compiler has loaded its registries in this process (its start-up paid:
    from then on its dispatcher costs nothing extra).

    Returns
    -------
    bool
    """
    from numba.core.registry import cpu_target

    return bool(getattr(cpu_target.target_context, "_registries", None))


class Kernel:
    """A compiled kernel that may run from an extension module built ahead of time.

    Calls go to the extension module while numba has not started in this process and the
    arguments match the built signature, else to the numba dispatcher; every other attribute is
    the dispatcher's (``py_func``, ``signatures``, ...), and compiled kernels may call it as they
    call any dispatcher.

    Parameters
    ----------
    dispatcher : numba dispatcher
        The kernel as ``numba.njit`` compiled it.
    options : dict
        The options it was compiled with (the build compiles the module with the same).
    """

    def __init__(self, dispatcher: Any, options: dict[str, Any]) -> None:
        self.dispatcher = dispatcher
        self.options = options
        fn = dispatcher.py_func
        self.key = f"{fn.__module__}.{fn.__qualname__}"
        self.__doc__ = fn.__doc__
        self._impl: Callable[..., Any] = self._first
        _registry[self.key] = self
        _typed_as_dispatcher()

    def __call__(self, *args: Any) -> Any:
        return self._impl(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["dispatcher"], name)

    def __repr__(self) -> str:
        return f"<boostback.aot.Kernel {self.key}>"

    def _first(self, *args: Any) -> Any:
        found = _module_function(self.key) if ENABLED and not numba_started() else None
        self._impl = self.dispatcher if found is None else _checked(self, *found)
        return self._impl(*args)


def _typed_as_dispatcher() -> None:
    """Let compiled kernels call a :class:`Kernel` as the dispatcher it wraps (numba types a
    global by ``typeof``)."""
    if "typeof" in _state:
        return
    from numba.extending import typeof_impl

    @typeof_impl.register(Kernel)
    def _typeof_kernel(value: Kernel, context: Any) -> Any:
        return typeof_impl(value.dispatcher, context)

    _state["typeof"] = True


def _checked(kernel: Kernel, fn: Callable[..., Any], spec: list[Any]) -> Callable[..., Any]:
    """``fn`` behind a check that each argument has the type it was built for; once numba has
    started in the process, the kernel's calls go to its dispatcher for good."""
    kinds = [_kind(s) for s in spec]
    dispatcher = kernel.dispatcher

    def call(*args: Any) -> Any:
        if numba_started():
            kernel._impl = dispatcher
        elif len(args) == len(kinds) and all(ok(a) for ok, a in zip(kinds, args, strict=False)):
            return fn(*args)
        return dispatcher(*args)

    return call


def _kind(spec: Any) -> Callable[[Any], bool]:
    """A test that a value is what numba types as ``spec`` (from the manifest)."""
    if isinstance(spec, list):  # an array: dtype, dimensions, layout, writable
        dtype, ndim, layout, writable = np.dtype(spec[0]), spec[1], spec[2], spec[3]

        def is_array(a: Any) -> bool:
            return (
                type(a) is np.ndarray
                and a.dtype == dtype
                and a.ndim == ndim
                and (layout != "C" or a.flags.c_contiguous)
                and (not writable or a.flags.writeable)
            )

        return is_array
    scalar = {"float64": (float, np.float64), "int64": (int, np.int64), "bool": (bool, np.bool_)}
    types = scalar[spec]
    return lambda x: type(x) in types


def aot_dir() -> Path | None:
    """The folder of the extension modules for today's kernel sources (None: none writable)."""
    folder = cache_dir()
    return None if folder is None else folder / "aot"


def manifest() -> dict[str, Any]:
    """The built modules for today's sources, by kernel (empty: none built).

    Returns
    -------
    dict
        ``{kernel: {"module", "file", "export", "args"}}`` as the build wrote it.
    """
    if "manifest" not in _state:
        folder = aot_dir()
        try:
            text = (folder / MANIFEST).read_text() if folder is not None else "{}"
            _state["manifest"] = json.loads(text)
        except (OSError, ValueError):
            _state["manifest"] = {}
    return dict(_state["manifest"])


def _module_function(key: str) -> tuple[Callable[..., Any], list[Any]] | None:
    """The built function of kernel ``key`` and its argument spec, or None."""
    entry = manifest().get(key)
    folder = aot_dir()
    if entry is None or folder is None:
        return None
    path = folder / entry["file"]
    try:
        loader = importlib.machinery.ExtensionFileLoader(entry["module"], str(path))
        spec = importlib.util.spec_from_file_location(entry["module"], path, loader=loader)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
    except (ImportError, OSError, AssertionError):
        return None
    _state.setdefault("loaded", []).append(key)
    return getattr(module, entry["export"]), entry["args"]


def loaded() -> list[str]:
    """The kernels this process has run from extension modules so far."""
    return list(_state.get("loaded", []))


def kernels() -> dict[str, Kernel]:
    """Every kernel declared ``jit(aot=True)`` in the modules imported so far."""
    return dict(_registry)


def forget_manifest() -> None:
    """Read the manifest afresh on its next use (after a build)."""
    _state.pop("manifest", None)
