"""Run Chainer 7.8.1's unit tests against kusari (or against Chainer itself).

    python tools/chainer_suite/run.py --src ~/chainer-src [PATHS...]
        [--real PYTHON] [--results FILE] [--baseline FILE] [--timeout S]

--src is a checkout of chainer/chainer at tag v7.8.1 (its tests/chainer_tests
is what runs). PATHS are test files or folders relative to tests/chainer_tests
(all of it when none). GPU, cuDNN, iDeep, ChainerX, Theano and slow tests are
deselected, as the issue asks. --real PYTHON runs the same tests under a
Python that has Chainer 7.8.1 installed (the baseline). --baseline FILE (the
results of a --real run) makes the summary count how many of the tests that
pass on Chainer pass on kusari, per folder. Arguments after `--` go to pytest.

The NumPy 1 aliases that NumPy 2 removed (numpy.product, complex_ ...) are
restored for the run: the test files use them (plugin.py).
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
MARKS = "not gpu and not cudnn and not ideep and not slow and not chainerx " \
        "and not multi_gpu and not theano"

# Chainer's setup.cfg turns warnings into errors; these filters drop what this
# machine's NumPy and Python warn about that Chainer 7.8.1 predates, and the two
# filters naming Chainer's own warning classes (pytest imports them before any
# plugin runs, which would import the real chainer).
INI = """[pytest]
python_files = test_*.py
python_classes = Test
python_functions = test
filterwarnings =
    error
    default::ImportWarning
    ignore:Some of grads are ignored by chainer\\.backward\\.:RuntimeWarning
    ignore::DeprecationWarning
    ignore::PendingDeprecationWarning
    ignore::FutureWarning
markers =
    chainerx: Tests to use ChainerX
    cudnn: Tests to use cuDNN
    gpu: Tests to run on GPU
    ideep: Tests to use IDeep
    theano: Tests to use Theano
    multi_gpu: Tests to uses multi GPUs
    slow: Tests thats takes time
    parametrize_device: Parametrize ChainerX devices
    parametrize_device_name: Parametrize ChainerX device names
"""


_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def load(path) -> dict:
    """Test id -> outcome; object addresses in parameterized ids (`object at
    0x7f...`) differ from run to run, so they are blanked."""
    out = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            out[_ADDRESS.sub("0x?", r["id"])] = r["outcome"]
    return out


def area(test_id: str) -> str:
    parts = test_id.split("::")[0].split("/")
    # tests/chainer_tests/<area>/...
    return parts[2] if len(parts) > 3 else "(top level)"


def summarize(results: dict, baseline: dict | None) -> str:
    lines = []
    rows = collections.defaultdict(collections.Counter)
    for tid, outcome in results.items():
        rows[area(tid)][outcome] += 1
    if baseline is None:
        for name in sorted(rows):
            c = rows[name]
            lines.append(f"{name:32s} " + " ".join(f"{k}={v}" for k, v in sorted(c.items())))
        return "\n".join(lines)
    passing = {t for t, o in baseline.items() if o == "passed"}
    per = collections.defaultdict(lambda: [0, 0])
    for t in passing:
        a = area(t)
        per[a][1] += 1
        if results.get(t) == "passed":
            per[a][0] += 1
    total = [0, 0]
    for name in sorted(per):
        ok, n = per[name]
        total[0] += ok
        total[1] += n
        lines.append(f"{name:32s} {ok:6d}/{n:<6d} {100 * ok / max(n, 1):5.1f}%")
    lines.append(f"{'all':32s} {total[0]:6d}/{total[1]:<6d} "
                 f"{100 * total[0] / max(total[1], 1):5.1f}%")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="*")
    p.add_argument("--src", required=True, type=pathlib.Path)
    p.add_argument("--real", metavar="PYTHON")
    p.add_argument("--results", type=pathlib.Path, default=pathlib.Path("suite.jsonl"))
    p.add_argument("--baseline", type=pathlib.Path)
    p.add_argument("--timeout", type=int, default=120)
    p.add_argument("--summary-only", action="store_true")
    argv = sys.argv[1:] if argv is None else list(argv)
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    a = p.parse_args(argv)
    a.pytest_args = extra
    results = a.results.resolve()
    if not a.summary_only:
        src = a.src.expanduser().resolve()
        (src / "pytest.ini").write_text(INI)
        setup_cfg = src / "setup.cfg"
        if setup_cfg.exists():      # pytest would read its [tool:pytest] first
            setup_cfg.rename(src / "setup.cfg.orig")
        targets = [str(pathlib.Path("tests/chainer_tests") / t) for t in a.paths] or \
            ["tests/chainer_tests"]
        if results.exists():
            results.unlink()
        env = dict(os.environ, KUSARI_SUITE_RESULTS=str(results),
                   PYTHONPATH=os.pathsep.join([str(HERE), str(src)]))
        if a.real:
            env["KUSARI_SUITE_REAL"] = "1"
        else:   # subprocesses the tests start import chainer as kusari too
            env["PYTHONPATH"] = os.pathsep.join([str(HERE / "shim"), env["PYTHONPATH"]])
        python = a.real or sys.executable
        cmd = [python, "-m", "pytest", "-p", "plugin", "-p", "no:cacheprovider",
               "-q", "-m", MARKS, f"--timeout={a.timeout}", "-rN", "--continue-on-collection-errors",
               *targets, *a.pytest_args]
        subprocess.call(cmd, cwd=src, env=env)
    baseline = load(a.baseline) if a.baseline else None
    print(summarize(load(results), baseline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
