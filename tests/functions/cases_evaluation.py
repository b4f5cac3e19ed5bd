"""Special points of the evaluation functions: scores with 0, -0.0, +-inf,
NaN, huge and tiny entries; no gradient flows back through them."""
from __future__ import annotations

import numpy as np

import kusari.functions as F
from tests.functions.special_cases import no_gradient, rows


def _labels(n):
    return np.resize(np.array([0, 3, 1, -1, 2], np.int32), n)


def _summary(f, *args):
    """f's outputs in the scores' dtype (precision, recall and fbeta are
    float64, as Chainer's; the table sums all outputs in the input dtype)."""
    def run(v):
        return tuple(F.cast(o, v.dtype) if o.dtype.kind == "f" else o
                     for o in f(v, _labels(v.shape[0]), 4, *args))
    return run


def _binary_labels(shape):
    return np.resize(np.array([0, 1, -1, 1, 0], np.int32), shape)


CASES = {
    "binary_accuracy": no_gradient(lambda v: F.binary_accuracy(v, _binary_labels(v.shape)),
                                   lambda dt: [rows(dt)]),
    "classification_summary": no_gradient(_summary(F.classification_summary),
                                          lambda dt: [rows(dt)]),
    "precision": no_gradient(_summary(F.precision), lambda dt: [rows(dt)]),
    "recall": no_gradient(_summary(F.recall), lambda dt: [rows(dt)]),
    "f1_score": no_gradient(_summary(F.f1_score), lambda dt: [rows(dt)]),
    "fbeta_score": no_gradient(_summary(F.fbeta_score, 2.0), lambda dt: [rows(dt)]),
    "r2_score": no_gradient(lambda p, t: F.r2_score(p, t, multioutput="raw_values"),
                            lambda dt: [rows(dt), rows(dt)[::-1].copy()]),
}
