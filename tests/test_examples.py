"""The example scripts run as users run them (a fresh interpreter) and print
what they say they print."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_example(path: str, *args: str) -> str:
    r = subprocess.run([sys.executable, str(ROOT / path), *args], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_quickstart_prints_the_seeds_values():
    out = run_example("examples/quickstart.py")
    assert "y      = [16.]" in out and "dy/dx  = [8.]" in out and "dy/dz  = [-1.]" in out


def test_notebook_prints_the_notebooks_values():
    out = run_example("examples/notebook.py")
    assert "Out[5]: array([16.], dtype=float32)" in out
    assert "Out[9]: True" in out and "Out[10]: array([24.], dtype=float32)" in out
    assert "Out[12]: True" in out
    # under np.random.seed(0), Chainer 7.8.1's LeCunNormal gives these weights
    assert "Out[14]: variable W([[ 1.0184761 ,  0.23103087,  0.5650746 ],\n" \
           "            [ 1.2937803 ,  1.0782351 , -0.56423163]])" in out
    assert "Out[18]: variable W(None) variable b([0., 0.])" in out
    assert "Out[21]: array([[5., 7., 9.],\n       [5., 7., 9.]], dtype=float32) " \
           "array([2., 2.], dtype=float32)" in out
    assert "Out[23]: array([[10., 14., 18.]," in out       # accumulated
    assert "Out[30]: 'MyChain' 'SGD'" in out
    assert "Out[39]:" in out
