"""F.classification_summary, F.precision, F.recall, F.fbeta_score and
F.f1_score: per-class scores of class predictions."""
from __future__ import annotations

import numpy as np

from ...variable import Variable
from .._core import call, scalar_like, var
from ..loss._ops import cast, concrete, onehot, reshape, rsum
from .accuracy import check_prediction_shapes, predictions

_I64 = np.dtype(np.int64)


def _fbeta(precision: Variable, recall: Variable, beta) -> Variable:
    b2 = beta * beta
    return (1 + b2) * precision * recall / (b2 * precision + recall)


def classification_summary(y, t, label_num=None, beta=1.0, ignore_label=-1):
    """(precision, recall, fbeta, support) per class 0 .. label_num - 1 of
    the predictions argmax(y, axis=1) against labels t; samples labelled
    `ignore_label` do not count. label_num None: max(t) + 1. Precision,
    recall and fbeta are float64 (NaN where a class is never predicted or
    never present), support int64, as Chainer's. No gradient flows back."""
    y, t = var(y), var(t)
    check_prediction_shapes("ClassificationSummary", y, t)
    if label_num is None:
        if not concrete(t):
            raise ValueError("classification_summary: label_num=None needs the labels' "
                             "values (max(t) + 1); pass label_num under jit")
        label_num = int(t.array.max()) + 1 if t.size else 0
    label_num = int(label_num)
    pred = reshape(predictions(y, t), (t.size,))
    true = reshape(t, (t.size,))
    valid = reshape(call("not_equal", true, scalar_like(true, ignore_label)), (t.size, 1))
    p_hot = call("logical_and", onehot(pred, label_num), valid)
    t_hot = call("logical_and", onehot(true, label_num), valid)
    support = rsum(cast(t_hot, _I64), axis=0)
    relevant = rsum(cast(p_hot, _I64), axis=0)
    tp = rsum(cast(call("logical_and", p_hot, t_hot), _I64), axis=0)
    precision = tp / relevant
    recall = tp / support
    return precision, recall, _fbeta(precision, recall, beta), support


def precision(y, t, label_num=None, ignore_label=-1):
    """(precision per class, support)."""
    p, _, _, s = classification_summary(y, t, label_num, 1.0, ignore_label)
    return p, s


def recall(y, t, label_num=None, ignore_label=-1):
    """(recall per class, support)."""
    _, r, _, s = classification_summary(y, t, label_num, 1.0, ignore_label)
    return r, s


def fbeta_score(y, t, label_num=None, beta=1.0, ignore_label=-1):
    """(F-beta score per class, support)."""
    _, _, f, s = classification_summary(y, t, label_num, beta, ignore_label)
    return f, s


def f1_score(y, t, label_num=None, ignore_label=-1):
    """(F1 score per class, support)."""
    _, _, f, s = classification_summary(y, t, label_num, 1.0, ignore_label)
    return f, s
