"""The hyperparameter shifts: values step by step against their closed
forms, targets, and resuming from a snapshot as if never interrupted."""
import math
import types

import numpy as np
import pytest

from kusari.serializers import npz
from kusari.training import extensions
from tests.training.test_extensions_base import FakeTrainer


def _opt(**attrs):
    return types.SimpleNamespace(**attrs)


def _run(ext, n, opt, trainer):
    """Values of opt.x after initialize and after each of n calls."""
    ext.initialize(trainer)
    values = [opt.x]
    for _ in range(n):
        trainer.step()
        ext(trainer)
        values.append(opt.x)
    return values


CASES = {
    "exponential": (lambda: extensions.ExponentialShift("x", 0.5, init=2.0),
                    lambda t: 2.0 * 0.5 ** t),
    "exponential_target": (lambda: extensions.ExponentialShift("x", 0.5, init=2.0, target=0.3),
                           lambda t: max(2.0 * 0.5 ** t, 0.3)),
    "exponential_up_target": (lambda: extensions.ExponentialShift("x", 2, init=1.0, target=5),
                              lambda t: min(2.0 ** t, 5)),
    "exponential_negative": (lambda: extensions.ExponentialShift("x", 0.5, init=-2.0,
                                                                 target=-0.3),
                             lambda t: min(-2.0 * 0.5 ** t, -0.3)),
    "inverse": (lambda: extensions.InverseShift("x", 0.1, 0.75, init=1.0),
                lambda t: (1 + 0.1 * t) ** -0.75),
    "inverse_target": (lambda: extensions.InverseShift("x", 1.0, 1.0, init=1.0, target=0.2),
                       lambda t: max(1 / (1 + t), 0.2)),
    "step": (lambda: extensions.StepShift("x", 0.1, 3, init=1.0),
             lambda t: 0.1 ** (t // 3)),
    "step_target": (lambda: extensions.StepShift("x", 0.1, 2, init=1.0, target=0.01),
                    lambda t: max(0.1 ** (t // 2), 0.01)),
    "polynomial": (lambda: extensions.PolynomialShift("x", 0.5, 8, init=2.0),
                   lambda t: 2.0 * max(1 - t / 8, 0) ** 0.5),
    "polynomial_target": (lambda: extensions.PolynomialShift("x", 2, 8, init=2.0, target=0.5),
                          lambda t: max(2.0 * max(1 - t / 8, 0) ** 2, 0.5)),
    "linear": (lambda: extensions.LinearShift("x", (1.0, 3.0), (2, 6)),
               lambda t: 1.0 if t <= 2 else 3.0 if t >= 6 else 1.0 + (t - 2) / 4 * 2.0),
    "multistep": (lambda: extensions.MultistepShift("x", 0.1, [2, 5, 7], 1.0),
                  lambda t: 0.1 ** sum(t >= s for s in (2, 5, 7))),
    "warmup": (lambda: extensions.WarmupShift("x", 0.0, 4, 1.0),
               lambda t: min(t, 4) / 4),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_step_by_step(name, tmp_path):
    make, closed = CASES[name]
    opt = _opt(x=123.0)
    trainer = FakeTrainer(tmp_path, optimizers={"main": opt})
    values = _run(make(), 10, opt, trainer)
    np.testing.assert_allclose(values, [closed(t) for t in range(11)], rtol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_resume_continues_as_uninterrupted(name, tmp_path):
    make, _ = CASES[name]
    opt = _opt(x=123.0)
    trainer = FakeTrainer(tmp_path, optimizers={"main": opt})
    full = _run(make(), 9, opt, trainer)

    opt1 = _opt(x=123.0)
    t1 = FakeTrainer(tmp_path, optimizers={"main": opt1})
    first = make()
    _run(first, 4, opt1, t1)
    path = str(tmp_path / "shift.npz")
    npz.save_npz(path, first)

    opt2 = _opt(x=123.0)             # a fresh optimizer: the attribute is not saved
    t2 = FakeTrainer(tmp_path, optimizers={"main": opt2})
    t2.updater.iteration = 4
    second = make()
    npz.load_npz(path, second)
    rest = _run(second, 5, opt2, t2)
    np.testing.assert_allclose(rest, full[4:], rtol=1e-12)
    assert all(isinstance(v, (int, float)) for v in rest), rest


def test_init_read_from_optimizer(tmp_path):
    opt = _opt(x=4.0)
    trainer = FakeTrainer(tmp_path, optimizers={"main": opt})
    values = _run(extensions.ExponentialShift("x", 0.5), 2, opt, trainer)
    assert values == [4.0, 2.0, 1.0]
    opt = _opt(x=4.0)
    values = _run(extensions.WarmupShift("x", None, 2, 8.0), 3,
                  opt, FakeTrainer(tmp_path, optimizers={"main": opt}))
    assert values == [4.0, 6.0, 8.0, 8.0]


def test_explicit_optimizer_wins_over_main(tmp_path):
    main, other = _opt(x=1.0), _opt(x=1.0)
    trainer = FakeTrainer(tmp_path, optimizers={"main": main})
    ext = extensions.StepShift("x", 0.5, 1, optimizer=other)
    ext.initialize(trainer)
    ext(trainer)
    assert (main.x, other.x) == (1.0, 0.5)


@pytest.mark.parametrize("make", [
    lambda: extensions.ExponentialShift("lr", -0.5),
    lambda: extensions.InverseShift("lr", -1, 1),
])
def test_negative_rates_refused(make):
    with pytest.raises(ValueError, match="negative"):
        make()


def test_polynomial_reaches_zero_and_stays(tmp_path):
    opt = _opt(x=1.0)
    values = _run(extensions.PolynomialShift("x", 1, 3), 5, opt,
                  FakeTrainer(tmp_path, optimizers={"main": opt}))
    assert values[3:] == [0.0, 0.0, 0.0]
    assert math.isclose(values[1], 2 / 3)
