"""kusari.dataset.TabularDataset and its views, against a NumPy reference
(random slices and index lists through nested views) and Chainer's
documented behaviour (modes, keys, which rows each dataset is asked for)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from kusari.dataset import TabularDataset, tabular


class Table(TabularDataset):
    """Columns of `data` (keys x rows); records every request."""

    def __init__(self, n=10, keys=("a", "b", "c"), mode=tuple, arrays=False, seed=0):
        self.data = np.random.RandomState(seed).uniform(size=(len(keys), n))
        self._keys, self._mode, self._arrays = keys, mode, arrays
        self.requests = []

    def __len__(self):
        return self.data.shape[1]

    @property
    def keys(self):
        return self._keys

    @property
    def mode(self):
        return self._mode

    def get_examples(self, indices, key_indices):
        self.requests.append((indices, key_indices))
        data = self.data if indices is None else self.data[:, indices]
        if key_indices is not None:
            data = data[list(key_indices)]
        return tuple(data) if self._arrays else tuple(list(d) for d in data)


def rows(dataset, indices=None, key_indices=None):
    return np.array([np.asarray(c, dtype=float) for c in
                     dataset.get_examples(indices, key_indices)])


def random_slices(rng, n, count):
    for _ in range(count):
        start, stop = (rng.randint(-n - 3, n + 3) if rng.rand() < 0.8 else None
                       for _ in range(2))
        step = int(rng.choice([1, 2, 3, -1, -2, -3]))
        yield slice(start, stop, step)


def test_slices_of_slices_and_lists_match_numpy():
    rng = np.random.RandomState(0)
    base = Table(n=13)
    for outer in itertools.chain(random_slices(rng, 13, 40),
                                 ([int(i) for i in rng.randint(-13, 13, 5)] for _ in range(10))):
        view = base.slice[outer]
        expected = base.data[:, outer]
        assert len(view) == expected.shape[1]
        np.testing.assert_array_equal(rows(view), expected)
        for inner in random_slices(rng, len(view), 5):
            got = rows(view, inner)
            np.testing.assert_array_equal(got.reshape(3, -1), expected[:, inner])
            if isinstance(outer, slice):
                assert isinstance(base.requests[-1][0], slice)   # a slice stays one


def test_slice_keys_modes_and_errors():
    t = Table()
    view = t.slice[[True, False] * 5, ("c", 0)]
    assert view.keys == ("c", "a") and view.mode is tuple and len(view) == 5
    np.testing.assert_array_equal(rows(view), t.data[[2, 0]][:, ::2])
    assert t.slice[:, "b"].mode is None and t.slice[:, -1].keys == ("c",)
    assert t.asdict().slice[:, ("a",)].mode is dict
    assert t.slice[[-1]].get_example(0) == tuple(t.data[:, 9])
    with pytest.raises(IndexError):
        t.slice[[10]]
    with pytest.raises(ValueError, match="number of booleans"):
        t.slice[[True] * 11]
    with pytest.raises(KeyError, match="'d'"):
        t.slice[:, "d"]
    with pytest.raises(IndexError):
        t.slice[:, 3]
    with pytest.raises(TypeError, match="single index"):
        t.slice[3]


@pytest.mark.parametrize("arrays", [False, True])
def test_concat_asks_each_dataset_for_its_own_rows(arrays):
    a, b, c = Table(n=10, arrays=arrays, seed=1), Table(n=5, arrays=arrays, seed=2), \
        Table(n=4, arrays=arrays, seed=3)
    view = a.concat(b, c)
    assert len(view) == 19 and view.keys == a.keys
    reference = np.hstack([a.data, b.data, c.data])
    rng = np.random.RandomState(1)
    requests = list(random_slices(rng, 19, 60)) + \
        [list(rng.randint(-19, 19, size=rng.randint(0, 8))) for _ in range(30)]
    for indices in requests:
        for d in (a, b, c):
            d.requests.clear()
        got = rows(view, indices)
        np.testing.assert_array_equal(got.reshape(3, -1), reference[:, indices])
        for d in (a, b, c):           # at most one request each, never an empty one
            assert len(d.requests) <= 1
            for sub, _ in d.requests:
                assert len(range(*sub.indices(len(d)))) if isinstance(sub, slice) else sub
    # Chainer's examples: exactly these requests
    a.requests.clear(), b.requests.clear()
    a.concat(b).get_examples(slice(13, 6, -2), None)
    assert a.requests == [(slice(9, 6, -2), None)] and b.requests == [(slice(3, None, -2), None)]
    with pytest.raises(ValueError, match="same keys"):
        a.concat(Table(keys=("b", "a", "c")))
    with pytest.raises(IndexError):
        view.get_examples([19], None)


def test_concat_of_one_dataset_answer_keeps_arrays():
    a, b = Table(arrays=True), Table(n=5, arrays=True)
    out = a.concat(b).get_examples([1, 2], None)
    assert all(isinstance(col, np.ndarray) for col in out)
    out = a.concat(b).get_examples([1, 12], None)
    assert all(isinstance(col, list) for col in out)


def test_join():
    a = Table(mode=None, keys=("a",))
    b = Table(keys=("d", "e"), mode=dict, seed=4)
    view = a.join(b)
    assert view.keys == ("a", "d", "e") and view.mode is dict and len(view) == 10
    a.requests.clear(), b.requests.clear()
    out = view.get_examples([1, 2], (2, 0, 2))
    np.testing.assert_array_equal(out[0], b.data[1, [1, 2]])
    np.testing.assert_array_equal(out[1], a.data[0, [1, 2]])
    assert a.requests == [([1, 2], (0,))] and b.requests == [([1, 2], (1,))]
    assert view.get_example(3) == {"a": a.data[0, 3], "d": b.data[0, 3], "e": b.data[1, 3]}
    assert Table(mode=None, keys=("x",)).join(Table(mode=None, keys=("y",))).mode is tuple
    with pytest.raises(ValueError, match="same length"):
        a.join(Table(n=5, keys=("z",)))
    with pytest.raises(ValueError, match="unique"):
        a.join(Table(keys=("a", "q")))


@pytest.mark.parametrize("in_mode", [tuple, dict, None])
def test_transform_and_transform_batch(in_mode):
    t = Table(mode=in_mode, keys=("a", "b", "c") if in_mode else ("a",), arrays=True)

    def f(*args, **kwargs):
        values = args or tuple(kwargs[k] for k in ("a", "b", "c"))
        return {"s": sum(values), "first": values[0]}

    view = t.transform(("s", "first"), f)
    assert view.mode is dict and view.keys == ("s", "first")
    np.testing.assert_allclose(view.get_examples([3, 1], (0,))[0], t.data[:, [3, 1]].sum(0))
    batch = t.transform_batch(("s", "first"), f)
    assert batch.mode is dict
    out = batch.get_examples(slice(2, 5), None)
    np.testing.assert_allclose(out[0], t.data[:, 2:5].sum(0))
    assert isinstance(out[0], np.ndarray)
    single = t.transform("s", lambda *a, **k: 1.0)
    assert single.mode is None and single.fetch() == [1.0] * 10


def test_transform_errors():
    t = Table()
    answers = iter([(1,), {"a": 1}])
    view = t.transform(("a",), lambda *x: next(answers))
    view.get_examples([0], None)
    with pytest.raises(ValueError, match="must not change its return type"):
        view.get_examples([0], None)
    grow = t.transform_batch(("a",), lambda a, b, c: (a + [0],))
    with pytest.raises(ValueError, match="must not change the length"):
        grow.get_examples(None, None)
    missing = t.transform(("a", "z"), lambda a, b, c: {"a": a})
    with pytest.raises(KeyError, match="'z'"):
        missing.get_examples([0], None)


def test_fetch_convert_get_example_iter_and_modes():
    t = Table(mode=dict)
    fetched = t.fetch()
    assert set(fetched) == {"a", "b", "c"} and isinstance(fetched["a"], list)
    converted = t.convert(fetched)
    assert all(isinstance(v, np.ndarray) for v in converted.values())
    assert t.astuple()[2] == tuple(t.data[:, 2])
    assert list(t.astuple())[-1] == tuple(t.data[:, 9])
    assert t.astuple().slice[[1]].asdict()[0] == dict(zip("abc", t.data[:, 1]))
    conv = t.with_converter(lambda a, b, c: (a, c))
    assert conv.convert(conv.astuple().fetch())[1] == list(t.data[2])
    assert t.concat(Table()).convert(("x",))[0].dtype.kind == "U"   # the first's converter


def test_from_data_and_delegate():
    ds = tabular.from_data((("a", np.arange(5)), ("b", [5, 6, 7, 8, 9]),
                            (("c", "d"), lambda i: (i * i, -i))))
    assert ds.keys == ("a", "b", "c", "d") and ds.mode is tuple and len(ds) == 5
    assert ds[3] == (3, 8, 9, -3)
    out = ds.slice[[0, 4]].fetch()
    assert isinstance(out[0], np.ndarray) and isinstance(out[1], list)
    d = tabular.from_data({"x": [1, 2], "y": lambda i: 10 * i})
    assert d.mode is dict and d[1] == {"x": 2, "y": 10}
    assert tabular.from_data(np.arange(3)).keys != tabular.from_data(np.arange(3)).keys
    with pytest.raises(ValueError, match="size"):
        tabular.from_data(("a", lambda i: i))
    with pytest.raises(ValueError, match="key"):
        tabular.from_data(lambda i: i, size=3)
    with pytest.raises(TypeError, match="column must be"):
        tabular.from_data(("a", 3))

    class Mine(tabular.DelegateDataset):
        def __init__(self):
            super().__init__(tabular.from_data(("v", [7, 8])))

    m = Mine()
    assert len(m) == 2 and m.keys == ("v",) and m[1] == 8 and m.mode is None
