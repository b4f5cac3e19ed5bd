"""Chainer's chainer.memory_layouts: the names of cuDNN's memory layouts.

On the CPU every array is in the standard (channel-first) layout, whose
name is None; the channel-last names exist for code that names them (a
Variable or Parameter in another layout is not supported: Variable(...,
layout=...) refuses anything but None).
"""
from __future__ import annotations

CUDNN_CHANNEL_FIRST_X = None
CUDNN_CHANNEL_LAST_X = "CUDNN_CHANNEL_LAST_X"
CUDNN_CHANNEL_FIRST_W = None
CUDNN_CHANNEL_LAST_W = "CUDNN_CHANNEL_LAST_W"


class _Unspecified:
    def __repr__(self):
        return "<unspecified>"


_unspecified = _Unspecified()


def get_raw_shape(arr_or_var) -> tuple:
    """The shape of the array as it lies in memory."""
    return tuple(getattr(arr_or_var, "array", arr_or_var).shape)


def get_semantic_shape(arr_or_var, *, assumed_layout=_unspecified) -> tuple:
    """The shape in the standard layout: (N, C, H, W) for an image batch."""
    shape = tuple(arr_or_var.shape)
    if assumed_layout is not _unspecified:
        shape = _transpose_shape(shape, assumed_layout, None)
    return shape


def _get_layout_transpose_axes(ndim: int, src_layout, dst_layout, inverse: bool = False):
    """The axes that move an array from one layout to another (None: none)."""
    if src_layout == dst_layout:
        return None
    first = (CUDNN_CHANNEL_FIRST_X, CUDNN_CHANNEL_FIRST_W)
    if dst_layout in (CUDNN_CHANNEL_LAST_X, CUDNN_CHANNEL_LAST_W) and src_layout in first:
        trans = (0,) + tuple(range(2, ndim)) + (1,)
    elif src_layout in (CUDNN_CHANNEL_LAST_X, CUDNN_CHANNEL_LAST_W) and dst_layout in first:
        trans = (0, ndim - 1) + tuple(range(1, ndim - 1))
    else:
        raise ValueError(f"Unknown layout conversion: from '{src_layout}' to '{dst_layout}'")
    if ndim < 3:
        raise ValueError(f"a layout conversion needs at least 3 axes, not {ndim}")
    if inverse:
        t = [0] * ndim
        for i, n in enumerate(trans):
            t[n] = i
        trans = tuple(t)
    return trans


def _transpose_shape(shape, src_layout, dst_layout) -> tuple:
    trans = _get_layout_transpose_axes(len(shape), src_layout, dst_layout)
    return tuple(shape) if trans is None else tuple(shape[i] for i in trans)


def _transpose_array(arr, src_layout, dst_layout):
    trans = _get_layout_transpose_axes(arr.ndim, src_layout, dst_layout)
    return arr if trans is None else arr.transpose(*trans)
