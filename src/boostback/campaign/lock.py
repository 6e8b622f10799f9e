"""One ``mc run`` per results folder: an exclusive OS lock (``fcntl.flock``) on ``OUT/.lock``.

The kernel drops a ``flock`` when the last descriptor of its open file closes, so a lock held by
a process that died (even by SIGKILL) never blocks a later run; the pid written into the file
only names the holder in the refusal. Worker processes forked while the lock is held inherit its
descriptor: :func:`release_inherited` closes their copies, so a worker can never keep a folder
locked after its coordinator is gone.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from boostback.config.errors import ConfigError

LOCK_NAME = ".lock"

_held: set[int] = set()  # descriptors of the locks this process holds


class FolderBusy(ConfigError):
    """Another process holds the folder's lock (bad input: exit status 2)."""


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 64, 0).decode(errors="replace").strip()
    except OSError:
        text = ""
    return f"pid {text}" if text.isdigit() else "pid unknown"


def _write_pid(fd: int) -> None:
    """Record our pid for the refusal message; a full disk only loses the name, not the lock."""
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    except OSError:
        pass


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the exclusive lock of ``folder`` (created if needed) for the ``with`` block.

    Parameters
    ----------
    folder : Path
        The campaign results folder.

    Raises
    ------
    FolderBusy
        Another live process holds the lock; the message names the folder and its pid.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ConfigError(
            "cannot be a results folder: it, or a folder above it, is a file", file=str(folder)
        ) from None
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(fd)
        os.close(fd)
        raise FolderBusy(
            f"is in use by another 'boostback mc run' ({holder}); wait for it to finish "
            "or choose another --out folder",
            file=str(folder),
        ) from None
    _held.add(fd)
    try:
        _write_pid(fd)
        yield
    finally:
        _held.discard(fd)
        os.close(fd)  # closing the last descriptor releases the lock


def release_inherited() -> None:
    """In a freshly forked worker: close the inherited copies of this process's folder locks."""
    for fd in list(_held):
        try:
            os.close(fd)
        except OSError:
            pass
    _held.clear()
