"""Chainer's FunctionHook: callbacks around every function's forward and backward.

A hook entered with `with hook:` watches every function this thread applies
(kusari's own ops and user-defined FunctionNodes alike); `f.add_hook(hook)`
watches one FunctionNode. For kusari's ops the `function` a hook receives is
an `OpCall` (label, `_impl_name`, the op) in forward and the graph's Node in
backward. While a hook watches, backward() computes node by node, as Chainer
does, so that hooks see each function's backward and the ops it applies.
"""
from __future__ import annotations

import collections
import threading

from . import function_node as _function_node

_local = threading.local()


def get_function_hooks() -> collections.OrderedDict:
    """This thread's hooks that watch every function (name -> hook)."""
    try:
        return _local.hooks
    except AttributeError:
        _local.hooks = collections.OrderedDict()
        return _local.hooks


def active_hooks():
    """This thread's global hooks, or None when none is registered (cheap)."""
    if not _function_node.HOOKED[0]:
        return None
    return get_function_hooks() or None


class FunctionHook:
    """Base class of function hooks: override the callbacks you need."""

    name = "FunctionHook"

    def __enter__(self):
        hooks = get_function_hooks()
        if self.name in hooks:
            raise KeyError(f"hook {self.name} already exists")
        hooks[self.name] = self
        _function_node.HOOKED[0] += 1
        self.added(None)
        return self

    def __exit__(self, *_):
        hooks = get_function_hooks()
        hooks[self.name].deleted(None)
        del hooks[self.name]
        _function_node.HOOKED[0] -= 1

    def added(self, function) -> None:
        """Called when the hook is registered (`function` None: globally)."""

    def deleted(self, function) -> None:
        """Called when the hook is unregistered (`function` None: globally)."""

    def forward_preprocess(self, function, in_data) -> None:
        """Called before a function's forward, with its input arrays."""

    def forward_postprocess(self, function, in_data) -> None:
        """Called after a function's forward, with its input arrays."""

    def backward_preprocess(self, function, in_data, out_grad) -> None:
        """Called before a function's backward, with its inputs and the
        gradients of its outputs (arrays; None where not available)."""

    def backward_postprocess(self, function, in_data, out_grad) -> None:
        """Called after a function's backward."""
