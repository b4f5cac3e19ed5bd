"""Chainer's old-style `Function` (forward and backward written in NumPy).

kusari computes every gradient from IR so it can differentiate again; a
function with a hand-written NumPy backward does not fit that yet.
"""


class Function:
    """Not supported yet: compose kusari.functions instead."""

    def __call__(self, *inputs):
        raise NotImplementedError(
            "kusari.Function (old-style functions with a NumPy backward) is not "
            "supported yet; build the function from kusari.functions, whose "
            "gradients kusari derives itself")

    def forward(self, inputs):
        raise NotImplementedError("kusari.Function is not supported yet")

    def backward(self, inputs, grad_outputs):
        raise NotImplementedError("kusari.Function is not supported yet")


class FunctionNode(Function):
    """Not supported yet: compose kusari.functions instead."""

    def apply(self, inputs):
        raise NotImplementedError(
            "kusari.FunctionNode subclasses are not supported yet; build the "
            "function from kusari.functions")
