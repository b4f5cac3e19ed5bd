"""Links on the device (the stand-in for CuPy, or a GPU with --cupy): a
link sent with to_device('@cupy:0') gives the host link's outputs and
parameter gradients, and keeps them on the device."""
from __future__ import annotations

import numpy as np
import pytest

import kusari.functions as F
import kusari.links as L


@pytest.fixture
def cp(cupy_module):
    return cupy_module


def _x(*shape):
    return np.random.RandomState(len(shape)).rand(*shape).astype(np.float32)


LINKS = {
    "Linear": (lambda: L.Linear(4, 3), lambda: (_x(2, 4),)),
    "Convolution2D": (lambda: L.Convolution2D(2, 3, 3, pad=1), lambda: (_x(1, 2, 5, 5),)),
    "Deconvolution2D": (lambda: L.Deconvolution2D(2, 3, 3), lambda: (_x(1, 2, 4, 4),)),
    "BatchNormalization": (lambda: L.BatchNormalization(3), lambda: (_x(4, 3),)),
    "LayerNormalization": (lambda: L.LayerNormalization(3), lambda: (_x(4, 3),)),
    "GroupNormalization": (lambda: L.GroupNormalization(1, 4), lambda: (_x(2, 4, 3),)),
    "LSTM": (lambda: L.LSTM(3, 4), lambda: (_x(2, 3),)),
    "StatelessGRU": (lambda: L.StatelessGRU(3, 4), lambda: (_x(2, 4), _x(2, 3))),
    "EmbedID": (lambda: L.EmbedID(5, 3), lambda: (np.array([0, 4, 2], np.int32),)),
    "NStepLSTM": (lambda: L.NStepLSTM(1, 3, 4, 0.0),
                  lambda: (None, None, [_x(3, 3), _x(2, 3)])),
    "Maxout": (lambda: L.Maxout(4, 3, 2), lambda: (_x(2, 4),)),
    "PReLU": (lambda: L.PReLU(), lambda: (_x(2, 4),)),
    "Highway": (lambda: L.Highway(4), lambda: (_x(2, 4),)),
    "Bilinear": (lambda: L.Bilinear(3, 2, 4), lambda: (_x(2, 3), _x(2, 2))),
    "Classifier": (lambda: L.Classifier(L.Linear(4, 3)),
                   lambda: (_x(2, 4), np.array([0, 2], np.int32))),
}


def _output(y):
    if isinstance(y, tuple):            # (h, c, ys) of the NStep links: the ys
        y = y[-1]
    return F.concat(y, axis=0) if isinstance(y, list) else y


@pytest.mark.parametrize("name", sorted(LINKS))
def test_a_link_on_the_device_computes_what_it_computes_on_the_host(name, cp):
    make, inputs = LINKS[name]
    np.random.seed(1)
    host = make()
    np.random.seed(1)
    device = make()
    device.to_device("@cupy:0")
    args = inputs()
    sent = [None if a is None else [cp.asarray(v) for v in a] if isinstance(a, list)
            else cp.asarray(a) for a in args]
    y_h, y_d = _output(host(*args)), _output(device(*sent))
    for y in (y_h, y_d):
        F.sum(y * y).backward()
    assert type(y_d.array) is cp.ndarray
    np.testing.assert_allclose(cp.asnumpy(y_d.array), y_h.array, rtol=1e-5, atol=1e-6)
    grads = 0
    for (path, p_h), (_, p_d) in zip(sorted(host.namedparams()), sorted(device.namedparams())):
        assert type(p_d.array) is cp.ndarray, path
        if p_h.grad is not None:
            grads += 1
            assert type(p_d.grad) is cp.ndarray, path
            np.testing.assert_allclose(cp.asnumpy(p_d.grad), p_h.grad, rtol=1e-4, atol=1e-5,
                                       err_msg=path)
    assert grads > 0
