"""Compile kusari's generated CUDA C without a GPU: `nvcc -ptx` (does the
source compile for the device?) and g++ through the host shim (shim.h: do
the same kernels compute NumPy's results?). Many programs go into one file
per compiler call: each call costs a second or more."""
from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile

import numpy as np

from kusari.compiler.codegen import cuda_gen
from kusari.runtime.cuda_plan import run_plan

HERE = os.path.dirname(os.path.abspath(__file__))
SHIM = os.path.join(HERE, "shim.h")


def nvcc() -> str | None:
    return shutil.which("nvcc")


def gxx() -> str | None:
    return shutil.which("g++")


def module_text(programs) -> str:
    """One module holding every program's kernels (their names are unique:
    each program was generated under its own name)."""
    kernels = "\n".join(k for p in programs for k in p.kernels)
    return cuda_gen.prelude(kernels) + "\n" + kernels


def nvcc_ptx(text: str, workdir: str) -> None:
    """Compile `text` to PTX with nvcc; AssertionError with nvcc's messages
    if it fails."""
    path = os.path.join(workdir, "module.cu")
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run([nvcc(), "-ptx", "-arch=sm_80", path, "-o",
                        os.path.join(workdir, "module.ptx")],
                       capture_output=True, text=True)
    assert r.returncode == 0, f"nvcc -ptx failed:\n{r.stderr[-6000:]}"


class HostModule:
    """The programs' kernels compiled for the CPU through the shim, with a
    `launch(step, arrays)` for `run_plan`."""

    def __init__(self, programs, workdir: str | None = None):
        self.dir = workdir or tempfile.mkdtemp(prefix="kusari-shim-")
        lines = [f'#include "{SHIM}"', module_text(programs)]
        for p in programs:
            for s in p.steps:
                if isinstance(s, cuda_gen.Launch):
                    args = ", ".join(f"({t})a[{i}]" for i, t in enumerate(s.params))
                    call = f"[&] {{ {s.kernel}({args}); }}"
                    lines.append(f'extern "C" void launch_{s.kernel}(void** a) {{ '
                                 f"ks_launch({s.grid}, {s.block}, {call}); }}")
        src = os.path.join(self.dir, "host.cpp")
        with open(src, "w") as f:
            f.write("\n".join(lines) + "\n")
        lib = os.path.join(self.dir, "host.so")
        r = subprocess.run([gxx(), "-std=c++17", "-O1", "-fPIC", "-shared", "-w",
                            "-ffp-contract=off", "-fno-fast-math", src, "-o", lib],
                           capture_output=True, text=True)
        assert r.returncode == 0, f"g++ failed on the generated source:\n{r.stderr[-6000:]}"
        self.lib = ctypes.CDLL(lib)
        if workdir is None:          # a loaded library needs its file no more
            shutil.rmtree(self.dir, ignore_errors=True)

    def launch(self, step, arrays) -> None:
        ptrs = (ctypes.c_void_p * len(arrays))(*[a.ctypes.data for a in arrays])
        getattr(self.lib, f"launch_{step.kernel}")(ptrs)

    def run(self, program, graph, arrays) -> tuple:
        return run_plan(program, graph, [np.ascontiguousarray(a) for a in arrays], np,
                        self.launch)
