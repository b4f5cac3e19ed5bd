"""TimerHook: how long each link's forward takes."""
from __future__ import annotations

import collections
import sys
import time

import numpy

from ..link_hook import LinkHook


class TimerHook(LinkHook):
    """Records (link class name, seconds) for every forward it sees;
    `total_time()` sums the outermost ones, `print_report()` tabulates."""

    name = "TimerHook"
    table = {"sec": 1, "ms": 10 ** 3, "us": 10 ** 6, "ns": 10 ** 9}

    def __init__(self):
        self.call_history = []
        self._running_stack = []
        self._depth = 0
        self._total_time = 0

    def forward_preprocess(self, args) -> None:
        self.xp = args.link.xp
        if self.xp is numpy:
            self._running_stack.append(time.perf_counter())
        else:
            from ..backends import cuda
            start, stop = cuda.Event(), cuda.Event()
            start.record()
            self._running_stack.append((start, stop))
        self._depth += 1

    def forward_postprocess(self, args) -> None:
        link = args.link
        if self.xp is numpy:
            elapsed = time.perf_counter() - self._running_stack.pop()
        else:
            from ..backends import cuda
            start, stop = self._running_stack.pop()
            stop.record()
            stop.synchronize()
            elapsed = cuda.cupy.cuda.get_elapsed_time(start, stop) / 1000
        self.call_history.append((type(link).__name__, elapsed))
        self._depth -= 1
        if self._depth == 0:
            self._total_time += elapsed

    def total_time(self) -> float:
        """Seconds spent in the outermost forwards."""
        return self._total_time

    def summary(self) -> collections.OrderedDict:
        """{link class name: {'elapsed_time': seconds, 'occurrence': calls}}."""
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

    def print_report(self, unit="auto", file=sys.stdout) -> None:
        """A table of link name, elapsed time and occurrences (unit: 'sec',
        'ms', 'us', 'ns', 'auto' for one unit, 'auto_foreach' per row)."""
        rows = [["LinkName", "ElapsedTime", "Occurrence"]]
        summary = self.summary()
        each = unit == "auto_foreach"
        if unit == "auto":
            factor, unit = self._choose_unit(
                max(r["elapsed_time"] for r in summary.values()))
        elif not each:
            factor = self.table[unit]
        for name, record in summary.items():
            second = record["elapsed_time"]
            if each:
                factor, unit = self._choose_unit(second)
            rows.append([name, "%3.2f%s" % (second * factor, unit),
                         str(record["occurrence"])])
        widths = [max(len(r[k]) for r in rows) for k in range(3)]
        template = "  ".join("{:>%d}" % w for w in widths)
        for row in rows:
            file.write(template.format(*row))
            file.write("\n")
        file.flush()
