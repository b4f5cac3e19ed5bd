"""kusari.reporter: Reporter scopes and observers, Variables cut from their graph,
Summary/DictSummary statistics against NumPy (dtypes kept), weights, and their
snapshots."""
import io
import threading

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import reporter as R
from kusari import serializers


def test_chainer_module_path_and_exports():
    assert kusari.reporter.Reporter is kusari.Reporter
    for name in ("report", "report_scope", "get_current_reporter", "Summary",
                 "DictSummary"):
        assert getattr(kusari, name) is getattr(R, name)


def test_scopes_nest_and_restore():
    a, b = R.Reporter(), R.Reporter()
    obs = {}
    with a:
        with b.scope(obs):
            assert R.get_current_reporter() is b and b.observation is obs
            R.report({"x": 1})
            with R.report_scope(inner := {}):
                R.report({"y": 2})
                assert R.get_current_reporter() is b
        assert R.get_current_reporter() is a
        assert b.observation is not obs
    assert obs == {"x": 1} and inner == {"y": 2}
    with pytest.raises(IndexError):
        R.get_current_reporter()


def test_scope_restores_after_an_error():
    r = R.Reporter()
    before = r.observation
    with pytest.raises(ValueError):
        with r.scope({}):
            raise ValueError
    assert r.observation is before and not R._get_reporters()


def test_observers_prefix_names():
    r = R.Reporter()
    link, other = kusari.Link(), object()
    r.add_observer("main", link)
    r.add_observers("main", [("/sub", other)])
    r.report({"loss": 1.0}, link)
    r.report({"acc": 0.5}, other)
    r.report({"plain": 3})
    assert r.observation == {"main/loss": 1.0, "main/sub/acc": 0.5, "plain": 3}
    with pytest.raises(KeyError, match="not registered"):
        r.report({"z": 0}, object())


def test_report_without_reporter_is_a_no_op():
    R.report({"x": 1}, object())       # no reporter: nothing, not even the KeyError


def test_reporters_are_per_thread():
    r = R.Reporter()
    seen = []
    with r:
        t = threading.Thread(target=lambda: seen.append(len(R._get_reporters())))
        t.start()
        t.join()
    assert seen == [0]


def test_variables_are_cut_from_the_graph_unless_asked():
    x = kusari.Variable(np.array([1.0, 2.0], np.float32))
    y = F.sigmoid(x)
    r = R.Reporter()
    r.report({"y": y, "n": 1.5})
    stored = r.observation["y"]
    assert stored is not y and stored.creator is None
    np.testing.assert_array_equal(stored.array, y.array)
    assert r.observation["n"] == 1.5
    with kusari.using_config("keep_graph_on_report", True):
        r.report({"y": y})
    assert r.observation["y"] is y and y.creator is not None


# -- Summary ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_summary_against_numpy_keeps_dtype(dtype):
    values = np.array([1.5, -2.0, 3.25, 0.5], dtype)
    s = R.Summary()
    for v in values:
        s.add(np.asarray(v))
    mean = s.compute_mean()
    assert mean.dtype == dtype
    m, std = s.make_statistics()
    ref = values.astype(np.float64)
    tol = {np.float16: 1e-2, np.float32: 1e-6, np.float64: 1e-12}[dtype]
    np.testing.assert_allclose(m, ref.mean(), rtol=tol)
    np.testing.assert_allclose(std, ref.std(), rtol=tol)


def test_summary_weights_and_python_numbers():
    s = R.Summary()
    s.add(1.0, 0.5)
    s.add(2.0, np.array(0.4))
    s.add(3.0, 0.3)
    np.testing.assert_allclose(s.compute_mean(), (0.5 + 0.8 + 0.9) / 1.2)
    ints = R.Summary()
    for v in (1, 2, 3):
        ints.add(v)
    assert ints.compute_mean() == 2
    np.testing.assert_allclose(ints.make_statistics()[1], np.sqrt(2 / 3))


def test_summary_weight_as_variable_gives_a_variable():
    s = R.Summary()
    s.add(3.0, kusari.Variable(np.array(0.3)))
    s.add(1.0, kusari.Variable(np.array(0.1)))
    mean = s.compute_mean()
    assert isinstance(mean, kusari.Variable)
    np.testing.assert_allclose(mean.array, 1.0 / 0.4)


def test_summary_serialize_round_trip_and_old_files():
    s = R.Summary()
    s.add(np.float32(1.5))
    s.add(np.float32(2.0))
    f = io.BytesIO()
    serializers.save_npz(f, s)
    t = R.Summary()
    serializers.load_npz(io.BytesIO(f.getvalue()), t)
    t.add(np.float32(3.5))
    np.testing.assert_allclose(t.compute_mean(), 7 / 3, rtol=1e-6)

    old = io.BytesIO()
    np.savez(old, dummy=0)
    fresh = R.Summary()
    with pytest.warns(UserWarning, match="statistics are not saved"):
        serializers.load_npz(io.BytesIO(old.getvalue()), fresh)
    fresh.add(2.0)
    assert fresh.compute_mean() == 2.0


# -- DictSummary --------------------------------------------------------------------

def test_dict_summary_sparse_keys_and_statistics():
    d = R.DictSummary()
    rows = [{"a": 3., "b": np.float32(1.)}, {"a": 1., "b": 5., "c": 9.}, {"b": 6.},
            {"a": 3., "b": kusari.Variable(np.array(5., np.float32)), "c": 8.}]
    for row in rows:
        d.add(row)
    cols = {"a": [3., 1., 3.], "b": [1., 5., 6., 5.], "c": [9., 8.]}
    mean = d.compute_mean()
    stats = d.make_statistics()
    assert set(mean) == set(cols)
    assert set(stats) == set(cols) | {k + ".std" for k in cols}
    for k, v in cols.items():
        np.testing.assert_allclose(mean[k], np.mean(v), rtol=1e-6)
        np.testing.assert_allclose(stats[k + ".std"], np.std(v), rtol=1e-5, atol=1e-6)


def test_dict_summary_skips_non_scalars_and_checks_weights():
    d = R.DictSummary()
    d.add({"vec": np.ones(3), "s": (2.0, 0.5), "name": "text"})
    assert set(d.compute_mean()) == {"s"}
    with pytest.raises(ValueError, match="Given weight to s was not scalar"):
        d.add({"s": (1.0, np.array([0.5]))})
    with pytest.raises(ValueError):
        d.add({"s": (1.0, kusari.Variable(np.array([0.5])))})


def test_dict_summary_serialize_names_with_slashes_and_overwrite():
    d = R.DictSummary()
    d.add({"a/b": 3., "/a/b": 1., "a/b/": 4.})
    d.add({"a/b": 1., "/a/b": 5., "a/b/": 9.})
    f = io.BytesIO()
    serializers.save_npz(f, d)
    e = R.DictSummary()
    e.add({"stale": 1.0})
    serializers.load_npz(io.BytesIO(f.getvalue()), e)
    assert e.compute_mean() == {"a/b": 2.0, "/a/b": 3.0, "a/b/": 6.5}

    old = io.BytesIO()
    np.savez(old, dummy=0)
    with pytest.warns(UserWarning, match="names of statistics are not saved"):
        serializers.load_npz(io.BytesIO(old.getvalue()), e)
    assert e.compute_mean() == {}
