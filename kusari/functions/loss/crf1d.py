"""F.crf1d and F.argmax_crf1d: a linear-chain conditional random field."""
from __future__ import annotations

import numpy as np

from ...backends import cuda
from ...variable import Variable
from .._core import call, var
from ._checks import check_reduce
from ._ops import reshape, rsum


def _labels(y):
    if isinstance(y, Variable):
        return y.array
    return y if cuda.is_cupy_array(y) else np.asarray(y)


def _step_scores(alpha: Variable, cost: Variable) -> Variable:
    """alpha[b, i] + cost[i, j] for every b, i, j: (batch, K, K)."""
    k = cost.shape[0]
    return reshape(alpha, alpha.shape + (1,)) + reshape(cost, (1, k, k))


def crf1d(cost, xs, ys, reduce: str = "mean") -> Variable:
    """The negative log-likelihood of label sequences ys under a linear-chain
    CRF with transition scores `cost` (K, K) and unary scores xs (a list of
    (batch_t, K), the batch shrinking as sequences end: sorted by length).
    reduce="mean" divides the sum by the batch size."""
    check_reduce(reduce, ("mean", "no"))
    from ..math.logsumexp import logsumexp
    cost = var(cost)
    xs = [var(x) for x in xs]
    assert xs[0].shape[1] == cost.shape[0]
    k, n = cost.shape[0], xs[0].shape[0]
    # the log partition: the forward algorithm; rows whose sequence ended
    # are set aside as the batch shrinks
    alpha, ended = xs[0], []
    for x in xs[1:]:
        b = x.shape[0]
        if alpha.shape[0] > b:
            ended.append(alpha[b:])
            alpha = alpha[:b]
        alpha = logsumexp(_step_scores(alpha, cost), axis=1) + x
    if ended:
        alpha = call("concat", alpha, *reversed(ended), axis=0)
    logz = logsumexp(alpha, axis=1)
    # the score of the given labels: unary and transition scores along them
    ys = [_labels(y) for y in ys]
    from ..array import get_item, select_item
    score, ended = select_item(xs[0], ys[0]), []
    for x, y, y_prev in zip(xs[1:], ys[1:], ys[:-1]):
        b = x.shape[0]
        if score.shape[0] > b:
            ended.append(score[b:])
            score = score[:b]
        score = score + select_item(x, y) + get_item(cost, (y_prev[:b], y))
    if ended:
        score = call("concat", score, *reversed(ended), axis=0)
    loss = logz - score
    return rsum(loss) / n if reduce == "mean" else loss


def argmax_crf1d(cost, xs):
    """(score, path): the best label sequences under the CRF (Viterbi) and
    their scores (a Variable (batch,)); path is a list of label arrays, one
    per step (batch_t,)."""
    from ._ops import concrete
    cost = var(cost)
    xs = [var(x) for x in xs]
    if not all(concrete(x) for x in xs + [cost]):
        raise TypeError("argmax_crf1d: the best path is data (label arrays), so it needs "
                        "the scores' values; it cannot run on traced values (kusari.jit)")
    alpha, ended, pointers = xs[0], [], []
    for x in xs[1:]:
        b = x.shape[0]
        if alpha.shape[0] > b:
            ended.append(alpha[b:])
            alpha = alpha[:b]
        else:
            ended.append(None)
        scores = _step_scores(alpha, cost)
        pointers.append(np.argmax(scores.array, axis=1))
        alpha = call("max", scores, axis=(1,), keepdims=False) + x
    best = np.argmax(alpha.array, axis=1)
    path = [best]
    for pointer, rest in zip(reversed(pointers), reversed(ended)):
        best = pointer[np.arange(len(best)), best]
        if rest is not None:
            best = np.concatenate([best, np.argmax(rest.array, axis=1)])
        path.append(best)
    path.reverse()
    score = call("max", alpha, axis=(1,), keepdims=False)
    rests = [call("max", r, axis=(1,), keepdims=False) for r in reversed(ended)
             if r is not None]
    if rests:
        score = call("concat", score, *rests, axis=0)
    return score, path
