"""F.forget: call a function without keeping its intermediate values; the
backward computes them again (Chainer's `chainer.functions.util.forget`).

The forward runs `func` under no_backprop_mode, so nothing between the
inputs and the outputs is kept: only the inputs are. The backward runs `func`
again on the kept inputs, with the graph recorded, and backpropagates
through that graph.

Parameters: where `func` is a link (or a bound method or functools.partial
of one), its parameters are inputs of the forget node as well, so their
gradients flow as any input's. Other Variables `func` reads and that need
gradients (a closure's) get theirs added to their grads by the backward, as
Chainer's forget does.

Unlike Chainer's, kusari's forget differentiates again: under a recorded
backward (`enable_double_backprop=True`, `kusari.grad(...,
enable_double_backprop=True)`) func runs again on the inputs themselves, so
the gradients are recorded functions of the inputs and the link's
parameters (that graph is kept as long as the gradients are, as in any
double backprop). A recorded backward of a func that reads other Variables
needing gradients is refused: their share of the graph would be missing
from the forget node (pass them as arguments instead).

Under kusari.jit (traced inputs) forget calls func as it is: the compiled
graph, with its gradient, is one program, and what it keeps is the
compiler's choice.
"""
from __future__ import annotations

import functools

from ... import tracing as _tracing
from ...configuration import force_backprop_mode, no_backprop_mode, state, using_config
from ...tracing import Traced
from ...user_function import FunctionNode
from ...variable import Variable

_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _call_func(func, xs) -> tuple:
    """func(*xs) as a tuple of Variables; anything else is Chainer's RuntimeError."""
    outs = func(*xs)
    if isinstance(outs, tuple):
        for i, out in enumerate(outs):
            if not isinstance(out, Variable):
                n = i + 1
                suffix = _SUFFIX.get(n if n < 20 else n % 10, "th")
                raise RuntimeError(f"{n}{suffix} element of a returned tuple is not "
                                   f"Variable, but is {type(out)}")
        return outs
    if isinstance(outs, Variable):
        return (outs,)
    raise RuntimeError("A tuple of Variables or a Variable are expected, but "
                       f"{type(outs)} is returned.")


def _leaves(arrays, requires_grad: bool) -> list:
    return [Variable(a, requires_grad=requires_grad) for a in arrays]


def _link_of(func):
    """The link `func` calls: a Link, a bound method of one, or a
    functools.partial of either (None otherwise)."""
    from ...link import Link
    while isinstance(func, functools.partial):
        func = func.func
    if isinstance(func, Link):
        return func
    owner = getattr(func, "__self__", None)
    return owner if isinstance(owner, Link) else None


def _parameters_read(outs) -> list:
    """The leaf Variables needing gradients that `outs` were computed from."""
    from ...tape import walk
    roots = [y.node for y in outs if y.creator_node is not None]
    if not roots:
        return []
    order, _, _ = walk(roots)
    found = []
    for n in order:
        if getattr(n, "op", 1) is None and n.requires_grad and n.var is not None:
            v = n.var()
            if v is not None:
                found.append(v)
    return found


class Forget(FunctionNode):
    """The graph's node of one F.forget: `func`'s outputs, computed with
    nothing kept but the inputs (its arguments, then the parameters of the
    link it calls)."""

    def __init__(self, func):
        if not callable(func):
            raise TypeError("func must be callable")
        self.func = func
        self._n_args = None          # inputs after these are the link's parameters
        self._params = ()
        self._ready = None           # outputs forget() computed before apply

    @property
    def label(self) -> str:
        return "Forget"

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        if self._ready is not None:
            outs, self._ready = self._ready, None
            return outs
        n = len(inputs) if self._n_args is None else self._n_args
        with no_backprop_mode(), using_config("_will_recompute", True):
            outs = _call_func(self.func, _leaves(inputs[:n], True))
        return tuple([out.array for out in outs])

    def _recompute(self, xs) -> tuple:
        with force_backprop_mode(), using_config("in_recomputing", True):
            outs = _call_func(self.func, xs)
        n_out = self._output_count
        if n_out is not None and len(outs) != n_out:
            raise RuntimeError(f"F.forget: the function returned {len(outs)} outputs when "
                               f"computed again for the backward, {n_out} in the forward")
        return outs

    def _others(self, outs, skip) -> list:
        """Variables needing gradients that func read, other than `skip` and
        the link's parameters."""
        known = {id(v) for v in skip} | {id(p) for p in self._params}
        return [v for v in _parameters_read(outs) if id(v) not in known]

    def backward(self, indexes, grad_outputs):
        from ...backprop import grad
        inputs = self.get_retained_inputs()
        n = len(inputs) if self._n_args is None else self._n_args
        given = [k for k, gy in enumerate(grad_outputs) if gy is not None]
        gys = [grad_outputs[k] for k in given]
        if not state.enable_backprop:
            # first order: func again on fresh leaves; the gradients of
            # Variables func reads besides are added to their grads (Chainer)
            dummies = _leaves([x.array for x in inputs[:n]], True)
            outs = self._recompute(dummies)
            others = self._others(outs, dummies)
            wrt = dummies + list(self._params) + others
            gs = grad([outs[k] for k in given], wrt, gys)
            for v, g in zip(others, gs[len(inputs):]):
                if g is not None:
                    v.grad_var = g if v.grad_var is None else v.grad_var + g
            return tuple([gs[i] for i in indexes])
        # recorded (double backprop): func again on the inputs themselves,
        # so that the gradients are functions of them
        probe = self._recompute(_leaves([x.array for x in inputs[:n]], False))
        others = self._others(probe, ())
        if others:
            shapes = ", ".join(f"{v.dtype}{list(v.shape)}" for v in others[:4])
            raise RuntimeError(
                "double backpropagation in functions.forget is only possible when the "
                "function reads no Variables needing gradients besides its arguments and "
                f"the parameters of the link it is: it reads {len(others)} more "
                f"({shapes}); pass them as arguments of forget")
        del probe
        outs = self._recompute(inputs[:n])
        return tuple(grad([outs[k] for k in given], [inputs[i] for i in indexes], gys,
                          enable_double_backprop=True))


def forget(func, *xs):
    """func(*xs) without keeping the intermediate values of its graph: the
    backward calls func again to rebuild them (Chainer's F.forget).

    func takes Variables and returns a Variable or a tuple of Variables; xs
    are Variables or arrays (an array becomes a Variable that requires its
    gradient, as in Chainer). Returns func's Variable, or its tuple. func
    must compute the same thing each time (no dropout); a link that updates
    statistics checks `config.in_recomputing`, as BatchNormalization does.
    """
    node = Forget(func)
    xs = tuple([x if isinstance(x, Variable) else Variable(x, requires_grad=True)
                for x in xs])
    if _tracing.TRACING and (_tracing.active() is not None or
                             any(type(x.array) is Traced for x in xs)):
        # under kusari.jit the whole graph is compiled (what is kept is the
        # compiler's choice): func is traced as it is
        ys = _call_func(func, xs)
    else:
        # the forward runs here, before the node is made, so that a lazily
        # initialized link has its parameters when they become inputs
        with no_backprop_mode(), using_config("_will_recompute", True):
            outs = _call_func(func, _leaves([x.array for x in xs], True))
        link = _link_of(func)
        params = () if link is None else tuple(
            [p for p in link.params() if p.array is not None and p.requires_grad])
        node._n_args = len(xs)
        node._params = params
        node._ready = tuple([y.array for y in outs])
        ys = node.apply(xs + params)
    if len(ys) == 1:
        ys, = ys
    return ys
