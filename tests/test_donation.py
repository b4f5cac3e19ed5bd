"""Donated buffers: a compiled training step writes the new parameters and
optimizer state into the old arrays (as an eager optimizer does) where, and
only where, nothing reads the old value afterwards."""
from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari.compiler import ir, spine
from kusari.runtime import NUMPY


def _graph(reads_after: bool, handed_out: bool = False):
    """new = x - 0.5 * g; optionally x is read again after, or returned."""
    g = ir.Graph("update")
    x = g.add_input((1000,), np.float32)
    d = g.add_input((1000,), np.float32)
    half = g.add_const(0.5, np.float32)
    new = g.add("sub", [x, g.add("mul", [half, d])])
    outs = [new]
    if reads_after:
        outs.append(g.add("mul", [x, new]))     # reads the old x after `new`
    if handed_out:
        outs.append(x)
    g.outputs = outs
    return g


def _run(g, donate, x, d):
    exe = spine.compile(g, NUMPY, spine.Options(donate=donate))
    return exe, exe.fn(x, d)


@pytest.mark.parametrize("n", [1000, 1 << 20])      # straight-line and blocked kernels
def test_a_safe_donation_writes_in_place(n):
    g = _graph(False)
    for node in g.nx.nodes:                          # resize the example
        if g.op(node) != "const":
            g.nx.nodes[node]["shape"] = (n,)
    rng = np.random.default_rng(0)
    x, d = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    want = x - np.float32(0.5) * d
    exe, (out,) = _run(g, ((0, 0),), x, d)
    assert out is x                                  # the very array, updated
    np.testing.assert_array_equal(x, want)
    assert "out=in0" in exe.source or "donated" in exe.source


@pytest.mark.parametrize("reads_after, handed_out", [(True, False), (False, True)])
def test_an_unsafe_donation_is_refused(reads_after, handed_out):
    g = _graph(reads_after, handed_out)
    rng = np.random.default_rng(1)
    x, d = rng.standard_normal(1000).astype(np.float32), rng.standard_normal(1000).astype(np.float32)
    x0 = x.copy()
    exe, outs = _run(g, ((0, 0),), x, d)
    np.testing.assert_array_equal(x, x0)             # the input is untouched
    new = x0 - np.float32(0.5) * d
    np.testing.assert_array_equal(outs[0], new)
    if reads_after:
        np.testing.assert_array_equal(outs[1], x0 * new)
    else:
        np.testing.assert_array_equal(outs[1], x0)


def _model(seed):
    rng = np.random.default_rng(seed)

    class M(kusari.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l1 = L.Linear(4, 8, initialW=(rng.standard_normal((8, 4)) * 0.3).astype(np.float32))
                self.l2 = L.Linear(8, 3, initialW=(rng.standard_normal((3, 8)) * 0.3).astype(np.float32))

        def __call__(self, x):
            return self.l2(F.relu(self.l1(x)))
    return M()


def _step(model, opt, after=False):
    def run(x, t):
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        opt.update()
        if after:                # reads the parameters after the update
            return loss, F.sum(model.l1.W * 1)
        return loss
    return run


@pytest.mark.parametrize("after", [False, True])
@pytest.mark.parametrize("make_opt", [lambda: kusari.optimizers.SGD(lr=0.1),
                                      lambda: kusari.optimizers.MomentumSGD(lr=0.05),
                                      lambda: kusari.optimizers.Adam(alpha=0.01)])
def test_jitted_step_updates_in_place_and_matches_eager(make_opt, after):
    ma, mb = _model(0), _model(0)
    oa, ob = make_opt().setup(ma), make_opt().setup(mb)
    x = np.random.default_rng(2).standard_normal((16, 4)).astype(np.float32)
    t = np.random.default_rng(3).integers(0, 3, 16).astype(np.int32)
    eager, compiled = _step(ma, oa, after), kusari.jit(_step(mb, ob, after))
    arrays = [p.array for p in mb.params()]
    for _ in range(4):
        ra, rb = eager(x, t), compiled(x, t)
        if after:
            np.testing.assert_allclose(float(ra[1].array), float(rb[1]), rtol=1e-5)
    for (name, pa), (_, pb), arr in zip(ma.namedparams(), mb.namedparams(), arrays):
        np.testing.assert_allclose(pa.array, pb.array, rtol=1e-5, atol=1e-6, err_msg=name)
        assert pb.array is arr                       # updated in place, as eagerly
    entry = next(iter(compiled._entries.values()))
    # every parameter is one input, however many times the step reads it
    sources = [r.source for r in entry.captured if r.source is not None]
    assert len(sources) == len(set(sources))
    for p in mb.params():
        assert sources.count(("array", id(p))) == 1
    assert entry.donated


def test_a_parameter_also_passed_as_an_argument_gives_eagers_result():
    # the argument is the parameter's own array: eager code reads it after the
    # update, so the compiled step must not read it before (it runs eagerly)
    def make(m, opt):
        def step(x, w_copy):
            loss = F.sum(m(x) ** 2)
            m.cleargrads()
            loss.backward()
            opt.update()
            return F.sum(w_copy * m.l1.W)
        return step

    ma, mb = _model(4), _model(4)
    oa, ob = kusari.optimizers.SGD(lr=0.5).setup(ma), kusari.optimizers.SGD(lr=0.5).setup(mb)
    eager, jitted = make(ma, oa), kusari.jit(make(mb, ob))
    x = np.ones((2, 4), np.float32)
    for _ in range(3):
        want = eager(x, ma.l1.W.array)
        got = jitted(x, mb.l1.W.array)          # W is the parameter's own array
        np.testing.assert_allclose(float(got), float(want.array), rtol=1e-6)
    np.testing.assert_allclose(mb.l1.W.array, ma.l1.W.array, rtol=1e-6)
    # without the alias the compiled step runs, donating the parameters
    w = ma.l1.W.array.copy()
    jitted(x, w)
    assert len(jitted._entries) == 1
