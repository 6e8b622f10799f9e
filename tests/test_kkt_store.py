"""The per-shape analyses kept on disk (``guidance/kkt_store.py``): what is read back is what
was computed, to the last index, and a file that is not a whole analysis is never used."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from boostback.guidance import kkt_store
from boostback.guidance.kkt_pattern import KktPattern
from test_ipm import random_socp

FIELDS = ("perm", "Lp", "Li", "src_map", "tp", "tgt", "sign", "soc_dims", "soc_starts")


def _shape(seed: int) -> tuple:
    n, m, n_eq, n_lin, dims, A, _, _ = random_socp(np.random.default_rng(seed), True)
    return n, m, n_eq, n_lin, np.array(dims), A.indptr, A.indices


def _same(a: KktPattern, b: KktPattern) -> None:
    for name in FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    assert a.nnz_l == b.nnz_l


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(kkt_store, "folder", lambda: tmp_path)
    return tmp_path


@pytest.fixture
def nowhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kkt_store, "folder", lambda: None)


def test_an_analysis_read_back_is_the_one_computed(store: Path, monkeypatch) -> None:
    shapes = [_shape(seed) for seed in range(6)]
    with monkeypatch.context() as m:
        m.setattr(kkt_store, "folder", lambda: None)
        computed = [KktPattern(*s) for s in shapes]  # nothing on disk
    assert not list(store.iterdir())
    written = [KktPattern(*s) for s in shapes]
    assert len(list(store.glob("*.u32"))) == len({kkt_store._key(_inputs(s)) for s in shapes})
    read = [KktPattern(*s) for s in shapes]
    for c, w, r in zip(computed, written, read, strict=True):
        _same(c, w)
        _same(c, r)


def _inputs(shape: tuple) -> tuple:
    n, m, n_eq, n_lin, dims, indptr, indices = shape
    return (np.array([n, m, n_eq, n_lin]), dims, indptr, indices)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "other shape", "empty"])
def test_a_file_that_is_not_this_shapes_analysis_is_not_used(
    store: Path, nowhere: None, damage: str, monkeypatch
) -> None:
    shape, other = _shape(1), _shape(3)
    assert shape[0] + shape[1] != other[0] + other[1]  # (sizes alone tell them apart)
    reference = KktPattern(*shape)  # computed (no folder yet)
    monkeypatch.setattr(kkt_store, "folder", lambda: store)
    KktPattern(*other)
    path = store / f"{kkt_store._key(_inputs(shape))}.u32"
    good = (store / f"{kkt_store._key(_inputs(other))}.u32").read_bytes()
    path.write_bytes(
        {
            "truncated": good[: len(good) // 2],
            "garbage": np.arange(1000, dtype=np.uint32).tobytes(),
            "other shape": good,  # a whole analysis, of the wrong sizes
            "empty": b"",
        }[damage]
    )
    _same(KktPattern(*shape), reference)
    _same(KktPattern(*shape), reference)  # rewritten whole, now read back
    assert path.read_bytes() != good


def test_interpreted_runs_read_and_write_nothing(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(kkt_store.jit, "ENABLED", False)
    assert kkt_store.folder() is None
    parts = kkt_store.stored(
        (np.array([1]),), lambda: (np.arange(3, dtype=np.uint32),), lambda p: True
    )
    assert np.array_equal(parts[0], np.arange(3))


def test_bypassed_finds_afresh_and_keeps_nothing(store: Path) -> None:
    with kkt_store.bypassed():
        KktPattern(*_shape(0))
    assert not list(store.iterdir())
    KktPattern(*_shape(0))
    assert len(list(store.glob("*.u32"))) == 1
