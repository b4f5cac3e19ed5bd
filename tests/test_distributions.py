"""kusari.distributions (Chainer's chainer.distributions).

Each distribution's log_prob, moments and entropy are checked against
closed forms written here from the textbook formulas (math.lgamma, a digamma
by central differences of it) and, for the one-dimensional ones, against
quadrature of the density itself (it integrates to 1, its moments and entropy
are what the properties say). KL divergences are checked against quadrature
or exact sums of p log(p/q), or the textbook closed forms. Gradients of
log_prob, entropy and KL with respect to the parameters are checked to the
second order against finite differences (tests/helpers.py). float32
parameters give float32 results; sampling draws from NumPy's global
generator as Chainer 7.8.1 does.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import distributions as D
from kusari import testing
from tests.helpers import check_double_grad, check_grad

lgamma = np.vectorize(math.lgamma)
_trapezoid = getattr(np, "trapezoid", None) or np.trapz     # (NumPy 1 names it trapz)


def digamma(x):
    h = 1e-5
    return (lgamma(x + h) - lgamma(x - h)) / (2 * h)


def a64(*values):
    return np.array(values, dtype=np.float64)


def close(actual, expected, rtol=1e-6, atol=1e-9):
    actual = actual.array if isinstance(actual, kusari.Variable) else actual
    np.testing.assert_allclose(np.asarray(actual, np.float64), expected, rtol=rtol, atol=atol)


# name -> (constructor from params, params (float64, batch (3,)), reference
#          log density, reference mean, variance, entropy, quadrature grid or None)
def _ref_normal(x, loc, scale):
    return -0.5 * np.log(2 * np.pi * scale ** 2) - (x - loc) ** 2 / (2 * scale ** 2)


def _ref_beta(x, a, b):
    return ((a - 1) * np.log(x) + (b - 1) * np.log1p(-x)
            - (lgamma(a) + lgamma(b) - lgamma(a + b)))


def _ref_gamma(x, k, theta):
    return (k - 1) * np.log(x) - x / theta - lgamma(k) - k * np.log(theta)


def _ref_gumbel(x, loc, scale):
    z = (x - loc) / scale
    return -np.log(scale) - z - np.exp(-z)


def _ref_lognormal(x, mu, sigma):
    return _ref_normal(np.log(x), mu, sigma) - np.log(x)


def _ref_chisquare(x, k):
    return _ref_gamma(x, k / 2, 2.0)


CONTINUOUS = {
    "Normal": (
        lambda p: D.Normal(p["loc"], p["scale"]),
        {"loc": a64(-1.0, 0.3, 2.0), "scale": a64(0.5, 1.0, 2.5)},
        _ref_normal,
        lambda p: p["loc"], lambda p: p["scale"] ** 2,
        lambda p: 0.5 * np.log(2 * np.pi * np.e * p["scale"] ** 2),
        lambda p: np.linspace(-15, 15, 60001)),
    "Beta": (
        lambda p: D.Beta(p["a"], p["b"]),
        {"a": a64(1.5, 2.0, 4.0), "b": a64(2.5, 1.2, 3.0)},
        _ref_beta,
        lambda p: p["a"] / (p["a"] + p["b"]),
        lambda p: p["a"] * p["b"] / ((p["a"] + p["b"]) ** 2 * (p["a"] + p["b"] + 1)),
        lambda p: (lgamma(p["a"]) + lgamma(p["b"]) - lgamma(p["a"] + p["b"])
                   - (p["a"] - 1) * digamma(p["a"]) - (p["b"] - 1) * digamma(p["b"])
                   + (p["a"] + p["b"] - 2) * digamma(p["a"] + p["b"])),
        lambda p: np.linspace(1e-9, 1 - 1e-9, 200001)),
    "Cauchy": (
        lambda p: D.Cauchy(p["loc"], p["scale"]),
        {"loc": a64(-1.0, 0.0, 2.0), "scale": a64(0.5, 1.0, 3.0)},
        lambda x, loc, scale: -np.log(np.pi * scale * (1 + ((x - loc) / scale) ** 2)),
        None, None,
        lambda p: np.log(4 * np.pi * p["scale"]),
        None),
    "Chisquare": (
        lambda p: D.Chisquare(p["k"]),
        {"k": a64(2.0, 3.5, 7.0)},
        _ref_chisquare,
        lambda p: p["k"], lambda p: 2 * p["k"],
        lambda p: (p["k"] / 2 + np.log(2) + lgamma(p["k"] / 2)
                   + (1 - p["k"] / 2) * digamma(p["k"] / 2)),
        lambda p: np.linspace(1e-12, 120, 240001)),
    "Exponential": (
        lambda p: D.Exponential(p["lam"]),
        {"lam": a64(0.5, 1.0, 3.0)},
        lambda x, lam: np.log(lam) - lam * x,
        lambda p: 1 / p["lam"], lambda p: 1 / p["lam"] ** 2,
        lambda p: 1 - np.log(p["lam"]),
        lambda p: np.linspace(0, 80, 160001)),
    "Gamma": (
        lambda p: D.Gamma(p["k"], p["theta"]),
        {"k": a64(1.0, 2.5, 5.0), "theta": a64(0.5, 1.0, 2.0)},
        _ref_gamma,
        lambda p: p["k"] * p["theta"], lambda p: p["k"] * p["theta"] ** 2,
        lambda p: (p["k"] + np.log(p["theta"]) + lgamma(p["k"])
                   + (1 - p["k"]) * digamma(p["k"])),
        lambda p: np.linspace(1e-12, 120, 240001)),
    "Gumbel": (
        lambda p: D.Gumbel(p["loc"], p["scale"]),
        {"loc": a64(-1.0, 0.5, 2.0), "scale": a64(0.5, 1.0, 2.0)},
        _ref_gumbel,
        lambda p: p["loc"] + np.euler_gamma * p["scale"],
        lambda p: np.pi ** 2 / 6 * p["scale"] ** 2,
        lambda p: np.log(p["scale"]) + np.euler_gamma + 1,
        lambda p: np.linspace(-10, 60, 140001)),
    "Laplace": (
        lambda p: D.Laplace(p["loc"], p["scale"]),
        {"loc": a64(-1.0, 0.5, 2.0), "scale": a64(0.5, 1.0, 2.0)},
        lambda x, loc, scale: -np.log(2 * scale) - np.abs(x - loc) / scale,
        lambda p: p["loc"], lambda p: 2 * p["scale"] ** 2,
        lambda p: 1 + np.log(2 * p["scale"]),
        lambda p: np.linspace(-60, 60, 240001)),
    "LogNormal": (
        lambda p: D.LogNormal(p["mu"], p["sigma"]),
        {"mu": a64(-0.5, 0.0, 0.5), "sigma": a64(0.3, 0.5, 0.6)},
        _ref_lognormal,
        lambda p: np.exp(p["mu"] + p["sigma"] ** 2 / 2),
        lambda p: np.expm1(p["sigma"] ** 2) * np.exp(2 * p["mu"] + p["sigma"] ** 2),
        lambda p: p["mu"] + 0.5 * np.log(2 * np.pi * np.e * p["sigma"] ** 2),
        lambda p: np.geomspace(1e-6, 200, 400001)),
    "Pareto": (
        lambda p: D.Pareto(p["scale"], p["alpha"]),
        {"scale": a64(0.5, 1.0, 2.0), "alpha": a64(2.5, 3.0, 6.0)},
        lambda x, scale, alpha: np.log(alpha) + alpha * np.log(scale) - (alpha + 1) * np.log(x),
        lambda p: p["alpha"] * p["scale"] / (p["alpha"] - 1),
        lambda p: p["scale"] ** 2 * p["alpha"] / ((p["alpha"] - 1) ** 2 * (p["alpha"] - 2)),
        lambda p: np.log(p["scale"] / p["alpha"]) + 1 / p["alpha"] + 1,
        None),
    "Uniform": (
        lambda p: D.Uniform(low=p["low"], high=p["high"]),
        {"low": a64(-1.0, 0.0, 2.0), "high": a64(0.5, 3.0, 2.5)},
        lambda x, low, high: np.where((x >= low) & (x <= high), -np.log(high - low), -np.inf),
        lambda p: (p["low"] + p["high"]) / 2, lambda p: (p["high"] - p["low"]) ** 2 / 12,
        lambda p: np.log(p["high"] - p["low"]),
        None),
}


def _points(name, params, shape=(4, 3)):
    """Points inside the support of each batch member."""
    rng = np.random.default_rng(3)
    u = rng.uniform(0.05, 0.95, shape)
    if name == "Beta":
        return u
    if name == "Uniform":
        return params["low"] + u * (params["high"] - params["low"])
    if name == "Pareto":
        return params["scale"] * (1 + 3 * u)
    if name in ("Chisquare", "Exponential", "Gamma", "LogNormal"):
        return 0.1 + 4 * u
    return -3 + 6 * u


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_continuous_log_prob_moments_entropy(name):
    make, params, ref, mean, var, entropy, _ = CONTINUOUS[name]
    dist = make(params)
    x = _points(name, params)
    close(dist.log_prob(x), ref(x, **params), rtol=1e-9)
    if name in ("Normal", "Laplace"):
        close(dist.prob(x), np.exp(ref(x, **params)), rtol=1e-9)
    assert dist.batch_shape == (3,) and dist.event_shape == ()
    if mean is not None:
        close(dist.mean, mean(params), rtol=1e-9)
        close(dist.variance, var(params), rtol=1e-9)
    close(dist.entropy, entropy(params), rtol=1e-7, atol=1e-9)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # log 0 at the ends of a grid
@pytest.mark.parametrize("name", sorted(n for n in CONTINUOUS if CONTINUOUS[n][6]))
def test_continuous_density_integrates(name):
    """Quadrature of the density: mass 1, and the mean, variance and entropy
    the properties give (an independent check of the closed forms)."""
    make, params, _, _, _, _, grid = CONTINUOUS[name]
    dist = make(params)
    x = grid(params)[:, None] * np.ones(3)
    logp = dist.log_prob(x).array
    p = np.exp(logp)
    plogp = np.where(p > 0, p * logp, 0.0)
    integral = lambda y: _trapezoid(y, x, axis=0)  # noqa: E731
    close(integral(p), np.ones(3), rtol=2e-4)
    m = integral(x * p)
    close(m, dist.mean.array, rtol=2e-4, atol=2e-4)
    close(integral((x - m) ** 2 * p), dist.variance.array, rtol=2e-3)
    close(-integral(plogp), dist.entropy.array, rtol=2e-3, atol=2e-4)


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_continuous_log_prob_gradients(name):
    make, params, _, _, _, _, _ = CONTINUOUS[name]
    keys = sorted(params)
    x = _points(name, params, shape=(2, 3))
    if name == "Uniform":
        # log_prob is -log(high - low) inside: a gradient for the bounds
        def f(*arrays):
            return make(dict(zip(keys, arrays[:-1]))).log_prob(arrays[-1])
        check_grad(f, [params[k] for k in keys] + [x], np.float64, no_grad=(2,))
        return
    def f(*arrays):
        return make(dict(zip(keys, arrays[:-1]))).log_prob(arrays[-1])
    arrays = [params[k] for k in keys] + [x]
    check_grad(f, arrays, np.float64)
    check_double_grad(f, arrays, np.float64)


@pytest.mark.parametrize("name", ["Beta", "Chisquare", "Gamma", "Gumbel", "LogNormal",
                                  "Normal", "Pareto"])
def test_entropy_gradients(name):
    make, params, _, _, _, _, _ = CONTINUOUS[name]
    keys = sorted(params)

    def f(*arrays):
        return make(dict(zip(keys, arrays))).entropy
    arrays = [params[k] for k in keys]
    # a location moves the density without changing its entropy: no gradient
    no_grad = (0,) if name in ("Gumbel", "Normal") else ()
    check_grad(f, arrays, np.float64, no_grad=no_grad)
    check_double_grad(f, arrays, np.float64, no_grad=no_grad)


# -- cdf and icdf ---------------------------------------------------------------------

def test_cdf_icdf_against_closed_forms():
    x = np.linspace(-4, 4, 17)[:, None] * np.ones(3)
    loc, scale = a64(-1.0, 0.3, 2.0), a64(0.5, 1.0, 2.5)
    z = (x - loc) / scale
    normal = D.Normal(loc, scale)
    erf = np.vectorize(math.erf)
    close(normal.cdf(x), 0.5 * (1 + erf(z / np.sqrt(2))), rtol=1e-12, atol=1e-15)
    close(normal.survival_function(x), 0.5 * (1 - erf(z / np.sqrt(2))), rtol=1e-12,
          atol=1e-15)
    close(normal.log_cdf(x), np.log(0.5 * np.vectorize(math.erfc)(-z / np.sqrt(2))),
          rtol=1e-12)
    close(normal.log_survival_function(x),
          np.log(0.5 * np.vectorize(math.erfc)(z / np.sqrt(2))), rtol=1e-12)
    q = np.linspace(0.01, 0.99, 9)[:, None] * np.ones(3)
    close(normal.cdf(normal.icdf(q)), q, rtol=1e-12)

    laplace = D.Laplace(loc, scale)
    close(laplace.cdf(x), np.where(z < 0, 0.5 * np.exp(z), 1 - 0.5 * np.exp(-z)), rtol=1e-12)
    close(laplace.icdf(q), loc - scale * np.sign(q - 0.5) * np.log1p(-2 * np.abs(q - 0.5)),
          rtol=1e-12, atol=1e-15)
    cauchy = D.Cauchy(loc, scale)
    close(cauchy.cdf(x), 0.5 + np.arctan(z) / np.pi, rtol=1e-12)
    close(cauchy.icdf(q), loc + scale * np.tan(np.pi * (q - 0.5)), rtol=1e-12, atol=1e-14)
    lam = a64(0.5, 1.0, 3.0)
    expo = D.Exponential(lam)
    xp = np.abs(x)
    close(expo.cdf(xp), 1 - np.exp(-lam * xp), rtol=1e-12)
    close(expo.icdf(q), -np.log1p(-q) / lam, rtol=1e-12)
    uni = D.Uniform(low=loc, high=loc + scale)
    close(uni.cdf(x), np.clip(z, 0, 1), rtol=1e-12)
    close(uni.icdf(q), loc + q * scale, rtol=1e-12)


def test_laplace_cdf_icdf_helpers():
    """Chainer's private _laplace_cdf / _laplace_icdf: values, the gradient
    exp(-|x|)/2 (also at 0, where |x| has a kink) and 1 / (1/2 - |q - 1/2|),
    no overflow at large |x|, and second derivatives."""
    from kusari.distributions.laplace import _laplace_cdf, _laplace_icdf
    x = kusari.Variable(a64(-800.0, -2.0, 0.0, 0.5, 3.0, 800.0))
    y = _laplace_cdf(x)
    close(y, np.where(x.array < 0, 0.5 * np.exp(x.array), 1 - 0.5 * np.exp(-x.array)),
          rtol=1e-15, atol=0)
    F.sum(y).backward()
    close(x.grad, 0.5 * np.exp(-np.abs(x.array)), rtol=1e-15, atol=0)
    q = kusari.Variable(a64(1e-12, 0.2, 0.5, 0.7, 1 - 1e-9))
    t = _laplace_icdf(q)
    close(_laplace_cdf(t), q.array, rtol=1e-9)
    F.sum(t).backward()
    close(q.grad, 1 / np.minimum(q.array, 1 - q.array), rtol=1e-9)
    check_grad(_laplace_cdf, [a64(-2.0, -0.3, 0.4, 1.5)], np.float64)
    check_double_grad(_laplace_cdf, [a64(-2.0, -0.3, 0.4, 1.5)], np.float64)
    check_grad(_laplace_icdf, [a64(0.1, 0.3, 0.6, 0.9)], np.float64)
    check_double_grad(_laplace_icdf, [a64(0.1, 0.3, 0.6, 0.9)], np.float64)


def test_cdf_gradients():
    loc, scale = a64(-1.0, 0.3, 2.0), a64(0.5, 1.0, 2.5)
    x = np.linspace(-2, 2, 6).reshape(2, 3) + 0.1     # off Laplace's kink at x = loc
    for make in (D.Normal, D.Laplace, D.Cauchy):
        f = lambda loc, scale, x, make=make: make(loc, scale).cdf(x)  # noqa: E731
        check_grad(f, [loc, scale, x], np.float64)
        check_double_grad(f, [loc, scale, x], np.float64)
        q = np.array([[0.1, 0.5, 0.8], [0.3, 0.6, 0.95]])
        g = lambda loc, scale, q, make=make: make(loc, scale).icdf(q)  # noqa: E731
        check_grad(g, [loc, scale, q], np.float64)


# -- discrete distributions ---------------------------------------------------------------

def test_bernoulli():
    p = a64(0.1, 0.5, 0.85)
    dist = D.Bernoulli(p)
    x = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
    ref = np.where(x == 1, np.log(p), np.log1p(-p))
    close(dist.log_prob(x), ref, rtol=1e-12)
    close(dist.prob(x), np.exp(ref), rtol=1e-12)
    close(dist.mean, p)
    close(dist.variance, p * (1 - p))
    close(dist.stddev, np.sqrt(p * (1 - p)))
    close(dist.entropy, -(p * np.log(p) + (1 - p) * np.log1p(-p)), rtol=1e-12)
    close(dist.params["logit"], np.log(p / (1 - p)), rtol=1e-12)
    logit_dist = D.Bernoulli(logit=np.log(p / (1 - p)))
    close(logit_dist.p, p, rtol=1e-12)
    assert dist.support == "{0, 1}"
    # binary_check: -inf / 0 off {0, 1}
    checked = D.Bernoulli(p, binary_check=True)
    half = np.full((2, 3), 0.5)
    assert np.all(checked.log_prob(half).array == -np.inf)
    assert np.all(checked.prob(half).array == 0)
    assert np.all(np.isfinite(dist.log_prob(half).array))
    with pytest.raises(ValueError, match="Either `p` or `logit`"):
        D.Bernoulli(p, logit=p)
    # entropy where p is 0 or 1: 0, and asking for its gradient warns (Chainer's
    # RuntimeWarning), while the gradient elsewhere is log((1 - p) / p)
    edge = kusari.Variable(a64(0.0, 0.3, 1.0))
    ent = D.Bernoulli(edge).entropy
    close(ent, [0.0, -(0.3 * np.log(0.3) + 0.7 * np.log(0.7)), 0.0], rtol=1e-12)
    with pytest.warns(RuntimeWarning, match="zero input"):
        F.sum(ent).backward()
    close(edge.grad[1], np.log(0.7 / 0.3), rtol=1e-12)


def test_bernoulli_log_prob_infinite_logits():
    """Chainer's _bernoulli_log_prob: log(x) at logit +inf, log(1 - x) at
    -inf, a NaN gradient there, x - sigmoid(logit) elsewhere."""
    from kusari.distributions.bernoulli import _bernoulli_log_prob
    logit = kusari.Variable(np.array([np.inf, np.inf, -np.inf, -np.inf, 0.7, -30.0]))
    x = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # no log(0) is computed
        y = _bernoulli_log_prob(logit, x)
    close(y, [0.0, -np.inf, -np.inf, 0.0, -np.log1p(np.exp(-0.7)), -np.log1p(np.exp(-30.0))],
          rtol=1e-12)
    F.sum(y).backward()
    g = logit.grad
    assert np.all(np.isnan(g[:4]))
    close(g[4:], x[4:] - 1 / (1 + np.exp(-logit.array[4:])), rtol=1e-12)
    f = lambda logit: _bernoulli_log_prob(logit, np.array([[1.0, 0.0], [0.0, 1.0]]))  # noqa
    check_grad(f, [np.array([[0.3, -1.2], [2.0, 0.1]])], np.float64)
    check_double_grad(f, [np.array([[0.3, -1.2], [2.0, 0.1]])], np.float64)
    # a scalar logit against a vector of points
    y = _bernoulli_log_prob(np.array(0.5, np.float32),
                            np.array([0, 1, 1], np.float32))
    assert y.shape == (3,) and y.dtype == np.float32


def test_geometric_poisson_sums():
    p = a64(0.2, 0.5, 0.9)
    geo = D.Geometric(p)
    k = np.arange(1, 400)[:, None] * np.ones(3)
    logp = geo.log_prob(k).array
    close(logp, (k - 1) * np.log1p(-p) + np.log(p), rtol=1e-12)
    close(np.exp(logp).sum(0), np.ones(3), rtol=1e-10)
    close((k * np.exp(logp)).sum(0), geo.mean.array, rtol=1e-9)
    close(((k - 1 / p) ** 2 * np.exp(logp)).sum(0), geo.variance.array, rtol=1e-8)
    lam = a64(0.5, 3.0, 12.0)
    poi = D.Poisson(lam)
    k = np.arange(0, 120)[:, None] * np.ones(3)
    logp = poi.log_prob(k.astype(np.int32)).array
    close(logp, k * np.log(lam) - lam - lgamma(k + 1), rtol=1e-12)
    close(np.exp(logp).sum(0), np.ones(3), rtol=1e-10)
    close((k * np.exp(logp)).sum(0), poi.mean.array, rtol=1e-9)
    close(((k - lam) ** 2 * np.exp(logp)).sum(0), poi.variance.array, rtol=1e-8)
    check_grad(lambda p: D.Geometric(p).log_prob(np.array([1.0, 3.0, 6.0])), [p], np.float64)
    check_double_grad(lambda p: D.Geometric(p).log_prob(np.array([1.0, 3.0, 6.0])), [p],
                      np.float64)
    check_grad(lambda lam: D.Poisson(lam).log_prob(np.array([0, 2, 9])), [lam], np.float64)
    check_double_grad(lambda lam: D.Poisson(lam).log_prob(np.array([0, 2, 9])), [lam],
                      np.float64)


def _simplex(shape, seed):
    e = np.exp(np.random.default_rng(seed).normal(size=shape))
    return e / e.sum(-1, keepdims=True)


def test_categorical_and_one_hot():
    p = _simplex((2, 3, 4), 0)
    cat = D.Categorical(p)
    x = np.array([[0, 3, 1], [2, 2, 0]])
    ref = np.log(np.take_along_axis(p, x[..., None], -1)[..., 0])
    close(cat.log_prob(x), ref, rtol=1e-12)
    # a sample axis in front
    xs = np.stack([x, x[::-1]])
    close(cat.log_prob(xs)[1], np.log(np.take_along_axis(p, x[::-1][..., None], -1)[..., 0]),
          rtol=1e-12)
    close(cat.entropy, -(p * np.log(p)).sum(-1), rtol=1e-12)
    assert cat.batch_shape == (2, 3) and cat.event_shape == ()
    logit = np.log(p) + 5.0
    close(D.Categorical(logit=logit).p, p, rtol=1e-12)
    close(D.Categorical(logit=logit).log_prob(x), ref, rtol=1e-12)
    oh = D.OneHotCategorical(p)
    onehot = np.eye(4)[x]
    close(oh.log_prob(onehot), ref, rtol=1e-12)
    close(oh.mean, p)
    close(oh.variance, p * (1 - p))
    assert oh.batch_shape == (2, 3) and oh.event_shape == (4,)
    check_grad(lambda p: D.Categorical(p).log_prob(x), [p], np.float64)
    check_grad(lambda lg: D.Categorical(logit=lg).log_prob(x), [logit], np.float64)
    check_double_grad(lambda lg: D.Categorical(logit=lg).log_prob(x), [logit], np.float64)
    check_grad(lambda p: D.OneHotCategorical(p).log_prob(onehot), [p], np.float64)
    check_grad(lambda p: D.Categorical(p).entropy, [p], np.float64)
    check_double_grad(lambda p: D.Categorical(p).entropy, [p], np.float64)


def test_dirichlet():
    alpha = np.array([[1.5, 2.0, 3.0], [0.7, 4.0, 1.2]])
    dist = D.Dirichlet(alpha)
    x = _simplex((5, 2, 3), 1)
    a0 = alpha.sum(-1)
    lbeta = lgamma(alpha).sum(-1) - lgamma(a0)
    close(dist.log_prob(x), ((alpha - 1) * np.log(x)).sum(-1) - lbeta, rtol=1e-12)
    close(dist.mean, alpha / a0[:, None], rtol=1e-12)
    close(dist.variance, alpha * (a0[:, None] - alpha) / (a0[:, None] ** 2 * (a0[:, None] + 1)),
          rtol=1e-12)
    ent = lbeta + (a0 - 3) * digamma(a0) - ((alpha - 1) * digamma(alpha)).sum(-1)
    close(dist.entropy, ent, rtol=1e-7)
    assert dist.batch_shape == (2,) and dist.event_shape == (3,)
    check_grad(lambda a, x: D.Dirichlet(a).log_prob(x), [alpha, x], np.float64)
    check_double_grad(lambda a, x: D.Dirichlet(a).log_prob(x), [alpha, x], np.float64)


# -- multivariate normal and independent -------------------------------------------------

def _mvn_params(seed, batch=(2,), d=3):
    rng = np.random.default_rng(seed)
    loc = rng.normal(size=batch + (d,))
    a = rng.normal(size=batch + (d, d))
    cov = a @ np.swapaxes(a, -1, -2) + 0.5 * np.eye(d)
    return loc, np.linalg.cholesky(cov), cov


def test_multivariate_normal():
    loc, tril, cov = _mvn_params(0)
    dist = D.MultivariateNormal(loc, scale_tril=tril)
    x = np.random.default_rng(1).normal(size=(4, 2, 3))
    diff = x - loc
    maha = np.einsum("...i,...ij,...j->...", diff, np.linalg.inv(cov), diff)
    ref = -0.5 * (3 * np.log(2 * np.pi) + np.linalg.slogdet(cov)[1] + maha)
    close(dist.log_prob(x), ref, rtol=1e-10)
    close(dist.entropy, 0.5 * np.linalg.slogdet(2 * np.pi * np.e * cov)[1], rtol=1e-12)
    close(dist.covariance, cov, rtol=1e-12)
    close(dist.mean, loc)
    assert dist.batch_shape == (2,) and dist.event_shape == (3,)
    with pytest.raises(ValueError, match="scale_tril"):
        D.MultivariateNormal(loc)

    def f(loc, tril, x):
        return D.MultivariateNormal(loc, scale_tril=tril).log_prob(x)
    check_grad(f, [loc, tril, x[:2]], np.float64)
    check_double_grad(f, [loc, tril, x[:2]], np.float64)


def test_triangular_inv():
    from kusari.distributions.multivariate_normal import _triangular_inv
    _, tril, _ = _mvn_params(2, batch=())
    close(_triangular_inv(tril), np.linalg.inv(tril), rtol=1e-10, atol=1e-12)
    close(_triangular_inv(tril.T, lower=False), np.linalg.inv(tril.T), rtol=1e-10, atol=1e-12)
    # only the triangle is read, and only it gets a gradient
    noisy = tril + np.triu(np.ones((3, 3)), 1)
    close(_triangular_inv(noisy), np.linalg.inv(tril), rtol=1e-10, atol=1e-12)
    v = kusari.Variable(noisy)
    F.sum(_triangular_inv(v) ** 2).backward()
    assert np.all(v.grad[np.triu_indices(3, 1)] == 0)
    check_grad(lambda t: _triangular_inv(t), [tril], np.float64)
    check_double_grad(lambda t: _triangular_inv(t), [tril], np.float64)
    with pytest.raises(kusari.utils.type_check.InvalidType):
        _triangular_inv(np.ones((2, 3)))


def test_independent():
    loc = np.random.default_rng(4).normal(size=(2, 3, 4))
    scale = np.exp(np.random.default_rng(5).normal(size=(2, 3, 4)))
    base = D.Normal(loc, scale)
    ind = D.Independent(base)
    assert ind.batch_shape == (2,) and ind.event_shape == (3, 4)
    assert D.Independent(base, 1).event_shape == (4,)
    x = np.random.default_rng(6).normal(size=(5, 2, 3, 4))
    close(ind.log_prob(x), base.log_prob(x).array.sum((-1, -2)), rtol=1e-12)
    close(ind.prob(x), base.prob(x).array.prod((-1, -2)), rtol=1e-10)
    close(ind.cdf(x), base.cdf(x).array.prod((-1, -2)), rtol=1e-10)
    close(ind.entropy, base.entropy.array.sum((-1, -2)), rtol=1e-12)
    with pytest.raises(RuntimeError, match="not invertible"):
        ind.icdf(x)
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims"):
        D.Independent(base, 4)
    # covariance of independent multivariate normals: block diagonal
    mloc, tril, cov = _mvn_params(7, batch=(2, 3))
    mind = D.Independent(D.MultivariateNormal(mloc, scale_tril=tril))
    expected = np.zeros((2, 9, 9))
    for b in range(2):
        for i in range(3):
            expected[b, 3 * i:3 * i + 3, 3 * i:3 * i + 3] = cov[b, i]
    close(mind.covariance, expected, rtol=1e-12)
    other = D.Independent(D.Normal(loc + 0.5, scale * 1.3))
    kl = kusari.kl_divergence(ind, other)
    close(kl, kusari.kl_divergence(base, other.distribution).array.sum((-1, -2)), rtol=1e-12)


# -- KL divergences ---------------------------------------------------------------------------

def _kl_quadrature(p, q, grid):
    x = grid[:, None] * np.ones(3)
    lp = p.log_prob(x).array
    lq = q.log_prob(x).array
    w = np.exp(lp)
    return _trapezoid(np.where(w > 0, w * (lp - lq), 0.0), x, axis=0)


KL_PAIRS = {
    "Normal": (lambda s: D.Normal(a64(-1.0, 0.0, 1.0) * s, a64(0.5, 1.0, 1.5) * s),
               np.linspace(-20, 20, 80001)),
    "Normal(log_scale)": (lambda s: D.Normal(a64(-1.0, 0.0, 1.0) * s,
                                             log_scale=np.log(a64(0.5, 1.0, 1.5) * s)),
                          np.linspace(-20, 20, 80001)),
    "Beta": (lambda s: D.Beta(a64(1.5, 2.0, 3.0) * s, a64(2.0, 1.5, 4.0) / s),
             np.linspace(1e-9, 1 - 1e-9, 400001)),
    "Exponential": (lambda s: D.Exponential(a64(0.5, 1.0, 2.0) * s), np.linspace(0, 200, 400001)),
    "Gamma": (lambda s: D.Gamma(a64(1.5, 2.0, 4.0) * s, a64(0.5, 1.0, 2.0) / s),
              np.linspace(1e-9, 200, 800001)),
    "Gumbel": (lambda s: D.Gumbel(a64(-1.0, 0.0, 1.0) * s, a64(0.5, 1.0, 1.5) * s),
               np.linspace(-15, 80, 200001)),
    "Laplace": (lambda s: D.Laplace(a64(-1.0, 0.0, 1.0) * s, a64(0.5, 1.0, 1.5) * s),
                np.linspace(-60, 60, 240001)),
    "LogNormal": (lambda s: D.LogNormal(a64(-0.5, 0.0, 0.5) * s, a64(0.3, 0.5, 0.6) * s),
                  np.geomspace(1e-8, 500, 400001)),
    "Pareto": (lambda s: D.Pareto(a64(1.0, 1.0, 2.0) * s, a64(3.0, 4.0, 5.0) / s),
               np.geomspace(1.2, 1e7, 800001)),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # log 0 at the ends of a grid
@pytest.mark.parametrize("name", sorted(KL_PAIRS))
def test_kl_against_quadrature(name):
    make, grid = KL_PAIRS[name]
    p, q = make(1.2), make(1.0)    # (Pareto: p's support [1.2 scale, inf) inside q's)
    close(kusari.kl_divergence(p, q), _kl_quadrature(p, q, grid), rtol=2e-3, atol=2e-5)


def test_kl_closed_forms():
    # Bernoulli, Categorical, OneHotCategorical, Geometric, Poisson: exact sums
    p1, p2 = a64(0.1, 0.5, 0.85), a64(0.3, 0.2, 0.9)
    ref = p1 * np.log(p1 / p2) + (1 - p1) * np.log((1 - p1) / (1 - p2))
    close(kusari.kl_divergence(D.Bernoulli(p1), D.Bernoulli(p2)), ref, rtol=1e-12)
    c1, c2 = _simplex((2, 4), 8), _simplex((2, 4), 9)
    ref = (c1 * np.log(c1 / c2)).sum(-1)
    close(kusari.kl_divergence(D.Categorical(c1), D.Categorical(c2)), ref, rtol=1e-12)
    close(kusari.kl_divergence(D.Categorical(logit=np.log(c1)),
                               D.Categorical(logit=np.log(c2) + 1)), ref, rtol=1e-12)
    close(kusari.kl_divergence(D.OneHotCategorical(c1), D.OneHotCategorical(c2)), ref,
          rtol=1e-12)
    k = np.arange(1, 3000)[:, None]
    g1 = (k - 1) * np.log1p(-p1) + np.log(p1)
    g2 = (k - 1) * np.log1p(-p2) + np.log(p2)
    close(kusari.kl_divergence(D.Geometric(p1), D.Geometric(p2)),
          (np.exp(g1) * (g1 - g2)).sum(0), rtol=1e-9)
    lam1, lam2 = a64(0.5, 3.0, 9.0), a64(1.0, 2.0, 12.0)
    k = np.arange(0, 200)[:, None]
    l1 = k * np.log(lam1) - lam1 - lgamma(k + 1)
    l2 = k * np.log(lam2) - lam2 - lgamma(k + 1)
    close(kusari.kl_divergence(D.Poisson(lam1), D.Poisson(lam2)),
          (np.exp(l1) * (l1 - l2)).sum(0), rtol=1e-9)
    # Uniform: log of the ratio of widths inside, inf where p's support leaves q's
    u1 = D.Uniform(low=a64(0.0, 0.0, -1.0), high=a64(1.0, 2.0, 3.0))
    u2 = D.Uniform(loc=a64(-1.0, 0.5, -2.0), scale=a64(3.0, 4.0, 6.0))
    close(kusari.kl_divergence(u1, u2), [np.log(3.0), np.inf, np.log(6.0 / 4.0)], rtol=1e-12)
    # Dirichlet
    a1, a2 = np.array([[1.5, 2.0, 3.0]]), np.array([[0.7, 4.0, 1.2]])
    s1, s2 = a1.sum(-1), a2.sum(-1)
    ref = (lgamma(s1) - lgamma(a1).sum(-1) - lgamma(s2) + lgamma(a2).sum(-1)
           + ((a1 - a2) * (digamma(a1) - digamma(s1)[:, None])).sum(-1))
    close(kusari.kl_divergence(D.Dirichlet(a1), D.Dirichlet(a2)), ref, rtol=1e-7)
    # multivariate normal
    loc1, tril1, cov1 = _mvn_params(10)
    loc2, tril2, cov2 = _mvn_params(11)
    inv2 = np.linalg.inv(cov2)
    d = loc2 - loc1
    ref = 0.5 * (np.einsum("bij,bji->b", inv2, cov1) + np.einsum("bi,bij,bj->b", d, inv2, d)
                 - 3 + np.linalg.slogdet(cov2)[1] - np.linalg.slogdet(cov1)[1])
    close(kusari.kl_divergence(D.MultivariateNormal(loc1, scale_tril=tril1),
                               D.MultivariateNormal(loc2, scale_tril=tril2)), ref, rtol=1e-10)


def test_kl_gradients():
    def normal_kl(l1, s1, l2, s2):
        return kusari.kl_divergence(D.Normal(l1, s1), D.Normal(l2, s2))
    arrays = [a64(-1.0, 0.5), a64(0.5, 1.2), a64(0.3, 0.1), a64(1.1, 0.7)]
    check_grad(normal_kl, arrays, np.float64)
    check_double_grad(normal_kl, arrays, np.float64)

    def gamma_kl(k1, t1, k2, t2):
        return kusari.kl_divergence(D.Gamma(k1, t1), D.Gamma(k2, t2))
    arrays = [a64(1.5, 3.0), a64(0.5, 1.2), a64(2.0, 1.1), a64(1.1, 0.7)]
    check_grad(gamma_kl, arrays, np.float64)
    check_double_grad(gamma_kl, arrays, np.float64)

    def mvn_kl(l1, t1, l2, t2):
        return kusari.kl_divergence(D.MultivariateNormal(l1, scale_tril=t1),
                                    D.MultivariateNormal(l2, scale_tril=t2))
    loc1, tril1, _ = _mvn_params(12)
    loc2, tril2, _ = _mvn_params(13)
    check_grad(mvn_kl, [loc1, tril1, loc2, tril2], np.float64)


def test_kl_registry():
    class MyNormal(D.Normal):
        pass
    p, q = MyNormal(a64(0.0), a64(1.0)), D.Normal(a64(1.0), a64(2.0))
    # a subclass uses its base's registered KL
    close(kusari.kl_divergence(p, q),
          kusari.kl_divergence(D.Normal(a64(0.0), a64(1.0)), q).array)
    with pytest.raises(KeyError, match=r"no KL divergence is registered for \(Normal, Gamma\)"):
        kusari.kl_divergence(q, D.Gamma(a64(1.0), a64(1.0)))

    class Point(kusari.Distribution):
        def __init__(self, x):
            self.x = kusari.as_variable(x)

    @kusari.register_kl(Point, Point)
    def _kl_point(a, b):
        return F.where(F.equal(a.x, b.x), np.zeros(a.x.shape), np.full(a.x.shape, np.inf))

    close(D.kl_divergence(Point(a64(1.0, 2.0)), Point(a64(1.0, 3.0))), [0.0, np.inf])
    # cross entropy: H(p) + KL(p || q)
    close(kusari.cross_entropy(D.Normal(a64(0.0), a64(1.0)), q),
          0.5 * np.log(2 * np.pi * np.e) + kusari.kl_divergence(D.Normal(a64(0.0), a64(1.0)),
                                                                q).array, rtol=1e-12)
    with pytest.raises(NotImplementedError, match="Point does not provide log_prob"):
        Point(a64(1.0)).log_prob(a64(1.0))


# -- dtypes ---------------------------------------------------------------------------------------

def _float32_cases():
    f = np.float32
    p = _simplex((2, 3), 14).astype(f)
    loc, tril, _ = _mvn_params(15)
    return {
        "Bernoulli": (D.Bernoulli(p[:, 0]), np.array([0, 1], f)),
        "Beta": (D.Beta(np.array([1.5, 2], f), np.array([2, 3], f)), np.array([0.3, 0.6], f)),
        "Categorical": (D.Categorical(p), np.array([0, 2])),
        "Cauchy": (D.Cauchy(np.zeros(2, f), np.ones(2, f)), np.array([0.3, 0.6], f)),
        "Chisquare": (D.Chisquare(np.array([2, 3], f)), np.array([0.3, 0.6], f)),
        "Dirichlet": (D.Dirichlet(np.ones((2, 3), f) * 2), p),
        "Exponential": (D.Exponential(np.array([1, 2], f)), np.array([0.3, 0.6], f)),
        "Gamma": (D.Gamma(np.array([1.5, 2], f), np.array([2, 3], f)), np.array([0.3, 0.6], f)),
        "Geometric": (D.Geometric(np.array([0.3, 0.6], f)), np.array([1, 3], f)),
        "Gumbel": (D.Gumbel(np.zeros(2, f), np.ones(2, f)), np.array([0.3, 0.6], f)),
        "Independent": (D.Independent(D.Normal(np.zeros((2, 3), f), np.ones((2, 3), f))),
                        np.zeros((2, 3), f)),
        "Laplace": (D.Laplace(np.zeros(2, f), np.ones(2, f)), np.array([0.3, 0.6], f)),
        "LogNormal": (D.LogNormal(np.zeros(2, f), np.ones(2, f)), np.array([0.3, 0.6], f)),
        "MultivariateNormal": (D.MultivariateNormal(loc.astype(f), scale_tril=tril.astype(f)),
                               np.zeros((2, 3), f)),
        "Normal": (D.Normal(np.zeros(2, f), np.ones(2, f)), np.array([0.3, 0.6], f)),
        "OneHotCategorical": (D.OneHotCategorical(p), np.eye(3, dtype=f)[[0, 2]]),
        "Pareto": (D.Pareto(np.ones(2, f), np.array([3, 4], f)), np.array([1.3, 1.6], f)),
        "Poisson": (D.Poisson(np.array([1, 2], f)), np.array([0, 3], np.int32)),
        "Uniform": (D.Uniform(low=np.zeros(2, f), high=np.ones(2, f)), np.array([0.3, 0.6], f)),
    }


@pytest.mark.filterwarnings("ignore:.*of the cauchy distribution is undefined")
@pytest.mark.parametrize("name", sorted(_float32_cases()))
def test_float32_stays_float32(name):
    dist, x = _float32_cases()[name]
    assert dist.log_prob(x).dtype == np.float32
    for prop in ("entropy", "mean", "variance", "stddev"):
        try:
            value = getattr(dist, prop)
        except NotImplementedError:
            continue
        assert value.dtype == np.float32, prop
    sample = dist.sample((4,))
    assert sample.shape == (4,) + dist.batch_shape + dist.event_shape
    if name in ("Bernoulli", "Categorical"):
        assert sample.dtype.kind in "iu"       # integer draws, as Chainer's
    else:
        assert sample.dtype == np.float32, sample.dtype


# -- sampling ------------------------------------------------------------------------------------

def test_sampling_draws_as_chainer():
    """Under a seed, a sample is the same transform of the same NumPy draws
    that Chainer 7.8.1 makes."""
    loc, scale = a64(-1.0, 0.5), a64(0.5, 2.0)

    def draws(seed, f):
        np.random.seed(seed)
        return f()
    got = draws(0, lambda: D.Normal(loc, scale).sample((3, 4)).array)
    want = draws(0, lambda: loc + scale * np.random.standard_normal((12, 2)).reshape(3, 4, 2))
    np.testing.assert_array_equal(got, want)
    got = draws(1, lambda: D.Gamma(a64(2.0, 3.0), scale).sample(5).array)
    want = draws(1, lambda: scale * np.random.gamma(a64(2.0, 3.0), size=(5, 2)))
    np.testing.assert_array_equal(got, want)
    got = draws(2, lambda: D.Exponential(scale).sample(5).array)
    want = draws(2, lambda: np.random.standard_exponential((5, 2)) / scale)
    np.testing.assert_array_equal(got, want)
    got = draws(3, lambda: D.Uniform(low=loc, high=loc + scale).sample(5).array)
    want = draws(3, lambda: np.random.uniform(0, 1, (5, 2)) * scale + loc)
    np.testing.assert_array_equal(got, want)
    p = _simplex((2, 3), 16)
    got = draws(4, lambda: D.Categorical(p).sample(6).array)
    want = draws(4, lambda: np.vstack([np.random.choice(3, size=(6,), p=row)
                                       for row in p]).T)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", ["Normal", "Beta", "Chisquare", "Exponential", "Gamma",
                                  "Gumbel", "Laplace", "LogNormal", "Pareto", "Uniform"])
def test_sample_moments(name):
    make, params, *_ = CONTINUOUS[name]
    dist = make(params)
    np.random.seed(5)
    s = dist.sample(200000).array
    assert s.shape == (200000, 3)
    close(s.mean(0), dist.mean.array, rtol=3e-2, atol=3e-2)
    if name != "Pareto":            # heavy tail: its sample variance converges slowly
        close(s.var(0), dist.variance.array, rtol=5e-2, atol=3e-2)


def test_discrete_sample_moments():
    np.random.seed(6)
    p = a64(0.2, 0.7)
    for dist in (D.Bernoulli(p), D.Geometric(p), D.Poisson(a64(1.0, 6.0))):
        s = dist.sample(100000).array
        close(s.mean(0), dist.mean.array, rtol=3e-2)
        close(s.var(0), dist.variance.array, rtol=5e-2)
    c = _simplex((2, 4), 17)
    s = D.OneHotCategorical(c).sample(100000).array
    assert s.shape == (100000, 2, 4) and np.all(s.sum(-1) == 1)
    close(s.mean(0), c, atol=1e-2)
    alpha = np.array([[1.5, 2.0, 3.0]])
    s = D.Dirichlet(alpha).sample(50000).array
    close(s.mean(0), alpha / alpha.sum(), atol=1e-2)
    loc, tril, cov = _mvn_params(18)
    s = D.MultivariateNormal(loc, scale_tril=tril).sample(100000).array
    assert s.shape == (100000, 2, 3)
    close(s.mean(0), loc, atol=3e-2)
    close(np.einsum("nbi,nbj->bij", s - loc, s - loc) / len(s), cov, rtol=5e-2, atol=5e-2)


# -- the rest of Chainer's surface ----------------------------------------------------------------

def test_surface():
    assert kusari.Distribution is kusari.distribution.Distribution
    assert D.Normal.__module__ == "kusari.distributions.normal"
    n = D.Normal(a64(0.0, 1.0), a64(1.0, 2.0))
    assert set(n.params) == {"loc", "scale"} and n.xp is np
    assert n.support == "real" and n.stddev is n.scale
    assert D.Uniform(loc=a64(0.0), scale=a64(1.0)).params.keys() == {"loc", "scale"}
    with pytest.raises(ValueError, match="Either `scale` or `log_scale`"):
        D.Normal(a64(0.0))
    with pytest.raises(ValueError, match="Either `low, high` or `loc, scale`"):
        D.Uniform(low=a64(0.0))
    with pytest.raises(TypeError):
        D.Normal(a64(0.0), a64(1.0), bad=1)
    with pytest.warns(RuntimeWarning, match="Mean of the cauchy"):
        assert np.all(np.isnan(D.Cauchy(a64(0.0), a64(1.0)).mean.array))
    # Pareto moments are infinite where they do not exist
    par = D.Pareto(a64(1.0, 1.0), a64(0.5, 1.5))
    assert np.all(par.mean.array == [np.inf, 3.0])
    assert np.all(par.variance.array == np.inf)
    # log densities are -inf off the support
    assert D.Exponential(a64(1.0)).log_prob(a64(-1.0)).array[0] == -np.inf
    assert D.Beta(a64(2.0), a64(2.0)).log_prob(a64(1.5)).array[0] == -np.inf
    assert D.Pareto(a64(1.0), a64(2.0)).log_prob(a64(0.5)).array[0] == -np.inf
    # a Python number or NumPy scalar is a point too
    close(n.log_prob(0.5), _ref_normal(0.5, a64(0.0, 1.0), a64(1.0, 2.0)), rtol=1e-12)
    close(n.log_prob(np.float64(0.5)), _ref_normal(0.5, a64(0.0, 1.0), a64(1.0, 2.0)),
          rtol=1e-12)
    import copy
    loc, tril, _ = _mvn_params(19)
    mvn = D.MultivariateNormal(loc, scale_tril=tril)
    assert copy.copy(mvn).d == 3


def test_modified_xlogx():
    from kusari.distributions.utils import _modified_xlogx
    x = kusari.Variable(a64(0.0, 0.25, 1.0, 3.0))
    y = _modified_xlogx(x)
    close(y, [0.0, 0.25 * np.log(0.25), 0.0, 3 * np.log(3.0)], rtol=1e-15, atol=0)
    with pytest.warns(RuntimeWarning, match="cannot calculate gradient for zero input"):
        F.sum(y).backward()
    close(x.grad, [0.0, 1 + np.log(0.25), 1.0, 1 + np.log(3.0)], rtol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # no zero, no warning
        v = kusari.Variable(a64(0.5, 2.0))
        F.sum(_modified_xlogx(v)).backward()
    check_grad(_modified_xlogx, [a64(0.2, 0.7, 1.9)], np.float64)
    check_double_grad(_modified_xlogx, [a64(0.2, 0.7, 1.9)], np.float64)


# -- kusari.testing.distribution_unittest, with a NumPy stand-in for SciPy's normal ------------

class _NormalReference:
    """The part of scipy.stats.norm that distribution_unittest calls."""

    @staticmethod
    def logpdf(x, loc, scale):
        return _ref_normal(x, loc, scale)

    @staticmethod
    def pdf(x, loc, scale):
        return np.exp(_ref_normal(x, loc, scale))

    @staticmethod
    def cdf(x, loc, scale):
        return 0.5 * np.vectorize(math.erfc)(-(x - loc) / (scale * np.sqrt(2)))

    @staticmethod
    def logcdf(x, loc, scale):
        return np.log(_NormalReference.cdf(x, loc, scale))

    @staticmethod
    def sf(x, loc, scale):
        return 0.5 * np.vectorize(math.erfc)((x - loc) / (scale * np.sqrt(2)))

    @staticmethod
    def logsf(x, loc, scale):
        return np.log(_NormalReference.sf(x, loc, scale))

    @staticmethod
    def mean(loc, scale):
        return loc

    @staticmethod
    def var(loc, scale):
        return scale ** 2

    @staticmethod
    def std(loc, scale):
        return scale

    @staticmethod
    def entropy(loc, scale):
        return 0.5 * np.log(2 * np.pi * np.e * scale ** 2)

    @staticmethod
    def rvs(size, loc, scale):
        return loc + scale * np.random.default_rng(0).standard_normal(size)


def _has_cupy():
    try:
        import cupy  # noqa: F401
    except ImportError:
        return False
    return True


class _OnThisMachine(testing.distribution_unittest):
    """The base class, its GPU tests skipped where CuPy is not installed."""
    __test__ = False


for _name in dir(testing.distribution_unittest):
    if _name.startswith("test_") and _name.endswith("_gpu"):
        setattr(_OnThisMachine, _name, pytest.mark.skipif(not _has_cupy(), reason="needs CuPy")(
            getattr(testing.distribution_unittest, _name)))


@testing.parameterize(*testing.product({
    "shape": [(2, 3), ()], "is_variable": [True, False], "sample_shape": [(3, 2), ()]}))
class TestDistributionUnittest(_OnThisMachine):
    """Chainer's test base class runs its checks (here against NumPy)."""
    __test__ = True

    def setUp_configure(self):
        self.dist = D.Normal
        self.scipy_dist = _NormalReference
        self.test_targets = {"batch_shape", "cdf", "entropy", "event_shape", "log_cdf",
                             "log_prob", "log_survival", "mean", "prob", "sample",
                             "stddev", "support", "survival", "variance"}
        rng = np.random.default_rng(1)
        loc = np.asarray(rng.uniform(-1, 1, self.shape), np.float32)
        scale = np.asarray(np.exp(rng.uniform(-1, 1, self.shape)), np.float32)
        self.params = {"loc": loc, "scale": scale}
        self.scipy_params = {"loc": loc, "scale": scale}

    def sample_for_test(self):
        return np.asarray(np.random.default_rng(2).normal(
            size=self.sample_shape + self.shape), np.float32)


def test_distribution_unittest_checks_fail_on_wrong_values():
    """The base class's checks are real: a wrong reference fails them."""
    class Wrong(_NormalReference):
        @staticmethod
        def logpdf(x, loc, scale):
            return _ref_normal(x, loc, scale) + 0.1

    cls = next(v for k, v in globals().items() if k.startswith("TestDistributionUnittest_param"))
    case = cls(methodName="test_log_prob_cpu")
    case.setUp()
    case.scipy_dist = Wrong
    with pytest.raises(AssertionError):
        case.check_log_prob(False)

    class BadTargets(cls):
        def setUp_configure(self):
            super().setUp_configure()
            self.test_targets = {"nope"}
    with pytest.raises(ValueError, match="invalid target"):
        BadTargets(methodName="test_log_prob_cpu").setUp()
