"""kusari.testing.attr: Chainer's test marks skip cleanly, with the reason,
where the GPU (CuPy, cuDNN, iDeep, ChainerX) they ask for is absent, and they
are registered markers (no PytestUnknownMarkWarning)."""
from __future__ import annotations

import pathlib
import subprocess
import sys
import textwrap
import unittest

import pytest

from kusari.backends import cuda
from kusari.testing import attr

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _run(cls) -> unittest.TestResult:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(cls).run(result)
    return result


def _marks(obj) -> list:
    return [m.name for m in getattr(obj, "pytestmark", [])]


@pytest.fixture
def gpus(monkeypatch):
    """Pretend the machine has `n` GPUs (and CuPy)."""
    def set_count(n):
        monkeypatch.setattr(attr, "_gpu_count", (n, None if n else "no GPU is visible"))
    return set_count


def test_gpu_marks_skip_without_cupy(monkeypatch):
    monkeypatch.setattr(attr, "_gpu_count", None)
    monkeypatch.setattr(cuda, "available", False)
    ran = []

    class Probe(unittest.TestCase):
        @attr.gpu
        def test_gpu(self):
            ran.append("gpu")

        @attr.multi_gpu(2)
        def test_two(self):
            ran.append("two")

        @attr.cudnn
        def test_cudnn(self):
            ran.append("cudnn")

        @attr.slow
        def test_slow(self):
            ran.append("slow")

    result = _run(Probe)
    assert result.wasSuccessful() and ran == ["slow"]
    reasons = sorted(reason for _, reason in result.skipped)
    assert reasons == ["CuPy is not installed: the test needs 2 GPUs",
                       "CuPy is not installed: the test needs a GPU",
                       "CuPy is not installed: the test needs a GPU"]
    assert "gpu" in _marks(Probe.test_gpu) and "skip" in _marks(Probe.test_gpu)
    assert "gpu" in _marks(Probe.test_two)
    assert "cudnn" in _marks(Probe.test_cudnn)
    assert _marks(Probe.test_slow) == ["slow"]


def test_gpu_marks_run_where_the_gpus_are(gpus, monkeypatch):
    gpus(2)
    monkeypatch.setattr(cuda, "cudnn_enabled", True)
    ran = []

    class Probe(unittest.TestCase):
        @attr.gpu
        def test_gpu(self):
            ran.append("gpu")

        @attr.multi_gpu(2)
        def test_two(self):
            ran.append("two")

        @attr.multi_gpu(3)
        def test_three(self):
            ran.append("three")

        @attr.cudnn
        def test_cudnn(self):
            ran.append("cudnn")

    result = _run(Probe)
    assert sorted(ran) == ["cudnn", "gpu", "two"]
    assert [reason for _, reason in result.skipped] == ["3 GPUs required, 2 available"]
    assert _marks(Probe.test_gpu) == ["gpu"]


def test_cudnn_skips_without_cudnn(gpus, monkeypatch):
    gpus(1)
    monkeypatch.setattr(cuda, "cudnn_enabled", False)

    @attr.cudnn
    class Probe(unittest.TestCase):
        def test_it(self):
            raise AssertionError("must not run")

    result = _run(Probe)
    assert [reason for _, reason in result.skipped] == ["cuDNN is not available"]
    assert set(_marks(Probe)) == {"cudnn", "skip"}


def test_gpu_limit_and_no_gpu(gpus, monkeypatch):
    gpus(0)

    @attr.gpu
    def test_function():
        raise AssertionError("must not run")

    with pytest.raises(unittest.SkipTest, match="no GPU is visible: the test needs a GPU"):
        test_function()
    gpus(4)
    monkeypatch.setattr(attr, "_gpu_limit", 1)

    @attr.multi_gpu(2)
    def test_two():
        raise AssertionError("must not run")

    with pytest.raises(unittest.SkipTest, match="2 GPUs required"):
        test_two()


def test_marks_called_with_arguments_and_on_plain_classes(gpus):
    gpus(0)

    @attr.gpu
    class PlainProbe:                    # a pytest class, not a TestCase
        def test_it(self):
            raise AssertionError("must not run")

    assert set(_marks(PlainProbe)) == {"gpu", "skip"}
    assert attr.slow(reason="x").name == "slow"

    @attr.cudnn()
    def test_function():
        raise AssertionError("must not run")

    assert set(_marks(test_function)) == {"cudnn", "skip"}


def test_chainerx_and_ideep_skip():
    ran = []

    class Probe(unittest.TestCase):
        @attr.chainerx
        def test_chx(self):
            ran.append("chx")

        @attr.ideep
        def test_ideep(self):
            ran.append("ideep")

    result = _run(Probe)
    assert ran == [] and len(result.skipped) == 2


_PROBE = """
    import unittest
    from kusari.testing import attr

    class TestProbe(unittest.TestCase):
        @attr.gpu
        def test_gpu(self):
            pass

        @attr.slow
        def test_slow(self):
            pass

    @attr.multi_gpu(2)
    def test_two():
        pass

    @attr.cudnn
    class TestCudnn:
        def test_it(self):
            pass
"""


def _pytest(tmp_path, *args):
    probe = tmp_path / "test_probe.py"
    probe.write_text(textwrap.dedent(_PROBE))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider",
         "--strict-markers", "-W", "error::pytest.PytestUnknownMarkWarning",
         *args, str(probe)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(cuda.available, reason="checks the run without CuPy")
@pytest.mark.parametrize("register", ["pyproject", "plugin"])
def test_pytest_run_registers_the_marks_and_skips(tmp_path, register):
    # kusari's own pyproject.toml registers them; elsewhere, the plugin does
    args = ["-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path)] \
        if register == "pyproject" else ["-p", "kusari.testing.attr"]
    run = _pytest(tmp_path, *args)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "1 passed, 3 skipped" in out, out
    assert "CuPy is not installed: the test needs a GPU" in out
    assert "CuPy is not installed: the test needs 2 GPUs" in out
    assert "PytestUnknownMarkWarning" not in out


@pytest.mark.skipif(cuda.available, reason="checks the run without CuPy")
def test_unregistered_marks_fail_strict_markers(tmp_path):
    # (the check above can fail: without registration the run errors)
    run = _pytest(tmp_path, "--rootdir", str(tmp_path))
    assert run.returncode != 0
    assert "not found in `markers` configuration option" in run.stdout + run.stderr
