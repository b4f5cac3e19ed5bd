"""What the optimizers share: default hyperparameters and rule set-up."""
from __future__ import annotations

import numpy

from ..optimizer import Hyperparameter


def defaults(**values) -> Hyperparameter:
    """A module's default hyperparameters (the parent of a rule made alone)."""
    hp = Hyperparameter()
    for k, v in values.items():
        setattr(hp, k, v)
    return hp


def override(rule, **values) -> None:
    """Set the hyperparameters given (not None) on the rule itself."""
    for k, v in values.items():
        if v is not None:
            setattr(rule.hyperparam, k, v)


def zeros_like(param):
    """A zero state array like the parameter's (on its device)."""
    array = param.array
    if isinstance(array, numpy.ndarray):
        return numpy.zeros_like(array)
    from ..backends import cuda
    return cuda.get_array_module(array).zeros_like(array)


def ones_like(param):
    """A state array of ones like the parameter's."""
    array = param.array
    if isinstance(array, numpy.ndarray):
        return numpy.ones_like(array)
    from ..backends import cuda
    return cuda.get_array_module(array).ones_like(array)


def as_dtype(x, dtype):
    """`x` (a Variable) in `dtype` (a cast only when it differs)."""
    from .. import functions as F
    return x if x.dtype == dtype else F.cast(x, dtype)


def full(x, like):
    """`x` (a number, or a weak 0-d Variable such as a hyperparameter) as an
    array like the Variable `like`: its dtype and shape. Next to a weak
    number (a hyperparameter, inside a step) a number stays weak."""
    from .. import functions as F
    from ..variable import Variable
    if not isinstance(x, Variable):
        x = Variable(numpy.asarray(x, like.dtype), requires_grad=False)
        if like.__dict__.get("_weak"):
            x.__dict__["_weak"] = True
    return F.broadcast_to(as_dtype(x, like.dtype), like.shape)
