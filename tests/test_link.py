"""Links: Link, Chain, ChainList, Sequential and Linear with Chainer's API
(registration, traversal order, copies, grads, update switches, device
moves, serialization protocol, printing, link hooks), and Linear against its
functional form."""
from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import initializers


def _tree():
    l1 = kusari.Link()
    with l1.init_scope():
        l1.x = kusari.Parameter(shape=(2, 3))
    l2 = kusari.Link()
    with l2.init_scope():
        l2.x = kusari.Parameter(shape=2)
    l3 = kusari.Link()
    with l3.init_scope():
        l3.x = kusari.Parameter()
    c1 = kusari.Chain()
    with c1.init_scope():
        c1.l1 = l1
    c1.add_link("l2", l2)
    c2 = kusari.Chain()
    with c2.init_scope():
        c2.c1 = c1
        c2.l3 = l3
        c2.x = kusari.Parameter(shape=2)
    return c2


def test_registration_and_chainer_order():
    link = kusari.Link(x=((2, np.int64(3)), "d"), u=(None, "d"), w=(4,))
    with link.init_scope():
        link.y = kusari.Parameter(shape=(2,))
        link.v = kusari.Parameter()
    link.add_persistent("p", np.arange(3.0))
    assert [n for n, _ in link.namedparams()] == ["/u", "/v", "/w", "/x", "/y"]
    assert [n for n, _ in link.namedparams(include_uninit=False)] == ["/w", "/x", "/y"]
    assert link.x.dtype == np.float64 and link.u.dtype == np.float64
    assert link.w.dtype == np.float32 and np.isnan(link.w.array).all()
    assert isinstance(link._params, set) and link._persistent == {"p"}
    link.z = kusari.Parameter(np.ones(1, np.float32))        # outside init_scope
    assert all(p is not link.z for p in link.params())
    with pytest.raises(AttributeError, match="cannot register a new parameter p"):
        link.add_param("p", (2,))
    del link.x
    assert "x" not in link._params and not hasattr(link, "x")


def test_tree_traversal():
    c2 = _tree()
    assert [n for n, _ in c2.namedparams()] == ["/x", "/c1/l1/x", "/c1/l2/x", "/l3/x"]
    assert [n for n, _ in c2.namedlinks()] == ["/", "/c1", "/c1/l1", "/c1/l2", "/l3"]
    assert [n for n, _ in c2.namedlinks(skipself=True)][0] == "/c1"
    assert [l.name for l in c2.children()] == ["c1", "l3"]
    assert len(list(c2.links())) == 5 and c2["c1"] is c2.c1
    with pytest.warns(UserWarning, match="'/l3/x' has not been initialized"):
        assert c2.count_params() == 2 + 6 + 2
    cl = kusari.ChainList(L.Linear(2, 3), L.Linear(3, 1))
    assert [n for n, _ in cl.namedparams()] == ["/0/W", "/0/b", "/1/W", "/1/b"]
    cl.insert(0, L.Linear(2, 2))
    assert [c.name for c in cl] == ["0", "1", "2"] and len(cl) == 3
    del cl[0]
    assert [c.name for c in cl] == ["0", "1"]
    with pytest.raises(TypeError, match="init_scope"):
        with cl.init_scope():
            cl.extra = L.Linear(1, 1)


def test_copies():
    c2 = _tree()
    c2.c1.l1.x.grad = np.ones((2, 3), np.float32)
    share = c2.copy("share")
    assert share.name is None and share.c1.l1.x is not c2.c1.l1.x
    assert share.c1.l1.x.array is c2.c1.l1.x.array and share.c1.l1.x.grad is None
    assert share.l3.x.array is None and share.l3.x.grad is None
    deep = c2.copy("copy")
    assert deep.c1.l1.x.array is not c2.c1.l1.x.array
    np.testing.assert_array_equal(deep.c1.l2.x.array, c2.c1.l2.x.array)
    c2.c1.l1.x.initializer = initializers.Normal(dtype=np.float32)
    fresh = c2.copy("init")
    assert not np.array_equal(fresh.c1.l1.x.array, c2.c1.l1.x.array)
    assert np.isnan(fresh.c1.l1.x.grad).all()
    with pytest.raises(ValueError, match="'init','copy', or 'share'"):
        c2.copy("deep")
    rep = L.Linear(2, 3).repeat(3)
    assert isinstance(rep, kusari.Sequential) and len(rep) == 3
    assert not np.array_equal(rep[0].W.array, rep[1].W.array)
    shared = L.Linear(2, 3).repeat(2, mode="share")
    assert shared[0].W.array is shared[1].W.array
    again = pickle.loads(pickle.dumps(c2))
    np.testing.assert_array_equal(again.c1.l2.x.array, c2.c1.l2.x.array)
    c2.l3.x.initializer = initializers.Zero("d")
    assert copy.deepcopy(c2).l3.x.dtype == np.float64


def test_grads_and_params_between_links():
    a, b = L.Linear(3, 2), L.Linear(3, 2)
    a.W.grad = np.ones((2, 3), np.float32)
    b.W.grad = np.full((2, 3), 2, np.float32)
    a.b.cleargrad()
    b.b.grad = np.ones(2, np.float32)
    a.addgrads(b)
    np.testing.assert_array_equal(a.W.grad, np.full((2, 3), 3))
    np.testing.assert_array_equal(a.b.grad, [1, 1])
    a.copyparams(b)
    np.testing.assert_array_equal(a.W.array, b.W.array)
    a.cleargrads()
    assert a.W.grad is None
    with pytest.warns(DeprecationWarning, match="zerograds"):
        a.zerograds()
    np.testing.assert_array_equal(a.W.grad, 0)


def test_update_switches():
    m = kusari.Chain(l=L.Linear(2, 2))
    assert not m.update_enabled              # no optimizer: no rules
    kusari.optimizers.SGD().setup(m)
    assert m.update_enabled
    m.disable_update()
    assert not m.update_enabled and not m.l.W.update_rule.enabled
    m.enable_update()
    assert m.l.b.update_rule.enabled


def test_serialize_protocol():
    calls = []
    link = kusari.Link()
    with link.init_scope():
        link.x = kusari.Parameter(shape=(2, 3))
        link.y = kusari.Parameter()
    link.add_persistent("z", 1)

    def loader(key, value):
        calls.append((key, value is None))
        if key == "y":
            return np.full((4,), 5, np.float32)        # initializes y from the file
        return value if key != "z" else 7
    link.serialize(loader)
    assert sorted(calls) == [("x", False), ("y", True), ("z", False)]
    np.testing.assert_array_equal(link.y.array, np.full(4, 5))
    assert link.z == 7


def test_call_forward_hooks_and_init_check():
    seen = []

    class Spy(kusari.LinkHook):
        name = "Spy"

        def forward_preprocess(self, args):
            seen.append(("pre", args.link.name, args.forward_name))

        def forward_postprocess(self, args):
            seen.append(("post", args.out.shape))

    m = kusari.Chain(l=L.Linear(2, 3))
    x = np.ones((1, 2), np.float32)
    with Spy():
        m.l(x)
    m.l.add_hook(Spy())
    m.l(x)
    m.l.delete_hook("Spy")
    m.l(x)
    assert seen == [("pre", "l", "forward"), ("post", (1, 3))] * 2

    class Broken(kusari.Link):
        def __init__(self):
            with self.init_scope():
                pass
    with pytest.raises(RuntimeError, match=r"Link\.__init__\(\) has not been called"):
        Broken()


def test_str():
    m = kusari.Chain(l1=L.Linear(2, 3), l2=L.Linear(None, 1, nobias=True))
    assert str(m) == ("Chain(\n  (l1): Linear(in_size=2, out_size=3, nobias=False),\n"
                      "  (l2): Linear(in_size=None, out_size=1, nobias=True),\n)")
    assert str(kusari.ChainList()) == "ChainList()"
    assert str(kusari.Sequential(F.relu)).startswith("Sequential(\n  (0): <function relu")


def test_sequential():
    rng = np.random.RandomState(0)
    l1, l2 = L.Linear(3, 4), L.Linear(4, 2)
    s = kusari.Sequential(l1, F.relu)
    s.append(l2)
    x = rng.uniform(-1, 1, (5, 3)).astype(np.float32)
    np.testing.assert_allclose(s(x).array, l2(F.relu(l1(x))).array, rtol=1e-6)
    assert [n for n, _ in s.namedparams()] == ["/0/W", "/0/b", "/1/W", "/1/b"]
    s.insert(0, F.tanh)
    assert [c.name for c in s.children()] == ["0", "1"] and len(s) == 4
    s.remove_by_layer_type("relu")
    assert s.count_by_layer_type("Linear") == 2 and len(s) == 3
    assert s.pop(0) is F.tanh
    t = s + kusari.Sequential(F.sigmoid)
    assert len(t) == 3 and t[-1] is F.sigmoid
    with pytest.raises(RuntimeError, match="does not have any layer"):
        kusari.Sequential()(x)
    with pytest.raises(ValueError, match="callable"):
        s.append(3)
    with pytest.raises(ValueError, match="lambda"):
        pickle.dumps(kusari.Sequential(lambda v: v))


def test_linear_against_its_functional_form_and_gradients():
    rng = np.random.RandomState(1)
    np.random.seed(1)
    lin = L.Linear(6, 3)
    x = rng.uniform(-1, 1, (4, 2, 3)).astype(np.float32)
    y = lin(x)
    np.testing.assert_allclose(y.array, x.reshape(4, 6) @ lin.W.array.T + lin.b.array,
                               rtol=1e-6, atol=1e-6)
    lin.cleargrads()
    gy = rng.uniform(-1, 1, (4, 3)).astype(np.float32)
    y.grad = gy
    y.backward()
    np.testing.assert_allclose(lin.W.grad, gy.T @ x.reshape(4, 6), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(lin.b.grad, gy.sum(0), rtol=1e-5, atol=1e-6)
    lazy = L.Linear(3)
    assert lazy(np.ones((2, 5, 4), np.float32), n_batch_axes=2).shape == (2, 5, 3)
    assert lazy.W.shape == (3, 4)
    made = L.Linear.from_params(lin.W, lin.b)
    np.testing.assert_array_equal(made.W.array, lin.W.array)
    assert L.Linear.from_params(lin.W, nobias=True).b is None
    with pytest.raises(kusari.utils.type_check.InvalidType):
        L.Linear(3, 2)(np.ones((4, 1, 2), np.float32))
    assert L.connection.linear.Linear is L.Linear


def test_device_moves_on_the_cpu():
    m = kusari.Chain(l=L.Linear(2, 2))
    m.add_persistent("count", np.zeros(2))
    W = m.l.W.array
    assert m.to_device("@numpy") is m and m.l.W.array is W
    assert m.xp is np and str(m.device) == "@numpy"
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m.to_cpu()
    assert any(issubclass(x.category, DeprecationWarning) for x in w)
    if not kusari.backends.cuda.available:
        with pytest.raises(RuntimeError):
            m.to_gpu()


@pytest.mark.parametrize("x_dtype, w_dtype", [(np.float64, np.float32), (np.float16, np.float32),
                                              (np.float32, np.float64)])
def test_linear_of_mixed_dtypes_promotes_as_chainer(x_dtype, w_dtype):
    rng = np.random.RandomState(3)
    with kusari.using_config("dtype", w_dtype):
        lin = L.Linear(3, 2, initial_bias=initializers.Normal(1, x_dtype))
    x = rng.uniform(-1, 1, (4, 3)).astype(x_dtype)
    y = lin(x)
    assert y.dtype == x_dtype and lin.W.dtype == w_dtype
    wide = np.promote_types(x_dtype, w_dtype)
    want = (x.astype(wide) @ lin.W.array.T.astype(wide)).astype(x_dtype) + lin.b.array
    np.testing.assert_array_equal(y.array, want)
    gy = rng.uniform(-1, 1, (4, 2)).astype(x_dtype)
    xv = kusari.Variable(x)
    lin.cleargrads()
    y = lin(xv)
    y.grad = gy
    y.backward()
    assert xv.grad.dtype == x_dtype and lin.W.grad.dtype == w_dtype
    np.testing.assert_array_equal(
        lin.W.grad, (gy.T.astype(wide) @ x.astype(wide)).astype(w_dtype))
    np.testing.assert_array_equal(
        xv.grad, (gy.astype(wide) @ lin.W.array.astype(wide)).astype(x_dtype))
