"""TimerHook: how long each function's forward and backward take."""
from __future__ import annotations

import sys
import time

import numpy

from .. import backend
from ..backends import cuda
from ..function_hook import FunctionHook


class TimerHook(FunctionHook):
    """Measures the elapsed time of every function it watches.

    `call_history` lists (function name, seconds) per call; a call nested in
    another (the ops of a function's backward) counts towards the total once.
    """

    name = "TimerHook"
    table = {"sec": 1, "ms": 10 ** 3, "us": 10 ** 6, "ns": 10 ** 9}

    def __init__(self):
        self.call_history = []
        self._running_stack = []
        self._depth = 0
        self._total_time = 0
        self.xp = numpy

    def _preprocess(self) -> None:
        if self.xp is numpy:
            self._running_stack.append(time.perf_counter())
        else:
            start, stop = cuda.cupy.cuda.Event(), cuda.cupy.cuda.Event()
            start.record()
            self._running_stack.append((start, stop))
        self._depth += 1

    def forward_preprocess(self, function, in_data):
        self.xp = backend.get_array_module(*in_data)
        self._preprocess()

    def backward_preprocess(self, function, in_data, out_grad):
        self.xp = backend.get_array_module(*(tuple(in_data) + tuple(out_grad)))
        self._preprocess()

    def _postprocess(self, function) -> None:
        if self.xp is numpy:
            elapsed = time.perf_counter() - self._running_stack.pop()
        else:
            start, stop = self._running_stack.pop()
            stop.record()
            stop.synchronize()
            elapsed = cuda.cupy.cuda.get_elapsed_time(start, stop) / 1000
        self.call_history.append((function._impl_name, elapsed))
        assert self._depth > 0
        self._depth -= 1
        if self._depth == 0:
            self._total_time += elapsed

    def forward_postprocess(self, function, in_data):
        self._postprocess(function)

    def backward_postprocess(self, function, in_data, out_grad):
        self._postprocess(function)

    def total_time(self) -> float:
        """The total elapsed time in seconds (nested calls counted once)."""
        return self._total_time

    def summary(self) -> dict:
        """function name -> {'elapsed_time': seconds, 'occurrence': calls}."""
        out: dict = {}
        for name, elapsed in self.call_history:
            record = out.setdefault(name, {"elapsed_time": 0, "occurrence": 0})
            record["elapsed_time"] += elapsed
            record["occurrence"] += 1
        return out

    @staticmethod
    def _choose_unit(second):
        factor = 1
        for unit in ("sec", "ms", "us"):
            if second * factor >= 1:
                return factor, unit
            factor *= 1000.0
        return factor, "ns"

    def print_report(self, unit: str = "auto", file=sys.stdout) -> None:
        """Print the summary as a table: FunctionName, ElapsedTime, Occurrence.
        `unit`: 'sec', 'ms', 'us', 'ns', 'auto' (one unit fitting the
        largest) or 'auto_foreach' (a unit per row)."""
        summary = self.summary()
        rows = [["FunctionName", "ElapsedTime", "Occurrence"]]
        if unit == "auto":
            factor, unit = self._choose_unit(
                max(r["elapsed_time"] for r in summary.values()))
        elif unit != "auto_foreach":
            factor = self.table[unit]
        for name, record in summary.items():
            second = record["elapsed_time"]
            if unit == "auto_foreach":
                f, u = self._choose_unit(second)
            else:
                f, u = factor, unit
            rows.append([name, "%3.2f%s" % (second * f, u), str(record["occurrence"])])
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        for r in rows:
            file.write("  ".join(c.rjust(w) for c, w in zip(r, widths)) + "\n")
        if hasattr(file, "flush"):
            file.flush()
