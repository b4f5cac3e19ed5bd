"""The language's front end, timed (issue 4's figures).

1. `kusari check` on a generated 1,000-line program: in-process (parse +
   check) and as a command (a fresh process, start-up included).
2. examples/mlp.ksr: parse + check, then the first call of `sgd` (trace,
   gradient, optimize, generate) and later calls, in a fresh process.

    python benchmarks/language.py
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def thousand_lines() -> str:
    """250 four-line definitions, each calling the one before it."""
    parts = ["def layer0(x: f32[B, 8], w: f32[8, 8]) = relu(x @ w)"]
    for i in range(1, 250):
        parts.append(
            f"def layer{i}(x: f32[B, 8], w: f32[8, 8]) {{\n"
            f"    let h = layer{i - 1}(x, w) * {1 + i / 1000} + tanh(x) * 0.5\n"
            f"    return where(h > 0, h, -h) - mean(h, axis=0)\n"
            f"}}")
    return "\n".join(parts) + "\n"


def in_process_check(source: str, rounds: int = 5) -> float:
    import kusari
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        kusari.loads(source, "big.ksr")
        times.append(time.perf_counter() - t)
    return min(times)


def command_check(path: Path, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "kusari", "check", str(path)],
                           capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        assert r.returncode == 0, r.stderr
    return min(times)


MLP = """
import time, sys, numpy as np
t0 = time.perf_counter()
import kusari
t1 = time.perf_counter()
m = kusari.load(sys.argv[1])
t2 = time.perf_counter()
rng = np.random.default_rng(0)
B = 64
args = [rng.standard_normal((B, 4)).astype(np.float32), rng.integers(0, 3, B).astype(np.int32),
        rng.standard_normal((8, 4)).astype(np.float32), np.zeros(8, np.float32),
        rng.standard_normal((3, 8)).astype(np.float32), np.zeros(3, np.float32)]
t3 = time.perf_counter()
m.sgd(*args)
t4 = time.perf_counter()
runs = []
for _ in range(200):
    t = time.perf_counter(); m.sgd(*args); runs.append(time.perf_counter() - t)
runs.sort()
print(t1 - t0, t2 - t1, t4 - t3, runs[len(runs) // 2])
"""


def mlp_pipeline() -> tuple:
    r = subprocess.run([sys.executable, "-c", MLP, str(ROOT / "examples" / "mlp.ksr")],
                       capture_output=True, text=True, check=True)
    return tuple(float(v) for v in r.stdout.split())


def main() -> None:
    source = thousand_lines()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "big.ksr"
        path.write_text(source)
        lines = source.count("\n")
        print(f"1. checking a {lines}-line program ({source.count('def ')} definitions):")
        print(f"  parse + check, in process   {in_process_check(source) * 1e3:8.1f} ms")
        print(f"  `kusari check`, new process {command_check(path) * 1e3:8.1f} ms")
    results = [mlp_pipeline() for _ in range(3)]
    imp, check, first, run = (min(r[i] for r in results) for i in range(4))
    print("2. examples/mlp.ksr in a fresh process (best of 3):")
    print(f"  import kusari               {imp * 1e3:8.1f} ms")
    print(f"  parse + check               {check * 1e3:8.1f} ms")
    print(f"  first sgd call (compile)    {first * 1e3:8.1f} ms   "
          "(trace, gradient, optimize, generate, run)")
    print(f"  later sgd calls (B=64)      {run * 1e3:8.3f} ms   (median of 200)")


if __name__ == "__main__":
    main()
