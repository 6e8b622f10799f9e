"""The interior-point method's per-shape analyses kept on disk, beside numba's compiled kernels.

An analysis (``kkt_pattern``) depends only on the problem's shape and on the code that finds it,
so a process that meets a shape an earlier one analysed reads it back (~0.1 ms at N = 50)
instead of finding it again (~0.9 ms). The files live in ``kkt/`` inside the compiled kernels'
cache folder (``boostback.jit.cache_dir``): that folder's name already changes with every
kernel source, this module and the analysis included, and the folders of older sources are
pruned there, so nothing ever needs deleting by hand. A file is written under a temporary name
and renamed into place (atomic): processes that analyse the same shape at once each write the
same bytes, and a reader sees a whole file or none. A file that does not read back as a whole
analysis of the right sizes is ignored and written again. With ``BOOSTBACK_JIT=0`` nothing is
read or written.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from boostback import jit

__all__ = ["bypassed", "folder", "stored"]

MAGIC = 0x4B4B5431  # "KKT1": the file's first word
Parts = tuple[np.ndarray, ...]
_off = [False]


@contextlib.contextmanager
def bypassed() -> Iterator[None]:
    """Within the block every analysis is found afresh, nothing read or written (to time it)."""
    before = _off[0]
    _off[0] = True
    try:
        yield
    finally:
        _off[0] = before


def folder() -> Path | None:
    """Where the analyses are kept (None: compilation off, or no writable cache folder)."""
    if not jit.ENABLED:
        return None
    root = jit.cache_dir()
    return None if root is None else root / "kkt"


def _key(inputs: Sequence[np.ndarray]) -> str:
    """A name for the shape: a hash of its defining integers, each with its length."""
    h = hashlib.sha256()
    for a in inputs:
        arr = np.ascontiguousarray(a, dtype=np.int64)
        h.update(np.int64(arr.size).tobytes())
        h.update(arr.tobytes())
    return h.hexdigest()[:32]


def _read(path: Path, sound: Callable[[Parts], bool]) -> Parts | None:
    """The arrays in ``path``, or None when it is missing or not a whole analysis. The file:
    ``MAGIC``, the number of arrays, their sizes, then the arrays, all unsigned 32-bit."""
    try:
        raw = np.fromfile(path, dtype=np.uint32)
    except (OSError, ValueError):
        return None
    if raw.size < 2 or int(raw[0]) != MAGIC or raw.size < 2 + int(raw[1]):
        return None
    count = int(raw[1])
    sizes = raw[2 : 2 + count].astype(np.int64)
    if count == 0 or raw.size != 2 + count + int(sizes.sum()):
        return None
    parts = tuple(np.split(raw[2 + count :], np.cumsum(sizes)[:-1]))
    return parts if sound(parts) else None


def _write(path: Path, parts: Parts) -> None:
    """Write ``parts`` to ``path`` atomically; a folder that cannot be written is no error."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            np.array([MAGIC, len(parts), *(p.size for p in parts)], dtype=np.uint32).tofile(f)
            for p in parts:
                np.ascontiguousarray(p, dtype=np.uint32).tofile(f)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def stored(
    inputs: Sequence[np.ndarray], compute: Callable[[], Parts], sound: Callable[[Parts], bool]
) -> Parts:
    """The analysis of the shape ``inputs`` from disk, else ``compute()``d and kept there.

    Parameters
    ----------
    inputs : sequence of ndarray
        The integers that define the shape (all of them: they name the file).
    compute : callable
        Finds the analysis: unsigned 32-bit arrays.
    sound : callable
        Whether arrays read back have the sizes an analysis of this shape has.

    Returns
    -------
    tuple of ndarray
        ``compute()``'s arrays, or the same read back (``uint32``).
    """
    where = None if _off[0] else folder()
    if where is None:
        return compute()
    path = where / f"{_key(inputs)}.u32"
    found = _read(path, sound)
    if found is not None:
        return found
    parts = compute()
    _write(path, parts)
    return parts
