"""Elementwise ops: math, arithmetic, comparisons, select and cast.

Each line is an op: its NumPy form, its CUDA expression and its gradient.
Gradients are returned at the broadcast shape; the autodiff pass sums them
back to each operand's shape.
"""
from __future__ import annotations

import math

import numpy as np

from .. import sym as S
from ..errors import InvalidType
from . import numpy_kernels as nk
from .registry import (ELEMENTWISE, ZERO, OpDef, broadcast_shapes, check_float,
                       check_same_dtype, numpy_result_dtype, register)


def _unary_infer(float_only: bool):
    def infer(attrs, x):
        if float_only:
            check_float(x, "x")
        return x.shape, x.dtype
    return infer


def unary(name, fn, numpy_name, cuda, grad, *, saves=(), saves_out=False,
          float_only=True, label=None, native=False):
    return register(OpDef(
        name, ELEMENTWISE, _unary_infer(float_only), impl=fn, numpy_name=numpy_name,
        grad=grad, cuda=cuda, label=label or name.capitalize(), saves=saves,
        saves_out=saves_out, out_arg=True, float_only=float_only, native=native))


LN2 = math.log(2.0)
LN10 = math.log(10.0)

# name      NumPy form                    CUDA                gradient (gy, y, x)
unary("neg", np.negative, "np.negative", "(-{0})",
      lambda gy, y, x: (-gy,), float_only=False, label="Neg", native=True)
unary("exp", np.exp, "np.exp", "exp({0})",
      lambda gy, y, x: (gy * y,), saves_out=True)
unary("expm1", np.expm1, "np.expm1", "expm1({0})",
      lambda gy, y, x: (gy * (y + 1),), saves_out=True)
unary("log", np.log, "np.log", "log({0})",
      lambda gy, y, x: (gy / x,), saves=(0,))
unary("log2", np.log2, "np.log2", "log2({0})",
      lambda gy, y, x: (gy / (x * LN2),), saves=(0,))
unary("log10", np.log10, "np.log10", "log10({0})",
      lambda gy, y, x: (gy / (x * LN10),), saves=(0,))
unary("log1p", np.log1p, "np.log1p", "log1p({0})",
      lambda gy, y, x: (gy / (x + 1),), saves=(0,))
unary("sqrt", np.sqrt, "np.sqrt", "sqrt({0})",
      lambda gy, y, x: (gy / (y * 2),), saves_out=True, native=True)
unary("rsqrt", nk.rsqrt, "nk.rsqrt", "rsqrt({0})",
      lambda gy, y, x: (gy * (y * y * y * -0.5),), saves_out=True)
unary("square", np.square, "np.square", "({0} * {0})",
      lambda gy, y, x: (gy * (x * 2),), saves=(0,), native=True)
unary("sin", np.sin, "np.sin", "sin({0})",
      lambda gy, y, x: (gy * S.cos(x),), saves=(0,))
unary("cos", np.cos, "np.cos", "cos({0})",
      lambda gy, y, x: (gy * -S.sin(x),), saves=(0,))
unary("tan", np.tan, "np.tan", "tan({0})",
      lambda gy, y, x: (gy * (y * y + 1),), saves_out=True)
unary("arcsin", np.arcsin, "np.arcsin", "asin({0})",
      lambda gy, y, x: (gy / S.sqrt(1 - x * x),), saves=(0,))
unary("arccos", np.arccos, "np.arccos", "acos({0})",
      lambda gy, y, x: (-gy / S.sqrt(1 - x * x),), saves=(0,))
unary("arctan", np.arctan, "np.arctan", "atan({0})",
      lambda gy, y, x: (gy / (x * x + 1),), saves=(0,))
unary("sinh", np.sinh, "np.sinh", "sinh({0})",
      lambda gy, y, x: (gy * S.cosh(x),), saves=(0,))
unary("cosh", np.cosh, "np.cosh", "cosh({0})",
      lambda gy, y, x: (gy * S.sinh(x),), saves=(0,))
unary("tanh", np.tanh, "np.tanh", "tanh({0})",
      lambda gy, y, x: (gy * (1 - y * y),), saves_out=True)
unary("sigmoid", nk.sigmoid, "nk.sigmoid", "(tanh({0} * 0.5) * 0.5 + 0.5)",
      lambda gy, y, x: (gy * y * (1 - y),), saves_out=True)
# Chainer's softplus, its gradient sigmoid(x): 1/2 at 0, exactly 1 and 0 far out
unary("softplus", nk.softplus, "nk.softplus",
      "(max({0}, (T)0) + log1p(exp(-fabs({0}))))",
      lambda gy, y, x: (gy * S.sigmoid(x),), saves=(0,), label="Softplus")
# Chainer's ReLU gradient: gy times the mask (a multiply, not a select: 10x faster
# in NumPy, and NaN in gy propagates as in Chainer)
unary("relu", nk.relu, "nk.relu", "ks_maximum({0}, (T)0)",
      lambda gy, y, x: (gy * (y > 0).astype(gy.dtype),), saves_out=True, label="ReLU")
unary("abs", np.abs, "np.abs", "abs({0})",
      lambda gy, y, x: (gy * S.sign(x),), saves=(0,), float_only=False,
      label="Absolute")
# piecewise constant: no gradient flows through these
unary("sign", np.sign, "np.sign", "ks_sign({0})", ZERO, float_only=False)
unary("floor", np.floor, "np.floor", "floor({0})", ZERO)
unary("ceil", np.ceil, "np.ceil", "ceil({0})", ZERO)


# -- binary -------------------------------------------------------------------

def _binary_infer(fn, float_only: bool, same_dtype: bool, out_dtype=None):
    names = ("lhs", "rhs")

    def infer(attrs, a, b):
        if float_only:
            check_float(a, "lhs")
            check_float(b, "rhs")
        if same_dtype:
            check_same_dtype((a, b), names)
        shape = a.shape if a.shape == b.shape else broadcast_shapes((a.shape, b.shape), names)
        if out_dtype is not None:
            return shape, out_dtype
        return shape, numpy_result_dtype(fn, a.dtype, b.dtype)
    return infer


def binary(name, fn, numpy_name, cuda, grad, *, label, saves=(), saves_out=False,
           float_only=False, out_dtype=None, native=False):
    return register(OpDef(
        name, ELEMENTWISE, _binary_infer(fn, float_only, True, out_dtype), impl=fn,
        numpy_name=numpy_name, grad=grad, cuda=cuda, label=label,
        arg_names=("lhs", "rhs"), saves=saves, saves_out=saves_out, out_arg=True,
        float_only=float_only, native=native))


def _pow_grad(gy, y, a, b):
    # d/db: y log a, which is 0 where y is 0 (a = 0 and b > 0, a = inf and
    # b < 0, underflow), not 0 * -inf: the log sees 1 there, so no NaN comes
    # back through it either
    safe_a = S.where(S.equal(y, 0), 1, a)
    return gy * b * a ** (b - 1), gy * y * S.log(safe_a)


def _div_grad(gy, y, a, b):
    # d/db: -a / b^2 as -(gy y) / b, not Chainer's -(gy / b) a / b: the same
    # to rounding, and 0, not inf * 0, where a is 0 and 1 / b overflows
    return gy / b, -(gy * y) / b


def _max_grad(gy, y, a, b):
    cond = a >= b
    return S.where(cond, gy, 0), S.where(cond, 0, gy)


def _min_grad(gy, y, a, b):
    cond = a <= b
    return S.where(cond, gy, 0), S.where(cond, 0, gy)


# name        NumPy form          CUDA             gradient (gy, y, a, b)
binary("add", np.add, "np.add", "({0} + {1})",
       lambda gy, y, a, b: (gy, gy), label="_ + _", native=True)
binary("sub", np.subtract, "np.subtract", "({0} - {1})",
       lambda gy, y, a, b: (gy, -gy), label="_ - _", native=True)
binary("mul", np.multiply, "np.multiply", "({0} * {1})",
       lambda gy, y, a, b: (gy * b, gy * a), label="_ * _", saves=(0, 1), native=True)
binary("div", np.true_divide, "np.true_divide", "({0} / {1})", _div_grad,
       label="_ / _", saves=(1,), saves_out=True, native=True)
# pow: exponents 2, -1 and 0.5 as x * x, 1 / x and sqrt(x), whatever their
# layout (nk.power says why)
binary("pow", nk.power, "nk.power",
       "({1} == (T)2 ? {0} * {0} : {1} == (T)-1 ? (T)1 / {0} : "
       "{1} == (T)0.5 ? sqrt({0}) : pow({0}, {1}))", _pow_grad,
       label="_ ** _", saves=(0, 1), saves_out=True)
binary("maximum", np.maximum, "np.maximum", "ks_maximum({0}, {1})", _max_grad,
       label="Maximum", saves=(0, 1))
binary("minimum", np.minimum, "np.minimum", "ks_minimum({0}, {1})", _min_grad,
       label="Minimum", saves=(0, 1))

bool_ = np.dtype(np.bool_)
for _name, _fn, _c in [("less", np.less, "<"), ("less_equal", np.less_equal, "<="),
                       ("greater", np.greater, ">"),
                       ("greater_equal", np.greater_equal, ">="),
                       ("equal", np.equal, "=="), ("not_equal", np.not_equal, "!=")]:
    binary(_name, _fn, f"np.{_name}", f"({{0}} {_c} {{1}})", ZERO, label=f"_ {_c} _",
           out_dtype=bool_)


def _logical_infer(attrs, *xs):
    for x, n in zip(xs, ("lhs", "rhs")):
        if x.dtype != bool_:
            raise InvalidType(f"{n}.dtype == bool", f"{x.dtype} != bool")
    if len(xs) == 1:
        return xs[0].shape, bool_
    return broadcast_shapes([x.shape for x in xs], ("lhs", "rhs")), bool_


for _name, _c in [("logical_and", "({0} && {1})"), ("logical_or", "({0} || {1})")]:
    register(OpDef(_name, ELEMENTWISE, _logical_infer, impl=getattr(np, _name),
                   numpy_name=f"np.{_name}", cuda=_c, label=_name, grad=ZERO,
                   arg_names=("lhs", "rhs"), out_arg=True))
register(OpDef("logical_not", ELEMENTWISE, _logical_infer, impl=np.logical_not,
               numpy_name="np.logical_not", cuda="(!{0})", label="logical_not",
               grad=ZERO, out_arg=True))


# -- select and cast ----------------------------------------------------------

def _where_infer(attrs, c, a, b):
    if c.dtype != bool_:
        raise InvalidType("condition.dtype == bool", f"{c.dtype} != bool")
    check_same_dtype((a, b), ("x", "y"))
    shape = broadcast_shapes((c.shape, a.shape, b.shape), ("condition", "x", "y"))
    return shape, a.dtype


register(OpDef(
    "where", ELEMENTWISE, _where_infer, impl=nk.where, numpy_name="nk.where",
    cuda="({0} ? {1} : {2})", label="Where", arg_names=("condition", "x", "y"),
    saves=(0,), out_arg=True,
    grad=lambda gy, y, c, a, b: (None, S.where(c, gy, 0), S.where(c, 0, gy))))


def _cast_infer(attrs, x):
    return x.shape, attrs["dtype"]


def _cast_grad(gy, y, x, dtype):
    return (gy.astype(x.dtype) if x.dtype.kind == "f" else None,)


register(OpDef(
    "cast", ELEMENTWISE, _cast_infer, impl=nk.cast, numpy_name="nk.cast",
    cuda="(({T}){0})", label="Cast", attr_names=("dtype",), grad=_cast_grad,
    out_arg=True))


register(OpDef(
    "stop_gradient", ELEMENTWISE, _unary_infer(False), impl=nk.identity,
    numpy_name="nk.identity", cuda="{0}", label="StopGradient", grad=ZERO, view=True))
