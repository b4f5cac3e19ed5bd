"""Native CPU kernels against the NumPy blocks they replace, in one process.

    python benchmarks/native.py [--n N] [--rounds R]

Three fused groups of exact ops (kusari/compiler/codegen/native_gen.py), each
compiled once and run two ways on the same arrays, rounds interleaved:

  adam     Adam's update of one parameter array, in place (14 ops: Chainer's
           formula, weight decay and eta included), the optimizer step of
           the MNIST example;
  grad3    the third derivative of tanh from its output y: (6 y^2 - 2)(1 - y^2)
           as the compiled d^3 gradient writes it (8 ops, 1 in, 1 out);
  axpy     y - 0.5 x (2 ops: SGD's update);

with `numpy` the NumPy block functions (one ufunc per op per block) and
`native` the one C loop per block, both over the same blocks and threads
(KUSARI_THREADS). Each figure is the median over rounds of the best of a few
calls; the arrays are larger than the caches unless --n says otherwise. The
two are checked to give the same bits first. Needs a C compiler (`cc`).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from kusari.compiler import ir, spine
from kusari.runtime import NUMPY, native


def _adam(n):
    g = ir.Graph("adam")
    p, m, v, grad = (g.add_input((n,), np.float32) for _ in range(4))
    keep, b1, b2, eps, lr, eta = (g.add_input((), np.float32) for _ in range(6))
    m_new = g.add("add", [m, g.add("mul", [b1, g.add("sub", [grad, m])])])
    v_new = g.add("add", [v, g.add("mul", [b2, g.add("sub", [g.add("mul", [grad, grad]), v])])])
    step = g.add("mul", [g.add("div", [lr, g.add("add", [g.add("sqrt", [v_new]), eps])]), m_new])
    g.outputs = [g.add("sub", [g.add("mul", [keep, p]), g.add("mul", [eta, step])]), m_new, v_new]
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(n).astype(np.float32) * 0.01 for _ in range(4)]
    arrays[2] = np.abs(arrays[2])
    scalars = [np.asarray(np.float32(v)) for v in (1.0, 0.1, 0.001, 1e-8, 0.001, 1.0)]
    return g, arrays + scalars, ((0, 0), (1, 1), (2, 2))


def _grad3(n):
    g = ir.Graph("grad3")
    y = g.add_input((n,), np.float32)
    c = [g.add_const(v, np.float32) for v in (2.0, 1.0, -2.0)]
    b = g.add("mul", [g.add("mul", [g.add("mul", [y, c[0]]), y]), c[0]])
    f = g.add("sub", [c[1], g.add("mul", [y, y])])
    h = g.add("add", [b, g.add("mul", [f, c[2]])])
    g.outputs = [g.add("mul", [h, f])]
    return g, [np.tanh(np.linspace(-2, 2, n, dtype=np.float32))], ()


def _axpy(n):
    g = ir.Graph("axpy")
    x, y = g.add_input((n,), np.float32), g.add_input((n,), np.float32)
    g.outputs = [g.add("sub", [y, g.add("mul", [x, g.add_const(0.5, np.float32)])])]
    rng = np.random.default_rng(1)
    return g, [rng.standard_normal(n).astype(np.float32) for _ in range(2)], ()


def _plans(exe):
    return [v for k, v in exe.fn.__globals__.items() if k.startswith("_plan")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4_000_000)
    ap.add_argument("--rounds", type=int, default=15)
    a = ap.parse_args()
    if not native.enabled():
        raise SystemExit("no C compiler (or KUSARI_NATIVE=0): nothing to compare")
    print(f"{a.n} float32 elements, median of {a.rounds} rounds")
    for name, make in (("adam", _adam), ("grad3", _grad3), ("axpy", _axpy)):
        g, args, donate = make(a.n)
        exe = spine.compile(g, NUMPY, spine.Options(donate=donate))
        plans = _plans(exe)
        kernels = {p: p.native for p in plans}
        for p, k in kernels.items():
            k.request()
        native.wait()

        def run(use_native, args=args):
            for p, k in kernels.items():
                p.native = k if use_native else None
            fresh = [x.copy() for x in args]
            start = time.perf_counter()
            out = exe.fn(*fresh)
            return time.perf_counter() - start, out
        _, want = run(False)
        _, got = run(True)
        for w, o in zip(want, got):
            assert np.asarray(w).tobytes() == np.asarray(o).tobytes(), name
        times = {False: [], True: []}
        for _ in range(a.rounds):
            for use in (False, True):
                times[use].append(min(run(use)[0] for _ in range(3)))
        t_np, t_c = statistics.median(times[False]), statistics.median(times[True])
        print(f"  {name:6s} numpy blocks {t_np * 1e3:8.2f} ms   native {t_c * 1e3:8.2f} ms"
              f"   x{t_np / t_c:.2f}")


if __name__ == "__main__":
    main()
