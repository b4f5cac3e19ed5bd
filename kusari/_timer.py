"""What the function and link TimerHooks share: a stack of running timers
(nested calls count towards the total once), the per-name summary and its
table."""
from __future__ import annotations

import collections
import sys
import time

import numpy


class Timer:
    """`call_history` lists (name, seconds) per timed call."""

    table = {"sec": 1, "ms": 10 ** 3, "us": 10 ** 6, "ns": 10 ** 9}
    _first_column = "Name"

    def __init__(self):
        self.call_history = []
        self._running_stack = []
        self._depth = 0
        self._total_time = 0
        self.xp = numpy

    def _start(self) -> None:
        """Start timing a call on `self.xp`'s device (CUDA events on a GPU)."""
        if self.xp is numpy:
            self._running_stack.append(time.perf_counter())
        else:
            from .backends import cuda
            start, stop = cuda.cupy.cuda.Event(), cuda.cupy.cuda.Event()
            start.record()
            self._running_stack.append((start, stop))
        self._depth += 1

    def _stop(self, name: str) -> None:
        """Stop the innermost running timer and record the call as `name`."""
        if self.xp is numpy:
            elapsed = time.perf_counter() - self._running_stack.pop()
        else:
            from .backends import cuda
            start, stop = self._running_stack.pop()
            stop.record()
            stop.synchronize()
            elapsed = cuda.cupy.cuda.get_elapsed_time(start, stop) / 1000
        self.call_history.append((name, elapsed))
        assert self._depth > 0
        self._depth -= 1
        if self._depth == 0:
            self._total_time += elapsed

    def total_time(self) -> float:
        """The total elapsed time in seconds (nested calls counted once)."""
        return self._total_time

    def summary(self) -> collections.OrderedDict:
        """name -> {'elapsed_time': seconds, 'occurrence': calls}, in order of
        first call."""
        out = collections.OrderedDict()
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
        """Print the summary as a table: name, ElapsedTime, Occurrence.
        `unit`: 'sec', 'ms', 'us', 'ns', 'auto' (one unit fitting the
        largest) or 'auto_foreach' (a unit per row)."""
        summary = self.summary()
        rows = [[self._first_column, "ElapsedTime", "Occurrence"]]
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
