"""F.r2_score: the coefficient of determination."""
from __future__ import annotations

from ...function_node import stop_gradient
from ...variable import Variable
from .._core import call, scalar_like, var
from ..loss._checks import expect, float_kind, same_shape
from ..loss._ops import reshape, rmean, rsum


def r2_score(pred, true, sample_weight=None, multioutput: str = "uniform_average") -> Variable:
    """1 - SS_res / SS_tot over axis 0 (0 where SS_tot is 0), averaged over
    the outputs (multioutput="uniform_average") or per output
    ("raw_values"). `sample_weight` (one weight per sample) weighs the sums
    and the mean of `true`, as scikit-learn does (Chainer refuses it)."""
    if multioutput not in ("uniform_average", "raw_values"):
        raise ValueError("invalid multioutput argument")
    pred, true = stop_gradient(var(pred)), stop_gradient(var(true))  # as Chainer's
    expect("R2_score", float_kind(pred, "pred"), float_kind(true, "true"))
    expect("R2_score", same_shape(pred, true, "pred", "true"))
    d = pred - true
    if sample_weight is None:
        ss_res = rsum(d * d, axis=0)
        c = true - rmean(true, axis=0)
        ss_tot = rsum(c * c, axis=0)
    else:
        w = var(sample_weight)
        expect("R2_score", (w.shape == pred.shape[:1], "sample_weight.shape == pred.shape[:1]",
                            f"{w.shape} != {pred.shape[:1]}"))
        w = reshape(call("cast", w, dtype=pred.dtype) if w.dtype != pred.dtype else w,
                    w.shape + (1,) * (pred.ndim - 1))
        ss_res = rsum(w * d * d, axis=0)
        c = true - rsum(w * true, axis=0) / rsum(w, axis=0)
        ss_tot = rsum(w * c * c, axis=0)
    zero = call("equal", ss_tot, scalar_like(ss_tot, 0))
    safe = call("where", zero, scalar_like(ss_tot, 1), ss_tot)
    ret = call("where", zero, scalar_like(ss_tot, 0), 1 - ss_res / safe)
    if multioutput == "uniform_average":
        return rmean(ret)
    return ret
