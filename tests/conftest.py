"""Suite-wide settings.

Hypothesis draws a fixed set of examples (derandomized, no example database), so the suite
gives the same verdict on every run and on every machine, as the rest of boostback does.
``HYPOTHESIS_PROFILE=explore`` draws fresh examples each run, to look for new counterexamples.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@contextlib.contextmanager
def small_tmpfs(folder: Path, options: str = "size=64k") -> Iterator[Path]:
    """A tmpfs mounted at ``folder`` with mount ``options`` (unmounted afterwards); the test is
    skipped, with the reason, where mounting is not permitted."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs ({options}) here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
