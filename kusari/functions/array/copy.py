"""copy: x on a device (a new node of the graph)."""
from __future__ import annotations

from .._core import Variable, var
from ._util import new_node


def copy(x, dst) -> Variable:
    """`x` sent to device `dst` (an id, a device specifier such as '@numpy',
    or a device object); the gradient comes back to x's device. kusari
    computes on the CPU (NumPy) until CuPy arrives (issue 9)."""
    from ... import backend
    from ...backends import cuda
    if dst is getattr(cuda, "DummyDevice", object()):
        dst = "@numpy"
    device = backend.get_device(dst)
    if device.xp.__name__ != "numpy":
        raise RuntimeError(f"F.copy: kusari cannot send arrays to {device} yet "
                           "(CuPy arrays come with issue 9)")
    if isinstance(x, Variable):
        return new_node(x)
    return new_node(var(device.send(x)))
