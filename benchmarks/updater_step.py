"""Trainer iterations per second with StandardUpdater's step eager and compiled.

    python benchmarks/updater_step.py [--rounds R] [--iters N] [--batch B] [--cpu]

The workload: L.Classifier over a 784-1000-1000-10 MLP (ReLU), Adam, batch
100 from a SerialIterator over 1000 synthetic examples (concat_examples),
run by a Trainer for N iterations with one every-iteration extension. Two
settings side by side in one process:

  eager     kusari.config.compile_updates = False: each update runs op by op
            (its backward compiled once its structure recurs, as always);
  compiled  the default: the whole update (forward, cleargrads, backward,
            Adam's update, the reports) is one function compiled by
            kusari.jit after the batch structure has come twice.

Each round builds a fresh model and Trainer for each setting (the first
iterations, eager or compiling, are inside the timing, as a user sees them)
and rounds alternate the settings, so a busy machine slows both alike. The
figures are iterations/s from the best and the median round: over the whole
run, and in the steady state (the median iteration of the second half). On a shared
machine use --cpu (process CPU time) with OPENBLAS_NUM_THREADS=1
KUSARI_THREADS=1.
"""
import argparse
import statistics
import tempfile
import time

import numpy as np

import kusari as chainer
import kusari.functions as F
import kusari.links as L
from kusari import training
from kusari.datasets import TupleDataset
from kusari.iterators import SerialIterator


class MLP(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(784, 1000)
            self.l2 = L.Linear(1000, 1000)
            self.l3 = L.Linear(1000, 10)

    def forward(self, x):
        return self.l3(F.relu(self.l2(F.relu(self.l1(x)))))


def trainer_run(n, batch, compile_updates, out):
    rng = np.random.default_rng(0)
    data = TupleDataset(rng.standard_normal((1000, 784)).astype(np.float32),
                        rng.integers(0, 10, 1000).astype(np.int32))
    np.random.seed(0)
    model = L.Classifier(MLP())
    opt = chainer.optimizers.Adam()
    opt.setup(model)
    updater = training.updaters.StandardUpdater(SerialIterator(data, batch, shuffle=False),
                                                opt)
    trainer = training.Trainer(updater, (n, "iteration"), out=out)
    losses, stamps = [], []

    def record(t):
        losses.append(float(t.observation["main/loss"].array))
        stamps.append(record.clock())
    trainer.extend(record, name="record_loss")

    def run(clock):
        record.clock = clock
        with chainer.using_config("compile_updates", compile_updates):
            t0 = clock()
            trainer.run()
            total = clock() - t0
        # steady state: the iterations of the second half (compiled by then)
        steps = np.diff(stamps[len(stamps) // 2 - 1:])
        return total, float(np.median(steps)), updater, losses, model
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=30)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--cpu", action="store_true")
    a = ap.parse_args()
    clock = time.process_time if a.cpu else time.perf_counter
    out = tempfile.mkdtemp()

    trainer_run(3, a.batch, True, out)(clock)       # warm up imports and caches
    trainer_run(3, a.batch, False, out)(clock)
    times = {False: [], True: []}
    steady = {False: [], True: []}
    last = {}
    for _ in range(a.rounds):
        for setting in (False, True):
            total, step, updater, losses, model = trainer_run(a.iters, a.batch, setting,
                                                              out)(clock)
            times[setting].append(total)
            steady[setting].append(step)
            last[setting] = (updater, losses, model)

    (ue, le, me), (uc, lc, mc) = last[False], last[True]
    diff = max(float(np.abs(pe.array - pc.array).max())
               for (_, pe), (_, pc) in zip(me.namedparams(), mc.namedparams()))
    print(f"{a.iters} iterations, batch {a.batch}, {a.rounds} rounds "
          f"({'process CPU time' if a.cpu else 'wall time'})")
    rate, srate = {}, {}
    for setting, name in ((False, "eager   "), (True, "compiled")):
        best, med = min(times[setting]), statistics.median(times[setting])
        rate[setting] = (a.iters / best, a.iters / med)
        sbest, smed = min(steady[setting]), statistics.median(steady[setting])
        srate[setting] = (1 / sbest, 1 / smed)
        print(f"{name}  whole run {a.iters / best:7.1f} it/s best {a.iters / med:7.1f} "
              f"it/s median;  steady {1 / sbest:7.1f} it/s best {1 / smed:7.1f} it/s "
              f"median ({smed * 1e3:.2f} ms/it)")
    print(f"compiled / eager      whole run {rate[True][0] / rate[False][0]:.2f}x best, "
          f"{rate[True][1] / rate[False][1]:.2f}x median;  steady "
          f"{srate[True][0] / srate[False][0]:.2f}x best, "
          f"{srate[True][1] / srate[False][1]:.2f}x median")
    print(f"eager updater:    {ue.explain_compile()}")
    print(f"compiled updater: {uc.explain_compile()}")
    print(f"last loss eager {le[-1]:.6f} compiled {lc[-1]:.6f}; "
          f"largest parameter difference {diff:.2e}")


if __name__ == "__main__":
    main()
