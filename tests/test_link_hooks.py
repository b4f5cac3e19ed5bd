"""Link hooks: SpectralNormalization, WeightStandardization and TimerHook
against NumPy computations of what they do."""
from __future__ import annotations

import io

import numpy as np
import pytest

import kusari
import kusari.links as L
from kusari.link_hooks import SpectralNormalization, TimerHook, WeightStandardization


def test_spectral_normalization_divides_by_the_largest_singular_value():
    np.random.seed(0)
    lin = L.Linear(6, 4)
    lin.add_hook(SpectralNormalization(n_power_iteration=30))
    x = np.random.uniform(-1, 1, (3, 6)).astype(np.float32)
    y = lin(x)
    W = lin.W.array
    sigma = np.linalg.svd(W.astype(np.float64), compute_uv=False)[0]
    np.testing.assert_allclose(y.array, x @ (W / sigma).T + lin.b.array, rtol=1e-4)
    assert isinstance(lin.W, kusari.Parameter) and "W_u" in lin._persistent
    lin.cleargrads()
    y.grad = np.ones_like(y.array)
    y.backward()
    assert lin.W.grad is not None and lin.W.grad.shape == (4, 6)
    lin.delete_hook("SpectralNormalization")
    assert not hasattr(lin, "W_u")


def test_spectral_normalization_with_gamma_and_errors():
    lin = L.Linear(5, 3)
    lin.add_hook(SpectralNormalization(use_gamma=True))
    s0 = np.linalg.svd(lin.W.array, compute_uv=False)[0]
    np.testing.assert_allclose(lin.gamma.array, s0, rtol=1e-5)
    assert "/gamma" in dict(lin.namedparams())
    with pytest.raises(ValueError, match="Weight 'V' does not exist"):
        L.Linear(2, 2).add_hook(SpectralNormalization(weight_name="V"))
    with pytest.raises(NotImplementedError, match="context manager"):
        with SpectralNormalization():
            pass


def test_weight_standardization_standardizes_each_output_unit():
    np.random.seed(1)
    lin = L.Linear(None, 3)
    lin.add_hook(WeightStandardization())
    x = np.random.uniform(-1, 1, (2, 5)).astype(np.float32)
    y = lin(x)
    W = lin.W.array.astype(np.float64)
    Ws = (W - W.mean(1, keepdims=True)) / np.sqrt(W.var(1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(y.array, x @ Ws.T + lin.b.array, rtol=1e-4, atol=1e-5)
    assert isinstance(lin.W, kusari.Parameter)


def test_timer_hook_records_each_forward():
    m = kusari.Sequential(L.Linear(3, 2), L.Linear(2, 1))
    with TimerHook() as hook:
        m(np.ones((1, 3), np.float32))
    assert [name for name, _ in hook.call_history] == ["Linear", "Linear", "Sequential"]
    assert hook.total_time() == hook.call_history[-1][1]
    assert hook.summary()["Linear"]["occurrence"] == 2
    out = io.StringIO()
    hook.print_report(file=out)
    assert out.getvalue().splitlines()[0].split() == ["LinkName", "ElapsedTime",
                                                      "Occurrence"]
