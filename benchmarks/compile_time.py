"""Compile time against graph size: is compiling linear?

Each workload is built at growing sizes (each twice the last). Running it a
few times records every graph its first calls hand to the compile spine
(backward plans, per-op gradients of eager backward, jit traces, call nodes);
those graphs are then compiled again, cache cleared, ROUNDS times, and the
best total is kept. Reported per size: the graphs' nodes (before inlining),
the nodes the compiler works on (after inlining calls), the compile time, the
time per node and, against the previous size, the ratio of times next to the
ratio of sizes: for linear compiling the two ratios agree (a time ratio near
2 when the size doubles); quadratic growth shows as ratios near 4.

Phases (their sum is the total): inline (calls become their graphs), simplify
(dead code, folding, rewrites and merging to a fixpoint), fuse (fusion into
kernels), codegen (NumPy source), pycompile (Python's compile of the source).

Workloads:
  lstm2   second-order gradient through n_step_lstm (1 layer, T steps): a
          gradient with enable_double_backprop=True, differentiated again
  bilstm2 the same through n_step_bilstm
  mlp2    second-order gradient through an MLP of D tanh layers
  mlp3    third-order: a gradient of a gradient (both recorded), differentiated
  jit     kusari.jit of a training step (LSTM link over T steps, Linear,
          softmax cross entropy, backward, Adam)
  chain   kusari.grad twice of a chain of elementwise ops (pure compiler)

    python benchmarks/compile_time.py [--quick] [--workloads lstm2,mlp2] [--sizes 4]
                                      [--rounds 3]

The machine may be shared: times are process CPU seconds (compiling is one
thread), the best of ROUNDS, taken in one run.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

ROUNDS = 5


# -- workloads: build(size) -> run() -------------------------------------------

def _lstm_inputs(size: int, bi: bool, B=3, I=4, N=5):
    from kusari import Variable
    rng = np.random.RandomState(0)
    nd = 2 if bi else 1
    xs = [Variable(rng.randn(B, I).astype(np.float32)) for _ in range(size)]
    hx = Variable(rng.randn(nd, B, N).astype(np.float32))
    cx = Variable(rng.randn(nd, B, N).astype(np.float32))
    ws = [[Variable(rng.randn(N, I if i < 4 else N).astype(np.float32)) for i in range(8)]
          for _ in range(nd)]
    bs = [[Variable(rng.randn(N).astype(np.float32)) for _ in range(8)] for _ in range(nd)]
    return xs, hx, cx, ws, bs


def lstm2(size: int, bi: bool = False):
    import kusari
    import kusari.functions as F
    xs, hx, cx, ws, bs = _lstm_inputs(size, bi)
    f = F.n_step_bilstm if bi else F.n_step_lstm

    def run():
        hy, cy, ys = f(1, 0.0, hx, cx, ws, bs, xs)
        loss = F.sum(hy * hy) + F.sum(F.concat(ys, axis=0) ** 2)
        gx, = kusari.grad([loss], [xs[0]], enable_double_backprop=True)
        for w in ws[0]:
            w.cleargrad()
        F.sum(gx * gx).backward()
        return ws[0][0].grad
    return run


def bilstm2(size: int):
    return lstm2(size, bi=True)


def mlp2(size: int, width: int = 16):
    import kusari
    import kusari.functions as F
    from kusari import Variable
    rng = np.random.RandomState(0)
    x = Variable(rng.randn(8, width).astype(np.float32))
    Ws = [Variable((rng.randn(width, width) * 0.3).astype(np.float32)) for _ in range(size)]
    bs = [Variable(rng.randn(width).astype(np.float32)) for _ in range(size)]

    def run():
        h = x
        for W, b in zip(Ws, bs):
            h = F.tanh(F.linear(h, W, b))
        gx, = kusari.grad([F.sum(h * h)], [x], enable_double_backprop=True)
        for W in Ws:
            W.cleargrad()
        F.sum(gx * gx).backward()
        return Ws[0].grad
    return run


def mlp3(size: int, width: int = 8):
    import kusari
    import kusari.functions as F
    from kusari import Variable
    rng = np.random.RandomState(0)
    x = Variable(rng.randn(4, width).astype(np.float32))
    Ws = [Variable((rng.randn(width, width) * 0.3).astype(np.float32)) for _ in range(size)]

    def run():
        h = x
        for W in Ws:
            h = F.tanh(F.matmul(h, W))
        g1, = kusari.grad([F.sum(h * h)], [x], enable_double_backprop=True)
        g2, = kusari.grad([F.sum(g1 * g1)], [x], enable_double_backprop=True)
        for W in Ws:
            W.cleargrad()
        F.sum(g2 * g2).backward()
        return Ws[0].grad
    return run


def jit(size: int):
    import kusari
    import kusari.functions as F
    import kusari.links as L
    import kusari.optimizers as O
    rng = np.random.RandomState(0)

    class Model(kusari.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.lstm = L.LSTM(6, 8)
                self.out = L.Linear(8, 2)

        def forward(self, *xs):
            self.lstm.reset_state()
            for x in xs:
                h = self.lstm(x)
            return self.out(h)

    model = Model()
    opt = O.Adam()
    opt.setup(model)
    xs = [rng.randn(4, 6).astype(np.float32) for _ in range(size)]
    t = rng.randint(0, 2, 4).astype(np.int32)

    @kusari.jit
    def step(t, *xs):
        loss = F.softmax_cross_entropy(model(*xs), t)
        model.cleargrads()
        loss.backward()
        opt.update()
        return loss
    return lambda: step(t, *xs)


def chain(size: int):
    import kusari
    import kusari.functions as F
    from kusari.compiler import autodiff

    def f(x):
        y = x
        for _ in range(size):
            y = F.tanh(y) * 1.01 + F.sin(y) * 0.5 - y * y * 0.01
        return F.sum(y)
    g = kusari.trace(f, np.ones(100, np.float32))
    d2 = autodiff.grad(autodiff.grad(g))
    x = np.linspace(-1, 1, 100).astype(np.float32)
    return lambda: kusari.compile(d2)(x)


WORKLOADS = {"lstm2": (lstm2, [2, 4, 8, 16, 32]), "bilstm2": (bilstm2, [2, 4, 8, 16]),
             "mlp2": (mlp2, [4, 8, 16, 32, 64]), "mlp3": (mlp3, [2, 4, 8, 16, 32]),
             "jit": (jit, [4, 8, 16, 32, 64]),
             "chain": (chain, [10, 20, 40, 80, 160])}


# -- recording and replaying compiles -------------------------------------------

def recorded(build, size: int, calls: int = 3) -> list:
    """(graph, backend, options) of every compile the workload's first calls make."""
    from kusari.compiler import spine
    from kusari import backprop
    spine.clear_cache()
    backprop._plans.clear()
    backprop._op_vjps.clear()
    backprop._sightings.clear()
    got = []
    real = spine.compile

    def spy(graph, backend, options=spine.DEFAULT, **kw):
        got.append((graph.copy(), backend, options))
        return real(graph, backend, options, **kw)

    spine.compile = spy
    try:
        run = build(size)
        for _ in range(calls):
            run()
    finally:
        spine.compile = real
    return got


def compile_once(graphs) -> dict:
    """Compile every graph as the spine does, phase by phase; seconds per phase."""
    from kusari.compiler import fusion
    from kusari.compiler.codegen import numpy_gen
    from kusari.compiler.passes import dce, inline, simplify_graph
    phases = dict.fromkeys(("inline", "simplify", "fuse", "codegen", "pycompile"), 0.0)
    nodes = inlined = 0
    for graph, backend, options in graphs:
        t0 = time.process_time()
        g = graph.copy()
        nodes += len(g)
        if options.optimize:
            inline(g)
            inlined += len(g)
            t1 = time.process_time()
            dce(g)
            simplify_graph(g, merge=True, fast_math=options.fast_math)
            dce(g)
        else:
            inlined += len(g)
            t1 = time.process_time()
        t2 = time.process_time()
        fusion.fuse(g)
        t3 = time.process_time()
        src = numpy_gen.generate(g, copy_outputs=options.copy_outputs, donate=options.donate)
        t4 = time.process_time()
        compile(src.text, "<bench>", "exec")
        t5 = time.process_time()
        phases["inline"] += t1 - t0
        phases["simplify"] += t2 - t1
        phases["fuse"] += t3 - t2
        phases["codegen"] += (t4 - t3) - (t3 - t2)    # generate fuses again
        phases["pycompile"] += t5 - t4
    phases["nodes"], phases["inlined"] = nodes, inlined
    return phases


def best_of(graphs, rounds: int) -> dict:
    from kusari.compiler import gcpause
    best = None
    for _ in range(rounds):
        with gcpause.paused():            # as the spine compiles
            p = compile_once(graphs)
        p["total"] = sum(v for k, v in p.items() if k not in ("nodes", "inlined"))
        if best is None or p["total"] < best["total"]:
            best = p
    return best


def report(name: str, sizes, rows) -> None:
    print(f"{name}:")
    print(f"  {'size':>5} {'graphs':>6} {'nodes':>7} {'inlined':>8} {'total ms':>9} "
          f"{'us/node':>8} {'x time':>7} {'x size':>7}   inline/simplify/fuse/codegen/pycompile ms")
    prev = None
    for size, (count, p) in zip(sizes, rows):
        per = p["total"] / max(p["inlined"], 1) * 1e6
        ratio = "" if prev is None else \
            f"{p['total'] / prev['total']:7.2f} {p['inlined'] / prev['inlined']:7.2f}"
        phases = "/".join(f"{p[k] * 1e3:.0f}" for k in
                          ("inline", "simplify", "fuse", "codegen", "pycompile"))
        print(f"  {size:5d} {count:6d} {p['nodes']:7d} {p['inlined']:8d} "
              f"{p['total'] * 1e3:9.1f} {per:8.1f} {ratio:15s}   {phases}")
        prev = p


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer sizes and rounds")
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--sizes", type=int, help="how many sizes of each workload")
    ap.add_argument("--rounds", type=int, help="compiles of each size (the best is kept)")
    args = ap.parse_args(argv)
    rounds = args.rounds or (2 if args.quick else ROUNDS)
    for name in args.workloads.split(","):
        build, sizes = WORKLOADS[name]
        sizes = sizes[:args.sizes or (3 if args.quick else len(sizes))]
        rows = []
        for size in sizes:
            graphs = recorded(build, size)
            rows.append((len(graphs), best_of(graphs, rounds)))
        report(name, sizes, rows)


if __name__ == "__main__":
    sys.path.insert(0, ".")
    main()
