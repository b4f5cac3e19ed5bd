"""The op of user-defined functions (Chainer's FunctionNode and Function).

`function_node`: one output of a user's FunctionNode, an opaque op. Its attrs
are the function's handle and the output index; the handle (made by
kusari.user_function; the compiler only calls it) runs the user's forward on
the operand arrays and knows the outputs' types. A function with n outputs
is n nodes sharing the handle. Their gradient is the user's backward, traced
into IR by the handle, called once for all the outputs of one application
(`group_grad`, which the gradient pass calls at the group's first output)."""
from __future__ import annotations

from .registry import LIBRARY, OpDef, register


def _function_node_infer(attrs, *avals):
    return attrs["function"].output_type(attrs["output"])


def _function_node_impl(*arrays, function, output):
    return function.run(arrays, output)


def _function_node_group_grad(gys, outs, *inputs, needed, function):
    """gys/outs: per output index, the Sym of its gradient / of the output
    (None where the output has no gradient / is not in the graph)."""
    return function.traced_backward(gys, outs, inputs, needed)


def _function_node_grad(gy, y, *inputs, function, output):
    gys = {output: gy}
    return function.traced_backward(gys, {output: y}, inputs, [True] * len(inputs))


register(OpDef("function_node", LIBRARY, _function_node_infer, impl=_function_node_impl,
               grad=_function_node_grad, group_grad=_function_node_group_grad,
               label="FunctionNode", arg_names=("inputs",),
               attr_names=("function", "output"), saves=slice(0, None), saves_out=True))


