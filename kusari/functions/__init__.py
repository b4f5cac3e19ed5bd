"""kusari.functions: Chainer's functions, each built from registry ops.

Every function here differentiates to any order: its gradient is IR from the
op registry, never hand-written NumPy.
"""
from ..function_node import stop_gradient  # noqa: F401
from .activation import (elu, leaky_relu, log_softmax, relu, sigmoid, softmax,  # noqa: F401
                         softplus, swish, tanh)
from .array import (broadcast, broadcast_to, concat, expand_dims, flatten,  # noqa: F401
                    get_item, hstack, identity, reshape, select_item, separate,
                    split_axis, squeeze, stack, sum_to, swapaxes, transpose, vstack)
from .connection import linear  # noqa: F401
from .evaluation import accuracy  # noqa: F401
from .loss import (absolute_error, mean_squared_error, sigmoid_cross_entropy,  # noqa: F401
                   softmax_cross_entropy, squared_error)
from .math import (absolute, add, arccos, arcsin, arctan, argmax, argmin,  # noqa: F401
                   average, batch_matmul, cast, ceil, clip, cos, cosh, equal, exp, expm1,
                   fabs, floor, greater, greater_equal, less, less_equal, log, log1p, log2,
                   log10, logical_and, logical_not, logical_or, logsumexp, matmul, max,
                   maximum, mean, min, minimum, not_equal, prod, rsqrt, sign, sin, sinh,
                   sqrt, square, sum, tan, where)
from .noise import dropout  # noqa: F401
