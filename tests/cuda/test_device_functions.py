"""Every registry op and public function on device arrays (the strict
stand-in for CuPy, tests/cuda/fake_cupy.py), driven by the special-point
table (tests/functions/special_cases.py, which has an entry for each): the
forward, first and second derivatives computed on the device equal those
computed on the host, special values included, and stay on the device."""
from __future__ import annotations

import functools

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.utils import CooMatrix
from tests.functions import special_cases  # (first: it loads the cases modules)
from tests.functions import cases_conv, cases_math, cases_pooling
from tests.functions.special_cases import CASES
from tests.functions.test_special_points import as_tuple
from tests.helpers import COMPILED, EAGER


# where the host and the device take different random streams (CuPy draws
# with its own generator, as Chainer does on a GPU): compared by shape,
# dtype and device only
RANDOM = frozenset({"dropout", "gaussian", "gumbel_softmax", "rrelu",
                    "simplified_dropconnect", "zoneout"})


@pytest.fixture
def cp(cupy_module, monkeypatch):
    cupy = cupy_module
    # the cases pass fixed arrays of their own (weights, index arrays, labels)
    # to the functions as NumPy arrays: a user on the GPU passes CuPy arrays.
    # Public functions and `call` as the cases see them send those first;
    # kusari's own code calls neither, so a host array it makes itself still
    # meets the device arrays and fails.
    # (also where a case holds the function itself, in a closure)
    public = {}
    for name in dir(F):
        fn = getattr(F, name)
        if callable(fn) and not isinstance(fn, type) and not name.startswith("_"):
            public[fn] = _sending(fn, cupy)
            monkeypatch.setattr(F, name, public[fn])
    for module in (cases_conv, cases_math, cases_pooling, special_cases):
        public[module.call] = _sending(module.call, cupy)
        monkeypatch.setattr(module, "call", public[module.call])
    seen = set()
    for case in CASES.values():
        _rebind(case.fn, public, monkeypatch, seen)
    return cupy


def _rebind(fn, public, monkeypatch, seen):
    """The public functions `fn` holds in its closures (and theirs), wrapped."""
    if id(fn) in seen or not hasattr(fn, "__closure__"):
        return
    seen.add(id(fn))
    for cell in fn.__closure__ or ():
        try:
            held = cell.cell_contents
        except ValueError:                 # (an empty cell)
            continue
        if callable(held) and not isinstance(held, type) and held in public:
            monkeypatch.setattr(cell, "cell_contents", public[held])
        elif hasattr(held, "__closure__"):
            _rebind(held, public, monkeypatch, seen)


def _sending(fn, cupy):
    def send(a):
        if isinstance(a, np.ndarray):
            return cupy.asarray(a)
        if isinstance(a, CooMatrix):
            return CooMatrix(cupy.asarray(a.data.array), cupy.asarray(a.row),
                             cupy.asarray(a.col), a.shape, a.order, a.data.requires_grad)
        if isinstance(a, (tuple, list)):
            return type(a)(send(x) for x in a)
        return a

    @functools.wraps(fn)
    def sending(*args, **kwargs):
        if not _ON_DEVICE:
            return fn(*args, **kwargs)
        return fn(*[send(a) for a in args], **{k: send(v) for k, v in kwargs.items()})
    return sending


_ON_DEVICE: list = []       # non-empty while a case runs on the device


def _run(case, xs, ws, vs, threshold, cp):
    """(outputs, first derivatives, second derivatives) of `case` on `xs`."""
    if cp is not None:
        _ON_DEVICE.append(True)
        try:
            return _run_on(case, xs, ws, vs, threshold, cp.asarray)
        finally:
            _ON_DEVICE.pop()
    return _run_on(case, xs, ws, vs, threshold, np.asarray)


def _run_on(case, xs, ws, vs, threshold, send):
    with kusari.using_config("compile_threshold", threshold), np.errstate(all="ignore"):
        np.random.seed(7)
        variables = [Variable(send(x.copy()), requires_grad=x.dtype.kind == "f") for x in xs]
        ys = as_tuple(case.fn(*variables))
        if case.no_grad:
            return [y.array for y in ys], [], []
        diff = [v for v in variables if v.dtype.kind == "f"]
        gs = kusari.grad(list(ys), diff, grad_outputs=[Variable(send(w)) for w in ws],
                         enable_double_backprop=True)
        total = None
        for g, d in zip(gs, vs):
            if g is not None:
                term = F.sum(g * send(d))
                total = term if total is None else total + term
        ggs = kusari.grad([total], diff) if total is not None and total.creator else \
            [None] * len(diff)
    return ([y.array for y in ys], [None if g is None else g.array for g in gs],
            [None if g is None else g.array for g in ggs])


def _host(a, cp):
    assert type(a) is cp.ndarray, f"a {type(a).__module__}.{type(a).__name__} came back"
    return cp.asnumpy(a)


@pytest.mark.parametrize("tier", ["eager", "compiled"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_device_computes_what_the_host_computes(name, tier, cp):
    case = CASES[name]
    dtype = np.float32
    xs = case.inputs(dtype)
    threshold = EAGER if tier == "eager" else COMPILED
    with np.errstate(all="ignore"):
        ys = [np.asarray(y.array) for y in as_tuple(case.fn(*[Variable(x) for x in xs]))]
    diff = [x for x in xs if x.dtype.kind == "f"]
    ws = case.ws(ys) if case.ws else [np.ones(y.shape, y.dtype) for y in ys]
    vs = case.vs(diff) if case.vs else [np.ones(x.shape, x.dtype) for x in diff]
    want = _run(case, xs, ws, vs, threshold, None)
    got = _run(case, xs, ws, vs, threshold, cp)
    for what, g_list, w_list in zip(("forward", "d1", "d2"), got, want):
        assert len(g_list) == len(w_list)
        for k, (g, w) in enumerate(zip(g_list, w_list)):
            assert (g is None) == (w is None), f"{name} {what}[{k}]"
            if g is None:
                continue
            g = _host(g, cp)
            assert g.shape == w.shape and g.dtype == w.dtype, f"{name} {what}[{k}]"
            if name in RANDOM:
                continue
            if w.dtype.kind != "f":
                np.testing.assert_array_equal(g, w, err_msg=f"{name} {what}[{k}]")
                continue
            bad = ~_same(g, w)
            assert not bad.any(), (f"{name} {what}[{k}] ({tier}): device {g[bad][:6]}, "
                                   f"host {w[bad][:6]}")


def _same(device, host) -> np.ndarray:
    """Where the device's result is the host's: NaN where NaN, the same
    infinities, finite values to 32 units in the last place of the output's
    largest finite value (the host computes some gradients with kernels of
    its own, rounding in another order; cancellation magnifies that)."""
    eps = np.finfo(host.dtype).eps
    finite = np.isfinite(host)
    scale = np.abs(host[finite]).max() if finite.any() else 0
    with np.errstate(all="ignore"):
        close = np.abs(device.astype(np.float64) - host) <= 32 * eps * (np.abs(host) + scale)
    return (np.isnan(device) & np.isnan(host)) | (np.isinf(host) & (device == host)) | \
        (finite & np.isfinite(device) & close)
