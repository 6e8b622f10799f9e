"""Ctrl-C with local worker processes: the workers ignore it (the coordinator alone answers),
and an interrupted ``drive`` ends its workers instead of waiting for the batches they run."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from boostback.campaign import executor

STUCK_S = 30.0  # how long a stuck batch sleeps: far longer than ending a pool takes


def _sigint_state(_: int) -> tuple[bool, bool]:
    """In a worker: (SIGINT ignored, SIGINT blocked)."""
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    blocked = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set())
    return ignored, blocked


def test_local_workers_ignore_ctrl_c_and_hold_nothing() -> None:
    pool = executor._process_pool(2)
    try:
        with executor._ctrl_c_held():  # as ``drive`` submits
            futures = [pool.submit(_sigint_state, i) for i in range(4)]
        assert [f.result(timeout=120) for f in futures] == [(True, False)] * 4
    finally:
        pool.shutdown(wait=True)
    # the coordinator's own Ctrl-C is back as it was
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, set())


def _stuck_batch(folder: str, batch: list[int]) -> list[dict]:
    """A batch that takes STUCK_S; it leaves a file when it starts and one if it finishes."""
    Path(folder, f"started-{batch[0]}").write_text(str(os.getpid()))
    time.sleep(STUCK_S)
    Path(folder, f"finished-{batch[0]}").touch()
    return []


def _pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_interrupted_drive_ends_its_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while two workers are in the middle of a batch: ``drive`` raises it, the batches
    are not waited for (they never finish) and the workers are gone."""
    monkeypatch.setattr(executor, "run_batch", _stuck_batch)
    main = threading.main_thread().ident
    assert main is not None

    def ctrl_c_once_both_started() -> None:
        deadline = time.monotonic() + 120
        while len(list(tmp_path.glob("started-*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        signal.pthread_kill(main, signal.SIGINT)

    pressing = threading.Thread(target=ctrl_c_once_both_started, daemon=True)
    pressing.start()
    with pytest.raises(KeyboardInterrupt):
        executor.drive(
            lambda: executor._process_pool(2),
            str(tmp_path),  # type: ignore[arg-type]  # what _stuck_batch takes
            [[0], [1], [2], [3]],
            lambda rows: None,
            max_inflight=4,
        )
    pressing.join()
    pids = [int(p.read_text()) for p in tmp_path.glob("started-*")]
    assert len(pids) == 2
    assert not list(tmp_path.glob("finished-*"))
    assert not [pid for pid in pids if _pid_alive(pid)]
