"""kusari.dataset.download: the dataset root (KUSARI_DATASET_ROOT, falling
back to Chainer's), cached_download and cache_or_load_file (atomic, under
a lock), offline."""
from __future__ import annotations

import hashlib
import os
import threading

import numpy as np
import pytest

from kusari.dataset import download


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.delenv("KUSARI_DATASET_ROOT", raising=False)
    monkeypatch.setenv("CHAINER_DATASET_ROOT", str(tmp_path / "chainer"))
    download.set_dataset_root(None)
    yield tmp_path
    download.set_dataset_root(None)


def test_root_order(env, monkeypatch):
    # Chainer's root by default: what Chainer downloaded is found
    assert download.get_dataset_root() == str(env / "chainer")
    monkeypatch.delenv("CHAINER_DATASET_ROOT")
    assert download.get_dataset_root() == os.path.join(
        os.path.expanduser("~"), ".chainer", "dataset")
    monkeypatch.setenv("KUSARI_DATASET_ROOT", str(env / "kusari"))
    assert download.get_dataset_root() == str(env / "kusari")
    download.set_dataset_root(env / "explicit")
    assert download.get_dataset_root() == str(env / "explicit")
    download.set_dataset_root(None)
    assert download.get_dataset_root() == str(env / "kusari")


def test_dataset_directory(env):
    path = download.get_dataset_directory("pfnet/chainer/x")
    assert path == os.path.join(str(env / "chainer"), "pfnet/chainer/x")
    assert os.path.isdir(path)
    assert not os.path.exists(download.get_dataset_directory("y", create_directory=False))


def _fake_urlretrieve(monkeypatch, content=b"payload"):
    calls = []

    def retrieve(url, path):
        calls.append(url)
        with open(path, "wb") as f:
            f.write(content)
    monkeypatch.setattr(download, "_urlretrieve", lambda: retrieve)
    return calls


def test_cached_download_downloads_once(env, monkeypatch):
    calls = _fake_urlretrieve(monkeypatch)
    path = download.cached_download("https://example.com/a.bin")
    assert path == os.path.join(str(env / "chainer"), "_dl_cache",
                                hashlib.md5(b"https://example.com/a.bin").hexdigest())
    assert open(path, "rb").read() == b"payload"
    assert download.cached_download("https://example.com/a.bin") == path
    assert calls == ["https://example.com/a.bin"]
    leftovers = set(os.listdir(os.path.dirname(path))) - {os.path.basename(path), "_dl_lock"}
    assert not leftovers


def test_cached_download_fails_clearly(env):
    with pytest.raises(download.DownloadError, match="cannot download file:///no/such"):
        download.cached_download("file:///no/such/file")
    (env / "chainer").mkdir(parents=True, exist_ok=True)
    download.set_dataset_root(env / "chainer" / "afile")
    (env / "chainer" / "afile").write_text("")
    with pytest.raises(OSError):
        download.cached_download("https://example.com")


def test_cache_or_load_file(env):
    created = []

    def creator(path):
        created.append(path)
        np.savez(path, x=np.arange(3))
        return "created"

    target = os.path.join(download.get_dataset_directory("d"), "x.npz")
    assert download.cache_or_load_file(target, creator, lambda p: "loaded") == "created"
    assert created[0] != target and not os.path.exists(created[0])   # a temporary path
    assert download.cache_or_load_file(target, creator, lambda p: p) == target
    assert len(created) == 1
    with np.load(target) as f:
        np.testing.assert_array_equal(f["x"], [0, 1, 2])
    assert os.listdir(os.path.dirname(target)) == ["x.npz"]


def test_cache_or_load_file_with_a_root_that_is_a_file(env, tmp_path):
    root = tmp_path / "file"
    root.write_text("")
    download.set_dataset_root(root)
    with pytest.raises(RuntimeError, match="cannot create dataset directory"):
        download.cache_or_load_file(str(tmp_path / "x"), lambda p: None, lambda p: None)


def test_concurrent_creators_leave_one_whole_file(env):
    target = os.path.join(download.get_dataset_directory("c"), "data.bin")
    barrier = threading.Barrier(4)
    results = []

    def creator(path):
        barrier.wait()
        with open(path, "wb") as f:
            f.write(b"x" * 100000)
        return "made"

    def run():
        results.append(download.cache_or_load_file(target, creator, lambda p: "loaded"))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["made"] * 4
    assert os.path.getsize(target) == 100000
    assert os.listdir(os.path.dirname(target)) == ["data.bin"]


def test_kusari_root_falls_back_to_chainers_files(env, monkeypatch):
    chainer_file = env / "chainer" / "pfnet" / "chainer" / "mnist" / "train.npz"
    chainer_file.parent.mkdir(parents=True)
    chainer_file.write_bytes(b"chainer's")
    url = "https://example.com/f"
    cached = env / "chainer" / "_dl_cache" / hashlib.md5(url.encode()).hexdigest()
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"downloaded by chainer")
    monkeypatch.setenv("KUSARI_DATASET_ROOT", str(env / "kusari"))
    calls = _fake_urlretrieve(monkeypatch)

    path = os.path.join(download.get_dataset_directory("pfnet/chainer/mnist"), "train.npz")
    assert path.startswith(str(env / "kusari"))
    got = download.cache_or_load_file(path, lambda p: pytest.fail("created"),
                                      lambda p: open(p, "rb").read())
    assert got == b"chainer's"
    assert download.cached_download(url) == str(cached)
    assert calls == []
    # a file in neither root is made in kusari's
    other = os.path.join(download.get_dataset_directory("pfnet/chainer/mnist"), "test.npz")
    download.cache_or_load_file(other, lambda p: open(p, "w").close(), lambda p: None)
    assert os.path.exists(other)
