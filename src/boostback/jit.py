"""The one jit wrapper: every compiled kernel of boostback is decorated with ``jit``.

Compilation is a setting, not a second copy of the code (as in poliastro/hapsira's
``core/jit.py``): the kernels are written once, in the subset of Python that numba compiles, and

- ``BOOSTBACK_JIT=1`` (the default) compiles them with ``numba.njit`` and caches the machine code
  on disk;
- ``BOOSTBACK_JIT=0`` leaves them plain Python functions: the same source runs interpreted, for
  debugging (breakpoints, prints, coverage) and as the baseline the compiled run is held to.

numba's own cache is keyed on the source file of each compiled function only: a kernel that calls
a function from another file would keep running stale machine code after that file changed. Here
the cache lives in a folder named after a hash of every source file the kernels can reach (the
modules that use this wrapper and, transitively, what they import from boostback), so any edit
to them moves the cache to a fresh folder and nothing ever needs deleting by hand. Older folders
beyond the few most recent are pruned.

A cold cache makes a command's first run compile for a minute or more in silence. The command
line calls :func:`announce_compiles`: then the first time numba starts compiling in that process
(its ``numba:compile`` event, raised on a cache miss only), one line goes to standard error.
Library users and tests, who never call it, hear nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "COMPILE_NOTICE",
    "ENABLED",
    "announce_compiles",
    "cache_dir",
    "interpreted",
    "jit",
    "kernel_sources",
    "switch",
]

F = TypeVar("F", bound=Callable[..., Any])

_OFF = {"0", "false", "no", "off"}


def switch(name: str) -> bool:
    """An on/off environment setting, on unless set to 0, false, no or off.

    Parameters
    ----------
    name : str
        The variable (``BOOSTBACK_JIT``, ``BOOSTBACK_AOT``).

    Returns
    -------
    bool
        Whether it is on.
    """
    return os.environ.get(name, "1").strip().lower() not in _OFF


ENABLED: bool = switch("BOOSTBACK_JIT")
_PACKAGE = Path(__file__).resolve().parent
_KEEP = 4  # cache folders kept besides the current one
_USES_JIT = re.compile(r"^\s*from boostback\.jit import", re.MULTILINE)
_IMPORT = re.compile(r"^\s*(?:from|import)\s+boostback((?:\.\w+)*)", re.MULTILINE)
_state: dict[str, Path | None] = {}
COMPILE_NOTICE = (
    "compiling the flight kernels for this machine "
    "(first run only, up to a few minutes; later runs reuse them)"
)
_notice: dict[str, Any] = {"pid": None, "said": False, "listening": False}


def _module_file(dotted: str) -> Path | None:
    """The source file of ``boostback<dotted>`` (a module or a package's ``__init__``)."""
    base = _PACKAGE.joinpath(*dotted.strip(".").split(".")) if dotted else _PACKAGE
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def kernel_sources() -> list[Path]:
    """Every source file a compiled kernel can depend on, sorted.

    Returns
    -------
    list of Path
        The modules that import this wrapper, and the boostback modules they import,
        transitively (so module-level constants frozen into compiled code are covered too).
    """
    texts = {p: p.read_text(encoding="utf-8") for p in _PACKAGE.rglob("*.py")}
    todo = [p for p, text in texts.items() if _USES_JIT.search(text)]
    seen: set[Path] = {Path(__file__).resolve()}
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for dotted in _IMPORT.findall(texts.get(path, "")):
            parts = dotted.strip(".").split(".")
            for k in range(len(parts), -1, -1):  # "from boostback.a.b import c": a/b.py
                found = _module_file(".".join(parts[:k]))
                if found is not None:
                    todo.append(found)
                    break
    return sorted(seen)


def _digest() -> str:
    import numba

    h = hashlib.sha256(numba.__version__.encode())
    for path in kernel_sources():
        h.update(str(path.relative_to(_PACKAGE)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _prune(root: Path, current: Path) -> None:
    try:
        others = [p for p in root.iterdir() if p.is_dir() and p != current]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in others[_KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def cache_dir() -> Path | None:
    """The folder the compiled kernels are cached in (None: no writable place found).

    ``BOOSTBACK_CACHE_DIR`` chooses the root; by default it is the package's ``__pycache__``, or
    ``$XDG_CACHE_HOME/boostback`` (``~/.cache/boostback``) when the package is read-only.
    """
    if "dir" in _state:
        return _state["dir"]
    roots = [Path(os.environ["BOOSTBACK_CACHE_DIR"])] if "BOOSTBACK_CACHE_DIR" in os.environ else []
    xdg = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "boostback"
    roots += [_PACKAGE / "__pycache__" / "numba", xdg / "numba"]
    digest = _digest()
    found = None
    for root in roots:
        if _writable(root / digest):
            found = root / digest
            _prune(root, found)
            break
    _state["dir"] = found
    return found


def announce_compiles() -> None:
    """Say, once, on standard error, when this process starts compiling kernels.

    For the command line's entry point only. The line (:data:`COMPILE_NOTICE`) is printed on the
    first cache miss of any kernel (numba's ``numba:compile`` event), so a warm run, or one with
    ``BOOSTBACK_JIT=0``, prints nothing; it never goes to standard output (``--json`` stays
    clean), and processes forked from this one (campaign workers) stay silent.
    """
    _notice.update(pid=os.getpid(), said=False)
    if "numba" in sys.modules:  # kernels decorated already: listen now (else jit will)
        _listen()


def _listen() -> None:
    """Register the notice's listener with numba, once per process, if the notice is on."""
    if _notice["pid"] is None or _notice["listening"] or not ENABLED:
        return
    from numba.core import event

    class _FirstCompile(event.Listener):  # type: ignore[misc]
        def on_start(self, ev: Any) -> None:
            if _notice["said"] or _notice["pid"] != os.getpid():
                return
            _notice["said"] = True
            try:  # sys.stderr as it is now: a spinner's redirection prints above the spinner
                print(COMPILE_NOTICE, file=sys.stderr, flush=True)
            except (OSError, ValueError):  # a closed stderr must not fail the compile
                pass

        def on_end(self, ev: Any) -> None:
            pass

    event.register("numba:compile", _FirstCompile())
    _notice["listening"] = True


def jit(fn: F | None = None, *, aot: bool = False, **options: Any) -> Any:
    """Compile ``fn`` with ``numba.njit`` (cached), or return it unchanged with BOOSTBACK_JIT=0.

    Parameters
    ----------
    fn : callable, optional
        The kernel. Without it, ``jit(**options)`` returns the decorator.
    aot : bool
        Also compile it ahead of time (``python -m boostback.aot``), so that a process's first
        calls of it need not wait for numba's start-up: see :mod:`boostback.aot`. For kernels
        called from Python on a process's first solve.
    **options
        Passed to ``numba.njit`` (``inline="always"``, ``error_model="numpy"``, ...); ignored
        when compilation is off.

    Returns
    -------
    callable
        A numba dispatcher (a :class:`boostback.aot.Kernel` around it with ``aot``), or
        ``fn`` itself when compilation is off.
    """
    if fn is None:
        return lambda f: jit(f, aot=aot, **options)
    if not ENABLED:
        return fn
    import numba
    from numba.core import config

    _listen()
    folder = cache_dir()
    before = getattr(config, "CACHE_DIR", "")
    if folder is not None:
        setattr(config, "CACHE_DIR", str(folder))  # noqa: B010
    try:  # the cache locator reads CACHE_DIR now, at decoration
        dispatcher = numba.njit(cache=True, **options)(fn)
    finally:
        setattr(config, "CACHE_DIR", before)  # noqa: B010
    if not aot:
        return dispatcher
    from boostback.aot import Kernel

    return Kernel(dispatcher, options)


def interpreted(kernel: Callable[..., Any]) -> Callable[..., Any]:
    """The Python function behind a ``jit`` kernel: the same source, run by the interpreter.

    For one-line scalar kernels called from Python (a thrust from a throttle), numba's dispatch
    costs more than the arithmetic; their Python callers use this instead. It is still the one
    source, and IEEE arithmetic gives the same bits either way.
    """
    return getattr(kernel, "py_func", kernel)
