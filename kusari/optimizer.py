"""Optimizers: Chainer's Optimizer, GradientMethod and UpdateRule.

`GradientMethod.update(lossfun, *args)` clears the grads, computes the loss,
backpropagates and updates every parameter in place (so graphs that still
hold the parameter arrays see the update, as in Chainer).
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from . import guards, tracing


class _NumpyMath:
    """The few functions update rules need, for NumPy arrays."""
    sqrt = staticmethod(np.sqrt)
    maximum = staticmethod(np.maximum)

    @staticmethod
    def cast(x, dtype):
        return np.dtype(dtype).type(x) if np.isscalar(x) else np.asarray(x, dtype)


_numpy = _NumpyMath()


def _traced_math(F):
    """The same functions, for (traced) Variables."""
    class Traced:
        sqrt = staticmethod(F.sqrt)
        maximum = staticmethod(F.maximum)

        @staticmethod
        def cast(x, dtype):
            return F.cast(x, dtype) if hasattr(x, "array") else np.dtype(dtype).type(x)
    return Traced


class Hyperparameter:
    """Attributes that fall back to a parent's (an optimizer's defaults)."""

    def __init__(self, parent: "Hyperparameter | None" = None):
        object.__setattr__(self, "_parent", parent)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        parent = object.__getattribute__(self, "_parent")
        if parent is None:
            raise AttributeError(f"hyperparameter {name!r} is not set")
        return getattr(parent, name)

    @property
    def parent(self):
        return self._parent

    def get_dict(self) -> dict:
        d = {} if self._parent is None else self._parent.get_dict()
        d.update({k: v for k, v in vars(self).items() if k != "_parent"})
        return d

    def __repr__(self):
        return f"Hyperparameter({self.get_dict()})"


class _TracedHyperparameter:
    """A rule's hyperparameters inside kusari.jit: numbers are read at every
    call (TraceContext.number); other values are guarded."""

    def __init__(self, ctx, hyperparam: Hyperparameter, param):
        object.__setattr__(self, "_ctx", ctx)
        object.__setattr__(self, "_hp", hyperparam)
        object.__setattr__(self, "_name", getattr(param, "name", None) or "param")

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._ctx.number(self._hp, name, f"hyperparameter {name} of {self._name}")

    def get_dict(self) -> dict:
        return self._hp.get_dict()

    @property
    def parent(self):
        return self._hp.parent


class HyperparameterProxy:
    """`optimizer.lr` reads and writes `optimizer.hyperparam.lr`."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, obj, objtype=None):
        return self if obj is None else getattr(obj.hyperparam, self.name)

    def __set__(self, obj, value):
        setattr(obj.hyperparam, self.name, value)


def _hook_name(hook, name):
    name = name or getattr(hook, "name", None) or getattr(hook, "__name__", None)
    if name is None:
        raise ValueError("the hook has no name; pass name=")
    return name


def _timing(hook, timing):
    if timing == "auto":
        timing = getattr(hook, "timing", "pre")
    if timing not in ("pre", "post"):
        raise ValueError(f"timing must be 'pre', 'post' or 'auto', not {timing!r}")
    return timing


class UpdateRule:
    """How one parameter is updated from its gradient; holds its state."""

    def __init__(self, parent_hyperparam: Hyperparameter | None = None):
        self._pre_update_hooks: OrderedDict = OrderedDict()
        self._post_update_hooks: OrderedDict = OrderedDict()
        self.state = None
        self.t = 0
        self.enabled = True
        self.hyperparam = Hyperparameter(parent_hyperparam)

    def add_hook(self, hook, name=None, timing="auto") -> None:
        if not callable(hook):
            raise TypeError("hook function must be callable")
        hooks = self._pre_update_hooks if _timing(hook, timing) == "pre" \
            else self._post_update_hooks
        name = _hook_name(hook, name)
        if name in hooks:
            raise KeyError(f"hook {name} already exists")
        hooks[name] = hook
        guards.changed(f"update rule hook {name!r} added")

    def remove_hook(self, name: str) -> None:
        self._pre_update_hooks.pop(name, None) or self._post_update_hooks.pop(name)
        guards.changed(f"update rule hook {name!r} removed")

    def init_state(self, param) -> None:
        pass

    def update(self, param) -> None:
        ctx = tracing.active() if tracing.TRACING else None
        if ctx is not None:
            ctx.guards.append(guards.Guard(f"update rule of {param.name}: enabled",
                                           lambda: self.enabled, self.enabled))
        if not self.enabled:
            return
        if ctx is None:
            self.t += 1
        else:   # inside kusari.jit: the counter is state the compiled step carries
            ctx.assign_scalar(self, "t", ctx.scalar(self, "t") + 1)
        if self.state is None:
            self.state = {}
            self.init_state(param)
        if ctx is not None:      # state reset or replaced later: trace again
            ctx.guards.append(guards.Guard(f"the optimizer state of {param.name}",
                                           lambda: self.state, self.state, identity=True))
        scale = getattr(param, "_loss_scale", None)
        if scale is not None and param.grad is not None:
            param.grad = param.grad / param.dtype.type(scale)
            param._loss_scale = None
        for hook in self._pre_update_hooks.values():
            hook(self, param)
        if param.grad is not None:
            self.update_core(param)
        for hook in self._post_update_hooks.values():
            hook(self, param)

    def step(self, p, g, state: dict, t, m):
        """The rule's math, once for both worlds: (new p, new state values).

        `p`, `g` and the state values are NumPy arrays with `m` = numpy, or
        (inside kusari.jit) Variables with `m` = kusari.functions; `t` is the
        step count (an int, or a traced 0-d float64 Variable).
        """
        raise NotImplementedError

    # step_in_place(p, g, state, t): the same update done in place on NumPy
    # arrays with fewer temporaries, where a rule defines it (the hot path)
    step_in_place = None

    def update_core(self, param) -> None:
        """Apply `step`: in place on the arrays, or as effects of a trace."""
        ctx = tracing.active() if tracing.TRACING else None
        if ctx is None:
            in_place = self.step_in_place
            if in_place is not None and type(param.array) is np.ndarray \
                    and type(param.grad) is np.ndarray and param.grad.dtype == param.dtype:
                in_place(param.array, param.grad, self.state, self.t)
                return
            new_p, new_state = self.step(param.array, param.grad, self.state, self.t, _numpy)
            np.copyto(param.array, new_p, casting="same_kind")
            for k, v in new_state.items():
                np.copyto(self.state[k], v, casting="same_kind")
            return
        from . import functions as F
        state = {k: ctx.array(self.state, k) for k in self.state}
        hp = self.hyperparam
        # the hyperparameters are inputs read at every call (a schedule that
        # changes the learning rate is seen), through this stand-in
        self.hyperparam = _TracedHyperparameter(ctx, hp, param)
        try:
            new_p, new_state = self.step(ctx.value(param), param.grad_var, state,
                                         ctx.scalar(self, "t"), _traced_math(F))
        finally:
            self.hyperparam = hp
        ctx.assign(param, F.cast(new_p, param.dtype))
        for k, v in new_state.items():
            ctx.assign_array(self.state, k, F.cast(v, self.state[k].dtype))

    def serialize(self, serializer) -> None:
        self.t = serializer("t", self.t)
        if self.state is None:
            return
        for key in list(self.state):
            self.state[key] = serializer(key, self.state[key])


class Optimizer:
    """Base of all optimizers: owns the target link, the step count and hooks."""

    target = None
    t = 0
    epoch = 0

    def setup(self, link) -> "Optimizer":
        guards.changed(f"{type(self).__name__} set up")
        self.target = link
        self.t = 0
        self.epoch = 0
        self._pre_update_hooks: OrderedDict = OrderedDict()
        self._post_update_hooks: OrderedDict = OrderedDict()
        return self

    def update(self, lossfun=None, *args, **kwds) -> None:
        raise NotImplementedError

    def new_epoch(self) -> None:
        self.epoch += 1

    def add_hook(self, hook, name=None, timing="auto") -> None:
        """Add a hook, run before ('pre') or after ('post') each update."""
        if not callable(hook):
            raise TypeError("hook function must be callable")
        if self.target is None:
            raise RuntimeError("call setup() before add_hook()")
        timing = _timing(hook, timing)
        name = _hook_name(hook, name)
        if getattr(hook, "call_for_each_param", False):
            for param in self.target.params():
                if param.update_rule is not None:
                    param.update_rule.add_hook(hook, name, timing)
            return
        hooks = self._pre_update_hooks if timing == "pre" else self._post_update_hooks
        if name in hooks:
            raise KeyError(f"hook {name} already exists")
        hooks[name] = hook
        guards.changed(f"optimizer hook {name!r} added")

    def remove_hook(self, name: str) -> None:
        guards.changed(f"optimizer hook {name!r} removed")
        if name in self._pre_update_hooks:
            del self._pre_update_hooks[name]
        elif name in self._post_update_hooks:
            del self._post_update_hooks[name]
        else:
            for param in self.target.params():
                if param.update_rule is not None:
                    param.update_rule.remove_hook(name)

    def call_hooks(self, timing: str = "pre") -> None:
        hooks = self._pre_update_hooks if timing == "pre" else self._post_update_hooks
        for hook in hooks.values():
            hook(self)

    def serialize(self, serializer) -> None:
        self.t = serializer("t", self.t)
        self.epoch = serializer("epoch", self.epoch)
        for name, param in self.target.namedparams():
            rule = getattr(param, "update_rule", None)
            if rule is not None:
                rule.serialize(serializer[name])


class GradientMethod(Optimizer):
    """An optimizer that updates each parameter from its gradient."""

    def __init__(self):
        self.hyperparam = Hyperparameter()
        self._loss_scale = None

    def setup(self, link) -> "GradientMethod":
        super().setup(link)
        for param in link.params():
            param.update_rule = self.create_update_rule()
        return self

    def create_update_rule(self) -> UpdateRule:
        raise NotImplementedError

    def reallocate_cleared_grads(self) -> None:
        for _, param in self.target.namedparams(include_uninit=False):
            if param.grad is None:
                param.grad = np.zeros_like(param.array)

    def use_cleargrads(self, use: bool = True) -> None:
        self._use_cleargrads = use

    def loss_scaling(self, interval=1000, scale=None) -> None:
        self._loss_scale = scale

    def update(self, lossfun=None, *args, **kwds) -> None:
        """Update the parameters; with `lossfun`, first compute
        `lossfun(*args, **kwds)`, clear the grads and backpropagate."""
        if lossfun is not None:
            loss = lossfun(*args, **kwds)
            if getattr(self, "_use_cleargrads", True):
                self.target.cleargrads()
            else:
                self.target.zerograds()
            loss.backward(loss_scale=self._loss_scale)
            del loss
        self.reallocate_cleared_grads()
        self.call_hooks("pre")
        ctx = tracing.active() if tracing.TRACING else None
        if ctx is None:
            self.t += 1
        else:
            ctx.assign_scalar(self, "t", ctx.scalar(self, "t") + 1)
        for param in self.target.params():
            param.update()
        self.reallocate_cleared_grads()
        self.call_hooks("post")


def __getattr__(name):
    # Chainer kept hooks here before optimizer_hooks (chainer.optimizer.WeightDecay)
    from . import optimizer_hooks
    if hasattr(optimizer_hooks, name) and not name.startswith("_"):
        return getattr(optimizer_hooks, name)
    raise AttributeError(f"module 'kusari.optimizer' has no attribute {name!r}")
