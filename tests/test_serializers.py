"""Serializers: Chainer's key layout, files written by Chainer 7.8.1 loading
into kusari (models and every optimizer's state, training going on exactly
as Chainer's did), kusari's files loading into Chainer (when a Python with
Chainer is on the machine), strict/path/ignore_names, a file that does not
fit naming the key and leaving the model unchanged, HDF5 (with h5py)."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import serializers as S

from tests.test_optimizers import CASES, CHAINER as OPT, FIXTURES, NORMS, _link, _setup

CHAINER_PY = os.environ.get(
    "CHAINER_PY", os.path.expanduser("~/.kusari-peers/chainer-venv/bin/python"))


class MLP(kusari.Chain):
    def __init__(self, lazy_last=True):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(4, 5)
            self.l2 = L.Linear(5, 3)
            self.l3 = L.Linear(None, 3) if lazy_last else L.Linear(3, 2)

    def forward(self, x):
        return self.l3(F.relu(self.l2(F.tanh(self.l1(x)))))


def _keys(file):
    with np.load(file, allow_pickle=True) as f:
        return sorted(f.keys())


def test_a_model_saved_by_chainer_loads():
    m = MLP()
    S.load_npz(os.path.join(FIXTURES, "model.npz"), m)
    np.random.seed(4)
    ref = MLP()         # the same seed and structure Chainer's file was made with
    for (name, p), (_, q) in zip(m.namedparams(), ref.namedparams()):
        if q.array is None:
            assert p.array is None, name          # saved uninitialized: stays so
        else:
            np.testing.assert_array_equal(p.array, q.array, err_msg=name)


def test_chainer_key_layout_for_models_and_optimizers():
    m = MLP(lazy_last=False)
    opt = kusari.optimizers.Adam().setup(m)
    m(np.ones((2, 4), np.float32))
    F.sum(m(np.ones((2, 4), np.float32))).backward()
    opt.update()
    buf = io.BytesIO()
    S.save_npz(buf, m)
    buf.seek(0)
    assert _keys(buf) == ["l1/W", "l1/b", "l2/W", "l2/b", "l3/W", "l3/b"]
    buf = io.BytesIO()
    S.save_npz(buf, opt)
    buf.seek(0)
    assert _keys(buf) == sorted(["t", "epoch"] + [f"{p}/{k}" for p in
                                                   ("l1/W", "l1/b", "l2/W", "l2/b",
                                                    "l3/W", "l3/b")
                                                   for k in ("t", "m", "v")])
    outer = kusari.Chain(predictor=MLP())
    target = S.npz.serialize(outer)
    assert target["predictor/l3/W"].dtype == object and target["predictor/l3/W"][()] is None


@pytest.mark.parametrize("case", sorted(CASES))
def test_optimizer_state_saved_by_chainer_loads_and_training_goes_on(case):
    key = f"{case}/float32"
    link = _link(key)
    opt = _setup(case, link)
    S.load_npz(os.path.join(FIXTURES, f"optimizer_{case.replace('+', '_')}.npz"), opt)
    assert opt.t == 3 and link.W.update_rule.t == 3
    for name in ("W", "b"):            # the parameters as they were then
        getattr(link, name).array[...] = OPT[f"{key}/final/{name}"]
        getattr(link, name).grad = OPT[f"{key}/grad3/{name}"].copy()
    opt.update()
    for name in ("W", "b"):
        got, want = getattr(link, name).array, OPT[f"{key}/next/{name}"]
        if any(h in case for h in NORMS):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
        else:
            np.testing.assert_array_equal(got, want, err_msg=name)


def test_round_trip_in_kusari_keeps_everything():
    m = MLP(lazy_last=False)
    opt = kusari.optimizers.MomentumSGD(0.1).setup(m)
    x = np.random.RandomState(0).uniform(-1, 1, (3, 4)).astype(np.float32)
    opt.update(lambda: F.sum(m(x)))
    opt.new_epoch()
    mb, ob = io.BytesIO(), io.BytesIO()
    S.save_npz(mb, m, compression=False)
    S.save_npz(ob, opt)
    m2 = MLP(lazy_last=False)
    opt2 = kusari.optimizers.MomentumSGD(0.1).setup(m2)
    mb.seek(0), ob.seek(0)
    S.load_npz(mb, m2)
    S.load_npz(ob, opt2)
    assert (opt2.t, opt2.epoch) == (1, 1)
    for (n, p), (_, q) in zip(m.namedparams(), m2.namedparams()):
        np.testing.assert_array_equal(p.array, q.array, err_msg=n)
        np.testing.assert_array_equal(p.update_rule.state["v"], q.update_rule.state["v"])


def test_a_file_that_does_not_fit_names_the_key_and_changes_nothing():
    buf = io.BytesIO()
    S.save_npz(buf, MLP(lazy_last=False))
    other = kusari.Chain()
    with other.init_scope():
        other.l1 = L.Linear(4, 5)
        other.l2 = L.Linear(5, 7)            # another shape
        other.l3 = L.Linear(3, 2)
    before = {n: p.array.copy() for n, p in other.namedparams()}
    buf.seek(0)
    with pytest.raises(ValueError, match=r"'l2/W'.*shape \(3, 5\).*\(7, 5\)"):
        S.load_npz(buf, other)
    for n, p in other.namedparams():          # l1 came first in the file: untouched too
        np.testing.assert_array_equal(p.array, before[n], err_msg=n)
    extra = kusari.Chain(l1=L.Linear(4, 5), l4=L.Linear(2, 2))
    before = extra.l1.W.array.copy()
    buf.seek(0)
    with pytest.raises(KeyError, match="'l4/W' is not in the file"):
        S.load_npz(buf, extra)
    np.testing.assert_array_equal(extra.l1.W.array, before)
    buf.seek(0)
    S.load_npz(buf, extra, strict=False)     # what is there loads, the rest is skipped
    assert not np.array_equal(extra.l1.W.array, before)


def test_path_and_ignore_names():
    outer = kusari.Chain(predictor=MLP(lazy_last=False))
    buf = io.BytesIO()
    S.save_npz(buf, outer)
    inner = MLP(lazy_last=False)
    b_before = inner.l1.b.array.copy()
    buf.seek(0)
    S.load_npz(buf, inner, path="predictor/", ignore_names=["l1/b"])
    np.testing.assert_array_equal(inner.l2.W.array, outer.predictor.l2.W.array)
    np.testing.assert_array_equal(inner.l1.b.array, b_before)
    buf.seek(0)
    with pytest.raises(ValueError, match="ignore_names"):
        S.load_npz(buf, inner, path="predictor/", ignore_names=[3])


def test_scalars_load_with_safe_casts_only():
    buf = io.BytesIO()
    np.savez(buf, z=np.asarray(10), f=np.asarray(1.5, np.float32))
    buf.seek(0)
    with np.load(buf) as f:
        d = S.NpzDeserializer(f)
        assert d("z", 5) == 10
        with pytest.raises(TypeError, match="Cannot safely deserialize.*'f'"):
            d("f", 5)


def _run_chainer(code: str) -> str:
    if not os.path.exists(CHAINER_PY):
        pytest.skip("no Python with Chainer 7.8.1 on this machine (CHAINER_PY)")
    out = subprocess.run([CHAINER_PY, "-W", "ignore", "-c", code], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_kusari_files_load_into_chainer(tmp_path):
    m = MLP()
    m.l1.W.array[...] = np.arange(20, dtype=np.float32).reshape(5, 4) / 7
    opt = kusari.optimizers.Adam(0.01).setup(m)
    opt.update(lambda: F.sum(m(np.ones((2, 4), np.float32))))
    S.save_npz(str(tmp_path / "m.npz"), m)
    S.save_npz(str(tmp_path / "o.npz"), opt)
    S.save_npz(str(tmp_path / "fresh.npz"), MLP())         # l3 uninitialized
    np.save(tmp_path / "l1W.npy", m.l1.W.array)
    np.save(tmp_path / "l1Wm.npy", m.l1.W.update_rule.state["m"])
    out = _run_chainer(f"""
import numpy as np, chainer, chainer.links as L
class MLP(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(4, 5); self.l2 = L.Linear(5, 3); self.l3 = L.Linear(None, 3)
m = MLP(); o = chainer.optimizers.Adam(0.01); o.setup(m)
chainer.serializers.load_npz({str(tmp_path / 'm.npz')!r}, m)
chainer.serializers.load_npz({str(tmp_path / 'o.npz')!r}, o)
assert (m.l1.W.array == np.load({str(tmp_path / 'l1W.npy')!r})).all()
assert (m.l1.W.update_rule.state['m'] == np.load({str(tmp_path / 'l1Wm.npy')!r})).all()
assert m.l3.W.shape == (3, 3) and o.t == 1 and m.l3.W.update_rule.t == 1
f = MLP(); chainer.serializers.load_npz({str(tmp_path / 'fresh.npz')!r}, f)
assert f.l3.W.array is None and f.l1.W.shape == (5, 4)
print('ok')
""")
    assert out.strip() == "ok"



def test_hdf5_round_trip_and_errors(tmp_path):
    pytest.importorskip("h5py")
    m = MLP()
    opt = kusari.optimizers.AdaGrad().setup(m)
    opt.update(lambda: F.sum(m(np.ones((2, 4), np.float32))))
    path = str(tmp_path / "m.h5")
    S.save_hdf5(path, m)
    S.save_hdf5(str(tmp_path / "o.h5"), opt)
    m2 = MLP()
    S.load_hdf5(path, m2)
    for (n, p), (_, q) in zip(m.namedparams(), m2.namedparams()):
        np.testing.assert_array_equal(p.array, q.array, err_msg=n)
    o2 = kusari.optimizers.AdaGrad().setup(m2)
    S.load_hdf5(str(tmp_path / "o.h5"), o2)
    np.testing.assert_array_equal(o2.target.l1.W.update_rule.state["h"],
                                  m.l1.W.update_rule.state["h"])
    bad = kusari.Chain(l1=L.Linear(4, 6))
    before = bad.l1.b.array.copy()
    with pytest.raises(ValueError, match="'l1/W'"):
        S.load_hdf5(path, bad)
    np.testing.assert_array_equal(bad.l1.b.array, before)


def test_hdf5_without_h5py_says_so(monkeypatch):
    from kusari.serializers import hdf5
    monkeypatch.setattr(hdf5, "_available", False)
    with pytest.raises(RuntimeError, match="pip install h5py"):
        S.save_hdf5("unused.h5", MLP())


def test_every_optimizers_state_saved_by_kusari_loads_into_chainer(tmp_path):
    expected = {}
    for case in CASES:
        key = f"{case}/float32"
        link = _link(key)
        opt = _setup(case, link)
        for s in range(3):
            for name in ("W", "b"):
                getattr(link, name).grad = OPT[f"{key}/grad{s}/{name}"].copy()
            opt.update()
        S.save_npz(str(tmp_path / f"{case}.npz"), opt)
        for name in ("W", "b"):
            for k, v in getattr(link, name).update_rule.state.items():
                expected[f"{case}/{name}/{k}"] = v
    np.savez(tmp_path / "expected.npz", **expected)
    out = _run_chainer(f"""
import sys, numpy as np, chainer
sys.path.insert(0, {FIXTURES!r})
import make_fixtures as mf
expected = np.load({str(tmp_path / 'expected.npz')!r})
for case, make in mf.OPTIMIZERS.items():
    link = mf.Params(np.random.RandomState(5), 'float32')
    made = make()
    opt, hooks = (made[0], made[1:]) if isinstance(made, tuple) else (made, ())
    opt.setup(link)
    chainer.serializers.load_npz({str(tmp_path)!r} + '/' + case + '.npz', opt)
    assert opt.t == 3, case
    for name, p in link.namedparams():
        assert p.update_rule.t == 3, case
        state = p.update_rule.state
        want = [k for k in expected.files if k.startswith(case + name + '/')]
        assert state is not None and len(state) == len(want), (case, name)
        for k, v in state.items():
            assert (v == expected[case + name + '/' + k]).all(), (case, name, k)
    print(case)
""")
    assert sorted(out.split()) == sorted(CASES)
