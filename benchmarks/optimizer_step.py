"""The MLP step's bound with issue 10's optimizers, measured side by side.

    python benchmarks/optimizer_step.py [--rounds R] [--steps N]

For SGD, MomentumSGD and Adam: the MLP step of benchmarks/workloads.py (784-1000-1000-10,
batch 100) with kusari eagerly, with kusari.jit, and the hand-written NumPy step with the
same forward, backward and update. The three run in one process, interleaved step by step
in rounds, so a busy machine slows them alike; each figure is the minimum (the least
disturbed) and the median over rounds of the mean time of `--steps` steps. The bound: each
kusari step at most 1.1x the NumPy one. On a machine shared with other work, run it with
OPENBLAS_NUM_THREADS=1 KUSARI_THREADS=1 (and --cpu): threads fighting for busy cores
make every wall-clock figure noise.
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--optimizers", default="sgd,momentum,adam")
    ap.add_argument("--cpu", action="store_true",
                    help="time CPU time of this process (with one thread each: the "
                         "work done, less what other processes on a busy machine cost)")
    a = ap.parse_args()
    clock = time.process_time if a.cpu else time.perf_counter
    for which in a.optimizers.split(","):
        steps = {s: getattr(workloads, f"mlp{which}_{s}")()
                 for s in ("numpy", "kusari", "kusarijit")}
        for f in steps.values():        # warm up: compile, allocate
            f(), f(), f()
        times = {s: [] for s in steps}
        for _ in range(a.rounds):
            for s, f in steps.items():
                t = clock()
                for _ in range(a.steps):
                    f()
                times[s].append((clock() - t) / a.steps)
        base_min, base_med = min(times["numpy"]), statistics.median(times["numpy"])
        print(f"== {which}")
        for s, ts in times.items():
            print(f"  {s:10s} min {min(ts) * 1e3:8.2f} ms (x{min(ts) / base_min:.2f})   "
                  f"median {statistics.median(ts) * 1e3:8.2f} ms "
                  f"(x{statistics.median(ts) / base_med:.2f})")


if __name__ == "__main__":
    main()
