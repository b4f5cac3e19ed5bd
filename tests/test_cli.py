"""The `kusari` command, through subprocesses: output, files, exit codes, and no
tracebacks for any user mistake."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def kusari(*args, cwd=None):
    r = subprocess.run([sys.executable, "-m", "kusari", *map(str, args)],
                       capture_output=True, text=True, cwd=cwd or ROOT)
    assert "Traceback" not in r.stderr, r.stderr
    return r


def test_run_prints_like_numpy():
    r = kusari("run", "examples/quickstart.ksr", "df", "--arg", "x=[5]")
    assert (r.returncode, r.stdout) == (0, "[8.]\n")
    r = kusari("run", "examples/quickstart.ksr", "d2cube", "--arg", "x=[[0,2,3],[4,5,6]]")
    assert r.stdout == "[[ 0. 12. 18.]\n [24. 30. 36.]]\n"


def test_run_main_by_default():
    r = kusari("run", "examples/quickstart.ksr")
    assert r.returncode == 0
    assert r.stdout.splitlines()[:3] == ["[16.]", "[8.]", "[2.]"]


def test_random_arguments_dims_seed_and_out(tmp_path):
    out = tmp_path / "r.npz"
    args = ["run", "examples/mlp.ksr", "sgd", "--dim", "B=16", "--seed", "3"]
    args += [a for name in ("x", "t", "W1", "b1", "W2", "b2") for a in ("--arg", f"{name}=random")]
    r = kusari(*args, "--out", out)
    assert r.returncode == 0, r.stderr
    saved = np.load(out)
    assert saved.files == ["out0", "out1", "out2", "out3"]
    assert saved["out0"].shape == (8, 4) and saved["out0"].dtype == np.float32
    again = kusari(*args, "--out", tmp_path / "s.npz")
    assert again.returncode == 0, again.stderr     # the same seed: the same arrays
    np.testing.assert_array_equal(np.load(tmp_path / "s.npz")["out0"], saved["out0"])


def test_arguments_from_files(tmp_path):
    np.save(tmp_path / "x.npy", np.array([1.0, 2.0], np.float32))
    np.savez(tmp_path / "d.npz", x=np.array([3.0], np.float32))
    r = kusari("run", EXAMPLES / "quickstart.ksr", "df", "--arg", f"x=@{tmp_path / 'x.npy'}")
    assert r.stdout == "[0. 2.]\n"
    r = kusari("run", EXAMPLES / "quickstart.ksr", "df", "--arg",
               f"x=@{tmp_path / 'd.npz'}:x")
    assert r.stdout == "[4.]\n"


def test_check_emit_bench():
    r = kusari("check", "examples/features.ksr")
    assert r.returncode == 0 and "no errors" in r.stdout
    r = kusari("emit", "examples/quickstart.ksr", "d2f", "--target", "ir", "--dim", "N=3")
    assert r.stdout.startswith("{ lambda a:f32[3] . let")
    r = kusari("emit", "examples/quickstart.ksr", "df", "--target", "numpy", "--dim", "N=3")
    assert "def kernel(" in r.stdout and "np.multiply" in r.stdout
    r = kusari("emit", "examples/mlp.ksr", "loss", "--target", "dot", "--dim", "B=4")
    assert r.stdout.startswith('digraph "loss"')
    r = kusari("bench", "examples/mlp.ksr", "sgd", "--dim", "B=32", "--repeat", "5")
    assert r.returncode == 0
    assert "compile" in r.stdout and "median of 5 runs" in r.stdout


def test_help_and_version():
    for cmd in ([], ["run"], ["check"], ["emit"], ["bench"]):
        r = kusari(*cmd, "--help")
        assert r.returncode == 0 and "usage: kusari" in r.stdout
    r = kusari("--version")
    assert r.stdout.startswith("kusari ")


@pytest.mark.parametrize("args,message", [
    (["check", "examples/nope.ksr"], "kusari: error: examples/nope.ksr: no such file"),
    (["run", "examples/quickstart.ksr", "dff"], "defines no `dff` (did you mean `df`?)"),
    (["run", "examples/quickstart.ksr", "df"], "missing --arg x=VALUE (x: f32[N])"),
    (["run", "examples/quickstart.ksr", "df", "--arg", "xx=1"],
     "`df` has no parameter `xx` (did you mean `x`?)"),
    (["run", "examples/quickstart.ksr", "df", "--arg", "x=[[5]]"],
     "quickstart.ksr:6:7: argument `x` of `f` must be f32[N], got f32[1, 1]"),
    (["run", "examples/quickstart.ksr", "df", "--arg", "x=[1,"], "cannot read '[1,'"),
    (["run", "examples/quickstart.ksr", "df", "--arg", "x=@missing.npy"],
     "missing.npy: no such file"),
    (["run", "examples/quickstart.ksr", "df", "--arg", "x=random"],
     "dimension N has no size: give one with --dim N=SIZE"),
    (["run", "examples/quickstart.ksr", "df", "--arg", "x=[5]", "--dim", "N"],
     "write it as NAME=SIZE"),
    (["run", "examples/quickstart.ksr", "df", "--arg", "x=[5]", "--backend", "cupy"],
     "pip install kusari[cuda]"),
])
def test_user_mistakes_exit_1_with_a_message(args, message):
    r = kusari(*args)
    assert r.returncode == 1
    assert message in r.stderr


def test_program_errors_show_file_line_column_and_caret(tmp_path):
    p = tmp_path / "bad.ksr"
    p.write_text("def f(x: f32[N], t: i32[N]) = x * t\ndef g(x: f32[N]) = tanhh(x)\n")
    r = kusari("check", p)
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert lines[0] == f"{p}:1:33: dtype mismatch in `*`: f32[N] and i32[N]"
    assert lines[1] == "    def f(x: f32[N], t: i32[N]) = x * t"
    assert lines[2] == "                                    ^"
    assert lines[3] == f"{p}:2:20: unknown function `tanhh` (did you mean `tanh`?)"


def test_run_time_index_errors_are_reported(tmp_path):
    p = tmp_path / "idx.ksr"
    p.write_text("def f(x: f32[3], i: i32[2]) = x[i]\n")
    r = kusari("run", p, "f", "--arg", "x=[1,2,3]", "--arg", "i=[0,7]")
    assert r.returncode == 1
    assert "out of bounds" in r.stderr


def test_usage_errors_exit_2():
    assert kusari("frobnicate").returncode == 2
    assert kusari("run").returncode == 2
    assert kusari("emit", "examples/quickstart.ksr", "df").returncode == 2   # no --target


@pytest.mark.skipif(shutil.which("kusari") is None,
                    reason="the kusari console script is not installed (pip install -e .)")
def test_console_script():
    r = subprocess.run(["kusari", "run", str(EXAMPLES / "quickstart.ksr"), "df",
                        "--arg", "x=[5]"], capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, "[8.]\n")


def test_a_closed_pipe_ends_quietly():
    """`kusari run ... | head -1`: the reader leaves early; no 'internal error'."""
    p = subprocess.Popen([sys.executable, "-m", "kusari", "run", str(EXAMPLES / "quickstart.ksr")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0
    assert "internal error" not in err and "Traceback" not in err
