"""A small CNN's training step, side by side: kusari, Chainer 7.8.1, PyTorch eager.

    conv 3x3 (1 -> 16), relu, conv 3x3 (16 -> 32), relu, max pooling 2x2,
    linear (32 * 12 * 12 -> 10), softmax cross entropy, SGD(lr=0.01)

on a batch of 64 images of 28 x 28 (float32), written as each framework's
users write it (define-by-run: forward, cleargrads, backward, update), and for
kusari also the same step under kusari.jit (compiled whole). All start from
the same parameters and data. Chainer (it needs numpy<2) and
PyTorch run in their own interpreters, in the same benchmark run; rounds
alternate between the contestants, and each figure is the best round's mean
time per step. Reported as ratios to Chainer.

    python benchmarks/cnn.py --chainer-python PY --torch-python PY [--rounds N] [--steps N]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

BATCH, SIZE, CLASSES = 64, 28, 10


def data():
    rng = np.random.RandomState(0)
    x = rng.uniform(0, 1, (BATCH, 1, SIZE, SIZE)).astype(np.float32)
    t = rng.randint(0, CLASSES, BATCH).astype(np.int32)
    W1 = (rng.standard_normal((16, 1, 3, 3)) / 3).astype(np.float32)
    W2 = (rng.standard_normal((32, 16, 3, 3)) / 12).astype(np.float32)
    W3 = (rng.standard_normal((CLASSES, 32 * 12 * 12)) / 76).astype(np.float32)
    return x, t, W1, W2, W3


def timed(step, n: int) -> tuple:
    """(wall, CPU) seconds per step; the CPU time (all the process's threads)
    is steadier than the wall time on a machine other jobs share."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        step()
    return (time.perf_counter() - start) / n, (time.process_time() - cpu) / n


def chainer_like_step(chainer, jit: bool = False):
    """The step on Chainer's API; `chainer` is kusari or Chainer (jit: the same
    step compiled whole with kusari.jit)."""
    F, L = chainer.functions, chainer.links
    x, t, W1, W2, W3 = data()

    class CNN(chainer.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.c1 = L.Convolution2D(1, 16, 3, initialW=W1)
                self.c2 = L.Convolution2D(16, 32, 3, initialW=W2)
                self.l = L.Linear(32 * 12 * 12, CLASSES, initialW=W3)

        def forward(self, x):
            h = F.relu(self.c1(x))
            h = F.relu(self.c2(h))
            h = F.max_pooling_2d(h, 2)
            return self.l(h)

    model = CNN()
    opt = chainer.optimizers.SGD(lr=0.01)
    opt.setup(model)

    def step():
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        opt.update()
        return float(loss.array)
    if jit:
        @chainer.jit
        def compiled(x_, t_):
            loss = F.softmax_cross_entropy(model(x_), t_)
            model.cleargrads()
            loss.backward()
            opt.update()
            return loss
        return lambda: float(compiled(x, t))
    return step


def torch_step():
    import torch
    import torch.nn.functional as TF
    x, t, W1, W2, W3 = (torch.from_numpy(a) for a in data())
    t = t.long()
    conv1 = torch.nn.Conv2d(1, 16, 3)
    conv2 = torch.nn.Conv2d(16, 32, 3)
    lin = torch.nn.Linear(32 * 12 * 12, CLASSES)
    with torch.no_grad():
        for layer, W in ((conv1, W1), (conv2, W2), (lin, W3)):
            layer.weight.copy_(W)
            layer.bias.zero_()
    params = [p for m in (conv1, conv2, lin) for p in m.parameters()]
    opt = torch.optim.SGD(params, lr=0.01)

    def step():
        h = TF.relu(conv1(x))
        h = TF.relu(conv2(h))
        h = TF.max_pool2d(h, 2)
        loss = TF.cross_entropy(lin(h.flatten(1)), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss)
    return step


def worker(kind: str, n: int) -> None:
    """Runs in the contestant's interpreter: warm up, then time n steps."""
    import warnings
    warnings.simplefilter("ignore")
    if kind == "torch":
        step = torch_step()
    else:
        import chainer
        step = chainer_like_step(chainer)
    first = [step() for _ in range(3)]
    wall, cpu = timed(step, n)
    print(json.dumps({"time": wall, "cpu": cpu, "losses": first}))


def remote(python: str, kind: str, n: int) -> dict:
    out = subprocess.run([python, __file__, "--worker", kind, "--steps", str(n)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chainer-python", help="an interpreter with chainer 7 installed")
    ap.add_argument("--torch-python", help="an interpreter with PyTorch installed")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.steps)

    import kusari
    mine = {"kusari": chainer_like_step(kusari), "kusari.jit": chainer_like_step(kusari, True)}
    losses = {name: [step() for _ in range(3)] for name, step in mine.items()}
    others = {k: p for k, p in (("chainer", args.chainer_python),
                                ("torch", args.torch_python)) if p}
    best = {name: [float("inf"), float("inf")] for name in [*mine, *others]}
    for _ in range(args.rounds):
        for name, step in mine.items():
            wall, cpu = timed(step, args.steps)
            best[name] = [min(best[name][0], wall), min(best[name][1], cpu)]
        for name, python in others.items():
            r = remote(python, name, args.steps)
            best[name] = [min(best[name][0], r["time"]), min(best[name][1], r["cpu"])]
            losses[name] = r["losses"]
    print(f"CNN training step (batch {BATCH}, {SIZE}x{SIZE}), best of {args.rounds} rounds "
          f"of {args.steps} steps (wall time; CPU time of all the process's threads):")
    for name, (wall, cpu) in best.items():
        line = f"  {name:10s} {wall * 1e3:8.2f} ms/step wall"
        if "chainer" in best and name != "chainer":
            line += f" ({wall / best['chainer'][0]:.2f}x Chainer)"
        line += f"   {cpu * 1e3:8.2f} ms/step CPU"
        if "chainer" in best and name != "chainer":
            line += f" ({cpu / best['chainer'][1]:.2f}x Chainer)"
        print(line)
    print("  first losses: " + ", ".join(f"{k} {np.round(v, 5).tolist()}"
                                           for k, v in losses.items()))
    return {name: wall for name, (wall, _) in best.items()}


if __name__ == "__main__":
    sys.path.insert(0, ".")
    main()
