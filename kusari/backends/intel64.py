"""iDeep support, Chainer's `chainer.backends.intel64`.

kusari does not use iDeep: its CPU kernels are its own fused NumPy code. The
module keeps Chainer's names so code that asks still runs: iDeep is never
available, `should_use_ideep` and `inputs_all_ready` say False, and
`Intel64Device()` raises RuntimeError as Chainer's does without ideep4py.
"""
from __future__ import annotations

import numpy

from .. import _backend
from ..configuration import config

_ideep_version = None
_error = ImportError("kusari does not use iDeep (ideep4py)")


class mdarray:  # noqa: N801 (iDeep's name): nothing is an instance of it
    """Stands for ideep4py.mdarray, which kusari never creates."""


class Intel64Device(_backend.Device):
    """Chainer's iDeep device, named '@intel64'; needs ideep4py."""

    xp = numpy
    name = "@intel64"
    supported_array_types = (numpy.ndarray, mdarray)

    __hash__ = _backend.Device.__hash__

    def __init__(self):
        check_ideep_available()
        super().__init__()

    @staticmethod
    def from_array(array):
        return Intel64Device() if isinstance(array, mdarray) else None

    def __eq__(self, other):
        return isinstance(other, Intel64Device)

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def send_array(self, array):
        from ._cpu import _array_to_cpu
        return _array_to_cpu(array)

    def is_array_supported(self, array) -> bool:
        return isinstance(array, (numpy.ndarray, mdarray))


_SHOULD_USE_IDEEP = {
    "==always": {"always": True, "auto": False, "never": False},
    ">=auto": {"always": True, "auto": True, "never": False},
}


def is_ideep_available() -> bool:
    """False: kusari does not use iDeep."""
    return False


def check_ideep_available() -> None:
    raise RuntimeError(f"iDeep is not available.\nReason: "
                       f"{type(_error).__name__}: {_error}")


def should_use_ideep(level) -> bool:
    """False: kusari does not use iDeep (the level is still checked)."""
    if level not in _SHOULD_USE_IDEEP:
        raise ValueError(f"invalid iDeep use level: {level!r} "
                         '(must be either of "==always" or ">=auto")')
    if config.use_ideep not in _SHOULD_USE_IDEEP[level]:
        raise ValueError(f"invalid use_ideep configuration: {config.use_ideep!r} "
                         '(must be either of "always", "auto", or "never")')
    return False


def inputs_all_ready(inputs, supported_ndim=(2, 4)) -> bool:
    """False: no input is ever ready for an iDeep primitive here."""
    return False
