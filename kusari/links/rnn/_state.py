"""The state of stateful recurrent links (LSTM's c and h, GRU's h), under
kusari.jit as eagerly.

Eagerly, `link.c = new` keeps the new Variable with its history, as Chainer
does. Inside a trace `new` is a traced value that must not outlive the
trace: it goes into a state Variable the link keeps for that name, written
after every run of the compiled function (an effect of the trace), and
`link.c` is that Variable. The next call reads it (jit guards a link's state
Variables by identity, so reset_state() or set_state() retraces); gradients
flow through it within one call, and a call starts from its value."""
from __future__ import annotations

import numpy as np

from ... import tracing
from ...variable import Variable


def set_state(link, name: str, new) -> None:
    """link.<name> = new (see the module docstring)."""
    ctx = tracing.active() if tracing.TRACING else None
    if ctx is None or new is None or not isinstance(new.array, tracing.Traced):
        setattr(link, name, new)
        return
    key = f"_{name}_state"
    store = link.__dict__.get(key)
    if store is None or store.shape != new.shape or store.dtype != new.dtype:
        store = Variable(np.zeros(new.shape, new.dtype))
        object.__setattr__(link, key, store)
    ctx.assign(store, new, state=True)
    setattr(link, name, store)


def visit_states(link, visitor) -> None:
    """A stateful link's state Variables move with it (to_device and the
    deprecated to_cpu/to_gpu): the device visitor visits them."""
    for name in ("c", "h"):
        v = link.__dict__.get(name)
        if isinstance(v, Variable):
            visitor.visit_variable(v)
