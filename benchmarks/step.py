"""Per-operation overhead: the seeds' step, side by side.

    x.cleargrad(); y = x**2 - 2*x + 1; y.backward()

on a one-element float32 array, for kusari, PyTorch eager (if installed) and
Chainer (if `--chainer-python` names an interpreter that has it; Chainer 7
needs numpy<2, so it runs in its own environment, in the same benchmark run).
Rounds alternate between the contestants; each figure is the best round's
mean time per step. Reported as ratios to PyTorch.

    python benchmarks/step.py [--chainer-python /path/to/venv/bin/python]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

STEPS = 20000
ROUNDS = 7


def timed(step, n=STEPS) -> float:
    t = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - t) / n


def kusari_step():
    import kusari
    x = kusari.Variable(np.array([5], np.float32))

    def step():
        x.cleargrad()
        y = x**2 - 2 * x + 1
        y.backward()
    step()
    assert x.grad[0] == 8.0
    return step


def torch_step():
    import torch
    x = torch.tensor([5.0], requires_grad=True)

    def step():
        x.grad = None
        y = x**2 - 2 * x + 1
        y.backward()
    step()
    return step


CHAINER_SNIPPET = """
import json, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
import chainer
x = chainer.Variable(np.array([5], np.float32))
def step():
    x.cleargrad(); y = x**2 - 2*x + 1; y.backward()
step()
n = int(sys.argv[1])
t = time.perf_counter()
for _ in range(n):
    step()
print(json.dumps((time.perf_counter() - t) / n))
"""


def chainer_round(python: str, n: int) -> float:
    out = subprocess.run([python, "-c", CHAINER_SNIPPET, str(n)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chainer-python", help="an interpreter with chainer 7 installed")
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    args = ap.parse_args(argv)

    contestants = {"kusari": kusari_step()}
    try:
        contestants["torch"] = torch_step()
    except ImportError:
        print("(PyTorch is not installed: pip install torch==2.13.0)")
    best = {name: float("inf") for name in contestants}
    if args.chainer_python:
        best["chainer"] = float("inf")
    for _ in range(args.rounds):
        for name, step in contestants.items():
            best[name] = min(best[name], timed(step))
        if args.chainer_python:
            best["chainer"] = min(best["chainer"], chainer_round(args.chainer_python, STEPS // 4))
    print(f"seeds' step, best of {args.rounds} rounds of {STEPS} steps (one-element float32):")
    for name, t in best.items():
        line = f"  {name:8s} {t * 1e6:8.2f} us/step"
        if "torch" in best and name != "torch":
            line += f"   {t / best['torch']:.2f}x PyTorch"
        print(line)
    return best


if __name__ == "__main__":
    sys.path.insert(0, ".")
    main()
