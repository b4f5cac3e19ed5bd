"""The CuPy backend's own code, run without a GPU: CupyBackend is given a
stand-in for the cupy module made of NumPy and the host shim (its RawModule
compiles the source it is given with g++ through shim.h and launches
kernels with the grid and block it is called with). This checks what the
backend does with CuPy's API (the module per source and device, the
launches, the plan, the spine's cache); what CuPy itself does on a GPU
remains for a session with one."""
from __future__ import annotations

import ctypes
import os
import subprocess
import types

import numpy as np
import pytest

from kusari.compiler import compile as spine_compile
from kusari.compiler.ir import Graph
from kusari.runtime import NUMPY
from kusari.runtime.cupy_backend import COMPILE_OPTIONS, CupyBackend

from . import fake_cupy as host_module
from .common import assert_same, need_gxx

class FakeRawModule:
    """cupy.RawModule(code=..., options=...) on the CPU, for NumPy arrays."""
    compiled: list = []

    def __init__(self, code: str, options=()):
        assert tuple(options) == COMPILE_OPTIONS
        FakeRawModule.compiled.append(code)
        self.lib, ptypes = host_module.compile_for_host(code)
        self.kernels = {name: len(types_) for name, types_ in ptypes.items()}

    looked_up: list = []

    def get_function(self, name):
        assert name in self.kernels, f"no kernel {name} in the module"
        FakeRawModule.looked_up.append(name)
        fn = getattr(self.lib, f"launch_{name}")

        def kernel(grid, block, args):
            assert len(args) == self.kernels[name]
            assert all(isinstance(a, np.ndarray) and a.flags.c_contiguous for a in args)
            ptrs = (ctypes.c_void_p * len(args))(*[a.ctypes.data for a in args])
            fn(ctypes.c_uint(grid[0]), ctypes.c_uint(block[0]), ptrs)
        return kernel


def fake_cupy(device=[0]):
    runtime = types.SimpleNamespace(getDevice=lambda: device[0])
    return types.SimpleNamespace(
        RawModule=FakeRawModule, cuda=types.SimpleNamespace(runtime=runtime),
        asarray=np.asarray, empty=np.empty, full=np.full, array=np.array,
        ascontiguousarray=np.ascontiguousarray, asnumpy=np.asarray), device


def _graph():
    g = Graph("step")
    x = g.add_input((64, 40), np.float32)
    w = g.add_input((40, 10), np.float32)
    b = g.add_input((10,), np.float32)
    h = g.add("add", [g.add("matmul", [x, w]), b])
    y = g.add("tanh", [h])
    s = g.add("sum", [g.add("mul", [y, y])], axis=(0, 1), keepdims=False)
    g.outputs = [y, s, g.add("max", [h], axis=(1,), keepdims=True)]
    return g


def test_backend_runs_a_graph_through_the_spine():
    need_gxx()
    cupy, device = fake_cupy()
    backend = CupyBackend(cupy)
    g = _graph()
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(g.shape(i)).astype(np.float32) for i in g.inputs]
    FakeRawModule.compiled.clear()
    exe = spine_compile(g, backend)
    assert len(FakeRawModule.compiled) == 1              # compiled once, at generate
    assert 'extern "C" __global__' in exe.source
    got = exe(*arrays)
    want = spine_compile(g, NUMPY)(*arrays)
    for a, b in zip(got, want):
        assert_same(a, b, "step", rtol=1e-5, atol=1e-5)
    # the same structure again: the spine's cache; the same source: no new
    # module, and each kernel looked up once
    assert spine_compile(_graph(), backend) is exe
    looked = len(FakeRawModule.looked_up)
    exe(*arrays)
    assert len(FakeRawModule.compiled) == 1 and len(FakeRawModule.looked_up) == looked
    # another device compiles the module for that device
    device[0] = 1
    exe(*arrays)
    assert len(FakeRawModule.compiled) == 2
    device[0] = 0


def test_backend_refuses_a_wrong_argument_count():
    need_gxx()
    cupy, _ = fake_cupy()
    exe = spine_compile(_graph(), CupyBackend(cupy))
    with pytest.raises(TypeError, match="takes 3 arrays, got 1"):
        exe(np.zeros((64, 40), np.float32))


def test_without_cupy_the_backend_says_what_to_install():
    try:
        import cupy  # noqa: F401
        pytest.skip("CuPy is installed here")
    except ImportError:
        pass
    from kusari.runtime.cupy_backend import CupyUnavailable, cupy_backend
    with pytest.raises(CupyUnavailable, match=r"pip install kusari\[cuda\]"):
        cupy_backend()


def test_emit_prints_the_source_the_backend_compiles():
    """`kusari emit --target cuda` and the backend make the same source."""
    import argparse
    import sys
    from kusari import cli
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "examples", "mlp.ksr")
    r = subprocess.run([sys.executable, "-m", "kusari", "emit", path, "sgd", "--target", "cuda",
                        "--dim", "B=16"], capture_output=True, text=True, cwd=root)
    assert r.returncode == 0, r.stderr
    m = cli._load(path)
    f = m.functions["sgd"]
    arrays = cli._arguments(f, argparse.Namespace(arg=[], dim=["B=16"], seed=0), required=False)
    cupy, _ = fake_cupy()
    FakeRawModule.compiled.clear()
    exe = spine_compile(f.graph(*arrays), CupyBackend(cupy))
    assert r.stdout == exe.source + "\n"


def test_run_with_the_cupy_backend(monkeypatch, capsys):
    """`kusari run --backend cupy` compiles the function for the backend and
    prints its results (here the stand-in cupy)."""
    need_gxx()
    from kusari import cli
    from kusari.runtime import cupy_backend as cb
    cupy, _ = fake_cupy()
    monkeypatch.setattr(cb, "_backend", [CupyBackend(cupy)])
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "examples", "quickstart.ksr")
    assert cli.main(["run", path, "df", "--arg", "x=[5, 1.5]", "--backend", "cupy"]) == 0
    assert capsys.readouterr().out.strip() == "[8. 1.]"


def test_library_steps_without_a_device_form_run_on_host_copies():
    """matmul runs on the device arrays; select_item (whose NumPy form makes
    a NumPy index array) on host copies, its result sent back."""
    need_gxx()
    cupy, _ = fake_cupy()
    moved = []
    cupy.asnumpy = lambda a: moved.append(a.shape) or np.asarray(a)
    g = Graph("lib")
    x = g.add_input((4, 3), np.float32)
    w = g.add_input((3, 5), np.float32)
    t = g.add_input((4,), np.int32)
    y = g.add("exp", [g.add("matmul", [x, w])])
    g.outputs = [g.add("select_item", [y, t])]
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal((4, 3)).astype(np.float32),
              rng.standard_normal((3, 5)).astype(np.float32), np.array([0, 4, 2, 1], np.int32)]
    got = spine_compile(g, CupyBackend(cupy)).fn(*arrays)
    assert sorted(moved) == [(4,), (4, 5)]            # select_item's operands only
    assert_same(got[0], spine_compile(g, NUMPY)(*arrays), "select_item")
