"""The op registry: one entry per primitive op.

An entry keeps together what STYLE.md asks to keep together: the shape rule,
the gradient rule (written as IR-building calls on `Sym` handles), the NumPy
form (used by eager execution and named in generated source) and the CUDA
expression for elementwise ops. Adding an op is adding one entry.

Every entry declares its gradient: a rule, ZERO (piecewise constant or not a
float: nothing flows back) or UNDEFINED (asking for it raises NotDifferentiable
naming the op). A rule is called as ``grad(gy, out, *inputs, **attrs)`` with
`Sym` handles and returns one gradient (or None) per input. For elementwise
ops the autodiff pass undoes broadcasting itself (sum_to), so rules stay one
line. An op one application of which is several nodes (one per output, as
a user's FunctionNode) may also give `group_grad`, called once for all of
them: ``group_grad(gys, outs, *inputs, needed, **attrs)`` with the outputs'
gradients and values by output index (see autodiff.vjp).

The entry also says whether the op's result may be a view of its operand
(`view`), and, for a reduction that can close a fused group, how partial
results combine (`combine`): fusion, the NumPy code generator, the blocked
runtime and the CUDA generator all read these from here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..errors import InvalidType, NotDifferentiable, invalid_in

ELEMENTWISE = "elementwise"  # shape-preserving after broadcasting; fusable
REDUCE = "reduce"            # may close a fused group
SHAPE = "shape"              # views and movement: reshape, transpose, broadcast
INDEX = "index"              # getitem / scatter
LIBRARY = "library"          # matmul, linear: stand alone, call NumPy
SOURCE = "source"            # input, const


ZERO = "zero"              # gradient declarations that are not rules
UNDEFINED = "undefined"


@dataclass(frozen=True)
class Combine:
    """How a reduction's partial results combine (blocked or in a CUDA block).

    A reduction fused into a blocked kernel reduces each block, then combines
    the blocks' results: its additions (multiplications) happen in another
    order than NumPy's over the whole array, so a sum or a product may round
    differently, and overflow or not where NumPy's did not. This
    reassociation is the one way compiled results may differ from eager
    ones (spine.Options); max and min agree in any order but for the sign of a
    zero result."""
    identity: float          # the value of the reduction over no elements
    numpy_reduce: str        # reduces a block over axes: np.sum, np.max ...
    numpy_combine: str       # the ufunc combining two partial results: np.add ...
    cuda: str                # the same on the GPU, an expression of {0} and {1}


SUM = Combine(0, "np.sum", "np.add", "({0} + {1})")
MAX = Combine(-np.inf, "np.max", "np.maximum", "ks_maximum({0}, {1})")
MIN = Combine(np.inf, "np.min", "np.minimum", "ks_minimum({0}, {1})")
PROD = Combine(1, "np.prod", "np.multiply", "({0} * {1})")


class OpDef:
    """A primitive op: see the module docstring."""

    def __init__(self, name: str, kind: str, infer: Callable, *, grad,
                 impl: Callable | None = None, numpy_name: str | None = None,
                 cuda: str | None = None, view: bool = False,
                 combine: Combine | None = None,
                 label: str | None = None, arg_names: Sequence[str] = ("x",),
                 attr_names: Sequence[str] = (), saves: Sequence[int] | slice = (),
                 saves_out: bool = False, out_arg: bool = False,
                 float_only: bool = False, group_grad: Callable | None = None,
                 native: bool = False):
        self.name = name
        self.kind = kind
        self.infer = infer
        self.impl = impl
        self.numpy_name = numpy_name
        self.cuda = cuda
        self.view = view                 # the result may share the operand's memory
        self.combine = combine           # a reduction that may close a fused group
        self.label = label or name
        if grad is ZERO:
            grad = None                  # nothing flows back
        elif grad is UNDEFINED:
            grad = _undefined(self.label)
        elif not callable(grad):
            raise TypeError(f"op {name!r} must declare its gradient: a rule, ZERO or "
                            f"UNDEFINED, not {grad!r}")
        self.grad = grad
        self.group_grad = group_grad     # one rule for all outputs of one application
        self.arg_names = tuple(arg_names)
        self.attr_names = tuple(attr_names)
        # operand positions the gradient reads (a slice: all from a position on)
        self.saves = saves if isinstance(saves, slice) else tuple(saves)
        self.saves_out = saves_out       # whether the gradient reads the output
        self._saved_masks: dict = {}
        self.out_arg = out_arg           # impl accepts out= (a ufunc or alike)
        self.float_only = float_only
        # its CUDA form, compiled by the host's C compiler, gives NumPy's bits
        # and floating-point flags for float32/64 (IEEE's correctly rounded
        # ops): fused CPU kernels of such ops may run as native code
        self.native = native

    def saved_positions(self, nargs: int) -> tuple:
        if isinstance(self.saves, slice):
            return tuple(range(nargs))[self.saves]
        return self.saves

    def saved_mask(self, nargs: int):
        """For `nargs` operands: None if the gradient reads none of them, True
        if all, else a tuple of flags (memoized: the recording hot path)."""
        try:
            return self._saved_masks[nargs]
        except KeyError:
            pos = self.saved_positions(nargs)
            mask = None if not pos else True if len(pos) == nargs else \
                tuple(i in pos for i in range(nargs))
            self._saved_masks[nargs] = mask
            return mask

    def infer_checked(self, attrs: dict, avals: Sequence) -> tuple[tuple, np.dtype]:
        """(shape, dtype) of the output, or InvalidType naming this op."""
        try:
            shape, dtype = self.infer(attrs, *avals)
        except InvalidType as e:
            raise invalid_in(self.label, e) from None
        return tuple(shape), np.dtype(dtype)

    def __repr__(self):
        return f"<op {self.name}>"


def _undefined(label: str) -> Callable:
    def rule(gy, y, *inputs, **attrs):
        raise NotDifferentiable(f"{label} is not differentiable: no gradient flows back "
                                "through it (use stop_gradient, or take the gradient "
                                "with respect to another value)")
    rule.undefined = True
    return rule


REGISTRY: dict[str, OpDef] = {}


def register(opdef: OpDef) -> OpDef:
    if opdef.name in REGISTRY:
        raise ValueError(f"op {opdef.name!r} is registered twice")
    REGISTRY[opdef.name] = opdef
    return opdef


def get(name: str) -> OpDef:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown op {name!r}") from None


# -- shared shape rules -------------------------------------------------------

class Mismatch(ValueError):
    """Shapes that do not broadcast (callers say where and which)."""


def broadcast_dims(shapes) -> tuple:
    """NumPy broadcasting of `shapes`. Dims are ints, or, for the language's
    checker, names (equal only to themselves) and None (not known yet, so
    compatible with anything). Raises Mismatch."""
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(-ndim, 0):
        dim = 1
        for s in shapes:
            d = s[i] if -i <= len(s) else 1
            if d == 1:
                continue
            if dim == 1:
                dim = d
            elif d is None or dim is None:
                dim = d if dim is None else dim
            elif d != dim:
                raise Mismatch()
        out.append(dim)
    return tuple(out)


def broadcast_shapes(shapes: Sequence[tuple], names: Sequence[str]) -> tuple:
    """NumPy broadcasting of `shapes`, or InvalidType naming the operands."""
    try:
        return broadcast_dims(shapes)
    except Mismatch:
        parts = " and ".join(f"{n}.shape" for n in names)
        actual = ", ".join(str(tuple(s)) for s in shapes)
        raise InvalidType(f"{parts} are broadcastable", actual) from None


def check_float(aval, name: str) -> None:
    if aval.dtype.kind != "f":
        raise InvalidType(f"{name}.dtype.kind == f", f"{aval.dtype.kind} != f")


def check_same_dtype(avals: Sequence, names: Sequence[str]) -> None:
    first = avals[0].dtype
    for a, n in zip(avals[1:], names[1:]):
        if a.dtype != first:
            raise InvalidType(f"{names[0]}.dtype == {n}.dtype", f"{first} != {a.dtype}")


def normalize_axis(axis, ndim: int, name: str = "x") -> tuple:
    """`axis` (None, an int or a sequence) as a sorted tuple of axes >= 0."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    out = []
    for a in axis:
        a = int(a)
        if not -ndim <= a < ndim:
            raise InvalidType(f"-{name}.ndim <= axis < {name}.ndim",
                              f"axis {a} is out of bounds for {name}.ndim = {ndim}")
        a %= ndim if ndim else 1
        if a in out:
            raise InvalidType("axis has no duplicates", f"axis {a} repeats")
        out.append(a)
    return tuple(sorted(out))


def reduced_shape(shape: tuple, axis: tuple, keepdims: bool) -> tuple:
    if keepdims:
        return tuple(1 if i in axis else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axis)


_numpy_dtype_cache: dict = {}


def numpy_result_dtype(fn: Callable, *dtypes: np.dtype) -> np.dtype:
    """The dtype NumPy gives `fn` on arrays of `dtypes` (asked once, cached)."""
    key = (fn, dtypes)
    dt = _numpy_dtype_cache.get(key)
    if dt is None:
        with np.errstate(all="ignore"):
            dt = np.asarray(fn(*(np.ones(1, d) for d in dtypes))).dtype
        _numpy_dtype_cache[key] = dt
    return dt
