"""The language and the command never end in an internal error, and numbers
never wrap or truncate: every mistake is an error in the user's terms (with
file:line:col and a caret where a source position applies), every valid
program runs and gives the right answer, however long or deeply nested."""
from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import kusari
from kusari.cli import main
from kusari.grammar.errors import KsrError

ROOT = Path(__file__).resolve().parents[1]


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """The command in this process: (exit status, stdout, stderr)."""
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return status, out, err


def program(tmp_path, text: str, name: str = "prog.ksr") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def f32(*values):
    return np.array(values, np.float32)


# -- source files ---------------------------------------------------------------------

def test_a_file_that_is_not_utf8_is_an_error_at_its_first_bad_byte(tmp_path, capsys):
    p = tmp_path / "latin1.ksr"
    p.write_bytes("def f(x: f32[N]) = x * 2   # café\n".encode("latin-1"))
    status, out, err = run_cli(capsys, "check", p)
    assert status == 1
    lines = err.splitlines()
    assert lines[0] == (f"{p}:1:33: the file is not UTF-8 text (byte 0xe9 here cannot "
                        "be read); save it as UTF-8")
    assert lines[1] == "    def f(x: f32[N]) = x * 2   # caf\ufffd"
    assert lines[2] == "    " + " " * 32 + "^"
    with pytest.raises(KsrError, match="not UTF-8"):
        kusari.load(p)


def test_a_byte_order_mark_is_skipped(tmp_path, capsys):
    p = tmp_path / "bom.ksr"
    p.write_bytes(b"\xef\xbb\xbf" + b"def f(x: f32[N]) = x * 2\n")
    status, out, err = run_cli(capsys, "run", p, "f", "--arg", "x=[1, 2]")
    assert (status, out) == (0, "[2. 4.]\n")
    np.testing.assert_array_equal(kusari.loads("\ufeffdef f(x: f32[N]) = x + 1").f(f32(1)),
                                  f32(2))


def test_a_directory_is_not_a_program(tmp_path, capsys):
    status, out, err = run_cli(capsys, "check", tmp_path)
    assert status == 1
    assert err == f"kusari: error: {tmp_path} is a directory; give a .ksr program file\n"


# -- literals ---------------------------------------------------------------------------

@pytest.mark.parametrize("source,at,message", [
    ("def f(x: i32[N]) = x + 3000000000", "3000000000",
     "3000000000 does not fit i32 (it holds integers from -2147483648 to 2147483647)"),
    ("def f(x: i32[N]) = x * [1, 3000000000]", "3000000000", "3000000000 does not fit i32"),
    ("def f(x: i32[N]) = where(x > 0, x, -3000000000)", "-3", "-3000000000 does not fit i32"),
    ("def f(x: f32[N]) = x + 1e39", "1e39", "1e+39 does not fit f32 (its largest value is "
                                            "3.40282e+38; it would become infinity)"),
    ("def f(x: f16[N]) = x * 70000", "70000", "70000 does not fit f16"),
    ("def f(x: i32[N]) = x + 99999999999999999999", "9",
     "the integer 99999999999999999999 is too large: integers are at most i64"),
    ("def f(x: f32[N]) = x + 1e999", "1e999", "the number 1e999 is too large"),
    ("def f(x: f32[N]) = x + 2 ** 100", "**", "2 ** 100 is too large for i64"),
    ("def f(x: f32[N]) = x + 1 / 0", "/", "1 / 0: division by zero"),
    ("def g(n: i32[]) = n\ndef f(x: f32[N]) = g(3000000000)", "3000000000",
     "argument `n` of `g`: 3000000000 does not fit i32"),
    ("def g(n: i32[]) = n\ndef f(x: f32[N]) = g(1.5)", "1.5",
     "argument `n` of `g` is i32[], which holds integers; got 1.5"),
    ("def f(x: f32[N]) = full([2], 1.7, i32)", "1.7",
     "fill_value: 1.7 is not an integer, and i32 holds integers"),
    ("def f(x: f32[N]) = arange(0, 3, 0.5, i32)", "arange",
     "arange with dtype i32 counts in integers"),
])
def test_a_literal_that_does_not_fit_its_type_is_an_error_before_running(
        source, at, message):
    with pytest.raises(KsrError) as e:
        kusari.loads(source, "lit.ksr")
    d = e.value.diagnostics[0]
    assert message in d.message
    last = source.split("\n")[-1]
    assert (d.pos.line, d.pos.column) == (source.count("\n") + 1, last.index(at) + 1)


def test_a_static_number_too_large_for_the_array_it_meets_is_an_error_when_running():
    m = kusari.loads("def f(x: i32[N]) = x + x.shape[0] * 1000000000", "dims.ksr")
    np.testing.assert_array_equal(m.f(np.array([1], np.int32)), [1000000001])
    with pytest.raises(KsrError, match="dims.ksr:1:22: 3000000000 does not fit i32"):
        m.f(np.array([1, 2, 3], np.int32))


def test_a_huge_exponent_is_refused_without_computing_it():
    with pytest.raises(KsrError, match="2 \\*\\* 10000000000 is too large for i64"):
        kusari.loads("def f(x: f32[N]) = x + 2 ** 10000000000")


# -- long and deep programs ---------------------------------------------------------------

@pytest.mark.parametrize("terms", [500, 2000])
def test_long_sums_run(terms):
    m = kusari.loads("def f(x: f32[N]) = " + " + ".join(["x"] * terms))
    np.testing.assert_allclose(m.f(f32(0.5, 1)), [terms * 0.5, terms])


def test_a_sum_of_ten_thousand_terms_parses_and_checks():
    """(It runs too, giving 5000 * x; compiling it takes longer than a test should.)"""
    with pytest.raises(KsrError) as e:
        kusari.loads("def f(x: f32[N]) =\n" + " + ".join(["x"] * 10000) + " + y",
                     "prog.ksr")
    lines = str(e.value).splitlines()            # the long line, shown around the caret
    assert lines[0] == "prog.ksr:2:40001: unknown name `y`"
    assert lines[1] == "    ...x" + " + x" * 14 + " + y"
    assert lines[2] == "    " + " " * 63 + "^"


def test_deeply_nested_unary_minus_runs():
    m = kusari.loads("def f(x: f32[N]) = " + "-(" * 1001 + "x" + ")" * 1001)
    np.testing.assert_array_equal(m.f(f32(0.5, -2)), f32(-0.5, 2))
    m = kusari.loads("def f(x: f32[N]) = " + "-" * 1000 + "x")
    np.testing.assert_array_equal(m.f(f32(0.5)), f32(0.5))


def test_deeply_nested_calls_run():
    m = kusari.loads("def f(x: f32[N]) = " + "exp(" * 1000 + "x" + ")" * 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)       # exp overflows: inf
        assert np.isposinf(m.f(f32(-1000))).all()
    m = kusari.loads("def f(x: f32[N]) = " + "tanh(" * 1000 + "x" + ")" * 1000)
    want = np.float32(0.5)
    for _ in range(1000):
        want = np.tanh(want)
    np.testing.assert_allclose(m.f(f32(0.5)), [want], rtol=1e-6)


def test_deeply_nested_programs_differentiate():
    m = kusari.loads("def f(x: f32[N]) = sum(" + "-(" * 1000 + "x * x" + ")" * 1000 +
                     ")\ndef df = grad(f)")
    np.testing.assert_allclose(m.df(f32(1.5, -2)), [3, -4])


def test_definitions_calling_definitions_a_thousand_deep_run():
    text = "def g0(x: f32[N]) = x + 1\n" + "".join(
        f"def g{i}(x: f32[N]) = g{i - 1}(x) * 1\n" for i in range(1, 1000))
    m = kusari.loads(text)
    np.testing.assert_array_equal(m.g999(f32(1)), f32(2))


def test_an_array_literal_nests_as_deep_as_an_array_may():
    with pytest.raises(KsrError, match="an array literal may nest 64 deep at most"):
        kusari.loads("def f(x: f32[N]) = x + sum(" + "[" * 1000 + "1" + "]" * 1000 + ")")


# -- self-references and repeated arguments ----------------------------------------------

@pytest.mark.parametrize("source", [
    "def f = f",
    "def f = g\ndef g = f",
    "def f(x: f32[N]) = h(x)\ndef h = f",
])
def test_definitions_that_refer_to_themselves_are_errors(source):
    with pytest.raises(KsrError, match="recursion is not allowed"):
        kusari.loads(source)


@pytest.mark.parametrize("source,message", [
    ("def f(x: f32[N]) = sum(x, axis=0, axis=0)", "1:35: argument `axis` is given twice"),
    ("def g(x: f32[N], y: f32[N]) = x - y\ndef f(x: f32[N]) = g(x, y=x, y=x * 2)",
     "2:30: argument `y` is given twice"),
    ("def g(x: f32[N], y: f32[N]) = x - y\ndef f(x: f32[N]) = g(x, x=x * 2, y=x)",
     "2:25: `g` got argument `x` twice (by position and by name)"),
    ("def g(x: f32[N]) = sum(x)\ndef d = grad(g, wrt=[x], wrt=[x])",
     "2:26: argument `wrt` is given twice"),
])
def test_a_keyword_argument_given_twice_is_an_error(source, message):
    with pytest.raises(KsrError, match=message.replace("(", "\\(").replace(")", "\\)")):
        kusari.loads(source, "kw.ksr")


# -- values coming in ------------------------------------------------------------------------

def test_integer_arguments_never_wrap(tmp_path, capsys):
    p = program(tmp_path, "def f(x: i32[N]) = x\n")
    status, out, err = run_cli(capsys, "run", p, "f", "--arg", "x=[2147483648]")
    assert (status, out) == (1, "")
    assert err == ("kusari: error: --arg x (i32[N]): 2147483648 does not fit i32 (it holds "
                   "integers from -2147483648 to 2147483647)\n")
    np.save(tmp_path / "big.npy", np.array([2 ** 40]))
    status, out, err = run_cli(capsys, "run", p, "f", "--arg", f"x=@{tmp_path / 'big.npy'}")
    assert status == 1 and "1099511627776 does not fit i32" in err
    status, out, err = run_cli(capsys, "run", p, "f", "--arg", "x=[-2147483648, 7.0]")
    assert (status, out) == (0, "[-2147483648           7]\n")


def test_arguments_of_a_loaded_function_never_truncate_nor_wrap():
    m = kusari.loads("def f(x: i32[N]) = x * 2\ndef g(x: f32[N]) = x\n"
                     "def h(m: bool[N]) = not m")
    with pytest.raises(ValueError, match="argument `x` of `f` is i32\\[N\\]: 1.7 is not an "
                                         "integer, and i32 holds integers"):
        m.f([1.7, 2.2])
    with pytest.raises(ValueError, match="2147483648 does not fit i32"):
        m.f([2 ** 31])
    with pytest.raises(ValueError, match="does not fit i32"):
        m.f([2 ** 70])
    with pytest.raises(ValueError, match="the value holds text, not numbers"):
        m.f(["a"])
    with pytest.raises(ValueError, match="1e\\+39 does not fit f32"):
        m.g([1e39])
    with pytest.raises(ValueError, match="2 is not a boolean"):
        m.h([1, 2])
    np.testing.assert_array_equal(m.f([1.0, -3]), [2, -6])
    np.testing.assert_array_equal(m.h([1, 0]), [False, True])


@pytest.mark.parametrize("make,message", [
    (lambda d: np.save(d / "a.npy", np.array(["a", "b"])),
     "--arg x (f32[N]): the value holds text, not numbers"),
    (lambda d: np.save(d / "a.npy", np.array([1, "a", None], object), allow_pickle=True),
     "--arg x: cannot read {d}/a.npy: it holds Python objects, not numbers"),
    (lambda d: (d / "a.npy").write_text("hello\n"),
     "--arg x: {d}/a.npy is not a .npy or .npz file"),
    (lambda d: np.save(d / "a.npy", np.array([1e300])),
     "--arg x (f32[N]): 1e+300 does not fit f32"),
])
def test_bad_argument_files_are_errors(tmp_path, capsys, make, message):
    p = program(tmp_path, "def f(x: f32[N]) = x * 2\n")
    make(tmp_path)
    status, out, err = run_cli(capsys, "run", p, "f", "--arg", f"x=@{tmp_path / 'a.npy'}")
    assert status == 1
    assert message.format(d=tmp_path) in err


def test_a_key_that_names_no_array_is_an_error(tmp_path, capsys):
    p = program(tmp_path, "def f(x: f32[N]) = x * 2\n")
    np.save(tmp_path / "a.npy", f32(1, 2))
    status, out, err = run_cli(capsys, "run", p, "f", "--arg", f"x=@{tmp_path / 'a.npy'}:x")
    assert status == 1
    assert f"{tmp_path}/a.npy holds one array, not several; write @{tmp_path}/a.npy" in err
    np.savez(tmp_path / "d.npz", x=f32(1, 2))
    status, out, err = run_cli(capsys, "run", p, "f", "--arg", f"x=@{tmp_path / 'd.npz'}:y")
    assert status == 1 and "has no array 'y' (it has: x)" in err
    status, out, err = run_cli(capsys, "run", p, "f", "--arg", f"x=@{tmp_path / 'd.npz'}:x")
    assert (status, out) == (0, "[2. 4.]\n")


@pytest.mark.parametrize("args,message", [
    (["--arg", "x=[1]", "--arg", "x=[2]"],
     "--arg x is given twice (x=[1] and x=[2]); give it once"),
    (["--arg", "x=random", "--dim", "N=2", "--dim", "N=3"], "--dim N is given twice"),
    (["--arg", "x=random", "--dim", "M=2"], "--dim M: `f` has no dimension named M "
                                             "(its dimensions are N)"),
    (["--arg", "x=random", "--dim", "N=99999999999999"],
     "argument `x: f32[N]` is random with shape [99999999999999]: 364 TiB, more than "
     "this machine's memory"),
    (["--arg", "x=random", "--dim", "N=" + "9" * 40], "more than this machine's memory"),
    (["--arg", 'x={"a": 1}'], "is an object, not numbers"),
    (["--arg", "x=random", "--dim", "N=\u00b9"], "--dim 'N=\u00b9': write it as NAME=SIZE"),
])
def test_bad_command_arguments_are_errors(tmp_path, capsys, args, message):
    p = program(tmp_path, "def f(x: f32[N]) = x * 2\n")
    status, out, err = run_cli(capsys, "run", p, "f", *args)
    assert (status, out) == (1, "")
    assert message in err


def test_an_interrupt_ends_quietly(tmp_path, capsys, monkeypatch):
    import kusari.cli

    def interrupted(args):
        raise KeyboardInterrupt
    p = program(tmp_path, "def f(x: f32[N]) = x * 2\n")
    monkeypatch.setattr(kusari.cli, "_check", interrupted)
    status, out, err = run_cli(capsys, "check", p)
    assert (status, err) == (130, "kusari: interrupted\n")


def test_a_negative_seed_is_a_usage_error(tmp_path, capsys):
    p = program(tmp_path, "def f(x: f32[N]) = x * 2\n")
    with pytest.raises(SystemExit) as e:
        main(["run", str(p), "f", "--arg", "x=random", "--dim", "N=2", "--seed", "-1"])
    assert e.value.code == 2
    assert "argument --seed: must be an integer, 0 or more; got '-1'" in capsys.readouterr().err


@pytest.mark.parametrize("where,message", [
    ("missing/out.npz", "--out {d}/missing/out.npz: {d}/missing does not exist"),
(".", "--out {d}/.: is a directory; give a file name, e.g. {d}/results.npz"),
    ("prog.ksr/out.npz", "--out {d}/prog.ksr/out.npz: {d}/prog.ksr is not a directory"),
])
def test_out_is_checked_before_running(tmp_path, capsys, where, message):
    p = program(tmp_path, "def f(x: f32[N]) = x * 2\n")
    status, out, err = run_cli(capsys, "run", p, "f", "--arg", "x=[1]", "--out",
                               f"{tmp_path}/{where}")
    assert (status, out) == (1, "")                       # nothing ran
    assert err == f"kusari: error: {message.format(d=tmp_path)}\n"


def test_out_writes_the_file_named(tmp_path, capsys):
    p = program(tmp_path, "def f(x: f32[N]) = x * 2\n")
    status, out, err = run_cli(capsys, "run", p, "f", "--arg", "x=[1]", "--out",
                               tmp_path / "results")
    assert status == 0
    np.testing.assert_array_equal(np.load(tmp_path / "results")["out0"], f32(2))


# -- how errors and warnings show ---------------------------------------------------------------

def test_the_caret_lines_up_under_tabs(tmp_path, capsys):
    p = program(tmp_path, "def f(x: f32[N]) {\n\tlet a = x +\t\tzz\n\treturn a\n}\n")
    status, out, err = run_cli(capsys, "check", p)
    lines = err.splitlines()
    assert lines[0] == f"{p}:2:15: unknown name `zz`"
    assert lines[1] == "        let a = x +     zz"
    assert lines[2] == "                        ^"


def test_warnings_point_at_the_callers_code_and_the_program():
    m = kusari.loads("def f(x: f32[N]) = log(x)", "logs.ksr")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m.f(f32(-1))
    assert [str(w.message) for w in caught] == ["logs.ksr:1:5: in `f`: invalid value "
                                                "encountered"]
    assert caught[0].filename == __file__


def test_the_command_shows_warnings_in_its_own_words(tmp_path, capsys):
    p = program(tmp_path, "def f(x: f32[N]) = log(x)\n")
    status, out, err = run_cli(capsys, "run", p, "f", "--arg", "x=[-1]")
    assert (status, out) == (0, "[nan]\n")
    assert err == f"kusari: warning: {p}:1:5: in `f`: invalid value encountered\n"


@pytest.mark.parametrize("args", [
    ["run", "examples/quickstart.ksr"],
    ["emit", "examples/quickstart.ksr", "df", "--target", "numpy", "--dim", "N=3"],
    ["--help"],
])
def test_a_closed_pipe_ends_quietly(args):
    """`kusari ... | head -1` where the reader has gone before kusari writes (stdout
    buffered, as in a shell)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    p = subprocess.Popen([sys.executable, "-m", "kusari", *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=ROOT, env=env)
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0, err
    assert err == ""
