"""CupyMemoryProfileHook: CuPy memory-pool bytes each function uses.

It measures CuPy's memory pool, so it needs CuPy: on a machine without it,
making one raises RuntimeError saying so (NumPy arrays use no pool)."""
from __future__ import annotations

import collections
import sys

from ..backends import cuda
from ..function_hook import FunctionHook


class CupyMemoryProfileHook(FunctionHook):
    """Records (function name, used bytes, acquired bytes, depth) per call:
    the bytes taken from CuPy's memory pool, and those the pool took from
    the GPU."""

    name = "CupyMemoryProfileHook"
    _units = ["B", "KB", "MB", "GB", "TB", "PB", "EB", "ZB"]
    _table = {u: 1024.0 ** i for i, u in enumerate(_units)}

    def __init__(self):
        cuda.check_cuda_available()
        try:
            base = cuda.cupy.cuda.memory_hook.MemoryHook
        except Exception as e:       # a CuPy without memory hooks
            raise RuntimeError(f"CuPy >= 2.0 is required. {e}") from None
        self.call_history = []
        self._memory_hook = _cumulative_hook(base)()
        self._running_stack = []
        self._total_used_bytes = 0
        self._total_acquired_bytes = 0

    def added(self, function=None):
        self._memory_hook.__enter__()

    def deleted(self, function=None):
        self._memory_hook.__exit__()

    def _preprocess(self):
        self._running_stack.append((self._memory_hook.used_bytes,
                                    self._memory_hook.acquired_bytes))

    def forward_preprocess(self, function, in_data):
        self._preprocess()

    def backward_preprocess(self, function, in_data, out_grad):
        self._preprocess()

    def _postprocess(self, function):
        used0, acquired0 = self._running_stack.pop()
        used = self._memory_hook.used_bytes - used0
        acquired = self._memory_hook.acquired_bytes - acquired0
        depth = len(self._running_stack)
        self.call_history.append((function._impl_name, used, acquired, depth))
        if depth == 0:
            self._total_used_bytes += used
            self._total_acquired_bytes += acquired

    def forward_postprocess(self, function, in_data):
        self._postprocess(function)

    def backward_postprocess(self, function, in_data, out_grad):
        self._postprocess(function)

    def total_used_bytes(self) -> int:
        return self._total_used_bytes

    def total_acquired_bytes(self) -> int:
        return self._total_acquired_bytes

    def summary(self):
        """function name -> {'used_bytes', 'acquired_bytes', 'occurrence'}."""
        out = collections.OrderedDict()
        for name, used, acquired, _ in self.call_history:
            record = out.setdefault(name, {"used_bytes": 0, "acquired_bytes": 0,
                                           "occurrence": 0})
            record["used_bytes"] += used
            record["acquired_bytes"] += acquired
            record["occurrence"] += 1
        return out

    def _choose_unit(self, size):
        denomi = 1.0
        if size <= 0:
            return denomi, self._units[0]
        for unit in self._units[:-1]:
            if size / (denomi * 1024) < 1:
                return denomi, unit
            denomi *= 1024
        return denomi, self._units[-1]

    def print_report(self, unit="auto", file=sys.stdout):
        """Print the summary as a table (units: B ... ZB, 'auto', 'auto_foreach')."""
        summary = self.summary()
        rows = [["FunctionName", "UsedBytes", "AcquiredBytes", "Occurrence"]]
        if unit == "auto":
            du, uu = self._choose_unit(max(r["used_bytes"] for r in summary.values()))
            da, ua = self._choose_unit(max(r["acquired_bytes"] for r in summary.values()))
        elif unit != "auto_foreach":
            du = da = self._table[unit]
            uu = ua = unit
        for name, record in summary.items():
            used, acquired = record["used_bytes"], record["acquired_bytes"]
            if unit == "auto_foreach":
                du, uu = self._choose_unit(used)
                da, ua = self._choose_unit(acquired)
            rows.append([name, "%3.2f%s" % (used / du, uu),
                         "%3.2f%s" % (acquired / da, ua), str(record["occurrence"])])
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for r in rows:
            file.write("  ".join(c.rjust(w) for c, w in zip(r, widths)) + "\n")
        if hasattr(file, "flush"):
            file.flush()


def _cumulative_hook(base):
    class CupyMemoryCumulativeHook(base):
        """Counts the bytes CuPy's pool hands out and acquires."""

        name = "CupyMemoryCumulativeHook"

        def __init__(self):
            self.used_bytes = 0
            self.acquired_bytes = 0

        def alloc_preprocess(self, **kwargs):
            self.acquired_bytes += kwargs["mem_size"]

        def malloc_preprocess(self, **kwargs):
            self.used_bytes += kwargs["mem_size"]
    return CupyMemoryCumulativeHook
