"""The Trainer's own cost per iteration against the MLP step it drives.

    python benchmarks/trainer_overhead.py [--rounds R] [--iters N] [--cpu]

The step: L.Classifier over a 784-1000-1000-10 MLP (ReLU), SGD, batch 100
from a SerialIterator over 1000 synthetic examples, converted by
concat_examples. Two measures, side by side in one process:

  overhead  the Trainer's loop (stop trigger, observation dict, reporter
            scope, updater bookkeeping, one every-iteration extension) around a
            step that does nothing, per iteration;
  step      the bare step loop (iterator, converter, optimizer.update), per
            iteration;
  trainer   the same step run by Trainer + StandardUpdater, per iteration
            (the Classifier's report of loss and accuracy now lands in an
            observation), and its excess over `step`.

Rounds alternate the two step loops so a busy machine slows both alike; the
figures are the minimum and the median over rounds. The bound: overhead at
most 5% of step. On a shared machine use --cpu (process CPU time) with
OPENBLAS_NUM_THREADS=1 KUSARI_THREADS=1.
"""
import argparse
import statistics
import time

import numpy as np

import kusari as chainer
import kusari.functions as F
import kusari.links as L
from kusari import training
from kusari.dataset import concat_examples
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


def setup(seed=0):
    rng = np.random.default_rng(seed)
    data = TupleDataset(rng.standard_normal((1000, 784)).astype(np.float32),
                        rng.integers(0, 10, 1000).astype(np.int32))
    model = L.Classifier(MLP())
    opt = chainer.optimizers.SGD(lr=0.01)
    opt.setup(model)
    return SerialIterator(data, 100, shuffle=False), opt


def bare_loop(n):
    it, opt = setup()
    model = opt.target

    def run(clock):
        t0 = clock()
        for _ in range(n):
            x, t = concat_examples(it.next())
            opt.update(model, x, t)
        return (clock() - t0) / n
    return run


def trainer_loop(n, noop=False):
    state = {}

    def run(clock):
        it, opt = setup()
        updater = training.updaters.StandardUpdater(it, opt)
        if noop:
            updater.update_core = lambda: None
        trainer = training.Trainer(updater, (n, "iteration"), out=state.setdefault(
            "out", __import__("tempfile").mkdtemp()))
        trainer.extend(lambda t: None, name="every_iteration")
        t0 = clock()
        trainer.run()
        return (clock() - t0) / n
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--cpu", action="store_true")
    a = ap.parse_args()
    clock = time.process_time if a.cpu else time.perf_counter

    noop = trainer_loop(2000, noop=True)
    noop(clock)
    overhead = sorted(noop(clock) for _ in range(a.rounds))

    bare, full = bare_loop(a.iters), trainer_loop(a.iters)
    bare(clock), full(clock)          # warm up: compile, allocate
    steps, trainers = [], []
    for _ in range(a.rounds):
        steps.append(bare(clock))
        trainers.append(full(clock))

    def us(v):
        return f"{v * 1e6:9.1f} us"
    step_min, step_med = min(steps), statistics.median(steps)
    print(f"trainer overhead (no-op step)   min {us(overhead[0])}  median "
          f"{us(statistics.median(overhead))}")
    print(f"MLP step, bare loop             min {us(step_min)}  median {us(step_med)}")
    print(f"MLP step, Trainer               min {us(min(trainers))}  median "
          f"{us(statistics.median(trainers))}")
    print(f"overhead / step                 {overhead[0] / step_min:.2%} (min/min), "
          f"{statistics.median(overhead) / step_med:.2%} (median/median); bound 5%")
    print(f"Trainer step - bare step        {us(min(trainers) - step_min)} (min), "
          f"{us(statistics.median(trainers) - step_med)} (median)")


if __name__ == "__main__":
    main()
