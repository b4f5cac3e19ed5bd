"""kusari.datasets: datasets built from others, splits (the random ones
equal to Chainer 7.8.1's under a seed: values below were printed by
Chainer 7.8.1), and datasets read from files (pickle, text, images)."""
from __future__ import annotations

import multiprocessing
import os
import pickle

import numpy as np
import pytest

from kusari import datasets
from kusari.datasets import image_dataset


def test_tuple_and_dict_datasets():
    x, y = np.arange(12).reshape(4, 3), np.arange(4) * 10
    td = datasets.TupleDataset(x, y)
    assert len(td) == 4
    assert td[1][0].tolist() == [3, 4, 5] and td[1][1] == 10
    assert [t[1] for t in td[1:3]] == [10, 20]
    fancy = td[[0, 3]]            # Chainer: a tuple of what each dataset gives
    assert isinstance(fancy, tuple) and fancy[1].tolist() == [0, 30]
    with pytest.raises(IndexError):
        td[4]
    with pytest.raises(ValueError, match="index 1 has a wrong length"):
        datasets.TupleDataset(x, y[:3])
    with pytest.raises(ValueError, match="no datasets"):
        datasets.TupleDataset()

    dd = datasets.DictDataset(x=x, y=y)
    assert dd[2]["y"] == 20 and [e["y"] for e in dd[::2]] == [0, 20]
    with pytest.raises(ValueError, match="conflicts"):
        datasets.DictDataset(x=x, y=y[:2])


def test_sub_dataset_and_splits():
    sub = datasets.SubDataset([1, 2, 3, 4, 5], 1, 4, [2, 0, 3, 1, 4])
    assert list(sub) == [1, 4, 2] and sub[-1] == 2
    with pytest.raises(IndexError):
        sub[3]
    with pytest.raises(ValueError, match="overruns"):
        datasets.SubDataset([1, 2], 0, 3)
    a, b = datasets.split_dataset(list(range(5)), 2)
    assert list(a) == [0, 1] and list(b) == [2, 3, 4]
    with pytest.raises(TypeError):
        datasets.split_dataset([1, 2], 1.5)
    with pytest.raises(ValueError):
        datasets.split_dataset([1, 2], 3)
    assert [list(s) for s in datasets.split_dataset_n(list(range(7)), 3)] == \
        [[0, 1], [2, 3], [4, 5]]


def test_random_splits_equal_chainers_under_a_seed():
    a, b = datasets.split_dataset_random(list(range(10)), 3, seed=5)
    assert list(a) == [9, 5, 2] and list(b) == [4, 7, 1, 0, 8, 6, 3]
    cv = datasets.get_cross_validation_datasets_random(list(range(7)), 3, seed=1)
    assert [(list(t), list(v)) for t, v in cv] == \
        [([6, 2, 1, 0], [4, 3, 5]), ([4, 3, 5, 6, 2], [1, 0]), ([1, 0, 4, 3, 5], [6, 2])]
    assert [list(s) for s in datasets.split_dataset_n_random(list(range(7)), 3, seed=2)] == \
        [[4, 1], [3, 2], [6, 5]]


def test_cross_validation_folds():
    folds = datasets.get_cross_validation_datasets([1, 2, 3, 4, 5, 6, 7], 3)
    assert [(list(t), list(v)) for t, v in folds] == [
        ([1, 2, 3, 4], [5, 6, 7]), ([5, 6, 7, 1, 2], [3, 4]), ([3, 4, 5, 6, 7], [1, 2])]
    with pytest.warns(DeprecationWarning):
        assert len(datasets.get_cross_validation_datasets([1, 2, 3], n_fold=3)) == 3
    # more folds than examples: empty test sets, not an error
    assert [len(v) for _, v in datasets.get_cross_validation_datasets([1, 2], 3)] == [1, 1, 0]


def test_concatenated_and_transform_datasets():
    c = datasets.ConcatenatedDataset([1, 2], [], np.array([3, 4, 5]))
    assert len(c) == 5 and [c[i] for i in range(5)] == [1, 2, 3, 4, 5] and c[1:4] == [2, 3, 4]
    with pytest.raises(IndexError):
        c[5]
    with pytest.raises(IndexError):
        c[-1]
    t = datasets.TransformDataset([1, 2, 3], lambda v: v * 10)
    assert len(t) == 3 and t[2] == 30 and t[::2] == [10, 30]


def test_pickle_dataset_round_trip_and_pickling(tmp_path):
    path = tmp_path / "data.pkl"
    with datasets.open_pickle_dataset_writer(path) as writer:
        for example in (1, "two", (np.arange(3), 4.5)):
            writer.write(example)
    with datasets.open_pickle_dataset(path) as ds:
        assert len(ds) == 3 and ds[1] == "two" and ds[2][0].tolist() == [0, 1, 2]
        again = pickle.loads(pickle.dumps(ds))
        assert again[0] == 1
        again.close()


def _read_in_child(ds, queue):
    queue.put([ds[i] for i in (2, 0, 1)])


def test_pickle_dataset_in_a_forked_process(tmp_path):
    path = tmp_path / "data.pkl"
    with datasets.open_pickle_dataset_writer(path) as writer:
        for i in range(3):
            writer.write(i)
    ds = datasets.open_pickle_dataset(path)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    p = ctx.Process(target=_read_in_child, args=(ds, queue))
    p.start()
    assert ds[1] == 1             # the parent reads meanwhile: its own position
    assert queue.get(timeout=30) == [2, 0, 1]
    p.join()
    ds.close()


def test_text_dataset(tmp_path):
    (tmp_path / "a.txt").write_text("one\ntwo\nthree\n")
    (tmp_path / "b.txt").write_text("1\n2\n3\n")
    ds = datasets.TextDataset(str(tmp_path / "a.txt"))
    assert len(ds) == 3 and ds[2] == "three\n" and ds[0] == "one\n"
    both = datasets.TextDataset([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")],
                                filter_func=lambda a, b: b.strip() != "2")
    assert len(both) == 2 and both[1] == ("three\n", "3\n")
    again = pickle.loads(pickle.dumps(both))
    assert again[0] == ("one\n", "1\n")
    (tmp_path / "c.txt").write_text("x\n")
    with pytest.raises(ValueError, match="number of lines"):
        datasets.TextDataset([str(tmp_path / "a.txt"), str(tmp_path / "c.txt")])
    with pytest.raises(ValueError, match="encoding has 1 entries for 2 files"):
        datasets.TextDataset([str(tmp_path / "a.txt")] * 2, encoding=["utf-8"])
    with pytest.raises(IndexError):
        ds[3]
    for d in (ds, both, again):
        d.close()


def test_image_datasets_without_pillow_say_so(monkeypatch, tmp_path):
    monkeypatch.setattr(image_dataset, "available", False)
    monkeypatch.setattr(image_dataset, "_import_error", ImportError("No module named 'PIL'"))
    with pytest.raises(ImportError, match="Install Pillow"):
        datasets.ImageDataset([])
    with pytest.raises(ImportError, match="Install Pillow"):
        datasets.LabeledImageDataset([])


def test_image_datasets_with_pillow(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    import zipfile
    rgb = np.random.RandomState(0).randint(0, 256, (4, 5, 3)).astype(np.uint8)
    grey = rgb[..., 0]
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    Image.fromarray(grey).save(tmp_path / "grey.png")
    (tmp_path / "list.txt").write_text("rgb.png\ngrey.png\n")
    ds = datasets.ImageDataset(str(tmp_path / "list.txt"), root=str(tmp_path))
    assert ds[0].shape == (3, 4, 5) and ds[0].dtype == np.float32
    np.testing.assert_array_equal(ds[0], rgb.transpose(2, 0, 1))
    np.testing.assert_array_equal(ds[1][0], grey)
    (tmp_path / "pairs.txt").write_text("rgb.png 7\n")
    image, label = datasets.LabeledImageDataset(str(tmp_path / "pairs.txt"), str(tmp_path),
                                                dtype=np.uint8)[0]
    assert image.dtype == np.uint8 and label == 7 and label.dtype == np.int32
    with zipfile.ZipFile(tmp_path / "i.zip", "w") as z:
        z.write(tmp_path / "rgb.png", "rgb.png")
        z.write(tmp_path / "grey.png", "grey.png")
    zipped = datasets.ZippedImageDataset(str(tmp_path / "i.zip"))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(zipped))[0], ds[0])
    multi = datasets.MultiZippedImageDataset([str(tmp_path / "i.zip")] * 2)
    assert len(multi) == 4 and multi[3].shape == (1, 4, 5)
    (tmp_path / "bad.txt").write_text("rgb.png\n")
    with pytest.raises(ValueError, match="invalid format at line 0"):
        datasets.LabeledImageDataset(str(tmp_path / "bad.txt"))


def test_every_chainer_name_is_there():
    names = ["get_cifar10", "get_cifar100", "ConcatenatedDataset", "DictDataset",
             "get_fashion_mnist", "get_fashion_mnist_labels", "ImageDataset",
             "LabeledImageDataset", "LabeledZippedImageDataset", "MultiZippedImageDataset",
             "ZippedImageDataset", "get_kuzushiji_mnist", "get_kuzushiji_mnist_labels",
             "get_mnist", "open_pickle_dataset", "open_pickle_dataset_writer",
             "PickleDataset", "PickleDatasetWriter", "get_ptb_words",
             "get_ptb_words_vocabulary", "get_cross_validation_datasets",
             "get_cross_validation_datasets_random", "split_dataset", "split_dataset_n",
             "split_dataset_n_random", "split_dataset_random", "SubDataset", "get_svhn",
             "TextDataset", "TransformDataset", "TupleDataset"]
    missing = [n for n in names if not hasattr(datasets, n)]
    assert not missing
    assert os.path.basename(datasets.mnist.__file__) == "mnist.py"
