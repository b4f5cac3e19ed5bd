"""Optimizers: Chainer's Optimizer, GradientMethod, UpdateRule, Hyperparameter.

An update rule's math is written once, in its `step` method, with
kusari.functions on Variables. Eagerly it runs as one compiled, fused
kernel per signature that writes the parameter and state arrays in place
(kusari.update_kernel); inside `kusari.jit` the same `step` is traced into
the jitted training step, hyperparameters read at every call. Rules that
compute on arrays themselves (`update_core_cpu`, Chainer's way) still work
eagerly.

`GradientMethod.update(lossfun, *args)` computes the loss, clears the
grads, backpropagates, then runs the optimizer's 'pre' hooks, counts the
step, updates every parameter (its rule's own 'pre' hooks, the update, its
'post' hooks) and runs the 'post' hooks: Chainer's order.
"""
from __future__ import annotations

import collections
import copy as copy_module
import math
import warnings

import numpy

from . import guards, tracing, update_kernel
from .backends import cuda


# -- hooks ----------------------------------------------------------------------------

class _Hookable:
    """Named hooks run 'pre' or 'post' (an update)."""

    def __init__(self, invalid_timing_fallback: bool = False):
        self._pre_update_hooks = collections.OrderedDict()
        self._post_update_hooks = collections.OrderedDict()
        self._invalid_timing_fallback = invalid_timing_fallback

    def add_hook(self, hook, name, timing) -> None:
        if not callable(hook):
            raise TypeError("hook function must be callable")
        if timing not in ("pre", "post", "auto"):
            raise ValueError("timing must be one of ('pre', 'post', 'auto')")
        if timing == "auto":
            timing = getattr(hook, "timing", "pre")
            if timing not in ("pre", "post") and self._invalid_timing_fallback:
                warnings.warn("Hook timing attribute not in ('pre', 'post'), "
                              "defaulting timing to 'pre'.")
                timing = "pre"
        if name is None:
            name = getattr(hook, "name", getattr(hook, "__name__", None))
            if name is None:
                raise ValueError("the name of the hook function is not specified")
        if name in self._pre_update_hooks or name in self._post_update_hooks:
            raise KeyError(f'hook "{name}" already exists')
        hooks = self._pre_update_hooks if timing == "pre" else self._post_update_hooks
        hooks[name] = hook
        guards.changed(f"hook {name!r} added")

    def remove_hook(self, name: str) -> None:
        if name in self._pre_update_hooks:
            del self._pre_update_hooks[name]
        else:
            del self._post_update_hooks[name]
        guards.changed(f"hook {name!r} removed")

    def hooks(self, timing: str):
        if timing == "pre":
            return self._pre_update_hooks
        if timing == "post":
            return self._post_update_hooks
        raise ValueError("timing must be either 'pre' or 'post'")


# -- hyperparameters --------------------------------------------------------------------

class Hyperparameter:
    """Attributes that fall back to a parent's (an optimizer's defaults,
    which a parameter's own rule may override: `rule.hyperparam.lr = ...`)."""

    def __init__(self, parent: "Hyperparameter | None" = None):
        self._parent = parent

    def __getattr__(self, name):
        if "_parent" not in self.__dict__:
            raise AttributeError("_parent is not set up yet")
        parent = self._parent
        if parent is None:
            raise AttributeError(f"hyperparameter {name!r} is not set")
        return getattr(parent, name)

    def __repr__(self):
        d = self.get_dict()
        return "Hyperparameter(" + ", ".join(f"{k}={d[k]}" for k in sorted(d)) + ")"

    @property
    def parent(self):
        return self._parent

    def get_dict(self) -> dict:
        """Every hyperparameter, the parent's overridden by this one's."""
        d = {} if self._parent is None else self._parent.get_dict()
        for k, v in self.__dict__.items():
            if k != "_parent":
                d[k] = v
        return d


class HyperparameterProxy:
    """`optimizer.lr` reads and writes `optimizer.hyperparam.lr`."""

    def __init__(self, attr_name: str):
        self._attr_name = attr_name
        self.__doc__ = f"Alias to ``self.hyperparam.{attr_name}``"

    def __get__(self, obj, objtype=None):
        return self if obj is None else getattr(obj.hyperparam, self._attr_name)

    def __set__(self, obj, value):
        setattr(obj.hyperparam, self._attr_name, value)


def _number(value):
    """A hyperparameter as a Python float when it is a number (a 0-d numeric
    array counts), else None (a flag, None, anything else: a static value)."""
    if isinstance(value, numpy.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()
    if isinstance(value, (bool, numpy.bool_)) or \
            not isinstance(value, (int, float, numpy.integer, numpy.floating)):
        return None
    return float(value)


def _static(value):
    try:
        hash(value)
        return type(value), value
    except TypeError:
        return "object", id(value)


class _Values:
    """What `step` reads as `hp`: hyperparameters, `t` and the rule's
    scalar state; numbers as weak 0-d Variables (inputs), others as they are."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


class _TracedValues:
    """`hp` inside kusari.jit: numbers are read at every call
    (TraceContext.number), flags are guarded, `t` and the rule's scalar
    state are the trace's counters."""

    def __init__(self, ctx, rule, param):
        self._ctx, self._rule = ctx, rule
        self._where = getattr(param, "name", None) or "a parameter"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        rule = self._rule
        if name == "t" or name in rule.scalar_state:
            v = self._ctx.scalar(rule, name)
            v.__dict__["_weak"] = True
            return v
        return self._ctx.number(rule.hyperparam, name,
                                f"hyperparameter {name} of {self._where}")


# -- update rules ---------------------------------------------------------------------

class UpdateRule:
    """How one parameter is updated from its gradient; holds its state.

    A rule's math is its `step(hp, p, g, state) -> (new_p, new_state)`:
    `p`, `g` and the state arrays are Variables, `hp` gives the
    hyperparameters (`hp.lr`), the step count `hp.t` and the rule's
    `scalar_state` attributes (Python numbers it keeps, returned in
    new_state when they change). Written once, it runs compiled eagerly and
    traced under kusari.jit. Other attributes of the rule it reads are part
    of the compiled kernel's signature (numbers and flags by value), so
    keep arrays that change in `state`. A rule may instead override
    `update_core_cpu` (Chainer's way: in-place NumPy on `param.array`).
    """

    is_elementwise = False
    scalar_state: tuple = ()

    def __init__(self, parent_hyperparam: Hyperparameter | None = None):
        self._state = None
        self.enabled = True
        self.hyperparam = Hyperparameter(parent_hyperparam)
        self.t = 0
        self._use_fp32_update = False
        self._fp32_param = None
        self._hookable = _Hookable()

    @property
    def state(self):
        """The rule's state (a dict of arrays, None before the first update)."""
        return self._state

    @state.setter
    def state(self, value):
        self._state = value

    def add_hook(self, hook, name: str | None = None, timing: str = "auto") -> None:
        """Add `hook(rule, param)`, run before ('pre') or after ('post') the update."""
        self._hookable.add_hook(hook, name, timing)

    def remove_hook(self, name: str) -> None:
        self._hookable.remove_hook(name)

    def init_state(self, param) -> None:
        """Create the state arrays (`self.state[name] = ...`) for `param`."""

    step = None

    def check(self, param) -> None:
        """Checks on the hyperparameters for `param`'s dtype, before each step."""

    # -- the update ---------------------------------------------------------------
    def update(self, param) -> None:
        """Update `param` from its grad (nothing when the rule is disabled)."""
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
        try:
            dtype = param.dtype
        except RuntimeError:         # uninitialized, dtype not given
            dtype = None
        initialized = param.array is not None
        target, fp32 = param, False
        if self._use_fp32_update and dtype == numpy.float16:
            target, fp32 = self._fp32_copy(param, ctx), True
        if initialized:
            self._init_states(target)
            if ctx is not None:      # state reset or replaced later: trace again
                ctx.guards.append(guards.Guard(f"the optimizer state of {param.name}",
                                               lambda: self._state, self._state,
                                               identity=True))
            scale = getattr(param, "_loss_scale", None)
            if scale is not None:
                if target.grad is not None:
                    target.grad_var = target.grad_var / target.dtype.type(scale)
                param._loss_scale = None
        hookable = self._hookable
        for hook in hookable._pre_update_hooks.values():
            hook(self, target)
        self.update_core(target)
        for hook in hookable._post_update_hooks.values():
            hook(self, target)
        if fp32 and initialized:
            _set_array(param, target, ctx)
            target.grad = None

    def _fp32_copy(self, param, ctx):
        fp32 = self._fp32_param
        if fp32 is None:
            from .variable import Parameter
            if param.array is not None:
                fp32 = Parameter(param.array.astype(numpy.float32), name=param.name)
            else:
                def never(array):
                    raise AssertionError("the fp32 copy is never initialized itself")
                never.dtype = numpy.float32
                fp32 = Parameter(never, name=param.name)
            self._fp32_param = fp32
        if param.array is not None:
            if ctx is None:
                fp32.grad = None if param.grad is None else param.grad.astype(numpy.float32)
            else:
                from . import functions as F
                fp32.grad_var = None if param.grad is None else \
                    F.cast(param.grad_var, numpy.float32)
        return fp32

    def _init_states(self, param) -> None:
        if self._state is None:
            self._state = {}
            # CuPy makes arrays on the current device: the parameter's, here
            with cuda.get_device_from_array(param.array):
                self.init_state(param)

    def update_core(self, param) -> None:
        """Update `param` (initialized, grad set): the compiled step, or
        update_core_cpu / update_core_gpu by where the arrays live."""
        ctx = tracing.active() if tracing.TRACING else None
        if ctx is not None and self.step is not None:
            self._traced_step(ctx, param)
            return
        if param.array is None or isinstance(param.array, numpy.ndarray) or ctx is not None:
            self.update_core_cpu(param)
        else:
            self.update_core_gpu(param)

    def update_core_cpu(self, param) -> None:
        """The update on NumPy arrays: the compiled step (rules without a
        `step` override this)."""
        if self.step is None:
            raise NotImplementedError(f"{type(self).__name__} defines neither step() "
                                      "nor update_core_cpu()")
        self._eager_step(param)

    def update_core_gpu(self, param) -> None:
        """The update on CuPy arrays: the compiled step, as CUDA kernels
        (rules without a `step` override this)."""
        if self.step is None:
            raise NotImplementedError(f"{type(self).__name__} defines neither step() "
                                      "nor update_core_gpu()")
        with param.array.device:              # kernels launch on the array's device
            self._eager_step(param)

    def update_core_chainerx(self, param) -> None:
        raise RuntimeError("ChainerX is not available.")

    def _eager_step(self, param) -> None:
        grad = param.grad
        if param.array is None or grad is None:
            return
        self.check(param)
        hp_values = self.hyperparam.get_dict()
        if self._run_memo(param, grad, hp_values):
            return
        names, numbers, key = [], [], []
        for name in sorted(hp_values):
            value = hp_values[name]
            kind = type(value)
            x = float(value) if kind is float or kind is int else _number(value)
            if x is None:
                key.append((name, _static(value)))
            else:     # a number: an input; what the step branches on: its truth
                names.append(name)
                numbers.append(x)
                key.append((name, x != 0.0))
        counters = ("t",) + tuple(self.scalar_state)
        numbers += [float(getattr(self, k)) for k in counters]
        state = self._state
        keys = sorted(k for k, v in state.items()
                      if isinstance(v, numpy.ndarray) or cuda.is_cupy_array(v))
        arrays = [param.array, grad] + [state[k] for k in keys]
        def fn(p, g, *rest):
            states, values = rest[:len(keys)], rest[len(keys):]
            hp = dict(hp_values)
            for name, v, x in zip(names + list(counters), values, numbers):
                if not isinstance(v, float):    # traced (not run op by op)
                    v.__dict__["_truth"] = update_kernel.number_truth(lambda x=x: x != 0.0)
                hp[name] = v
            new_p, new_state = self.step(_Values(hp), p, g, dict(zip(keys, states)))
            return _outputs(new_p, p.dtype, new_state, keys, states, self.scalar_state)

        donate = ((0, 0),) + tuple((1 + i, 2 + i) for i in range(len(keys)))
        own = _own_values(self)
        kernel_key = (type(self), tuple(key), tuple(keys), own)
        outs = update_kernel.run(kernel_key, fn, arrays, numbers, donate,
                                 name=type(self).__name__)
        self._write_back(param, state, keys, outs)
        exe = update_kernel.compiled(kernel_key, arrays, numbers, donate)
        if exe is not None and all(type(v) in _PLAIN for v in hp_values.values()):
            # the next update with the same hyperparameters, state and shapes
            # goes straight to this kernel (see _run_memo)
            self._memo = (hp_values, state, len(state), own, keys, exe,
                          numbers[:len(names)], [(a.shape, a.dtype) for a in arrays])
        else:
            self._memo = None

    def _run_memo(self, param, grad, hp_values) -> bool:
        """The last update's kernel, run again when nothing it was chosen by
        changed (the hyperparameters, the rule's attributes, the state, the
        shapes and dtypes); False when something did."""
        memo = self.__dict__.get("_memo")
        state = self._state
        if memo is None or memo[1] is not state or memo[2] != len(state) or \
                memo[0] != hp_values or memo[3] != _own_values(self):
            return False
        keys = memo[4]
        arrays = [param.array, grad] + [state.get(k) for k in keys]
        for a, (shape, dtype) in zip(arrays, memo[7]):
            if type(a) is not numpy.ndarray or a.shape != shape or a.dtype != dtype:
                return False
        numbers = memo[6] + [float(self.t)] + [float(getattr(self, k))
                                               for k in self.scalar_state]
        self._write_back(param, state, keys, memo[5].fn(*arrays, *map(_F64, numbers)))
        return True

    def _write_back(self, param, state, keys, outs) -> None:
        update_kernel.write_back(outs[0], param.array)
        for k, out in zip(keys, outs[1:]):
            update_kernel.write_back(out, state[k])
        for k, out in zip(self.scalar_state, outs[1 + len(keys):]):
            setattr(self, k, float(out))

    def _traced_step(self, ctx, param) -> None:
        from . import functions as F
        if param.array is None or param.grad is None:
            return
        self.check(param)
        own = _own_values(self)
        if own:     # what the step may read from the rule besides hp: a change retraces
            ctx.guards.append(guards.Guard(f"the attributes of {param.name}'s update rule",
                                           lambda: _own_values(self), own))
        state = self._state
        keys = sorted(k for k, v in state.items()
                      if isinstance(v, numpy.ndarray) or cuda.is_cupy_array(v))
        values = {k: ctx.array(state, k) for k in keys}
        new_p, new_state = self.step(_TracedValues(ctx, self, param), ctx.value(param),
                                     param.grad_var, values)
        ctx.assign(param, F.cast(new_p, param.dtype))
        for k, v in new_state.items():
            if k in self.scalar_state:
                ctx.assign_scalar(self, k, v, float)
            else:
                ctx.assign_array(state, k, F.cast(v, state[k].dtype))

    # -- serialization and options ----------------------------------------------
    def serialize(self, serializer) -> None:
        """Save or load `t` and the state; loading into a rule not yet used
        creates its state entries (or leaves it None where the file has none)."""
        from .serializer import Deserializer
        self.t = serializer("t", self.t)
        if self._state is None:
            if not isinstance(serializer, Deserializer):
                return
            self._state = {}
            probe = copy_module.copy(self)
            arr = numpy.empty(1, dtype=numpy.float32)
            from .variable import Variable
            probe.init_state(Variable(arr, grad=arr))
            for key in list(self._state):
                try:
                    value = serializer(key, None)
                except KeyError:
                    if self.enabled:
                        raise
                    value = None
                if value is None:     # not in the file: made at the first update
                    self._state = None
                    break
                self._state[key] = value
        else:
            for key in list(self._state):
                self._state[key] = serializer(key, self._state[key])

    def use_fp32_update(self, flag: bool = True) -> None:
        """Update float16 parameters through a float32 copy."""
        self._use_fp32_update = flag

    def __getstate__(self):
        # (the compiled kernel the last update used stays with this rule)
        return {k: v for k, v in self.__dict__.items() if k != "_memo"}


# what every rule holds; anything else a rule keeps (`self.clip = 1.0`) may be
# read by its step, so it is part of the compiled kernel's signature
_RULE_ATTRIBUTES = frozenset(("_state", "enabled", "hyperparam", "t", "_use_fp32_update",
                              "_fp32_param", "_hookable", "_memo"))
_PLAIN = (int, float, bool, str, type(None))
_F64 = numpy.float64


def _own_values(rule) -> tuple:
    """A rule's own attributes as a signature: numbers, strings and flags by
    value, other objects by identity (arrays a step reads from the rule are
    taken as they are when it compiles: keep changing arrays in `state`)."""
    scalars = rule.scalar_state
    return tuple((k, _static(v)) for k, v in rule.__dict__.items()
                 if k not in _RULE_ATTRIBUTES and k not in scalars)


def _outputs(new_p, dtype, new_state, keys, states, scalar_state) -> list:
    """A step's results as kernel outputs: the parameter, the state arrays
    (in their dtypes), the scalar state."""
    from . import functions as F
    outs = [_as_dtype(F, new_p, dtype)]
    for k, s in zip(keys, states):
        outs.append(_as_dtype(F, new_state.get(k, s), s.dtype))
    for k in scalar_state:
        if k in new_state:
            outs.append(new_state[k])
    return outs


def _as_dtype(F, v, dtype):
    return v if v.dtype == dtype else F.cast(v, dtype)


def _xp(array):
    if isinstance(array, numpy.ndarray):
        return numpy
    from .backends import cuda
    return cuda.get_array_module(array)


def _set_array(param, source, ctx) -> None:
    """param's array := source's, cast (the fp32 copy written back)."""
    if ctx is None:
        param.array[...] = source.array.astype(param.dtype)
    else:
        from . import functions as F
        ctx.assign(param, F.cast(ctx.value(source), param.dtype))


# -- optimizers -----------------------------------------------------------------------

class _OptimizerHookable(_Hookable):
    def __init__(self, optimizer):
        super().__init__(invalid_timing_fallback=True)
        self.optimizer = optimizer


class Optimizer:
    """Base of all optimizers: the target link, the step and epoch counts,
    hooks, loss scaling."""

    target = None
    t = 0
    epoch = 0
    _loss_scale = None
    _loss_scale_max = 65504          # the largest float16
    _loss_scaling_is_dynamic = False
    use_auto_new_epoch = False
    _hookable = None

    def setup(self, link) -> "Optimizer":
        """Make `link` the target (its parameters get update rules)."""
        from .link import Link
        if not isinstance(link, Link):
            raise TypeError("optimization target must be a link")
        guards.changed(f"{type(self).__name__} set up")
        self.target = link
        self.t = 0
        self.epoch = 0
        self._hookable = _OptimizerHookable(self)
        return self

    def update(self, lossfun=None, *args, **kwds) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not define update()")

    def new_epoch(self, auto: bool = False) -> None:
        """Count an epoch (`auto`: called by an updater that counts them)."""
        if auto:
            if not self.use_auto_new_epoch:
                raise RuntimeError("invalid new_epoch call with auto=True.\nFix the "
                                   "updater to set optimizer.use_auto_new_epoch = True.")
        elif self.use_auto_new_epoch:
            raise RuntimeError("duplicated new_epoch with the updater.\nPass "
                               "auto_new_epoch=False to the updater or stop calling "
                               "new_epoch outside the updater.")
        self.epoch += 1

    def _check_set_up(self) -> None:
        if self._hookable is None:
            raise RuntimeError("Optimizer is not set up. Call `setup` method.")

    def add_hook(self, hook, name: str | None = None, timing: str = "auto") -> None:
        """Add a hook run before ('pre') or after ('post') each update:
        `hook(optimizer)`, or `hook(rule, param)` for each parameter when it
        has `call_for_each_param = True`."""
        self._check_set_up()
        self._hookable.add_hook(hook, name, timing)

    def remove_hook(self, name: str) -> None:
        self._check_set_up()
        self._hookable.remove_hook(name)

    def call_hooks(self, timing: str = "pre") -> None:
        """Run the hooks of `timing`, in the order they were added."""
        self._check_set_up()
        for hook in self._hookable.hooks(timing).values():
            self.call_hook(hook)

    def call_hook(self, hook) -> None:
        if getattr(hook, "call_for_each_param", False):
            for param in self.target.params():
                hook(param.update_rule, param)
        else:
            hook(self)

    def serialize(self, serializer) -> None:
        """Save or load t, epoch and every parameter's rule (its t and state)."""
        self.t = serializer("t", self.t)
        self.epoch = serializer("epoch", self.epoch)
        for name, param in self.target.namedparams():
            rule = getattr(param, "update_rule", None)
            if rule is not None:
                rule.serialize(serializer[name])

    # -- loss scaling ----------------------------------------------------------------
    def loss_scaling(self, interval: int = 1000, scale=None) -> None:
        """Static (`scale`) or dynamic (scale None: grows every `interval`
        steps, halves on a non-finite grad) loss scaling."""
        if scale is None:
            if interval < 1:
                raise ValueError("interval must be greater than or equal to 1. "
                                 f"Actual: {interval}")
            self._loss_scaling_is_dynamic = True
            self._loss_scale = 1.0
            self._loss_scaling_multiplier = math.pow(2.0, 1.0 / interval)
            self._loss_scaling_isnan_ever = False
        else:
            if scale <= 0:
                raise ValueError(f"loss_scale must be a positive number. Actual: {scale}")
            self._loss_scale = scale

    def set_loss_scale(self, loss_scale) -> None:
        self.loss_scaling(scale=loss_scale)

    def check_nan_in_grads(self) -> None:
        self._loss_scaling_isnan = False
        if not self._loss_scaling_is_dynamic:
            return
        for name, param in self.target.namedparams():
            g = param.grad
            if g is not None and not numpy.all(numpy.isfinite(g)):
                self._loss_scaling_isnan = True
                self._loss_scaling_isnan_ever = True
                warnings.warn(f"Non finite number found in param.grad of {name} "
                              f"(iteration: {self.t}, loss_scale: {self._loss_scale})")

    def is_safe_to_update(self) -> bool:
        return not getattr(self, "_loss_scaling_isnan", False)

    def update_loss_scale(self) -> None:
        if not self._loss_scaling_is_dynamic:
            return
        if self._loss_scaling_isnan:
            multiplier = 0.5
        elif self._loss_scaling_isnan_ever:
            multiplier = self._loss_scaling_multiplier
        else:
            multiplier = 2.0
        self._loss_scale = max(1, min(self._loss_scale_max, self._loss_scale * multiplier))


class GradientMethod(Optimizer):
    """An optimizer that updates each parameter from its gradient with the
    rule `create_update_rule()` makes."""

    def __init__(self):
        self.hyperparam = Hyperparameter()
        self._use_fp32_update = False

    def setup(self, link) -> "GradientMethod":
        super().setup(link)
        for param in link.params():
            param.update_rule = self.create_update_rule()
            if self._use_fp32_update:
                param.update_rule.use_fp32_update()
        return self

    def create_update_rule(self) -> UpdateRule:
        raise NotImplementedError(f"{type(self).__name__} does not define "
                                  "create_update_rule()")

    def reallocate_cleared_grads(self) -> None:
        """Give every initialized parameter whose grad is None a zero grad."""
        for param in self.target.params(False):
            if param.grad is None:
                array = param.array
                if isinstance(array, tracing.Traced):
                    from . import functions as F
                    param.grad_var = F.broadcast_to(F.cast(numpy.zeros((), array.dtype),
                                                           array.dtype), array.shape)
                else:
                    param.grad = _xp(array).zeros_like(array)

    def call_hook(self, hook) -> None:
        super().call_hook(hook)
        self.reallocate_cleared_grads()

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
        self.check_nan_in_grads()
        self.call_hooks("pre")
        ctx = tracing.active() if tracing.TRACING else None
        if ctx is None:
            self.t += 1
        else:
            ctx.assign_scalar(self, "t", ctx.scalar(self, "t") + 1)
        if self.is_safe_to_update():
            for param in self.target.params():
                param.update()
        self.reallocate_cleared_grads()
        self.call_hooks("post")
        self.update_loss_scale()

    def use_cleargrads(self, use: bool = True) -> None:
        warnings.warn("GradientMethod.use_cleargrads is deprecated.", DeprecationWarning,
                      stacklevel=2)
        self._use_cleargrads = use

    def use_fp32_update(self, flag: bool = True) -> None:
        """Update float16 parameters through float32 copies."""
        self._use_fp32_update = flag
        link = getattr(self, "target", None)
        if link is not None:
            for param in link.params():
                param.update_rule.use_fp32_update()


# -- Chainer's old names for the hooks (chainer.optimizer.WeightDecay) ----------------

def _deprecated_hook(name: str):
    from . import optimizer_hooks
    base = getattr(optimizer_hooks, name)

    def __init__(self, *args, **kwargs):
        warnings.warn(f"chainer.optimizer.{name} is deprecated from v4. Use "
                      f"chainer.optimizer_hooks.{name} instead.", DeprecationWarning,
                      stacklevel=2)
        base.__init__(self, *args, **kwargs)
    return type(name, (base,), {"__init__": __init__, "__module__": __name__})


_DEPRECATED = ("WeightDecay", "Lasso", "GradientClipping", "GradientNoise",
               "GradientHardClipping")


def __getattr__(name):
    if name in _DEPRECATED:
        cls = _deprecated_hook(name)
        globals()[name] = cls
        return cls
    raise AttributeError(f"module 'kusari.optimizer' has no attribute {name!r}")
