"""One backward step of a user's FunctionNode (Chainer's `backprop_step`).

`grad_inputs` maps each input node to the list of gradient Variables it has
so far; the step calls the function's `backward` (or its overridden
`backward_accumulate`), checks what it returns (more checks in debug mode)
and adds the results to those lists (summed at once unless lazy_grad_sum).
"""
from __future__ import annotations

import shutil
import traceback

import numpy as np


def _reduce(grad_list):
    """The sum of a list of gradients (kept as its only element), or None."""
    if not grad_list:
        return None
    if len(grad_list) >= 2:
        total = grad_list[0]
        for g in grad_list[1:]:
            total = total + g
        grad_list[:] = [total]
    return grad_list[0]


def _pop_or_none(grad_list):
    return grad_list.pop() if grad_list else None


def backprop_step(func, target_input_indexes, grad_outputs, grad_inputs, is_debug):
    """Accumulate the gradients of `func`'s inputs `target_input_indexes`
    (sorted) into `grad_inputs` (input node -> list of Variables)."""
    from .user_function import FunctionNode
    from .variable import Variable
    if is_debug:
        assert isinstance(target_input_indexes, tuple)
        assert target_input_indexes == tuple(sorted(target_input_indexes))
        assert isinstance(grad_outputs, tuple)
    inputs = func.inputs
    if type(func).backward_accumulate is not FunctionNode.backward_accumulate:
        given = tuple([_pop_or_none(grad_inputs[inputs[i]]) for i in target_input_indexes])
        try:
            gxs = func.backward_accumulate(target_input_indexes, grad_outputs, given)
        except Exception as e:
            _reraise_with_stack(func, e)
    else:
        try:
            gxs = func.backward(target_input_indexes, grad_outputs)
        except Exception as e:
            _reraise_with_stack(func, e)
        if is_debug:
            for gx in gxs:
                if not (gx is None or isinstance(gx, Variable)):
                    raise ValueError(func._get_error_message(
                        "type of gradients returned from backward is incorrect: "
                        f"{type(gx)} != expected {Variable}"))
        n = len(gxs)
        if n == len(inputs):
            gxs = tuple([gxs[i] for i in target_input_indexes])
        elif n != len(target_input_indexes):
            msg = "number of gradients returned from backward is incorrect: "
            if len(inputs) == len(target_input_indexes):
                msg += f"{n} != expected {len(inputs)}"
            else:
                msg += f"{n} != expected {len(inputs)} or {len(target_input_indexes)}"
            raise ValueError(func._get_error_message(msg))
    for i, gx in zip(target_input_indexes, gxs):
        if gx is None or gx.array is None:
            continue
        x = inputs[i]
        grads = grad_inputs[x]
        if is_debug:
            if gx.shape != x.shape:
                raise ValueError(func._get_error_message(
                    "shape of gradients returned from backward is incorrect: "
                    f"input-index={i}, actual {gx.shape} != expected {x.shape}"))
            if grads:
                if gx.shape != grads[0].shape:
                    raise ValueError(func._get_error_message(
                        "shape of gradients returned from backward is incorrect: "
                        f"input-index={i}, actual {gx.shape} != expected {grads[0].shape}"))
                if gx.dtype != grads[0].dtype:
                    raise ValueError(func._get_error_message(
                        "dtype of gradients returned from backward is incorrect: "
                        f"input-index={i}, actual {gx.dtype} != expected {grads[0].dtype}"))
        grads.append(gx)
    del gxs
    if is_debug:
        for grads in grad_inputs.values():
            for gx in grads:
                a = gx.array
                if a is not None and a.dtype.kind == "f" and np.isnan(np.asarray(a)).any():
                    raise RuntimeError(
                        f"NaN is detected on backward computation of {func.label}")
    if not func.lazy_grad_sum:
        for grads in grad_inputs.values():
            _reduce(grads)


def _reraise_with_stack(func, e):
    """Re-raise `e`, with the stack where `func` was applied (debug mode)."""
    if func.stack is not None:
        extra = "\n{}\nStacktrace of the function is below:\n{}".format(
            "-" * shutil.get_terminal_size().columns,
            "".join(traceback.format_list(func.stack[:-1])))
        e.args = (e.args[0] + extra,) + e.args[1:] if e.args else (extra,)
    raise
