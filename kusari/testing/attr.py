"""pytest marks for Chainer's test attributes (gpu, cudnn, slow, ...).

Tests carrying them are deselected with `-m 'not gpu and not slow ...'`.
Where what a mark asks for is absent (CuPy, enough GPUs, cuDNN, iDeep,
ChainerX), the test is also skipped, with the reason, under pytest and under
a plain unittest runner, so that running everything never fails for want of
hardware (Chainer's conftest does the same for ChainerX).

The marks are registered in kusari's pyproject.toml; another project's tests
register them with `-p kusari.testing.attr` (or `pytest_plugins =
["kusari.testing.attr"]` in its conftest.py), so pytest does not warn
PytestUnknownMarkWarning.
"""
from __future__ import annotations

import os
import unittest

try:
    import pytest
    _error = None
except ImportError as e:      # pragma: no cover (pytest is a test dependency)
    pytest = None
    _error = e

# Chainer's markers (its setup.cfg), registered by pytest_configure below
MARKERS = {
    "chainerx": "Tests to use ChainerX",
    "cudnn": "Tests to use cuDNN",
    "gpu": "Tests to run on GPU",
    "ideep": "Tests to use IDeep",
    "theano": "Tests to use Theano",
    "multi_gpu": "Tests to uses multi GPUs",
    "slow": "Tests thats takes time",
    "parametrize_device": "Parametrize ChainerX devices",
    "parametrize_device_name": "Parametrize ChainerX device names",
}


def pytest_configure(config) -> None:
    """pytest plugin hook (`-p kusari.testing.attr`): register the markers."""
    for name, doc in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {doc}")


def is_available() -> bool:
    return _error is None


def check_available() -> None:
    if _error is not None:
        raise RuntimeError(f"{__name__} is not available.\n\n"
                           f"Reason: {type(_error).__name__}: {_error}")


def get_error():
    return _error


_gpu_limit = int(os.getenv("CHAINER_TEST_GPU_LIMIT", "-1"))
_gpu_count = None


def _count_gpus():
    """(the number of GPUs CuPy sees, why there are none or None)."""
    global _gpu_count
    if _gpu_count is None:
        from ..backends import cuda
        if not cuda.available:
            _gpu_count = (0, "CuPy is not installed")
        else:
            try:
                n = int(cuda._cupy().cuda.runtime.getDeviceCount())
                _gpu_count = (n, None if n else "no GPU is visible to CuPy")
            except Exception as e:       # a broken CuPy or driver: no GPU to test on
                _gpu_count = (0, f"CuPy cannot use a GPU ({type(e).__name__}: {e})")
    return _gpu_count


def _gpu_missing(gpu_num: int):
    """Why a test needing `gpu_num` GPUs cannot run here, or None."""
    if 0 <= _gpu_limit < gpu_num:
        return f"{gpu_num} GPUs required"
    count, why = _count_gpus()
    if why is not None:
        return f"{why}: the test needs {'a GPU' if gpu_num == 1 else f'{gpu_num} GPUs'}"
    if count < gpu_num:
        return f"{gpu_num} GPUs required, {count} available"
    return None


def _cudnn_missing():
    why = _gpu_missing(1)
    if why is not None:
        return why
    from ..backends import cuda
    return None if cuda.cudnn_enabled else "cuDNN is not available"


def _ideep_missing():
    from ..backends import intel64
    return None if intel64.is_ideep_available() else "iDeep (ideep4py) is not available"


def _chainerx_missing():
    return "ChainerX is not available: kusari does not use ChainerX"


def _skip(target, reason: str):
    """`target` (a test function or class) skipped with `reason`, under
    pytest (a mark, which works on any class) and unittest (a function that
    raises SkipTest, or a TestCase class flagged skipped)."""
    if not isinstance(target, type) or issubclass(target, unittest.TestCase):
        target = unittest.skip(reason)(target)
    return pytest.mark.skip(reason=reason)(target)


def _is_target(args, kwargs) -> bool:
    return len(args) == 1 and not kwargs and (callable(args[0]) or isinstance(args[0], type))


def _mark(name, missing=None):
    """Chainer's attr.<name>: pytest.mark.<name>(*args), used as a decorator
    (`@attr.cudnn`) or called with arguments first; where `missing()` names
    something absent, the decorated test is also skipped."""
    def mark(*args, **kwargs):
        check_available()
        marker = getattr(pytest.mark, name)
        if _is_target(args, kwargs):
            return _apply(marker, args[0], missing)
        marker = marker(*args, **kwargs)
        if missing is None:
            return marker
        return lambda target: _apply(marker, target, missing)
    mark.__name__ = name
    return mark


def _apply(marker, target, missing):
    if missing is not None:
        reason = missing()
        if reason is not None:
            target = _skip(target, reason)
    return marker(target)


chainerx = _mark("chainerx", _chainerx_missing)
cudnn = _mark("cudnn", _cudnn_missing)
ideep = _mark("ideep", _ideep_missing)
slow = _mark("slow")


def multi_gpu(gpu_num: int):
    """Mark a test as needing `gpu_num` GPUs: skipped (with the reason) where
    CuPy or that many GPUs are absent, or beyond CHAINER_TEST_GPU_LIMIT when
    that is set."""
    check_available()

    def decorate(f):
        return _apply(pytest.mark.gpu, f, lambda: _gpu_missing(gpu_num))
    return decorate


def gpu(f):
    """Mark a test as needing one GPU (skipped where there is none)."""
    return multi_gpu(1)(f)
