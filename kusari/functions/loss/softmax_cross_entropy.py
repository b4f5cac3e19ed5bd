"""F.softmax_cross_entropy: Chainer's cross entropy of softmax scores."""
from __future__ import annotations

import numpy as np

from ...variable import Variable
from .._core import call, var
from ._ops import concrete
from ._checks import check_reduce, expect, float_kind, int_kind, same_shape


def _check_class_weight(class_weight) -> None:
    if class_weight is None:
        return
    if isinstance(class_weight, Variable):
        raise ValueError("class_weight should be a numpy.ndarray or cupy.ndarray, "
                         "not a chainer.Variable")
    if class_weight.ndim != 1:
        raise ValueError("class_weight.ndim should be 1")
    if class_weight.dtype.kind != "f":
        raise ValueError("The dtype of class_weight should be 'f'")


def _check_labels(x, t, ignore_label) -> None:
    """Every label is a class of x or `ignore_label` (Chainer checks this
    under config.debug; an out-of-range label would pick another class's
    score, so kusari checks whenever the labels have values)."""
    labels = t.array
    if not isinstance(labels, np.ndarray) or labels.size == 0:
        return
    ok = ((labels >= 0) & (labels < x.shape[1])) | (labels == ignore_label)
    if not ok.all():
        raise ValueError("Each label `t` need to satisfy "
                         f"`0 <= t < x.shape[1] or t == {ignore_label}`")


def _classes_last(x: Variable, t: Variable | None):
    """x with classes moved to the last axis, flattened to 2-D; t flat."""
    from ..array import reshape, transpose
    axes = (0,) + tuple(range(2, x.ndim)) + (1,)
    x2 = reshape(transpose(x, axes), (-1, x.shape[1]))
    return x2, (None if t is None else reshape(t, (-1,)))


def _soft_target(x: Variable, t: Variable, reduce: str, soft_target_loss: str):
    from ...function_node import stop_gradient
    from ..activation import log_softmax
    from ..math import sum as sum_
    t = stop_gradient(t)                 # Chainer: differentiable only by x
    log_y = log_softmax(x, axis=1)
    if soft_target_loss == "kl-divergence":
        loss = sum_(t * (call("log", t + 1e-7) - log_y), axis=1)
    else:
        loss = -sum_(t * log_y, axis=1)
    if reduce == "mean":
        return sum_(loss) * (1.0 / (x.size / x.shape[1]))
    return loss


def softmax_cross_entropy(x, t, normalize: bool = True, cache_score: bool = True,
                          class_weight=None, ignore_label: int = -1, reduce: str = "mean",
                          enable_double_backprop: bool = False,
                          soft_target_loss: str = "cross-entropy") -> Variable:
    """Cross entropy of softmax(x) (classes on axis 1) against labels t.

    Integer labels pick one class per sample (`ignore_label` counts for
    nothing); float labels of x's shape are soft targets (a distribution per
    sample). With reduce="mean" the loss is averaged over the labels that
    count (normalize=True) or over the batch (normalize=False). The result
    differentiates to any order whatever `enable_double_backprop` says
    (kusari's gradients are ops); `cache_score` changes nothing here.
    """
    if soft_target_loss not in ("cross-entropy", "kl-divergence"):
        raise ValueError("soft_target_loss must be 'cross-entropy' or 'kl-divergence'.")
    _check_class_weight(class_weight)
    check_reduce(reduce, ("mean", "no"))
    x, t = var(x), var(t)
    label = "SoftmaxCrossEntropy"
    if t.dtype.kind != "i":                         # soft targets
        expect(label, float_kind(x, "x"), (t.dtype.kind == "f", "t.dtype.kind == f",
                                           f"{t.dtype.kind} != f"),
               same_shape(x, t, "x", "t"))
        return _soft_target(x, t, reduce, soft_target_loss)
    expect(label, float_kind(x, "x"), int_kind(t, "t"),
           (t.ndim == x.ndim - 1, "t.ndim == x.ndim - 1", f"{t.ndim} != {x.ndim - 1}"),
           (x.shape[:1] == t.shape[:1], "x.shape[0] == t.shape[0]",
            f"{x.shape[:1]} != {t.shape[:1]}"),
           (x.shape[2:] == t.shape[1:], "x.shape[2:] == t.shape[1:]",
            f"{x.shape[2:]} != {t.shape[1:]}"))
    if concrete(t):
        _check_labels(x, t, ignore_label)
    t_shape, batch = t.shape, x.shape[0]
    if x.ndim != 2:
        x, t = _classes_last(x, t)
    args = (x, t)
    if class_weight is not None:
        args += (var(np.asarray(class_weight).astype(x.dtype, copy=False)),)
    loss = call("softmax_cross_entropy", *args, normalize=bool(normalize),
                ignore_label=int(ignore_label), reduce=reduce, batch=batch)
    if reduce == "no" and len(t_shape) != 1:
        from ..array import reshape
        loss = reshape(loss, t_shape)
    return loss
