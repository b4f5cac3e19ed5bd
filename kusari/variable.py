"""Chainer's Variable and Parameter.

A Variable holds an array and, when an op made it, the Node of the recorded
graph. Its gradient is kept as an array (`grad`) and, on demand or after a
double backprop, as a Variable (`grad_var`); the two always agree.

Semantics follow the seeds first, then Chainer 7: a second `y.backward()`
accumulates into the leaves' grads again (y keeps its grad), and a backward
without retain_grad leaves intermediate grads None.
"""
from __future__ import annotations

import weakref

import numpy as np

from . import function_node as fn
from .compiler import dtypes, ops
from .compiler.errors import InvalidType, invalid_in
from .configuration import state
from .function_node import record
from .tape import Const, Node, _consts as _const_cache, const
from . import tracing as _tracing
from .tracing import Traced

ndarray = np.ndarray
_SCALARS = (int, float, bool)


class _ImplicitOnes:
    """y.grad after backward() started from a one-element y with no grad:
    ones, made into an array only if someone reads it."""

    def __repr__(self):
        return "<implicit ones>"


IMPLICIT_ONES = _ImplicitOnes()


def _is_array(data) -> bool:
    if isinstance(data, (np.ndarray, Traced)):
        return True
    return type(data).__module__.split(".")[0] == "cupy"


def _type_error(data) -> TypeError:
    return TypeError("numpy.ndarray or cuda.ndarray are expected.\n"
                     f"Actual: {type(data)}")


_KINDS = frozenset("biuf")


def _check_dtype(data) -> None:
    """kusari computes on bool, integer and float arrays: anything else (object,
    strings, complex, dates) is refused here, not deep inside an op."""
    dtype = getattr(data, "dtype", None)
    if dtype is not None and dtype.kind not in _KINDS:
        why = "kusari does not support complex numbers" if dtype.kind == "c" else \
            "kusari computes on bool, integer and float arrays"
        raise TypeError(f"an array of dtype {dtype} cannot be a Variable: {why}")


_RANK = {"b": 0, "u": 1, "i": 1, "f": 2}


class Variable:
    """An array with a gradient and the history of how it was computed."""

    __slots__ = ("_array", "_node", "_grad", "_grad_var", "name", "_requires_grad",
                 "_loss_scale", "__weakref__", "__dict__")
    __array_priority__ = 200
    __array_ufunc__ = None    # ndarray <op> Variable defers to Variable's reflected op
    __hash__ = None           # Variables are unhashable, as in Chainer

    _has_chainerx_array = False

    def __init__(self, data=None, *, name: str | None = None, grad=None,
                 requires_grad: bool = True, **kwargs):
        if kwargs:
            _check_kwargs(kwargs)
        if data is not None:
            if not _is_array(data):
                raise _type_error(data)
            if data.dtype.kind not in _KINDS:
                _check_dtype(data)
        self._array = data
        self._grad = None
        self._grad_var = None
        self.name = name
        self._requires_grad = requires_grad
        # the leaf node now, as Chainer's Variable has one from the start
        self._node = None if data is None else Node(
            None, (), (), None, None, weakref.ref(self), data.shape, data.dtype,
            requires_grad)
        if grad is not None:
            self.grad = grad

    @staticmethod
    def _init_unchecked(data=None, device=None, name=None, grad=None, grad_valid=True,
                        requires_grad=True, is_chainerx_array=None, node=None, layout=None):
        """A Variable made without the checks (Chainer's fast path)."""
        v = Variable.__new__(Variable)
        v._array = data
        v._grad = grad
        v._grad_var = None
        v.name = name
        v._requires_grad = requires_grad
        v._node = node
        if node is not None:
            node.var = weakref.ref(v)
        elif data is not None:
            v._leaf_node()
        return v

    # -- the array ------------------------------------------------------------
    @property
    def array(self):
        return self._array

    @array.setter
    def array(self, d):
        if d is not None and not _is_array(d):
            raise _type_error(d)
        if d is not None:
            _check_dtype(d)
        ctx = _tracing.active() if _tracing.TRACING and self._array is not None else None
        if ctx is not None and (type(self._array) is not Traced or id(self) in ctx.remembered):
            from .compiler.errors import TraceError
            raise TraceError(
                f"cannot assign {self._describe()}.array inside kusari.jit: the new "
                "array would be computed once, when the function is traced, and not "
                "written back at each call. Compute the new value with "
                "kusari.functions and return it, or assign outside the jitted function")
        self._array = d
        node = self._node
        if node is not None and d is not None:
            node.shape, node.dtype = d.shape, d.dtype
            if node._data is not None:
                node._data = d

    data = array

    @property
    def raw_array(self):
        return self._array

    @property
    def shape(self) -> tuple:
        return self._array.shape

    @property
    def dtype(self) -> np.dtype:
        return self._array.dtype

    @property
    def ndim(self) -> int:
        return self._array.ndim

    @property
    def size(self) -> int:
        return self._array.size

    def __len__(self) -> int:
        return len(self._array)

    @property
    def xp(self):
        from .backends import cuda
        return cuda.get_array_module(self._array)

    @property
    def device(self):
        """The device of this variable (kusari.backend's Device): the one it
        was last sent to by `to_device` (a user-defined Device included; an
        uninitialized variable remembers it too), else the device its array
        lives on (the CPU when it has none)."""
        from . import backend
        a = self._array
        d = self.__dict__.get("_device")
        if d is not None and (a is None or _holds(d, a)):
            return d
        if a is None:
            return backend.CpuDevice()
        return backend.get_device_from_array(a)

    @property
    def layout(self):
        return None

    @property
    def label(self) -> str:
        if self._array is None:
            return "None"
        return self.node.label

    def summary(self) -> str:
        if self.name:
            return f"<variable {self.name}>"
        return f"<variable at 0x{id(self):x}>"

    def debug_print(self) -> str:
        """A summary of the array and the gradient (device, shape, statistics)."""
        stats = "mean={0:.8f}, std={1:.8f}"
        a = self._array
        if a is None:
            device = backend_ = shape = dtype = statistics = None
        else:
            xp = self.xp
            device = "CPU" if isinstance(a, np.ndarray) else getattr(a, "device", "CPU")
            backend_ = type(a)
            shape, dtype = a.shape, a.dtype
            statistics = stats.format(float(xp.mean(a)), float(xp.std(a)))
        g = self.grad if a is not None or self._grad is not None else None
        if g is None:
            grad = None
        elif (g == 0).all():
            grad = 0
        else:
            xp = self.xp
            grad = stats.format(float(xp.mean(g)), float(xp.std(g)))
        return (f"{self.summary()}\n- device: {device}\n- backend: {backend_}\n"
                f"- shape: {shape}\n- dtype: {dtype}\n- statistics: {statistics}\n"
                f"- grad: {grad}")

    def item(self):
        return self._array.item()

    # -- the graph ------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @property
    def node(self) -> Node:
        """This variable's node in the graph (Chainer's VariableNode)."""
        if self._node is not None:
            return self._node
        if self._array is None:      # no array yet: a node of no type
            node = self._node = Node(None, (), (), None, None, weakref.ref(self), None,
                                     None, self._requires_grad)
            return node
        return self._leaf_node()

    def _leaf_node(self) -> Node:
        a = self._array
        if a is None:
            raise RuntimeError(
                f"{self._describe()} is not initialized: it has no array yet")
        node = Node(None, (), (), None, None, weakref.ref(self), a.shape, a.dtype,
                    self._requires_grad)
        self._node = node
        return node

    def _describe(self) -> str:
        return f"variable {self.name}" if self.name else "a variable"

    @property
    def creator(self):
        """What made this variable: a user's FunctionNode (or old-style
        Function), the Node of kusari's op, or None for a leaf."""
        node = self._node
        return None if node is None or node.op is None else node.creator

    @creator.setter
    def creator(self, func):
        self.node.set_creator_node(func)

    @property
    def creator_node(self):
        node = self._node
        return None if node is None or node.op is None else node.creator_node

    @creator_node.setter
    def creator_node(self, func):
        self.node.set_creator_node(func)

    def set_creator(self, func) -> None:
        self.node.set_creator_node(func)

    def set_creator_node(self, func) -> None:
        self.node.set_creator_node(func)

    @property
    def rank(self) -> int:
        node = self._node
        return 0 if node is None else node.rank

    def retain_data(self) -> None:
        """Let the node keep the array (for a backward after this Variable dies)."""
        self.node._data = self._array

    def unchain(self) -> None:
        """Forget what made this variable (it becomes a leaf, keeping its rank).

        Graphs that already use this variable stop at it too.
        """
        node = self._node
        if node is not None and node.op is not None:
            node.unchain()

    def unchain_backward(self) -> None:
        """Forget the whole history behind this variable."""
        node = self._node
        if node is None:
            return
        stack, seen = [node], set()
        while stack:
            n = stack.pop()
            if id(n) in seen or type(n) is Const:
                continue
            seen.add(id(n))
            stack.extend(x for x in n.inputs if type(x) is Node)
            fn = n.function
            if fn is not None:
                fn.unchain()
            n.unchain()

    # -- gradients ------------------------------------------------------------
    @property
    def grad(self):
        g = self._grad
        if g is IMPLICIT_ONES:
            g = self._grad = np.ones(self._array.shape, self._array.dtype)
        return g

    @grad.setter
    def grad(self, g):
        if g is not None:
            _check_grad(self, g)
        _tracing.note(self)
        self._grad = g
        self._grad_var = None

    @property
    def grad_var(self):
        gv = self._grad_var
        if gv is None and self._grad is not None:
            gv = self._grad_var = Variable(self.grad)
        return gv

    @grad_var.setter
    def grad_var(self, gv):
        if gv is None:
            _tracing.note(self)
            self._grad = self._grad_var = None
            return
        if not isinstance(gv, Variable):
            raise TypeError(f"grad_var must be a Variable or None, not {type(gv).__name__}")
        _check_grad(self, gv._array)
        _tracing.note(self)
        self._grad_var = gv
        self._grad = gv._array

    def cleargrad(self) -> None:
        """Clear the gradient (it becomes None)."""
        _tracing.note(self)
        self._grad = None
        self._grad_var = None

    def zerograd(self) -> None:
        """Set the gradient to zeros (deprecated in Chainer: use cleargrad)."""
        import warnings
        warnings.warn("Variable.zerograd is deprecated. Use Variable.cleargrad instead.",
                      DeprecationWarning)
        self._zerograd()

    def _zerograd(self) -> None:
        _tracing.note(self)
        if self._array is None:
            return
        g = self.grad
        if g is None or (_tracing.TRACING and _tracing.active() is not None):
            # (inside a trace: a new zero array, never the caller's filled in place)
            self._grad = self.xp.zeros_like(self._array)
            self._grad_var = None
        else:
            gv = self._grad_var
            if gv is not None:
                gv.unchain()
            g.fill(0)

    def addgrad(self, var: "Variable") -> None:
        """Add `var`'s gradient to this variable's gradient (on this
        variable's device; an uninitialized parameter is initialized first)."""
        src = var.grad
        if src is None:
            return
        if self._array is None:
            self.initialize(var.shape)
        from . import backend
        src = backend.get_device_from_array(self._array).send(src)
        mine = self.grad
        self.grad = src.copy() if mine is None else mine + src

    def copydata(self, var: "Variable") -> None:
        """Copy `var`'s array into this variable's array, in place and across
        devices; an uninitialized side is initialized from the other's shape."""
        from . import backend
        src, dst = var.array, self._array
        if src is None:
            if dst is None:
                return
            var.initialize(self.shape)
            src = var.array
        elif dst is None:
            self.initialize(src.shape)
            dst = self._array
        backend.copyto(dst, src)

    def backward(self, retain_grad: bool = False, enable_double_backprop: bool = False,
                 loss_scale: float | None = None) -> None:
        """Backpropagate from this variable (see Chainer's Variable.backward).

        The gradient graph is compiled once per structure and cached, so the
        same loop body runs the same compiled kernels every iteration.
        """
        from . import backprop
        a = self._array
        if self._grad is None and a is not None and a.size == 1 and a.ndim != 0 and \
                self._node is not None and self._node.op is not None:
            import warnings
            warnings.warn(
                "Treating a variable with only one element as a scalar in "
                "Variable.backward is deprecated. A scalar variable must be a "
                "0-dimensional array. Apply chainer.functions.squeeze to obtain a "
                "scalar variable. If the size of this variable accidentally becomes "
                "one, set zero to grad.", DeprecationWarning)
        backprop.backward_from_variable(self, retain_grad, enable_double_backprop,
                                        loss_scale)

    # -- shape methods --------------------------------------------------------
    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        from .functions import reshape
        return reshape(self, shape)

    def transpose(self, *axes):
        if not axes:
            axes = None
        elif len(axes) == 1 and (isinstance(axes[0], (tuple, list)) or axes[0] is None):
            axes = axes[0]
        from .functions import transpose
        return transpose(self, axes)

    @property
    def T(self):
        from .functions import transpose
        return transpose(self)

    def mean(self, axis=None, *, weights=None, keepdims=False):
        from .functions import average      # Chainer's Variable.mean is F.average
        return average(self, axis=axis, weights=weights, keepdims=keepdims)

    def sum(self, axis=None, *, keepdims=False):
        from .functions import sum as sum_
        return sum_(self, axis=axis, keepdims=keepdims)

    # -- devices ----------------------------------------------------------------
    def to_cpu(self):
        """Move the array and the gradient to the CPU (NumPy)."""
        from . import backend
        return self._to_device(backend.CpuDevice())

    def to_gpu(self, device=None):
        """Move the array and the gradient to GPU `device` (the current one by
        default); without CuPy this raises RuntimeError saying so."""
        from .backends import cuda
        cuda.check_cuda_available()
        if device is None:
            device = cuda.cupy.cuda.runtime.getDevice()
        return self._to_device(cuda.GpuDevice.from_device_id(int(device)))

    def to_intel64(self):
        """kusari does not use iDeep: the arrays stay NumPy arrays."""
        return self.to_cpu()

    def to_chx(self):
        raise RuntimeError("ChainerX is not available: kusari does not use ChainerX")

    def from_chx(self):
        return self         # kusari's arrays are never ChainerX arrays

    def to_device(self, device):
        """Move the array and the gradient to `device` (a Device or a
        specifier: '@numpy', '@cupy:0', -1, 0 ...)."""
        from . import backend
        return self._to_device(backend.get_device(device))

    def _to_device(self, device):
        # As in Chainer, the variable remembers the device (kept in __dict__,
        # so that making a Variable costs nothing more), and an array moves
        # when the device of the array is not `device`: a user-defined Device
        # needs no is_array_supported (Chainer's base class leaves it abstract).
        from . import backend
        self.__dict__["_device"] = device
        a = self._array
        if a is not None and backend.get_device_from_array(a) != device:
            self._array = device.send(a)
            node = self._node
            if node is not None and node._data is not None:
                node._data = self._array
        g = self._grad
        if g is not None and g is not IMPLICIT_ONES and g is not _INVALID and \
                backend.get_device_from_array(g) != device:
            gv = self._grad_var
            self._grad = device.send(g)
            if gv is not None:
                gv._array = self._grad
        return self

    # -- Python protocol --------------------------------------------------------
    def __repr__(self):
        return _format(self, ", ")

    def __str__(self):
        return _format(self, " ")

    def __bool__(self):
        truth = self.__dict__.get("_truth") if type(self._array) is Traced else None
        if truth is not None:   # a hyperparameter inside kusari.jit: guard the branch
            from .guards import Guard
            ctx, what, read = truth
            value = read()
            ctx.guards.append(Guard(f"bool({what})", read, value))
            return value
        if type(self._array) is Traced:
            bool(self._array)                 # TraceError naming the traced value
        raise TypeError("Variables cannot be evaluated as Python bool.")

    def _refuse(op):
        def refuse(self, other):
            raise TypeError(f"Variables do not support {op} operator. "
                            "You could use `array` attribute instead.")
        return refuse

    __lt__ = _refuse("<")
    __le__ = _refuse("<=")
    __gt__ = _refuse(">")
    __ge__ = _refuse(">=")
    __eq__ = _refuse("==")
    __ne__ = _refuse("!=")
    del _refuse

    def __copy__(self):
        v = Variable(self._array, name=self.name, requires_grad=self._requires_grad)
        v._grad = self._grad
        v._grad_var = self._grad_var
        device = self.__dict__.get("_device")
        if device is not None:
            v.__dict__["_device"] = device
        return v

    def __deepcopy__(self, memo):
        import copy
        v = Variable(copy.deepcopy(self._array, memo), name=self.name,
                     requires_grad=self._requires_grad)
        if self._grad is not None:
            v._grad = copy.deepcopy(self.grad, memo)
        device = self.__dict__.get("_device")
        if device is not None:
            v.__dict__["_device"] = device
        return v

    def __getstate__(self):
        return {"array": self._array, "grad": self.grad, "name": self.name,
                "requires_grad": self._requires_grad,
                "dict": getattr(self, "__dict__", {})}

    def __setstate__(self, st):
        self._array = st["array"]
        self._node = None
        self._grad = st["grad"]
        self._grad_var = None
        self.name = st["name"]
        self._requires_grad = st["requires_grad"]
        self.__dict__.update(st["dict"])

    # -- arithmetic: see _binary below -----------------------------------------
    def __add__(self, other): return _binary(_ADD, self, other, False)
    def __radd__(self, other): return _binary(_ADD, self, other, True)
    def __sub__(self, other): return _binary(_SUB, self, other, False)
    def __rsub__(self, other): return _binary(_SUB, self, other, True)
    def __mul__(self, other): return _binary(_MUL, self, other, False)
    def __rmul__(self, other): return _binary(_MUL, self, other, True)
    def __truediv__(self, other): return _binary(_DIV, self, other, False)
    def __rtruediv__(self, other): return _binary(_DIV, self, other, True)
    def __pow__(self, other): return _binary(_POW, self, other, False)
    def __rpow__(self, other): return _binary(_POW, self, other, True)

    def __floordiv__(self, other):
        from .functions.math.basic_math import floordiv
        return floordiv(self, other)

    def __rfloordiv__(self, other):
        from .functions.math.basic_math import rfloordiv
        return rfloordiv(self, other)

    def __matmul__(self, other):
        from .functions import matmul
        return matmul(self, other)

    def __rmatmul__(self, other):
        from .functions import matmul
        return matmul(other, self)

    def __neg__(self):
        return fn.apply(_NEG, (self,))

    def __pos__(self):
        return self

    def __abs__(self):
        return fn.apply(_ABS, (self,))

    def __getitem__(self, index):
        from .functions import get_item
        return get_item(self, index)

    def __iter__(self):
        # Chainer's Variable iterates through __getitem__ (x[0], x[1], ...)
        for i in range(len(self)):
            yield self[i]


_ADD = ops.get("add")
_SUB = ops.get("sub")
_MUL = ops.get("mul")
_DIV = ops.get("div")
_POW = ops.get("pow")
_NEG = ops.get("neg")
_ABS = ops.get("abs")
_CAST = ops.get("cast")


def _binary(op, v: Variable, other, reflected: bool, hooked: bool = False):
    """`v op other` (or `other op v`): the hot path of eager arithmetic."""
    if fn.HOOKED[0] and not hooked:
        from .function_hook import active_hooks
        hooks = active_hooks()
        if hooks:
            args = (other, v) if reflected else (v, other)
            return fn.hooked(op, args, (), hooks,
                             lambda op, args, attrs: _binary(op, v, other, reflected, True))
    a = v._array
    t = type(other)
    if (t is float or t is int) and other and type(a) is ndarray and not _tracing.TRACING:
        # the commonest case, x * 2: a float or int constant of x's dtype (the
        # cache holds it under its Python type: x * 2.0 on ints is not x * 2)
        ov = _const_cache.get((t, other, a.dtype))
        if ov is not None:
            b = ov.value
            if reflected:
                args = (ov, v)
                arrays = (b, a)
            else:
                args = (v, ov)
                arrays = (a, b)
            try:
                out = op.impl(*arrays)
            except ValueError as e:           # 2 ** -1 on integers
                raise invalid_in(op.label, InvalidType("valid operands", str(e))) from None
            if type(out) is not ndarray:
                out = np.asarray(out)
            if state.debug:
                fn.check_finite(op, out, "forward")
                return fn.note_stack(record(Variable, op, args, (), arrays, out))
            return record(Variable, op, args, (), arrays, out)
    if isinstance(other, Variable):
        ov, b = other, other._array
    elif type(other) in _SCALARS or isinstance(other, np.generic):
        if a is None:
            raise RuntimeError(f"{v._describe()} is not initialized")
        dt = a.dtype
        want = dtypes.scalar_dtype(dt, other)
        if want is not dt and want != dt:   # an int array meeting a float, ...
            v = fn.apply(_CAST, (v,), (want,))
            a = v._array
        ov = const(other.item() if isinstance(other, np.generic) else other, want)
        b = ov.value
    elif isinstance(other, (np.ndarray, Traced)) or _is_array(other):
        if type(other) is ndarray and a is not None and other.dtype != a.dtype and \
                _RANK.get(other.dtype.kind, 3) <= _RANK.get(a.dtype.kind, -1):
            # a constant array takes the Variable's dtype, as in Chainer (a
            # float32 Variable times a float64 array stays float32)
            other = other.astype(a.dtype)
        ov, b = Variable(other, requires_grad=False), other
    else:
        return NotImplemented
    fast = type(a) is ndarray and (type(ov) is Const or type(b) is ndarray)
    if reflected:
        v, ov, a, b = ov, v, b, a
    if not fast or (_tracing.TRACING and _tracing.active() is not None):
        return _weak_binary(op, v, ov)        # traced (see function_node.apply), devices
    if a.dtype is not b.dtype and a.dtype != b.dtype:
        if state.type_check:
            op.infer_checked({}, (a, b))      # raises Chainer's InvalidType
        # unchecked, Chainer computes in NumPy's promoted type: so does the
        # graph, through a cast of the narrower operand
        want = np.result_type(a.dtype, b.dtype)
        if a.dtype != want:
            v = fn.apply(_CAST, (v,), (want,))
            a = v._array
        else:
            ov = fn.apply(_CAST, (ov,), (want,))
            b = ov._array
    try:
        out = op.impl(a, b)
    except ValueError as e:                   # what the shape rule cannot see
        op.infer_checked({}, (a, b))
        raise invalid_in(op.label, InvalidType("valid operands", str(e))) from None
    if type(out) is not ndarray:
        out = np.asarray(out)
    if state.debug:
        fn.check_finite(op, out, "forward")
        return fn.note_stack(record(Variable, op, (v, ov), (), (a, b), out))
    return record(Variable, op, (v, ov), (), (a, b), out)


def _weak(x) -> bool:
    return type(x) is Const or x.__dict__.get("_weak", False)


def _weak_binary(op, v, ov):
    """A traced binary op. A weakly typed operand (a hyperparameter read at
    every call, see TraceContext.number) takes the dtype of the float array
    it meets, as the Python number it stands for would; the result of weak
    operands is weak."""
    wv, wo = _weak(v), _weak(ov)
    if wv != wo:
        weak, strong = (v, ov) if wv else (ov, v)
        if type(weak) is not Const and weak.dtype != strong.dtype:
            # the Python number's rule (NEP 50): the array's dtype, unless the
            # number is of a higher kind (a float meeting ints gives float64)
            kind = weak.dtype.kind
            sample = 0.5 if kind == "f" else 1 if kind in "iu" else True
            want = dtypes.scalar_dtype(strong.dtype, sample)
            if strong.dtype != want:
                strong = fn.apply(_CAST, (strong,), (want,))
            if weak.dtype != want:
                weak = fn.apply(_CAST, (weak,), (want,))
            v, ov = (weak, strong) if wv else (strong, weak)
    out = fn.apply(op, (v, ov))
    if wv and wo:
        out.__dict__["_weak"] = True
    return out


def _check_kwargs(kwargs) -> None:
    """Chainer's answers to arguments Variable no longer takes."""
    if "volatile" in kwargs:
        raise ValueError("volatile argument is not supported anymore. "
                         "Use chainer.using_config")
    if "layout" in kwargs and kwargs["layout"] is None:
        return
    raise TypeError(f"Variable got unexpected arguments: {', '.join(sorted(kwargs))}")


class _VariableNodeType(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Node)


class VariableNode(metaclass=_VariableNodeType):
    """Chainer's VariableNode: in kusari the graph's Node (kusari.tape) is
    the variable node, so `isinstance(x.node, VariableNode)` holds and
    `VariableNode(var, name)` gives `var.node`."""

    def __new__(cls, variable, name=None, **kwargs):
        if "grad" in kwargs:
            raise ValueError('unexpected keyword argument "grad": pass the gradient to '
                             "Variable instead")
        if kwargs:
            raise TypeError(f"VariableNode got unexpected arguments: {', '.join(kwargs)}")
        if name is not None:
            variable.name = name
        return variable.node


def _check_grad_type(func, x, gx) -> None:
    """Chainer's checks of a gradient `gx` a user's function returned for
    input node `x` (type, dtype, shape), naming the function on failure."""
    if x.dtype is None or x.shape is None or gx is None:
        return
    msg = None
    if not _is_array(gx):
        exc, msg = TypeError, f"Type of grad is invalid:\nActual: {type(gx)}"
    elif x.data is not None and type(gx) is not type(x.data):
        exc, msg = TypeError, (f"Type of data and grad mismatch\ngrad: {type(gx)} != "
                               f"data: {type(x.data)}")
    elif gx.dtype != x.dtype:
        exc, msg = TypeError, f"Dtype of data and grad mismatch\ngrad: {gx.dtype} != data: {x.dtype}"
    elif gx.shape != x.shape:
        exc, msg = ValueError, f"Shape of data and grad mismatch\ngrad: {gx.shape} != data: {x.shape}"
    if msg is None:
        return
    detail = ""
    if func is not None:
        detail = f"Function `{func._impl_name}` ({func.label}) has a bug.\n"
        if func.stack:
            import traceback
            detail += "Stacktrace of the function is below:\n"
            detail += "".join(traceback.format_list(func.stack))
        detail += "\n"
    raise exc(detail + msg)


def _check_grad(var: Variable, g) -> None:
    """Chainer's checks when a gradient is set: type, dtype, then shape."""
    a = var._array
    if a is None:
        return
    if not _is_array(g) or (type(g) is not type(a) and not isinstance(a, Traced)
                            and not isinstance(g, Traced)):
        raise TypeError(f"Type of data and grad mismatch\ngrad: {type(g)} != data: {type(a)}")
    if g.dtype != a.dtype:
        raise TypeError(f"Dtype of data and grad mismatch\ngrad: {g.dtype} != data: {a.dtype}")
    if g.shape != a.shape:
        raise ValueError(f"Shape of data and grad mismatch\ngrad: {g.shape} != data: {a.shape}")


def _format(var: Variable, separator: str) -> str:
    prefix = f"variable {var.name}" if var.name else "variable"
    arr = var._array
    if arr is None:
        body = "None"
    elif isinstance(arr, Traced):
        body = repr(arr)
    else:
        from .backends import cuda
        arr = cuda.to_cpu(arr)
        if arr.size > 0 or arr.shape == (0,) or separator == " ":
            body = np.array2string(arr, None, None, None, separator, prefix + "(")
        else:
            body = f"[], shape={arr.shape!r}"
    return f"{prefix}({body})"


def _holds(device, array) -> bool:
    """Whether `array` can live on `device`; a user-defined Device that does
    not say (Chainer's base class raises NotImplementedError) is trusted."""
    try:
        return device.is_array_supported(array)
    except NotImplementedError:
        return True


class _Invalid:
    def __repr__(self):
        return "<no grad yet>"


_INVALID = _Invalid()


def as_variable(obj) -> Variable:
    """`obj` if it is a Variable, else a Variable (requires_grad=False) around it."""
    if isinstance(obj, Variable):
        return obj
    if not _is_array(obj):
        raise _type_error(obj)
    return Variable(obj, requires_grad=False)


def as_array(obj):
    """The array of a Variable, or `obj` itself."""
    return obj.array if isinstance(obj, Variable) else obj


from .parameter import Parameter, _rebuild_parameter  # noqa: E402,F401  (Chainer's path)
