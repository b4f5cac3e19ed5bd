"""PrintHook: prints what goes into each function's forward and backward."""
from __future__ import annotations

import sys
import warnings

from .. import backend
from ..function_hook import FunctionHook


class PrintHook(FunctionHook):
    """Prints, before each forward and backward, the function's label and a
    summary of its input arrays (and of the output gradients in backward);
    an input array a function did not keep prints as '(removed)'."""

    name = "PrintHook"

    def __init__(self, sep=None, end="\n", file=sys.stdout, flush=True):
        if sep is not None:
            warnings.warn("sep argument in chainer.function_hooks.PrintHook is deprecated.",
                          DeprecationWarning)
        self.sep = sep
        self.end = end
        self.file = file
        self.flush = flush

    def _print(self, msg: str) -> None:
        self.file.write(msg + self.end)

    def _process(self, function, in_data, out_grad=None) -> None:
        from ..variable import Variable
        self._print(f"function\t{function.label}")
        self._print("input data")
        for d in in_data:
            if d is None:
                self._print("(removed)")
                continue
            self._print(Variable(d).debug_print())
        if out_grad is not None:
            self._print("output gradient")
            for d in out_grad:
                if d is None:
                    v = Variable()
                else:
                    v = Variable(backend.get_array_module(d).zeros_like(d))
                    v.grad = d
                self._print(v.debug_print())
        if self.flush and hasattr(self.file, "flush"):
            self.file.flush()

    def forward_preprocess(self, function, in_data):
        self._process(function, in_data)

    def backward_preprocess(self, function, in_data, out_grad):
        self._process(function, in_data, out_grad)
