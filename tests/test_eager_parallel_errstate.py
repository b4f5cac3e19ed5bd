"""Large eager ops split over worker threads run under the caller's NumPy
error state (np.errstate / np.seterr) and report floating-point errors as
one NumPy call on the caller's thread does: ignored, warned once each, or
raised (FloatingPointError) in the caller."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import kusari.functions as F
from kusari import Variable, function_node
from kusari.runtime import blocked


@pytest.fixture
def small_splits(monkeypatch):
    monkeypatch.setattr(blocked, "PER_THREAD", 8)
    monkeypatch.setattr(function_node, "EAGER_PARALLEL", 16)
    blocked.set_workers(3)
    yield
    blocked.set_workers(None)


@pytest.fixture
def two_workers():
    blocked.set_workers(2)
    yield
    blocked.set_workers(None)


def _split(monkeypatch):
    """Record how many parts each parallel_elementwise call ran in."""
    parts = []
    over = blocked.over_threads

    def counting(task, n, w):
        parts.append(w)
        return over(task, n, w)
    monkeypatch.setattr(blocked, "over_threads", counting)
    return parts


def _outcome(f, x, **state):
    """(result, [(category, message)...], exception) of f(x) under `state`."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(**state):
        warnings.simplefilter("always")
        try:
            out = f(x)
        except FloatingPointError as e:
            return None, [(w.category, str(w.message)) for w in caught], str(e)
    return out, [(w.category, str(w.message)) for w in caught], None


def _log_input(n):
    # a negative (invalid) in the first part, zeros (divide by zero) in the last
    x = np.linspace(1, 2, n)
    x[:5] = -1.0
    x[-5:] = 0.0
    return x


CASES = {
    "exp overflows everywhere": (F.exp, np.exp, lambda n: np.full(n, 1000.0)),
    "log: invalid first, divide last": (F.log, np.log, _log_input),
    "exp: underflow first, overflow last": (
        F.exp, np.exp, lambda n: np.concatenate([np.full(n // 2, -1000.0),
                                                 np.full(n - n // 2, 1000.0)])),
    "sqrt of negatives": (F.sqrt, np.sqrt, lambda n: np.linspace(-1, 1, n)),
}
STATES = {
    "default": {},
    "ignore": {"all": "ignore"},
    "warn": {"all": "warn"},
    "raise": {"all": "raise"},
    "mixed": {"divide": "raise", "invalid": "warn", "over": "ignore", "under": "warn"},
    "mixed2": {"divide": "warn", "invalid": "raise", "over": "raise", "under": "warn"},
}


@pytest.mark.parametrize("state", STATES, ids=list(STATES))
@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_like_one_numpy_call(small_splits, monkeypatch, case, state):
    f, ref, make = CASES[case]
    parts = _split(monkeypatch)
    x = make(301)
    got, got_warnings, got_error = _outcome(lambda a: f(Variable(a)).array, x,
                                            **STATES[state])
    assert parts and max(parts) == 3           # really split over the threads
    want, want_warnings, want_error = _outcome(ref, x, **STATES[state])
    assert got_error == want_error
    assert got_warnings == want_warnings
    if want is not None:
        np.testing.assert_array_equal(got, want)


def test_raise_reaches_the_caller_on_a_large_array(two_workers, monkeypatch):
    parts = _split(monkeypatch)
    n = 2 * blocked.PER_THREAD + 10             # above the real thresholds
    assert n >= function_node.EAGER_PARALLEL
    x = np.ones(n, np.float32)
    x[-1] = 100.0                               # overflows in the worker's part only
    with np.errstate(all="raise"):
        with pytest.raises(FloatingPointError, match="overflow encountered in exp"):
            F.exp(Variable(x))
    assert parts == [2]
    np.seterr(over="raise")
    try:
        with pytest.raises(FloatingPointError, match="overflow encountered in exp"):
            F.exp(Variable(x))
    finally:
        np.seterr(over="warn")
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        y = F.exp(Variable(x)).array
    assert np.isinf(y[-1]) and y[0] == np.exp(np.float32(1))
    with pytest.warns(RuntimeWarning, match="overflow encountered in exp") as record:
        F.exp(Variable(x))
    assert len(record) == 1


def test_call_and_log_modes(small_splits):
    x = _log_input(301)
    calls, want_calls = [], []

    class Log:
        def __init__(self, into):
            self.into = into

        def write(self, m):
            self.into.append(m)

    with np.errstate(all="call", call=lambda *a: calls.append(a)):
        F.log(Variable(x))
    with np.errstate(all="call", call=lambda *a: want_calls.append(a)):
        np.log(x)
    assert calls == want_calls == [("divide by zero", 9), ("invalid value", 9)]
    logged, want_logged = [], []
    with np.errstate(all="log", call=Log(logged)):
        F.log(Variable(x))
    with np.errstate(all="log", call=Log(want_logged)):
        np.log(x)
    assert logged == want_logged and len(logged) == 2


def test_workers_keep_no_error_state(small_splits):
    # the worker threads' own state is not changed by a call
    with np.errstate(all="raise"):
        with pytest.raises(FloatingPointError):
            F.exp(Variable(np.full(301, 1000.0)))
    states = [blocked.pool().submit(np.geterr).result() for _ in range(4)]
    assert all(s == states[0] for s in states) and states[0]["over"] == "warn"


@pytest.mark.parametrize("state", ["ignore", "warn", "raise"])
def test_compiled_kernels_on_threads(monkeypatch, state):
    # a compiled kernel's blocks run on the same threads, under the same rule
    import kusari
    import kusari.compiler as kc
    from kusari.compiler.codegen import numpy_gen
    kc.clear_cache()                            # (kernels generated under other settings)
    monkeypatch.setattr(numpy_gen, "BLOCKED_MIN", 1)
    monkeypatch.setattr(blocked, "MAX_BLOCK", 4096)
    monkeypatch.setattr(blocked, "MIN_BLOCK", 4096)
    monkeypatch.setattr(blocked, "PER_THREAD", 1)
    blocked.set_workers(2)
    try:
        parts = _split(monkeypatch)
        x = np.linspace(-1, 1, 5 * 4096 + 3)
        x[-1] = 1000.0                          # overflows in the last block only
        f = kusari.compile(kusari.trace(lambda v: F.exp(v) * 2 + v, x))
        assert "run block by block" in f.source
        got = _outcome(f, x, all=state)
        assert parts == [2]
        want = _outcome(lambda a: np.exp(a) * 2 + a, x, all=state)
        assert got[1:] == want[1:]
        if want[0] is not None:
            np.testing.assert_allclose(got[0], want[0], rtol=1e-14)
    finally:
        blocked.set_workers(None)
        kc.clear_cache()
