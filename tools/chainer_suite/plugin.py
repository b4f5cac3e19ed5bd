"""pytest plugin: run Chainer 7.8.1's own tests with `chainer` being kusari.

Loaded by run.py (`-p plugin`). With KUSARI_SUITE_REAL=1 it leaves a real
Chainer alone (the baseline run). Either way it writes one JSON line per test
(node id, outcome) to $KUSARI_SUITE_RESULTS.
"""
from __future__ import annotations

import json
import os
import sys

import numpy

if os.environ.get("KUSARI_SUITE_REAL") != "1":
    import kusari
    kusari.install_as_chainer()

# Chainer 7.8.1's tests were written for NumPy 1; NumPy 2 removed these
# aliases. The test files (not kusari) use them, so the run restores them.
_NUMPY1 = {"product": "prod", "cumproduct": "cumprod", "alltrue": "all",
           "sometrue": "any", "round_": "round", "complex_": "complex128",
           "float_": "float64", "Inf": "inf", "Infinity": "inf", "NaN": "nan",
           "infty": "inf", "string_": "bytes_", "unicode_": "str_",
           "bool8": "bool_"}
for _old, _new in _NUMPY1.items():
    if not hasattr(numpy, _old):
        setattr(numpy, _old, getattr(numpy, _new))

_out = None


def _write(record: dict) -> None:
    global _out
    path = os.environ.get("KUSARI_SUITE_RESULTS")
    if not path:
        return
    if _out is None:
        _out = open(path, "a", buffering=1)
    _out.write(json.dumps(record) + "\n")


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        outcome = report.outcome
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        _write({"id": report.nodeid, "outcome": outcome})


def pytest_collectreport(report):
    if report.failed:
        _write({"id": report.nodeid, "outcome": "collect-error"})
