"""save_npz's compressed archives (serializers._zip): the arrays deflated on
the worker threads and written as a standard ZIP archive that numpy.load
and zipfile read back exactly, ZIP64 included, into any binary file."""
from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from kusari.serializers import _zip, load_npz, save_npz
from kusari.runtime import blocked


def _arrays():
    rng = np.random.default_rng(0)
    return {
        "predictor/l1/W": rng.standard_normal((300, 200)).astype(np.float32),
        "predictor/l1/b": np.zeros(300, np.float32),
        "updater/iteration": np.asarray(7),
        "optimizer/t": np.float64(3.5),
        "nothing": np.asarray(None),
        "fortran": np.asfortranarray(rng.standard_normal((5, 3))),
        "empty": np.zeros((0, 4), np.int16),
        "ünïcode": np.arange(6, dtype=np.uint8).reshape(2, 3),
        "bool": np.array([True, False]),
        "strings": np.array(["a", "bc"]),
    }


def _check(data: bytes, arrays: dict):
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None       # every CRC right
    with np.load(io.BytesIO(data), allow_pickle=True) as f:
        assert sorted(f.keys()) == sorted(arrays)
        for k, v in arrays.items():
            got = f[k]
            want = np.asanyarray(v)
            assert got.dtype == want.dtype and got.shape == want.shape
            if want.dtype == object:
                assert got.item() is want.item()
            else:
                np.testing.assert_array_equal(got, want)
            assert got.flags.f_contiguous == want.flags.f_contiguous or want.ndim < 2


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_numpy_reads_back_every_array(threads):
    blocked.set_workers(threads)
    try:
        buf = io.BytesIO()
        _zip.write_npz(buf, _arrays())
    finally:
        blocked.set_workers(None)
    _check(buf.getvalue(), _arrays())
    reference = io.BytesIO()
    np.savez_compressed(reference, **_arrays())
    # the same deflate level as numpy.savez_compressed
    assert abs(len(buf.getvalue()) - len(reference.getvalue())) < 2048


def test_an_archive_after_other_bytes_in_the_file():
    buf = io.BytesIO()
    buf.write(b"header bytes")
    _zip.write_npz(buf, _arrays())
    buf.seek(12)
    with np.load(buf, allow_pickle=True) as f:
        np.testing.assert_array_equal(f["predictor/l1/W"], _arrays()["predictor/l1/W"])


class _Stream(io.RawIOBase):
    """A write-only stream that cannot seek or tell (a pipe, a socket)."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += bytes(b)
        return len(b)


def test_a_stream_that_cannot_seek():
    s = _Stream()
    _zip.write_npz(s, _arrays())
    _check(bytes(s.data), _arrays())


def test_zip64_records_where_sizes_need_them(monkeypatch):
    monkeypatch.setattr(_zip, "_ZIP64_AT", 1000)     # every entry and the directory "large"
    monkeypatch.setattr(_zip, "_dos_time", lambda: (0, 33))
    buf = io.BytesIO()
    _zip.write_npz(buf, _arrays())
    raw = buf.getvalue()
    assert b"PK\x06\x06" in raw and b"PK\x06\x07" in raw   # ZIP64 end records
    _check(raw, _arrays())
    s = _Stream()
    _zip.write_npz(s, _arrays())
    assert bytes(s.data) == raw                      # the same bytes without seeking


def test_no_arrays():
    buf = io.BytesIO()
    _zip.write_npz(buf, {})
    assert zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist() == []


def test_save_npz_round_trip_through_a_path(tmp_path):
    import kusari.links as L
    model = L.Linear(3, 2)
    save_npz(str(tmp_path / "m.npz"), model)
    other = L.Linear(3, 2)
    load_npz(str(tmp_path / "m.npz"), other)
    np.testing.assert_array_equal(other.W.array, model.W.array)
    np.testing.assert_array_equal(other.b.array, model.b.array)


def test_save_npz_to_a_path_like(tmp_path):
    save_npz(tmp_path / "arrays.npz", {"a": np.arange(3.0)})
    with np.load(tmp_path / "arrays.npz") as f:
        np.testing.assert_array_equal(f["a"], np.arange(3.0))
