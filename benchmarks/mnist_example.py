"""The MNIST example (examples/mnist/train_mnist.py) on kusari and on
Chainer 7.8.1, side by side in one run.

    python benchmarks/mnist_example.py [--epoch 1] [--rounds 2] [--threads 1]
                                       [--chainer PYTHON] [--profile FILE]

Both run the same file with the same arguments on the same data: a synthetic
MNIST (examples/mnist/synthetic_mnist.py, 60000 / 10000 images by default)
written once in MNIST's cache layout to a temporary dataset root, which both
`get_mnist`s read (`--data mnist`). Chainer runs in its own interpreter
(`--chainer`, default ~/.kusari-peers/chainer-venv/bin/python) where it
imports the real `chainer` before the script, so the script's `import
chainer` is Chainer; kusari runs it as a user does (the script installs
kusari as `chainer`). The example as it is: 784-1000-1000-10 MLP, Adam,
batch 100, the Evaluator over the test set every epoch, LogReport,
PrintReport, snapshot; no ProgressBar (--noprogress).

Per run it reports iterations/s over `trainer.run()` (everything: updates,
evaluation, extensions) and over the updates alone (`updater.update`), each
by wall clock and by the process's CPU time; and per update the time of the
step's eight matrix products in bare NumPy in each interpreter (its BLAS):
the floor no framework goes below, which bounds the ratio one can reach. Rounds alternate kusari and
Chainer so that load from other users of a shared machine falls on both;
the figures are the best round of each. `--threads` sets the BLAS (and
kusari's) thread count for both (default 1: the machine is shared).
`--profile FILE` also runs kusari once under cProfile (process CPU time)
and prints the top of the profile (by cumulative and by own time).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "mnist" / "train_mnist.py"
CHAINER_PYTHON = Path.home() / ".kusari-peers" / "chainer-venv" / "bin" / "python"

# Runs in the measured interpreter: times trainer.run() and every
# updater.update(), then runs the example's main() with the given arguments.
DRIVER = r"""
import json, runpy, sys, time
framework, script, result, profile = sys.argv[1:5]
args = sys.argv[5:]
if framework == "chainer":
    import chainer                      # the real one: the script keeps it
    assert not hasattr(chainer, "install_as_chainer")
else:
    import kusari
    kusari.install_as_chainer()
    import chainer
from chainer import training

times = {}
original_run = training.Trainer.run

def timed_run(self, *a, **k):
    updater = self.updater
    update = updater.update
    spent = [0.0, 0.0]

    def timed_update():
        w, c = time.perf_counter(), time.process_time()
        update()
        spent[0] += time.perf_counter() - w
        spent[1] += time.process_time() - c
    updater.update = timed_update
    w, c = time.perf_counter(), time.process_time()
    try:
        return original_run(self, *a, **k)
    finally:
        times.update(run_wall=time.perf_counter() - w, run_cpu=time.process_time() - c,
                     update_wall=spent[0], update_cpu=spent[1],
                     iterations=updater.iteration)
training.Trainer.run = timed_run

sys.argv = [script] + args
if profile:                             # by CPU time: the machine may be shared
    import cProfile
    profiler = cProfile.Profile(time.process_time)
    profiler.runcall(runpy.run_path, script, run_name="__main__")
    profiler.dump_stats(profile)
else:
    runpy.run_path(script, run_name="__main__")

# the floor: the step's eight matrix products (forward 3, backward 5: no
# gradient for the input) in bare NumPy, this interpreter's BLAS, CPU time
import numpy as np
n_in = 784
unit = int(args[args.index("--unit") + 1])
batch = int(args[args.index("--batchsize") + 1])
rng = np.random.default_rng(0)
def rand(*shape):
    return rng.random(shape, dtype=np.float32)
x, W1, W2, W3 = rand(batch, n_in), rand(unit, n_in), rand(unit, unit), rand(10, unit)
h, g = rand(batch, unit), rand(batch, 10)
def products():
    x @ W1.T; h @ W2.T; h @ W3.T
    g.T @ h; gh = g @ W3; gh.T @ h; gh = gh @ W2; gh.T @ x
floor = []
for _ in range(5):
    c = time.process_time()
    for _ in range(10):
        products()
    floor.append((time.process_time() - c) / 10)
times["matmul_floor"] = min(floor)
with open(result, "w") as f:
    json.dump(times, f)
"""


def run_once(python, framework, env, args, work, profile=""):
    result = os.path.join(work, f"{framework}.json")
    out = tempfile.mkdtemp(dir=work)
    cmd = [str(python), "-c", DRIVER, framework, str(SCRIPT), result, profile,
           "--data", "mnist", "--noprogress", "--out", out, *args]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{framework} failed:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}")
    with open(result) as f:
        times = json.load(f)
    with open(os.path.join(out, "log")) as f:
        times["accuracy"] = json.load(f)[-1]["validation/main/accuracy"]
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epoch", type=int, default=1)
    ap.add_argument("--unit", type=int, default=1000)
    ap.add_argument("--batchsize", type=int, default=100)
    ap.add_argument("--n-train", type=int, default=60000)
    ap.add_argument("--n-test", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--chainer", default=str(CHAINER_PYTHON))
    ap.add_argument("--profile", default="", help="also profile kusari into FILE")
    a = ap.parse_args()

    sys.path.insert(0, str(SCRIPT.parent))
    import synthetic_mnist

    with tempfile.TemporaryDirectory() as work:
        root = os.path.join(work, "datasets")
        synthetic_mnist.write_npz(root, a.n_train, a.n_test)
        threads = str(a.threads)
        env = dict(os.environ, KUSARI_DATASET_ROOT=root, CHAINER_DATASET_ROOT=root,
                   OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads,
                   MKL_NUM_THREADS=threads, KUSARI_THREADS=threads,
                   PYTHONPATH=str(ROOT))
        args = ["--epoch", str(a.epoch), "--unit", str(a.unit),
                "--batchsize", str(a.batchsize)]
        best = {}
        for r in range(a.rounds):
            for framework, python in (("kusari", sys.executable), ("chainer", a.chainer)):
                t = run_once(python, framework, env, args, work)
                print(f"round {r + 1} {framework:7s} {t['iterations']} iterations: "
                      f"run {t['run_wall']:.2f} s wall / {t['run_cpu']:.2f} s CPU, "
                      f"updates {t['update_wall']:.2f} s wall / {t['update_cpu']:.2f} s CPU, "
                      f"validation accuracy {t['accuracy']:.4f}", flush=True)
                old = best.get(framework)
                best[framework] = t if old is None else {
                    k: min(v, old[k]) if k.endswith(("wall", "cpu", "floor")) else v
                    for k, v in t.items()}

        k, c = best["kusari"], best["chainer"]
        n = k["iterations"]
        print(f"\nMNIST example, {n} iterations (784-{a.unit}-{a.unit}-10, batch "
              f"{a.batchsize}, {a.epoch} epoch(s), {threads} thread(s)); best of "
              f"{a.rounds} rounds; iterations/s:")
        print(f"{'':28s}{'kusari':>10s}{'Chainer':>10s}{'ratio':>8s}")
        for label, key in (("trainer.run, wall", "run_wall"), ("trainer.run, CPU", "run_cpu"),
                           ("updates only, wall", "update_wall"),
                           ("updates only, CPU", "update_cpu")):
            print(f"{label:28s}{n / k[key]:10.1f}{n / c[key]:10.1f}"
                  f"{c[key] / k[key]:7.2f}x")
        print(f"{'validation accuracy':28s}{k['accuracy']:10.4f}{c['accuracy']:10.4f}")
        print("(the bar: kusari >= 1.5x Chainer)")
        # what no framework can go below on this BLAS: the products alone
        print(f"\nper update, CPU ms:          {'kusari':>10s}{'Chainer':>10s}")
        print(f"{'update':28s}{k['update_cpu'] / n * 1e3:10.2f}{c['update_cpu'] / n * 1e3:10.2f}")
        print(f"{'  its 8 matrix products':28s}{k['matmul_floor'] * 1e3:10.2f}"
              f"{c['matmul_floor'] * 1e3:10.2f}   (bare NumPy, each interpreter's BLAS)")
        print(f"{'  everything else':28s}{(k['update_cpu'] / n - k['matmul_floor']) * 1e3:10.2f}"
              f"{(c['update_cpu'] / n - c['matmul_floor']) * 1e3:10.2f}")
        print(f"ratio if kusari's update were its products alone: "
              f"{c['update_cpu'] / n / k['matmul_floor']:.2f}x")

        if a.profile:
            run_once(sys.executable, "kusari", env, args, work, profile=a.profile)
            import pstats
            stats = pstats.Stats(a.profile)
            stats.sort_stats("cumulative").print_stats(30)
            stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
