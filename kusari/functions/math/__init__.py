"""Mathematical functions, in Chainer's modules: elementwise math
(exponential, trigonometric, erf, lgamma, ...), reductions (sum, minmax,
prod, average, logsumexp), products (matmul, tensordot, einsum,
sparse_matmul), linear algebra (det, inv) and arithmetic (basic_math).

Each is one registry op or a few, so each differentiates to any order.
Comparisons and logical operations (comparison) are kusari's own.
"""
from __future__ import annotations

__all__ = ['absolute', 'add', 'arccos', 'arcsin', 'arctan', 'arctan2', 'arctanh', 'argmax',
           'argmin', 'average', 'batch_det', 'batch_inv', 'batch_l2_norm_squared',
           'batch_matmul', 'bias', 'ceil', 'cholesky', 'clip', 'cos', 'cosh', 'cumprod', 'cumsum',
           'det', 'digamma', 'einsum', 'equal', 'erf', 'erfc', 'erfcinv', 'erfcx', 'erfinv',
           'exp', 'expm1', 'fabs', 'fft', 'fix', 'floor', 'fmod', 'greater', 'greater_equal',
           'ifft', 'inv', 'less', 'less_equal', 'lgamma', 'linear_interpolate', 'log', 'log10',
           'log1p', 'log2', 'log_ndtr', 'logical_and', 'logical_not', 'logical_or',
           'logsumexp', 'matmul', 'max', 'maximum', 'mean', 'min', 'minimum', 'ndtr',
           'ndtri', 'not_equal', 'polygamma', 'prod', 'rsqrt', 'scale', 'sign', 'sin',
           'sinc', 'sinh', 'sparse_matmul', 'sqrt', 'square', 'sum', 'tan', 'tensordot', 'zeta']

from .arctanh import arctanh
from .average import average, mean
from .basic_math import absolute, add
from .batch_l2_norm_squared import batch_l2_norm_squared
from .bias import bias
from .ceil import ceil
from .cholesky import cholesky
from .clip import clip
from .comparison import (equal, greater, greater_equal, less, less_equal, logical_and,
                         logical_not, logical_or, not_equal)
from .cumprod import cumprod
from .cumsum import cumsum
from .det import batch_det, det
from .digamma import digamma
from .einsum import einsum
from .erf import erf
from .erfc import erfc
from .erfcinv import erfcinv
from .erfcx import erfcx
from .erfinv import erfinv
from .exponential import exp, log, log2, log10
from .exponential_m1 import expm1
from .fft import fft, ifft
from .fix import fix
from .floor import floor
from .fmod import fmod
from .hyperbolic import cosh, sinh
from .inv import batch_inv, inv
from .lgamma import lgamma
from .linear_interpolate import linear_interpolate
from .log_ndtr import log_ndtr
from .logarithm_1p import log1p
from .logsumexp import logsumexp, logsumexp_kept  # noqa: F401 (logsumexp_kept: for others)
from .matmul import batch_matmul, matmul
from .maximum import maximum
from .minimum import minimum
from .minmax import argmax, argmin, max, min  # noqa: A004
from .ndtr import ndtr
from .ndtri import ndtri
from .polygamma import polygamma
from .prod import prod
from .scale import scale
from .selection import select, where  # noqa: F401 (scalar-friendly forms, for others)
from .sign import sign
from .sinc import sinc
from .sparse_matmul import sparse_matmul
from .sqrt import rsqrt, sqrt
from .square import square
from .sum import sum  # noqa: A004
from .tensordot import tensordot
from .trigonometric import arccos, arcsin, arctan, arctan2, cos, sin, tan
from .zeta import zeta

fabs = absolute     # kusari's alias (NumPy's name)

from . import identity  # noqa: E402,F401  (the module: F.identity lives with the arrays)


def _module_like(fn, module) -> None:
    """Chainer's math package binds no functions, so `from
    chainer.functions.math import einsum` gives the module there, while
    kusari's package binds the function (kusari.functions star-imports it).
    The function gets the module's names too, so either use works."""
    for name, value in vars(module).items():
        if not name.startswith("__") and not hasattr(fn, name):
            setattr(fn, name, value)


def modules_like_functions(package: str, namespace: dict, names) -> None:
    """_module_like for each of `names` that is both a function and a module
    of `package` (kusari.functions.activation uses it too)."""
    import sys
    for name in names:
        module = sys.modules.get(f"{package}.{name}")
        fn = namespace.get(name)
        if module is not None and callable(fn) and fn is not module:
            _module_like(fn, module)


modules_like_functions(__name__, globals(), __all__)


def __getattr__(name):
    # Chainer's names that live elsewhere in kusari, reachable here too
    if name == "cast":
        from ..array import cast
        return cast
    if name == "tanh":
        from ..activation import tanh
        return tanh
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
