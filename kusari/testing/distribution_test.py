"""`distribution_unittest`: Chainer's base class for tests of a distribution
against SciPy's (chainer.testing.distribution_unittest).

A subclass sets, in `setUp_configure`, `dist` (the class), `scipy_dist`,
`params` / `scipy_params`, `test_targets` (which checks run), and, where
they differ from the defaults, `support`, `event_shape`, `continuous`,
`options` and `scipy_onebyone` (SciPy's distribution takes one parameter set
at a time). It defines `sample_for_test()` and is parameterized with
`shape`, `sample_shape` and `is_variable`."""
from __future__ import annotations

import functools
import unittest

import numpy

from . import array, attr

TARGETS = {
    "batch_shape", "cdf", "entropy", "event_shape", "icdf", "log_cdf", "log_prob",
    "log_survival", "mean", "prob", "sample", "stddev", "support", "survival", "variance"}


def _needs(target):
    """Skip the decorated test unless `target` is among the test targets."""
    def decorator(test):
        @functools.wraps(test)
        def run(self, *args, **kwargs):
            if target not in self.test_targets:
                self.skipTest(f"'{target}' does not exist in test_targets.")
            return test(self, *args, **kwargs)
        return run
    return decorator


def _size(shape) -> int:
    return int(numpy.prod(shape, dtype=numpy.int64))


def _to_gpu(x):
    from ..backends import cuda
    return cuda.to_gpu(x)


def _host(x):
    return x if isinstance(x, numpy.ndarray) else x.get()


class distribution_unittest(unittest.TestCase):  # noqa: N801 (Chainer's name)

    scipy_onebyone = False

    def setUp(self):
        self.support = "real"
        if not hasattr(self, "event_shape"):
            self.event_shape = ()
        self.continuous = True
        self.test_targets = set()
        self.options = {}
        self.setUp_configure()
        unknown = self.test_targets - TARGETS
        if unknown:
            raise ValueError(f"invalid target(s): {unknown}")
        if self.is_variable:
            from ..variable import Variable
            self.params = {k: Variable(v) for k, v in self.params.items()}

    # -- the distributions under test ---------------------------------------------
    def scipy_onebyone_params_iter(self):
        for index in numpy.ndindex(self.shape):
            yield {k: v[index] for k, v in self.scipy_params.items()}

    @property
    def cpu_dist(self):
        params = self.params
        params.update(self.options)
        return self.dist(**params)

    @property
    def gpu_dist(self):
        from ..variable import Variable
        if self.is_variable:
            params = {k: Variable(_to_gpu(v.array)) for k, v in self.params.items()}
        else:
            params = {k: _to_gpu(v) for k, v in self.params.items()}
        params.update(self.options)
        return self.dist(**params)

    def _dist(self, is_gpu):
        return self.gpu_dist if is_gpu else self.cpu_dist

    def _sample(self, is_gpu):
        smp = self.sample_for_test()
        return smp, (_to_gpu(smp) if is_gpu else smp)

    def _reference_per_batch(self, method):
        """SciPy's `method` per parameter set, shaped batch + event."""
        values = [method(**one) for one in self.scipy_onebyone_params_iter()]
        return numpy.vstack(values).reshape(self.shape + self.cpu_dist.event_shape)

    def _check_function(self, is_gpu, name, scipy_name):
        smp, arg = self._sample(is_gpu)
        got = getattr(self._dist(is_gpu), name)(arg).array
        want = getattr(self.scipy_dist, scipy_name)(smp, **self.scipy_params)
        array.assert_allclose(got, want)

    def _check_moment(self, is_gpu, name, scipy_name):
        got = getattr(self._dist(is_gpu), name).array
        method = getattr(self.scipy_dist, scipy_name)
        if self.scipy_onebyone:
            want = self._reference_per_batch(method)
        else:
            want = method(**self.scipy_params)
        array.assert_allclose(got, want)

    # -- the checks ----------------------------------------------------------------
    def check_cdf(self, is_gpu):
        self._check_function(is_gpu, "cdf", "cdf")

    def check_entropy(self, is_gpu):
        got = self._dist(is_gpu).entropy.array
        if self.scipy_onebyone:
            want = numpy.vstack([self.scipy_dist.entropy(**one)
                                 for one in self.scipy_onebyone_params_iter()])
            want = want.reshape(self.shape)
        else:
            want = self.scipy_dist.entropy(**self.scipy_params)
        array.assert_allclose(got, want)

    def check_icdf(self, is_gpu):
        smp = numpy.random.uniform(
            1e-5, 1 - 1e-5, self.sample_shape + self.shape).astype(numpy.float32)
        got = self._dist(is_gpu).icdf(_to_gpu(smp) if is_gpu else smp).array
        array.assert_allclose(got, self.scipy_dist.ppf(smp, **self.scipy_params))

    def check_log_cdf(self, is_gpu):
        self._check_function(is_gpu, "log_cdf", "logcdf")

    def check_log_prob(self, is_gpu):
        smp, arg = self._sample(is_gpu)
        got = self._dist(is_gpu).log_prob(arg).array
        method = self.scipy_dist.logpdf if self.continuous else self.scipy_dist.logpmf
        if self.scipy_onebyone:
            # one row of samples per parameter set
            per = smp.reshape(_size(self.sample_shape), _size(self.shape),
                              _size(self.event_shape))
            per = numpy.swapaxes(per, 0, 1).reshape(
                (-1,) + self.sample_shape + self.event_shape)
            want = numpy.vstack([method(one_smp, **one) for one, one_smp in
                                 zip(self.scipy_onebyone_params_iter(), per)])
            want = want.reshape(_size(self.shape), -1).T.reshape(
                self.sample_shape + self.shape)
        else:
            want = method(smp, **self.scipy_params)
        array.assert_allclose(got, want)

    def check_log_survival(self, is_gpu):
        self._check_function(is_gpu, "log_survival_function", "logsf")

    def check_mean(self, is_gpu):
        self._check_moment(is_gpu, "mean", "mean")

    def check_prob(self, is_gpu):
        smp, arg = self._sample(is_gpu)
        got = self._dist(is_gpu).prob(arg).array
        method = self.scipy_dist.pdf if self.continuous else self.scipy_dist.pmf
        array.assert_allclose(got, method(smp, **self.scipy_params))

    def check_sample(self, is_gpu):
        n = 100000
        got = _host(self._dist(is_gpu).sample(sample_shape=(n,) + self.sample_shape).array)
        event_shape = self.cpu_dist.event_shape
        if self.scipy_onebyone:
            want = numpy.vstack([self.scipy_dist.rvs(size=(n,) + self.sample_shape, **one)
                                 for one in self.scipy_onebyone_params_iter()])
            want = want.reshape((_size(self.shape), n) + self.sample_shape + event_shape)
            want = numpy.rollaxis(want, 0, want.ndim - len(event_shape))
            want = want.reshape((n,) + self.sample_shape + self.shape + event_shape)
        else:
            want = self.scipy_dist.rvs(size=(n,) + self.sample_shape + self.shape,
                                       **self.scipy_params)
        array.assert_allclose(got.mean(axis=0), want.mean(axis=0), atol=3e-2, rtol=3e-2)
        array.assert_allclose(got.std(axis=0), want.std(axis=0), atol=3e-2, rtol=3e-2)

    def check_stddev(self, is_gpu):
        got = self._dist(is_gpu).stddev.array
        array.assert_allclose(got, self.scipy_dist.std(**self.scipy_params))

    def check_survival(self, is_gpu):
        self._check_function(is_gpu, "survival_function", "sf")

    def check_variance(self, is_gpu):
        self._check_moment(is_gpu, "variance", "var")


def _add_tests():
    """test_<target>_cpu and test_<target>_gpu for every target."""
    def shape_test(target):
        def test(self, is_gpu):
            self.assertEqual(getattr(self._dist(is_gpu), target), getattr(self, target))
        return test

    for target in sorted(TARGETS):
        if target == "batch_shape":
            def check(self, is_gpu):
                self.assertEqual(self._dist(is_gpu).batch_shape, self.shape)
        elif target in ("event_shape", "support"):
            check = shape_test(target)
        else:
            check = None

        def make(target, check, is_gpu):
            def test(self):
                if check is not None:
                    check(self, is_gpu)
                else:
                    getattr(self, f"check_{target}")(is_gpu)
            test.__name__ = f"test_{target}_{'gpu' if is_gpu else 'cpu'}"
            test = _needs(target)(test)
            return attr.gpu(test) if is_gpu else test

        for is_gpu in (False, True):
            test = make(target, check, is_gpu)
            setattr(distribution_unittest, test.__name__, test)


_add_tests()
