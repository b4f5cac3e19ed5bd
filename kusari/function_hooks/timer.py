"""TimerHook: how long each function's forward and backward take."""
from __future__ import annotations

from .. import backend
from .._timer import Timer
from ..function_hook import FunctionHook


class TimerHook(Timer, FunctionHook):
    """Measures the elapsed time of every function it watches.

    `call_history` lists (function name, seconds) per call; a call nested in
    another (the ops of a function's backward) counts towards the total once.
    """

    name = "TimerHook"
    _first_column = "FunctionName"

    def forward_preprocess(self, function, in_data):
        self.xp = backend.get_array_module(*in_data)
        self._start()

    def backward_preprocess(self, function, in_data, out_grad):
        self.xp = backend.get_array_module(*(tuple(in_data) + tuple(out_grad)))
        self._start()

    def forward_postprocess(self, function, in_data):
        self._stop(function._impl_name)

    def backward_postprocess(self, function, in_data, out_grad):
        self._stop(function._impl_name)
