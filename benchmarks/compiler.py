"""The optimizing compiler, side by side (issue 3's figures).

1. fused:   sin(a)*exp(-b) + a*b**2 - tanh(a*b) on 1e7 float32: kusari.jit
            against NumPy eager (and numexpr, JAX's jit when installed).
2. compile: a 200-op elementwise chain with its gradient (50 x
            tanh(y)*1.01 + sin(y)*0.5 - y*y*0.01, then kusari.grad), compiled
            fresh in a new process (JAX's jit(grad) alongside when installed).
3. d3:      d^3/dx^3 sum(tanh x) on 1e6 float32 through kusari.jit against the
            NumPy-evaluated closed form (1 - t^2)(6 t^2 - 2).

Each run figure is the best of several rounds, contestants alternating.

    python benchmarks/compiler.py [--quick]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np

ROUNDS = 7


def best(fn, rounds=ROUNDS) -> float:
    fn()                                   # warm: compiled, caches filled
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def side_by_side(contestants: dict, rounds: int) -> dict:
    for fn in contestants.values():
        fn()
    out = {name: float("inf") for name in contestants}
    for _ in range(rounds):
        for name, fn in contestants.items():
            t = time.perf_counter()
            fn()
            out[name] = min(out[name], time.perf_counter() - t)
    return out


def report(title: str, times: dict, base: str) -> None:
    print(title)
    for name, t in times.items():
        ratio = "" if name == base else f"   {t / times[base]:.2f}x {base}"
        print(f"  {name:14s} {t * 1e3:9.2f} ms{ratio}")


def fused(n: int, rounds: int) -> dict:
    import kusari
    import kusari.functions as F
    rng = np.random.default_rng(0)
    a = rng.standard_normal(n).astype(np.float32)
    b = rng.standard_normal(n).astype(np.float32)
    f = kusari.jit(lambda a, b: F.sin(a) * F.exp(-b) + a * b ** 2 - F.tanh(a * b))
    want = np.sin(a) * np.exp(-b) + a * b ** 2 - np.tanh(a * b)
    np.testing.assert_allclose(f(a, b), want, rtol=1e-5, atol=1e-6)
    contestants = {
        "numpy eager": lambda: np.sin(a) * np.exp(-b) + a * b ** 2 - np.tanh(a * b),
        "kusari.jit": lambda: f(a, b),
    }
    try:
        import numexpr
        contestants["numexpr"] = lambda: numexpr.evaluate(
            "sin(a)*exp(-b) + a*b**2 - tanh(a*b)", local_dict={"a": a, "b": b})
    except ImportError:
        pass
    try:
        import jax
        import jax.numpy as jnp
        jf = jax.jit(lambda a, b: jnp.sin(a) * jnp.exp(-b) + a * b ** 2 - jnp.tanh(a * b))
        ja, jb = jax.device_put(a), jax.device_put(b)
        contestants["jax.jit"] = lambda: jf(ja, jb).block_until_ready()
    except ImportError:
        pass
    return side_by_side(contestants, rounds)


COMPILE_KUSARI = """
import time, numpy as np, kusari, kusari.functions as F
def chain(x):
    y = x
    for _ in range(50):
        y = F.tanh(y) * 1.01 + F.sin(y) * 0.5 - y * y * 0.01
    return y
x = np.linspace(-1, 1, 1000).astype(np.float32)
g = kusari.jit(lambda x: kusari.grad([F.sum(chain(x))], [x])[0])
t = time.perf_counter(); g(x); print(time.perf_counter() - t)
"""

COMPILE_JAX = """
import time, numpy as np, jax, jax.numpy as jnp
def chain(x):
    y = x
    for _ in range(50):
        y = jnp.tanh(y) * 1.01 + jnp.sin(y) * 0.5 - y * y * 0.01
    return jnp.sum(y)
x = np.linspace(-1, 1, 1000).astype(np.float32)
g = jax.jit(jax.grad(chain))
t = time.perf_counter(); g(x).block_until_ready(); print(time.perf_counter() - t)
"""


def compile_time(rounds: int) -> dict:
    """First compile+run in a fresh interpreter each round (nothing cached)."""
    out = {}
    for name, code in (("kusari.jit", COMPILE_KUSARI), ("jax.jit", COMPILE_JAX)):
        times = []
        for _ in range(rounds):
            r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if r.returncode:
                break                      # not installed
            times.append(float(r.stdout.strip().splitlines()[-1]))
        if times:
            out[name] = min(times)
    return out


def third_derivative(n: int, rounds: int) -> dict:
    import kusari
    import kusari.functions as F

    def d3(x):
        g1, = kusari.grad([F.sum(F.tanh(x))], [x], enable_double_backprop=True)
        g2, = kusari.grad([F.sum(g1)], [x], enable_double_backprop=True)
        g3, = kusari.grad([F.sum(g2)], [x])
        return g3

    x = np.linspace(-3, 3, n).astype(np.float32)
    f = kusari.jit(d3)

    def closed(x):
        t = np.tanh(x)
        return (1 - t * t) * (6 * t * t - 2)

    np.testing.assert_allclose(f(x), closed(x), rtol=1e-4, atol=1e-5)
    return side_by_side({"numpy closed form": lambda: closed(x),
                         "kusari.jit d3": lambda: f(x)}, rounds)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, fewer rounds")
    args = ap.parse_args(argv)
    rounds = 3 if args.quick else ROUNDS
    n = 10**6 if args.quick else 10**7
    report(f"1. sin(a)*exp(-b) + a*b**2 - tanh(a*b), {n:.0e} float32:",
           fused(n, rounds), "numpy eager")
    report("2. compiling a 200-op chain with its gradient, fresh process:",
           compile_time(3 if args.quick else 5), "kusari.jit")
    report(f"3. d3/dx3 sum(tanh x), {n // 10:.0e} float32:",
           third_derivative(n // 10, rounds), "numpy closed form")


if __name__ == "__main__":
    sys.path.insert(0, ".")
    main()
