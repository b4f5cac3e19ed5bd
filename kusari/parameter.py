"""Chainer's Parameter: a Variable that a Link owns and an optimizer updates.

It is made with an initializer and a shape, or left uninitialized until the
link first sees its input (`initialize(shape)`); its grad starts NaN-filled.
Shallow copies share the array, as Chainer's do. (Chainer's module path is
`chainer.variable.Parameter`: kusari.variable re-exports it.)
"""
from __future__ import annotations

import weakref

import numpy as np

from . import tracing as _tracing
from .variable import (IMPLICIT_ONES, Variable, _INVALID, _check_grad, _is_array)


class Parameter(Variable):
    """A Variable that a Link owns and an optimizer updates.

    Created with a shape (or initialized lazily), its grad starts NaN-filled,
    so forgetting `cleargrads()` shows; the grad of a parameter that is not
    initialized yet cannot be read.
    """

    __slots__ = ("initializer", "_grad_initializer", "update_rule")

    def __init__(self, initializer=None, shape=None, name: str | None = None):
        from . import initializers
        if initializer is None:
            initializer = initializers.NaN()
        elif np.isscalar(initializer):
            initializer = initializers.Constant(initializer)
        self.update_rule = None
        self._grad_initializer = None
        if shape is None:
            if isinstance(initializer, np.ndarray) or _is_array(initializer):
                super().__init__(initializer, name=name)
            else:
                super().__init__(name=name)
                self._grad = _INVALID
                self._grad_initializer = initializers.NaN(
                    getattr(initializer, "dtype", None))
        else:
            if _is_array(initializer):
                initializer = initializers.Constant(initializer)
            data = initializers.generate_array(initializer, shape, np)
            super().__init__(data, name=name)
            self._grad = np.full_like(data, np.nan)
        self.initializer = initializer

    @property
    def is_initialized(self) -> bool:
        return self._array is not None

    @property
    def dtype(self) -> np.dtype:
        if self._array is not None:
            return self._array.dtype
        dt = getattr(self.initializer, "dtype", None)
        if dt is not None:
            return np.dtype(dt)
        raise RuntimeError("Dtype of the parameter is not determined yet because it's "
                           "uninitialized and dtype was not explicitly given.")

    @property
    def grad(self):
        g = self._grad
        if g is _INVALID:
            raise RuntimeError(
                "Cannot retrieve Variable.grad. Either it must be set manually or "
                "Variable.cleargrad() must be called beforehand.")
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
        if self._grad is _INVALID:
            self.grad  # raises
        return Variable.grad_var.fget(self)

    @grad_var.setter
    def grad_var(self, gv):
        Variable.grad_var.fset(self, gv)

    def cleargrad(self) -> None:
        super().cleargrad()
        if not self.is_initialized:
            self._grad_initializer = None

    def zerograd(self) -> None:
        if not self.is_initialized:
            import warnings
            warnings.warn("Variable.zerograd is deprecated. Use Variable.cleargrad "
                          "instead.", DeprecationWarning)
            from . import initializers
            self._grad = None
            self._grad_initializer = initializers.Zero(
                getattr(self.initializer, "dtype", None))
            return
        super().zerograd()

    def update(self) -> None:
        """Update the array with the optimizer's rule (set by optimizer.setup)."""
        if _tracing.TRACING:
            ctx = _tracing.active()
            if ctx is not None:           # inside kusari.jit: a new rule retraces
                from .guards import Guard
                rule = self.update_rule
                ctx.guards.append(Guard(f"the update rule of {self.name}",
                                        lambda: self.update_rule, rule, identity=True))
        if self.update_rule is not None:
            self.update_rule.update(self)

    def _to_device(self, device):
        """Move to `device`, remembered (as Chainer's Parameter does) for an
        uninitialized parameter too: `initialize` creates its array there.
        An uninitialized parameter sent to another device stops sharing its
        future array with its shallow copies (Chainer renews the placeholder)."""
        if self._array is None:
            from . import backend
            current = self.__dict__.get("_device")
            if current is None:
                current = backend.CpuDevice()
            if current != device:
                self._leave_copies()
        return super()._to_device(device)

    def _leave_copies(self) -> None:
        group = self.__dict__.pop("_copies", None)
        if group is not None:
            group[:] = [ref for ref in group if ref() is not self]

    def initialize(self, shape) -> None:
        """Create the array (and the grad) now that the shape is known, on
        the device the parameter was sent to (the CPU if none)."""
        from . import initializers
        device = self.__dict__.get("_device")
        xp = np if device is None else device.xp
        data = initializers.generate_array(self.initializer, shape, xp, device=device)
        grad = None
        if self._grad_initializer is not None:
            grad = initializers.generate_array(self._grad_initializer, shape, xp,
                                               dtype=data.dtype, device=device)
        self._array = data
        self._grad = grad
        self._grad_var = None
        if self._node is not None:
            self._node.shape, self._node.dtype = data.shape, data.dtype
        self._share_array()

    def _share_array(self) -> None:
        """Give this parameter's array to its shallow copies (Chainer's copies
        share the array: a link copied with mode='share' and initialized
        later sees the array its original gets)."""
        for ref in self.__dict__.get("_copies", ()):
            p = ref()
            if p is not None and p is not self:
                p._array = self._array
                if p._node is not None and self._array is not None:
                    p._node.shape, p._node.dtype = self._array.shape, self._array.dtype

    def _set_array(self, d) -> None:
        Variable.array.fset(self, d)
        self._share_array()

    array = property(Variable.array.fget, _set_array)
    data = array

    # copies and pickles keep what a Parameter is: its initializer (an
    # uninitialized one still knows its dtype), its update rule and state
    def __reduce__(self):
        return (_rebuild_parameter, (type(self), _parameter_state(self)))

    def __copy__(self):
        new = _rebuild_parameter(type(self), _parameter_state(self))
        group = self.__dict__.get("_copies")
        if group is None:
            group = self.__dict__["_copies"] = [weakref.ref(self)]
        group.append(weakref.ref(new))
        new.__dict__["_copies"] = group
        return new

    def __deepcopy__(self, memo):
        import copy
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        _set_parameter_state(new, copy.deepcopy(_parameter_state(self), memo))
        return new


def _parameter_state(p: Parameter) -> dict:
    g = p._grad
    grad_state = "invalid" if g is _INVALID else "ones" if g is IMPLICIT_ONES else None
    return {"array": p._array, "grad": None if grad_state else g, "grad_state": grad_state,
            "name": p.name, "requires_grad": p._requires_grad,
            "loss_scale": getattr(p, "_loss_scale", None),
            "initializer": p.initializer, "grad_initializer": p._grad_initializer,
            "update_rule": p.update_rule,
            "dict": {k: v for k, v in getattr(p, "__dict__", {}).items() if k != "_copies"}}


def _set_parameter_state(p: Parameter, st: dict) -> None:
    p._array = st["array"]
    p._node = None
    p._grad = {"invalid": _INVALID, "ones": IMPLICIT_ONES}.get(st["grad_state"], st["grad"])
    p._grad_var = None
    p.name = st["name"]
    p._requires_grad = st["requires_grad"]
    p._loss_scale = st["loss_scale"]
    p.initializer = st["initializer"]
    p._grad_initializer = st["grad_initializer"]
    p.update_rule = st["update_rule"]
    p.__dict__.update(st["dict"])


def _rebuild_parameter(cls, state: dict) -> Parameter:
    p = cls.__new__(cls)
    _set_parameter_state(p, state)
    return p
