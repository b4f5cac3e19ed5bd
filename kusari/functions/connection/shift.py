"""Shift (Wu et al., 2017): groups of channels moved to the positions of a
k_H x k_W window, zero-filled; its gradient is the opposite shift."""
from __future__ import annotations

__all__ = ["shift"]

from .._core import Variable, call, operand, var
from .convolution_nd import FunctionNodeAdapter, as_tuple, check

LABEL = "Shift"
_ALL = ("s", None, None, None)


def _moved(x: Variable, cs: int, ce: int, dy: int, dx: int) -> Variable:
    """Channels cs:ce of x moved by (dy, dx), zeros where nothing lands."""
    n, _, h, w = x.shape
    shape = (n, ce - cs, h, w)
    if abs(dy) >= h or abs(dx) >= w:
        part = call("getitem", x, key=(_ALL, ("s", cs, ce, None)))
        return call("mul", part, operand(0.0, part))
    src = (_ALL, ("s", cs, ce, None), ("s", max(0, -dy), h - max(0, dy), None),
           ("s", max(0, -dx), w - max(0, dx), None))
    dst = (_ALL, _ALL, ("s", max(0, dy), h - max(0, -dy), None),
           ("s", max(0, dx), w - max(0, -dx), None))
    return call("scatter_add", call("getitem", x, key=src), key=dst, shape=shape)


def shift_arguments(ksize) -> tuple:
    kh, kw = as_tuple(ksize, 2, "ksize")
    if kh % 2 != 1:
        raise ValueError("kh must be odd")
    if kw % 2 != 1:
        raise ValueError("kw must be odd")
    return kh, kw


def shift(x, ksize=3, dilate=1) -> Variable:
    """x (n, c, h, w) split into k_H k_W groups of channels (the last takes the
    rest); each group moves to one offset of the window (dilated by `dilate`),
    the centre's group coming last."""
    kh, kw = shift_arguments(ksize)
    dy, dx = as_tuple(dilate, 2, "dilate")
    x = var(x)
    check(LABEL, x.dtype.kind == "f", "x.dtype.kind == f", f"{x.dtype.kind} != f")
    check(LABEL, x.ndim == 4, "x.ndim == 4", f"{x.ndim} != 4")
    c = x.shape[1]
    n_groups = kh * kw
    check(LABEL, c >= n_groups, f"x.shape[1] >= {n_groups}", f"{c} < {n_groups}")
    size = c // n_groups
    parts = []
    for i in range(n_groups):
        g = i
        if g == (n_groups - 1) // 2:
            g = n_groups - 1
        elif g == n_groups - 1:
            g = (n_groups - 1) // 2
        ky, kx = g // kw - kh // 2, g % kw - kw // 2
        ce = (i + 1) * size if i < n_groups - 1 else c
        parts.append(_moved(x, i * size, ce, ky * dy, kx * dx))
    return call("concat", *parts, axis=1)


class Shift(FunctionNodeAdapter):
    label = LABEL
    n_inputs = (1, 1)

    def __init__(self, ksize=3, dilate=1):
        self.ksize, self.dilate = ksize, dilate
        shift_arguments(ksize)

    def forward_function(self, x):
        return shift(x, self.ksize, self.dilate)
