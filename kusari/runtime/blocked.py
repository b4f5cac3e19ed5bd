"""Running a fused elementwise kernel block by block, on a thread pool.

A kernel's iteration space (its output shape S) is cut into blocks small
enough that the block's buffers stay in cache. When every input is either a
scalar or a contiguous array of shape S, the arrays are viewed flat and cut
into runs of elements ("flat" blocking). Otherwise blocks run along one axis
`ax` of S, in chunks, at every index of the axes before it; inputs are sliced
where they have a dimension and left whole where they broadcast.

Each block runs the kernel's generated block function on views: outputs are
views into the full output arrays, temporaries are scratch buffers allocated
once per worker thread and reused. Blocks are spread over a thread pool;
NumPy releases the GIL inside ufunc loops, so the workers run in parallel.

A reduction that closes the kernel gets a partial result per block, which is
added (or max-ed) into an accumulator; workers that could write the same
accumulator cells get one each, combined at the end.
"""
from __future__ import annotations

import ctypes
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

# What a block's buffers together should fit in: a share of the last-level
# cache. Blocks are large on purpose: every ufunc call on a block takes the GIL
# on entry and exit, and with two or more threads short calls spend their time
# handing it back and forth (measured on 2 cores, a 4-op kernel over 1e6
# float32: 32K-element blocks 0.85 ms, 128K 0.32 ms, unblocked NumPy 0.64 ms).
CACHE_BYTES = 8 << 20
MIN_BLOCK = 1 << 16
MAX_BLOCK = 1 << 18
PER_THREAD = 1 << 17       # elements a worker thread must have to be worth starting

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


_workers: list = []


def workers() -> int:
    """Threads a kernel may use: KUSARI_THREADS, else the cores this process
    may run on (its affinity, which a container's CPU limit narrows). Read
    once; `set_workers` changes it."""
    if not _workers:
        env = os.environ.get("KUSARI_THREADS")
        if env:
            n = int(env)
        elif hasattr(os, "sched_getaffinity"):
            n = len(os.sched_getaffinity(0))
        else:
            n = os.cpu_count() or 1
        _workers.append(max(1, n))
    return _workers[0]


def set_workers(n: int | None) -> None:
    """Use `n` threads from now on (None: read KUSARI_THREADS / affinity again)."""
    global _pool
    with _pool_lock:
        _workers.clear()
        if n is not None:
            _workers.append(max(1, int(n)))
        if _pool is not None:
            _pool.shutdown(wait=False)
            _pool = None


def _forget_pool() -> None:
    """In a forked child the pool's threads are gone: start new ones there."""
    global _pool, _pool_lock
    _pool = None
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max(1, workers() - 1), thread_name_prefix="kusari")
        return _pool


def over_threads(task, n: int, w: int, finish=None):
    """task(lo, hi) for `w` even parts of range(n): the first on this thread,
    the rest on the pool; their results in order.

    The parts run under the caller's NumPy error state (np.errstate /
    np.seterr, which a worker thread does not inherit), and floating-point
    errors are reported as one call on this thread would report them: each
    once, in order, on this thread (a warning, a FloatingPointError, the
    errcall or the print), not once per part nor from a worker.

    With `finish`, the result is finish(results), computed on this thread
    after the parts as part of the same call (its errors reported with
    theirs)."""
    if w <= 1:
        results = [task(0, n)]
        return results if finish is None else finish(results)
    bounds = [n * i // w for i in range(w + 1)]
    err = np.geterr()
    if all(mode == "ignore" for mode in err.values()):
        def run(lo, hi):
            with np.errstate(all="ignore"):
                return task(lo, hi)
        futures = [pool().submit(run, bounds[i], bounds[i + 1]) for i in range(1, w)]
        results = [run(bounds[0], bounds[1])] + [f.result() for f in futures]
        if finish is None:
            return results
        with np.errstate(all="ignore"):
            return finish(results)
    logs = [_FPLog() for _ in range(w)]
    # each part logs its errors (NumPy's 'log' mode) instead of acting on them
    modes = {k: "ignore" if mode == "ignore" else "log" for k, mode in err.items()}

    def logged(i):
        with np.errstate(call=logs[i], **modes):
            return task(bounds[i], bounds[i + 1])
    futures = [pool().submit(logged, i) for i in range(1, w)]
    results = [logged(0)] + [f.result() for f in futures]
    if finish is not None:
        with np.errstate(call=logs[0], **modes):
            results = finish(results)
    _report([log.messages for log in logs], err)
    return results


class _FPLog:
    """NumPy's errcall object for 'log' mode: keeps the messages written."""

    __slots__ = ("messages",)

    def __init__(self):
        self.messages = []

    def write(self, message):
        self.messages.append(message)


_CATEGORY = {"divide by zero": "divide", "overflow": "over", "underflow": "under",
             "invalid value": "invalid"}
_FLAG = {"divide": 1, "over": 2, "under": 4, "invalid": 8}   # NumPy's FPE bits


def _kind(text: str) -> str:
    return text.partition(" encountered in ")[0]


def _ufunc(text: str) -> str:
    return text.partition(" encountered in ")[2]


def _report(parts: list, err: dict) -> None:
    """Act on the errors the parts logged as NumPy does after one ufunc call:
    the messages of all parts merged (a message the parts share is one error
    of the whole call), in order, each by its category's mode."""
    merged, seen = [], {}
    for messages in parts:
        count = {}
        for m in messages:
            k = count[m] = count.get(m, 0) + 1
            if k > seen.get(m, 0):
                seen[m] = k
                merged.append(m)
    if not merged:
        return
    texts = [m.removeprefix("Warning: ").rstrip("\n") for m in merged]
    # one call reports its errors in NumPy's order (divide, over, under,
    # invalid), whichever parts met them: sort each run of one ufunc's messages
    order = list(_CATEGORY)
    runs, start = [], 0
    for i in range(1, len(texts) + 1):
        if i == len(texts) or _ufunc(texts[i]) != _ufunc(texts[start]):
            runs.append(sorted(texts[start:i], key=lambda t: order.index(_kind(t))
                               if _kind(t) in _CATEGORY else len(order)))
            start = i
    texts = [t for run in runs for t in run]
    errcall = np.geterrcall()
    for text in texts:
        kind, _, ufunc = text.partition(" encountered in ")
        mode = err.get(_CATEGORY.get(kind), "warn")
        if mode == "raise":
            raise FloatingPointError(text)
        if mode == "warn":
            import warnings
            # (stacklevel: the frame that called parallel_elementwise or
            # BlockPlan.run, where one call would have warned)
            warnings.warn(text, RuntimeWarning, stacklevel=4)
        elif mode == "print":
            import sys
            sys.stdout.write(f"Warning: {text}\n")
        elif mode == "log":
            errcall.write(f"Warning: {text}\n")
        elif mode == "call":
            # NumPy passes the flags of the whole call: those its messages name
            errcall(kind, sum(_FLAG[c] for k, c in _CATEGORY.items()
                              if f"{k} encountered in {ufunc}" in texts))


def block_elements(n_arrays: int, itemsize: int) -> int:
    """Elements per block (a power of two) so `n_arrays` buffers fit in cache."""
    per = CACHE_BYTES // max(1, n_arrays * itemsize)
    size = MIN_BLOCK
    while size * 2 <= min(per, MAX_BLOCK):
        size *= 2
    return size


class Reduction:
    """A closing reduction: its identity and combining ufunc (from the op's
    registry entry), the axes of S it reduces, its result."""

    def __init__(self, identity, ufunc, axes: tuple, out_shape: tuple, dtype):
        self.identity = identity
        self.ufunc = ufunc
        self.axes = tuple(axes)
        self.out_shape = tuple(out_shape)
        self.dtype = np.dtype(dtype)

    def init(self, shape) -> np.ndarray:
        return np.full(shape, self.identity, self.dtype)

    def combine(self, acc, part) -> None:
        self.ufunc(acc, part, out=acc)


def _flat_views(ins, outs, bufs, lo: int, hi: int) -> tuple:
    """A flat block's operands: elements [lo, hi) of the arrays (scalars
    whole), of the outputs, and of this thread's scratch buffers."""
    return ([a[lo:hi] if getattr(a, "ndim", 0) else a for a in ins],
            [o[lo:hi] for o in outs], [x[:hi - lo] for x in bufs])


class BlockPlan:
    """The blocking of one kernel, fixed when its code is generated."""

    def __init__(self, shape, in_shapes, scratch, reduction: Reduction | None = None,
                 block: int | None = None, native: str | None = None,
                 dtypes: tuple = ()):
        S = self.shape = tuple(shape)
        self.in_shapes = [tuple(s) for s in in_shapes]
        self.scratch = [np.dtype(d) for d in scratch]
        self.reduction = reduction
        itemsize = max([d.itemsize for d in self.scratch] + [4])
        self.block = block or block_elements(len(self.scratch) + len(self.in_shapes) + 2,
                                             itemsize)
        self.size = int(np.prod(S, dtype=np.int64))
        # flat blocking: all inputs scalars or full, and no partial reduction
        self.flat_shapes = all(s == () or s == S for s in self.in_shapes) and (
            reduction is None or set(reduction.axes) == set(range(len(S))))
        self.flat_blocks = -(-self.size // self.block)
        # axis blocking: the outermost axis whose inner part fits a block
        ax, inner = max(len(S) - 1, 0), 1
        while ax > 0 and inner * S[ax] <= self.block:
            inner *= S[ax]
            ax -= 1
        self.axis = ax
        self.inner = S[ax + 1:]
        self.chunk = max(1, self.block // max(int(np.prod(self.inner, dtype=np.int64)), 1))
        self.outer = S[:ax]
        self.per_outer = -(-S[ax] // self.chunk) if S else 1
        self.axis_blocks = int(np.prod(self.outer, dtype=np.int64)) * self.per_outer
        self.has_dim = []    # per input, per axis of S: does the input vary there?
        for s in self.in_shapes:
            lead = len(S) - len(s)
            self.has_dim.append([i >= lead and s[i - lead] != 1 for i in range(len(S))])
        if reduction is not None:
            red = set(reduction.axes)
            self.block_axes = tuple(i - ax for i in sorted(red) if i >= ax)
            self.acc_shape = tuple(1 if i in red else d for i, d in enumerate(S))
        self._local = threading.local()
        # the same kernel as C (native_gen), compiled the second time it runs
        self.native = None
        if native is not None:
            from . import native as _native
            if _native.enabled():
                self.native = _native.Kernel(native)
        self.dtypes = tuple(np.dtype(d) for d in dtypes)   # of the inputs, for native
        self.runs = 0

    def scratch_buffers(self) -> list:
        """This thread's scratch buffers (flat, `block` elements each)."""
        bufs = getattr(self._local, "bufs", None)
        if bufs is None:
            bufs = self._local.bufs = [np.empty(self.block, d) for d in self.scratch]
        return bufs

    def run(self, fn, ins, outs):
        """Run block function `fn` over all blocks; return the reduction result."""
        flat = self.flat_shapes and all(getattr(a, "ndim", 0) == 0 or a.flags.c_contiguous
                                        for a in ins)
        if flat:
            ins = [a.reshape(-1) if getattr(a, "ndim", 0) else a for a in ins]
            outs = [o.reshape(-1) for o in outs]
        n = self.flat_blocks if flat else self.axis_blocks
        # a thread for every PER_THREAD elements at most: handing a small kernel
        # to the pool costs more than it saves
        w = min(workers(), n, max(1, self.size // PER_THREAD))
        part = self._native_part(fn, ins, outs) if flat and self.native is not None else None
        if part is not None:
            # the C kernel over the same blocks and threads as the NumPy blocks
            # below, so that what a stopped tile hands them reports alike
            over_threads(part, n, w)
            return None
        accs = over_threads(lambda lo, hi: self._run(fn, ins, outs, lo, hi, flat), n, w)
        if self.reduction is None:
            return None
        acc = accs[0]
        for other in accs[1:]:
            self.reduction.combine(acc, other)
        return acc.reshape(self.reduction.out_shape)

    def _native_part(self, fn, ins, outs):
        """A task over a range of flat blocks running the compiled C kernel;
        None where it is not loaded yet or the arrays do not fit it exactly
        (the NumPy blocks run, and report any mismatch as they do)."""
        kernel = self.native
        if kernel.fn is None:
            self.runs += 1
            if self.runs >= 2:
                kernel.request()
            return None
        arrays = []
        size = self.size
        for a, d, shape in zip(ins, self.dtypes, self.in_shapes):
            if type(a) is d.type:                   # a NumPy scalar: read through a 0-d array
                a = np.asarray(a)
            elif type(a) is not np.ndarray or a.dtype != d or not a.flags.aligned:
                return None
            if a.shape != (() if shape == () else (size,)):
                return None
            arrays.append(a)
        for o in outs:
            if o.shape != (size,) or not o.flags.aligned or not o.flags.writeable:
                return None
        c_ins = (ctypes.c_void_p * len(arrays))(*[a.ctypes.data for a in arrays])
        c_outs = (ctypes.c_void_p * len(outs))(*[o.ctypes.data for o in outs])
        err = np.geterr()
        stop = sum(bit for name, bit in _FLAG.items() if err[name] != "ignore")
        c_fn = kernel.fn
        block = self.block

        def part(lo, hi):
            lo, hi = lo * block, min(hi * block, size)
            at = c_fn(lo, hi, c_ins, c_outs, stop)
            if at >= 0:
                # a flag NumPy reports: NumPy's blocks from that tile on report it
                self._run_flat(fn, ins, outs, at, hi)
        return part

    def _run_flat(self, fn, ins, outs, lo, hi) -> None:
        """The NumPy block function over elements [lo, hi) of flat arrays, in
        the blocks `_run` uses (the first from `lo` to its block's end)."""
        bufs = self.scratch_buffers()
        s = lo
        while s < hi:
            e = min((s // self.block + 1) * self.block, hi)
            fn(*_flat_views(ins, outs, bufs, s, e), None)
            s = e

    def _run(self, fn, ins, outs, start, stop, flat):
        bufs = self.scratch_buffers()
        red = self.reduction
        acc = None
        if red is not None:
            acc = red.init((1,) if flat else self.acc_shape)
            axes = (0,) if flat else self.block_axes
        else:
            axes = None
        for b in range(start, stop):
            if flat:
                lo = b * self.block
                views_in, views_out, t = _flat_views(ins, outs, bufs, lo,
                                                     min(lo + self.block, self.size))
            else:
                outer, lo, hi = self._position(b)
                views_in = [self._slice(a, hd, outer, lo, hi) if getattr(a, "ndim", 0) else a
                            for a, hd in zip(ins, self.has_dim)]
                region = outer + (slice(lo, hi),)
                views_out = [o[region] for o in outs]
                shape = (hi - lo,) + self.inner
                m = int(np.prod(shape, dtype=np.int64))
                t = [x[:m].reshape(shape) for x in bufs]
            part = fn(views_in, views_out, t, axes)
            if red is not None:
                red.combine(acc if flat else acc[self._acc_region(outer, lo, hi)], part)
        return acc

    def _position(self, b: int):
        o, k = divmod(b, self.per_outer)
        lo = k * self.chunk
        hi = min(lo + self.chunk, self.shape[self.axis])
        outer = tuple(int(i) for i in np.unravel_index(o, self.outer)) if self.outer else ()
        return outer, lo, hi

    def _slice(self, a, has_dim, outer, lo, hi):
        lead = len(self.shape) - a.ndim
        index = []
        for i in range(lead, self.axis + 1):
            if i < self.axis:
                index.append(outer[i] if has_dim[i] else 0)
            else:
                index.append(slice(lo, hi) if has_dim[i] else slice(None))
        return a[tuple(index)]

    def _acc_region(self, outer, lo, hi):
        red = set(self.reduction.axes)
        region = [slice(0, 1) if i in red else outer[i] for i in range(len(outer))]
        region.append(slice(0, 1) if self.axis in red else slice(lo, hi))
        return tuple(region)


EAGER_PARALLEL = 1 << 18   # elements from which an eager elementwise op is split over threads


def parallel_elementwise(fn, arrays, kw, shape, dtype):
    """`fn(*arrays, **kw)` (a ufunc-like op taking out=) for a large result,
    split over the worker threads in contiguous chunks; None where the
    operands do not allow it (not contiguous, broadcast), so the caller runs
    it whole. Each element is computed exactly as in one call."""
    size = 1
    for d in shape:
        size *= d
    w = min(workers(), size // PER_THREAD)
    if w < 2:
        return None
    flat = []
    for a in arrays:
        if type(a) is not np.ndarray or a.ndim == 0:
            flat.append(a)
        elif a.shape == shape and a.flags.c_contiguous:
            flat.append(a.reshape(-1))
        else:
            return None
    out = np.empty(shape, dtype)
    o = out.reshape(-1)

    def part(lo, hi):
        fn(*[a[lo:hi] if type(a) is np.ndarray and a.ndim else a for a in flat],
           out=o[lo:hi], **kw)

    over_threads(part, size, w)
    return out


# -- whole-array sums over the threads, in NumPy's order ------------------------

_pairwise: list = []       # [bool]: whether NumPy's sum splits as parallel_sum assumes


def _halves(lo: int, hi: int) -> int:
    """Where NumPy's pairwise summation splits [lo, hi): half, down to a
    multiple of 8 (numpy/_core/src/umath/loops_utils.h)."""
    h = (hi - lo) // 2
    return lo + h - h % 8


def _tree_sum(parts: list, reduce):
    """Add the parts' sums two by two, as the pairwise tree above them adds."""
    while len(parts) > 1:
        parts = [reduce(np.array(parts[i:i + 2], parts[0].dtype))
                 for i in range(0, len(parts), 2)]
    return parts[0]


def _splits(n: int, w: int) -> list:
    bounds = [(0, n)]
    while len(bounds) * 2 <= w:
        bounds = [b for lo, hi in bounds for b in ((lo, _halves(lo, hi)),
                                                   (_halves(lo, hi), hi))]
    return bounds


def _numpy_sums_pairwise() -> bool:
    """Whether this NumPy sums a contiguous array in one pairwise tree over
    all of it (NumPy 2; NumPy 1 sums 8192-element buffers one after another),
    checked once on arrays with signed zeros, infinities and NaN too."""
    if not _pairwise:
        rng = np.random.default_rng(0)
        ok = True
        with np.errstate(all="ignore"):
            for dtype in (np.float32, np.float64):
                cases = [rng.standard_normal(n).astype(dtype) * 1e3 for n in
                         (300_007, 1 << 20, 777_776)]
                cases.append(np.full(300_000, -0.0, dtype))
                spiky = rng.standard_normal(400_000).astype(dtype)
                spiky[[5, 300_000]] = [np.inf, -np.inf]
                cases.append(spiky)
                for x in cases:
                    for w in (2, 4):
                        parts = [np.add.reduce(x[lo:hi]) for lo, hi in _splits(x.size, w)]
                        got, want = _tree_sum(parts, np.add.reduce), np.add.reduce(x)
                        ok &= bool(np.array(got).tobytes() == np.array(want).tobytes())
        _pairwise.append(ok)
    return _pairwise[0]


def parallel_sum(x, axis, keepdims):
    """np.sum(x, axis, keepdims) of a large contiguous float array over all
    its axes, on the worker threads: each sums a subtree of NumPy's pairwise
    summation, and the subtrees add as NumPy adds them, so the result is
    NumPy's to the bit. None where that does not hold (the caller sums)."""
    if type(x) is not np.ndarray or x.dtype.char not in "fd" or not x.flags.c_contiguous:
        return None
    if axis is not None and len(set(a % max(x.ndim, 1) for a in axis)) != x.ndim:
        return None
    w = min(workers(), x.size // PER_THREAD)
    if w < 2 or not _numpy_sums_pairwise():
        return None
    flat = x.reshape(-1)
    bounds = _splits(flat.size, w)
    reduce = np.add.reduce
    total = over_threads(lambda lo, hi: reduce(flat[bounds[lo][0]:bounds[lo][1]]),
                         len(bounds), len(bounds),
                         finish=lambda parts: _tree_sum(parts, reduce))
    return np.asarray(total).reshape((1,) * x.ndim) if keepdims else total
