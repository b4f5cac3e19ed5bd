"""pytest marks for Chainer's test attributes (gpu, cudnn, slow, ...).

Tests carrying them are deselected with `-m 'not gpu and not slow ...'`.
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


def is_available() -> bool:
    return _error is None


def check_available() -> None:
    if _error is not None:
        raise RuntimeError(f"{__name__} is not available.\n\n"
                           f"Reason: {type(_error).__name__}: {_error}")


def get_error():
    return _error


_gpu_limit = int(os.getenv("CHAINER_TEST_GPU_LIMIT", "-1"))


def _mark(name):
    def mark(*args, **kwargs):
        check_available()
        return getattr(pytest.mark, name)(*args, **kwargs)
    mark.__name__ = name
    return mark


chainerx = _mark("chainerx")
cudnn = _mark("cudnn")
ideep = _mark("ideep")
slow = _mark("slow")


def multi_gpu(gpu_num: int):
    """Mark a test as needing `gpu_num` GPUs (skipped beyond
    CHAINER_TEST_GPU_LIMIT when that is set)."""
    check_available()

    def decorate(f):
        return unittest.skipIf(0 <= _gpu_limit < gpu_num,
                               reason=f"{gpu_num} GPUs required")(pytest.mark.gpu(f))
    return decorate


def gpu(f):
    """Mark a test as needing one GPU."""
    return multi_gpu(1)(f)
