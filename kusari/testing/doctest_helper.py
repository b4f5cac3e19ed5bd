"""Conditions for skipping doctests."""
from __future__ import annotations

import os

_gpu_limit = int(os.getenv("CHAINER_TEST_GPU_LIMIT", "-1"))


def skipif(condition) -> bool:
    # documentation builds never skip (the code would vanish from the docs)
    if os.environ.get("READTHEDOCS") == "True":
        return False
    return condition


def skipif_requires_satisfied(*requirements) -> bool:
    from .helper import _satisfied
    if not all(_satisfied(r) for r in requirements):
        return False
    return skipif(True)


def skipif_not_enough_cuda_devices(device_count: int) -> bool:
    return skipif(0 <= _gpu_limit < device_count)
