"""pytest plugin: run Chainer 7.8.1's own tests with `chainer` being kusari.

Loaded by run.py (`-p plugin`). With KUSARI_SUITE_REAL=1 it leaves a real
Chainer alone (the baseline run). Either way it writes one JSON line per test
(node id, outcome) to $KUSARI_SUITE_RESULTS.
"""
from __future__ import annotations

import json
import os
import sys
import types

if os.environ.get("KUSARI_SUITE_REAL") != "1":
    import kusari
    kusari.install_as_chainer()
    if "chainerx" not in sys.modules:
        # what a Chainer built without ChainerX has: is_available() is False
        chainerx = types.ModuleType("chainerx")
        chainerx.is_available = lambda: False

        class ndarray:  # noqa: N801 (ChainerX's name)
            pass
        chainerx.ndarray = ndarray
        sys.modules["chainerx"] = chainerx

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
