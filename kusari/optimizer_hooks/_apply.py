"""How a hook's math (written once with kusari.functions) changes gradients:
eagerly as a compiled kernel writing the grads in place, inside kusari.jit
as part of the traced step (its numbers read at every call)."""
from __future__ import annotations

from .. import tracing, update_kernel
from ..optimizer import _number, _static, _Values
from ..optimizers._base import full  # noqa: F401  (a number as an array like another)


def _as_dtype(x, dtype):
    from .. import functions as F
    return x if x.dtype == dtype else F.cast(x, dtype)


def _read(values: dict):
    """(number names, their floats, signature) of {name: (object, attribute)}."""
    names, numbers, key = [], [], []
    statics = {}
    for name in sorted(values):
        obj, attr = values[name]
        value = getattr(obj, attr)
        x = _number(value)
        if x is None:
            statics[name] = value
            key.append((name, _static(value)))
        else:
            names.append(name)
            numbers.append(x)
            key.append((name, x != 0.0))
    return names, numbers, tuple(key), statics


def _hp(names, numbers, variables, statics) -> _Values:
    hp = dict(statics)
    for name, x, v in zip(names, numbers, variables):
        if not isinstance(v, float):            # traced (not run op by op)
            v.__dict__["_truth"] = update_kernel.number_truth(lambda x=x: x != 0.0)
        hp[name] = v
    return _Values(hp)


class _TracedNumbers:
    def __init__(self, ctx, values: dict, what: str):
        self._ctx, self._values, self._what = ctx, values, what

    def __getattr__(self, name):
        if name.startswith("__") or name not in self._values:
            raise AttributeError(name)
        obj, attr = self._values[name]
        return self._ctx.number(obj, attr, f"{self._what}.{name}")


def active():
    return tracing.active() if tracing.TRACING else None


def update_grads(hook, params, values: dict, math, arrays_of=None) -> None:
    """For the parameters `params` (grads set): grads := math(hp, ps, gs,
    extras) (lists of Variables in, a list of new grads out). `values`
    names the numbers the math reads: {name: (object, attribute)};
    `arrays_of(param)` gives extra input arrays per parameter (noise)."""
    params = [p for p in params if p.array is not None and p.grad is not None]
    if not params:
        return
    ctx = active()
    what = type(hook).__name__
    if ctx is not None:
        hp = _TracedNumbers(ctx, values, what)
        extras = [arrays_of(p, ctx) for p in params] if arrays_of else [()] * len(params)
        new = math(hp, [ctx.value(p) for p in params], [p.grad_var for p in params], extras)
        for p, g in zip(params, new):
            p.grad_var = _as_dtype(g, p.grad.dtype)
        return
    names, numbers, key, statics = _read(values)
    extras = [tuple(arrays_of(p, None)) for p in params] if arrays_of else [()] * len(params)
    n = len(params)
    counts = [len(e) for e in extras]
    arrays = [p.grad for p in params] + [p.array for p in params] + \
        [a for e in extras for a in e]

    def fn(*vs):
        gs, ps = list(vs[:n]), list(vs[n:2 * n])
        rest = vs[2 * n:]
        ex, k = [], 0
        for c in counts:
            ex.append(tuple(rest[k:k + c]))
            k += c
        hp = _hp(names, numbers, rest[k:], statics)
        new = math(hp, ps, gs, ex)
        return [_as_dtype(g, old.dtype) for g, old in zip(new, gs)]

    outs = update_kernel.run((type(hook), key, tuple(counts)), fn, arrays, numbers,
                             tuple((i, i) for i in range(n)), name=what)
    for p, out in zip(params, outs):
        update_kernel.write_back(out, p.grad)


def per_param(hook, param, values: dict, math, arrays_of=None) -> None:
    """update_grads for one parameter, with math(hp, p, g, *extras) -> new g."""
    update_grads(hook, [param], values,
                 lambda hp, ps, gs, ex: [math(hp, ps[0], gs[0], *ex[0])], arrays_of)


__all__ = ["update_grads", "per_param", "full"]
