"""The CUDA generator on whole programs: every example .ksr function and
seeded random graphs in float16/32/64 (broadcasting, fused chains, reductions closing and
feeding groups). Their CUDA source compiles with one `nvcc -ptx` call; the
same kernels run on the CPU through the host shim and agree with the NumPy
backend. `kusari emit --target cuda` prints the source the backend compiles."""
from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys

import numpy as np
import pytest

from kusari import cli
from kusari.compiler.ir import Graph

from . import harness
from .common import assert_same, cuda_program, need_gxx, need_nvcc, numpy_results

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _example_cases():
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "examples", "*.ksr"))):
        m = cli._load(path)
        for name, f in m.functions.items():
            dims = sorted({d for _, spec in f.params for d in spec.dims if isinstance(d, str)})
            args = argparse.Namespace(arg=[], dim=[f"{d}=5" for d in dims], seed=0)
            arrays = cli._arguments(f, args, required=False)
            g = f.graph(*arrays)
            out.append((f"{os.path.basename(path)}:{name}", g, arrays))
    return out


BASE = (3, 4, 5)
SHAPES = [(3, 4, 5), (4, 5), (1, 4, 1), (5,), (), (3, 1, 5), (3, 4, 1)]
UNARY = ["neg", "tanh", "sin", "square", "sigmoid", "relu", "exp", "abs", "softplus"]
BINARY = ["add", "sub", "mul", "maximum", "minimum"]


def random_graph(seed: int, dtype):
    """A random graph over broadcast shapes: elementwise chains, a select,
    reductions (keepdims, so they broadcast back in) and several outputs."""
    rng = np.random.default_rng(seed)
    g = Graph(f"random{seed}_{np.dtype(dtype).name}")
    values, arrays = [], []
    for _ in range(rng.integers(2, 5)):
        shape = SHAPES[rng.integers(len(SHAPES))]
        values.append(g.add_input(shape, dtype))
        arrays.append(rng.standard_normal(shape).astype(dtype))
    for _ in range(rng.integers(4, 14)):
        kind = rng.random()
        a = values[rng.integers(len(values))]
        if kind < 0.35:
            op = UNARY[rng.integers(len(UNARY))]
            if op == "exp":
                a = g.add("tanh", [a])              # keep values moderate
            values.append(g.add(op, [a]))
        elif kind < 0.75:
            b = values[rng.integers(len(values))]
            values.append(g.add(BINARY[rng.integers(len(BINARY))], [a, b]))
        elif kind < 0.85:
            b = values[rng.integers(len(values))]
            c = g.add("greater", [a, b])
            values.append(g.add("where", [c, a, g.add("mul", [b, g.add_const(0.5, dtype)])]))
        elif g.shape(a):
            nd = len(g.shape(a))
            axes = tuple(sorted(set(int(x) for x in rng.integers(0, nd, rng.integers(1, nd + 1)))))
            op = ["sum", "max", "min"][rng.integers(3)]
            values.append(g.add(op, [a], axis=axes, keepdims=True))
    k = int(rng.integers(1, 4))
    g.outputs = values[-k:]
    return g, arrays


def _random_cases():
    return [(f"random{s}_{np.dtype(dt).name}",) + random_graph(s, dt)
            for s in range(24) for dt in (np.float16, np.float32, np.float64)]


CASES = _example_cases() + _random_cases()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    progs = [cuda_program(g, f"q{i}") for i, (_, g, _) in enumerate(CASES)]
    return [p for p, _ in progs], [g for _, g in progs], tmp_path_factory.mktemp("programs")


def test_examples_are_all_here():
    assert sum(1 for c in CASES if ".ksr:" in c[0]) >= 10


def test_nvcc_compiles_every_program(built):
    need_nvcc()
    programs, _, tmp = built
    harness.nvcc_ptx(harness.module_text(programs), str(tmp))


def test_nvcc_compiles_a_whole_emitted_source(built, tmp_path):
    """One program's complete source, as emitted, compiles on its own."""
    need_nvcc()
    programs, _, _ = built
    p = max(programs, key=lambda p: len(p.kernels))
    harness.nvcc_ptx(p.source, str(tmp_path))


@pytest.fixture(scope="module")
def host(built):
    need_gxx()
    programs, _, tmp = built
    return harness.HostModule(programs, str(tmp))


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c[0] for c in CASES])
def test_host_shim_matches_numpy(built, host, i):
    label, g, arrays = CASES[i]
    programs, graphs, _ = built
    with np.errstate(all="ignore"):
        want = numpy_results(g, arrays)
        got = host.run(programs[i], graphs[i], arrays)
    assert len(got) == len(want)
    for j, (a, b) in enumerate(zip(got, want)):
        dt = np.asarray(b).dtype
        # sums are reassociated: a cancelling sum is off by its terms' rounding
        atol = 16 * float(np.finfo(dt).eps) if dt.kind == "f" else 0
        assert_same(a, b, f"{label} output {j}", rtol=1e-5 if dt == np.float32 else
                    None, atol=atol)


def test_some_random_graphs_fuse_reductions(built):
    programs, _, _ = built
    reducing = [p for p in programs if any("reduced over" in k for k in p.kernels)]
    fused = [p for p in programs if any("ops fused over" in k and "reduced" in k and
                                        not k.startswith("// 0 ops") for k in p.kernels)]
    assert len(reducing) >= 5 and len(fused) >= 3


def test_emit_cuda_prints_the_backend_source():
    r = subprocess.run([sys.executable, "-m", "kusari", "emit",
                        os.path.join(ROOT, "examples", "quickstart.ksr"), "d2cube",
                        "--target", "cuda"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert 'extern "C" __global__ void kusari_k0' in r.stdout
    assert "// host plan:" in r.stdout
    assert "cuda_fp16.h" not in r.stdout           # float32 only: no float16 header
