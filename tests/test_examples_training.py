"""The training examples run as users run them (a fresh interpreter, quick
mode, synthetic data) and reach what their docstrings state; their LogReport
log, snapshots and resuming work as Chainer's do; Chainer 7.8.1's own MNIST
example runs unchanged on kusari."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
MNIST = ROOT / "examples" / "mnist" / "train_mnist.py"
PTB = ROOT / "examples" / "ptb" / "train_ptb.py"
CHAINER_REPO = Path("/work/.mirror/chainer+chainer/repo")


def _synthetic_mnist():
    spec = importlib.util.spec_from_file_location(
        "synthetic_mnist", ROOT / "examples" / "mnist" / "synthetic_mnist.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def env(tmp_path):
    """An environment with empty dataset roots (kusari's and Chainer's: a
    user's cached MNIST is never read, and nothing is downloaded) and one
    BLAS thread (the machine is shared; results are reproducible)."""
    roots = tmp_path / "datasets"
    e = dict(os.environ, KUSARI_DATASET_ROOT=str(roots / "kusari"),
             CHAINER_DATASET_ROOT=str(roots / "chainer"), OPENBLAS_NUM_THREADS="1",
             OMP_NUM_THREADS="1", MPLBACKEND="Agg",
             PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                      os.environ.get("PYTHONPATH")])))
    return e


def run(env, *args, cwd=None, timeout=120):
    r = subprocess.run([sys.executable, *map(str, args)], cwd=cwd or ROOT, env=env,
                       capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r.stdout


def read_log(out: Path) -> list:
    with open(out / "log") as f:
        return json.load(f)


def snapshot_arrays(path: Path, *prefixes: str) -> dict:
    with np.load(path) as f:
        return {k: f[k] for k in f.files if k.startswith(prefixes)}


# -- MNIST -------------------------------------------------------------------

def test_mnist_quick_reaches_the_stated_accuracy(env, tmp_path):
    out = tmp_path / "result"
    stdout = run(env, MNIST, "--quick", "--epoch", "3", "--out", out)
    assert "# data: synthetic (20000 training, 2000 test images)" in stdout
    assert "# unit: 100" in stdout
    # the StandardUpdater compiled the step once the batch shape recurred
    assert "# update step: compiled for batches float32[100, 784], int32[100] " \
           "(the last update ran compiled)" in stdout
    # PrintReport's header and rows (epoch 0 comes from call_before_training)
    assert "validation/main/accuracy" in stdout.splitlines()[6]
    log = read_log(out)
    # LogReport's file: Chainer's JSON list, one entry per epoch, epoch 0 first
    assert [e["epoch"] for e in log] == [0, 1, 2, 3]
    assert [e["iteration"] for e in log] == [0, 200, 400, 600]
    assert set(log[-1]) == {"main/loss", "main/accuracy", "validation/main/loss",
                            "validation/main/accuracy", "epoch", "iteration",
                            "elapsed_time"}
    assert log[0]["validation/main/accuracy"] < 0.2          # untrained: chance
    assert log[-1]["validation/main/accuracy"] >= 0.90       # the docstring's figure
    assert log[-1]["main/loss"] < log[1]["main/loss"]
    assert (out / "snapshot_iter_600").exists() and (out / "cg.dot").exists()
    assert not [p for p in os.listdir(out) if p.startswith("tmp")]


def test_mnist_resume_and_autoload_equal_an_uninterrupted_run(env, tmp_path):
    args = [MNIST, "--quick", "--noprogress", "--frequency", "1"]
    run(env, *args, "--epoch", "2", "--out", tmp_path / "whole")
    run(env, *args, "--epoch", "1", "--out", tmp_path / "first")
    assert sorted(p for p in os.listdir(tmp_path / "first")
                  if p.startswith("snapshot")) == ["snapshot_iter_200"]
    shutil.copytree(tmp_path / "first", tmp_path / "auto")
    run(env, *args, "--epoch", "2", "--out", tmp_path / "resumed",
        "--resume", tmp_path / "first" / "snapshot_iter_200")
    run(env, *args, "--epoch", "2", "--out", tmp_path / "auto", "--autoload")

    # the model and the optimizer's state (not the iterator's order for the
    # next epoch: it is drawn from NumPy's global generator, which a snapshot
    # does not hold, in Chainer as here)
    parts = ("updater/model:", "updater/optimizer:", "updater/iteration")
    whole = snapshot_arrays(tmp_path / "whole" / "snapshot_iter_400", *parts)
    assert any(k.endswith("l1/W") for k in whole) and any(k.endswith("W/m") for k in whole)
    for name in ("resumed", "auto"):
        # n_retains=1: only the latest snapshot is kept
        assert sorted(p for p in os.listdir(tmp_path / name)
                      if p.startswith("snapshot")) == ["snapshot_iter_400"]
        got = snapshot_arrays(tmp_path / name / "snapshot_iter_400", *parts)
        assert got.keys() == whole.keys()
        for k in whole:
            np.testing.assert_allclose(got[k], whole[k], rtol=1e-6, atol=1e-7, err_msg=k)
        # the log goes on from the snapshot's: both epochs, the same values
        a, b = read_log(tmp_path / "whole"), read_log(tmp_path / name)
        assert [e["iteration"] for e in b] == [0, 200, 400]
        for ea, eb in zip(a, b):
            for k in ("main/loss", "validation/main/accuracy"):
                if k in ea:
                    assert eb[k] == pytest.approx(ea[k], rel=1e-5), (name, k)


def test_mnist_reads_the_cache_and_never_downloads(env, tmp_path):
    # a small data set in MNIST's cache layout under kusari's dataset root
    _synthetic_mnist().write_npz(env["KUSARI_DATASET_ROOT"], n_train=1000, n_test=200)
    stdout = run(env, MNIST, "--epoch", "1", "--unit", "20", "--noprogress",
                 "--out", tmp_path / "a")
    assert "# data: mnist (1000 training, 200 test images)" in stdout
    assert read_log(tmp_path / "a")[-1]["iteration"] == 10

    shutil.rmtree(env["KUSARI_DATASET_ROOT"])
    stdout = run(env, MNIST, "--quick", "--epoch", "1", "--noprogress", "--data", "auto",
                 "--out", tmp_path / "b")
    assert "# data: synthetic" in stdout
    r = subprocess.run([sys.executable, str(MNIST), "--data", "mnist", "--out",
                        str(tmp_path / "c")], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode != 0 and "MNIST is not in the dataset cache" in r.stderr
    assert "Downloading" not in r.stderr
    assert not os.path.exists(os.path.join(env["KUSARI_DATASET_ROOT"], "_dl_cache"))


def test_chainers_own_mnist_example_runs_unchanged(env, tmp_path):
    """Chainer 7.8.1's examples/mnist/train_mnist.py, from a temporary copy,
    after kusari.install_as_chainer(), on synthetic data in MNIST's cache
    layout: it trains, evaluates, logs, plots and snapshots."""
    if importlib.util.find_spec("matplotlib") is None:
        pytest.skip("Chainer's example imports matplotlib at the top; install "
                    "kusari's `plot` extra to run it")
    if not CHAINER_REPO.exists():
        pytest.skip(f"no Chainer repository at {CHAINER_REPO} to take the example from")
    r = subprocess.run(["git", "-C", str(CHAINER_REPO), "show",
                        "v7.8.1:examples/mnist/train_mnist.py"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"Chainer's v7.8.1 example is not in {CHAINER_REPO}: {r.stderr}")
    script = tmp_path / "train_mnist.py"
    script.write_text(r.stdout)
    _synthetic_mnist().write_npz(env["KUSARI_DATASET_ROOT"], n_train=20000, n_test=2000)
    out = tmp_path / "result"
    stdout = run(env, ROOT / "examples" / "mnist" / "run_chainer_script.py", script,
                 "--epoch", "3", "--unit", "100", "--frequency", "1", "--out", out)
    assert "Device: @numpy" in stdout
    log = read_log(out)
    assert [e["epoch"] for e in log] == [0, 1, 2, 3]
    # (its weights are not seeded: our script's figure, with some room)
    assert log[-1]["validation/main/accuracy"] >= 0.85
    assert (out / "loss.png").stat().st_size > 0 and (out / "accuracy.png").exists()
    assert (out / "cg.dot").exists()
    assert sorted(p for p in os.listdir(out) if p.startswith("snapshot")) == \
        ["snapshot_iter_600"]


# -- PTB-style LSTM language model ----------------------------------------------

def test_ptb_quick_reaches_the_stated_perplexity(env, tmp_path):
    out = tmp_path / "result"
    stdout = run(env, PTB, "--quick", "--noprogress", "--out", out)
    assert "# perplexity of the source 2.45, best bigram 3.76, best unigram 13.18" in stdout
    log = read_log(out)
    assert [e["epoch"] for e in log] == [1, 2, 3, 4, 5, 6]
    assert {"main/loss", "perplexity", "validation/main/loss", "val_perplexity"} <= set(log[0])
    # LogReport's postprocess: perplexity = exp(loss)
    assert log[-1]["val_perplexity"] == pytest.approx(
        np.exp(log[-1]["validation/main/loss"]), rel=1e-6)
    assert log[0]["val_perplexity"] > 4.5
    # the docstring's figure: below what any bigram model can reach (3.76)
    assert log[-1]["val_perplexity"] <= 3.3
    # variable lengths: some recurring structures compiled, the others eager
    line = next(l for l in stdout.splitlines() if "BPTT lengths" in l)
    updates, lengths, compiled = (int(line.split()[i]) for i in (1, 4, 11))
    assert updates == log[-1]["iteration"] and 5 <= lengths <= 20
    assert 1 <= compiled < lengths, line
    assert (out / f"snapshot_iter_{updates}").exists()


def test_ptb_resumes_from_a_snapshot(env, tmp_path):
    args = [PTB, "--quick", "--noprogress", "--words", "4000"]
    run(env, *args, "--epoch", "1", "--out", tmp_path / "first")
    snapshot, = [p for p in os.listdir(tmp_path / "first") if p.startswith("snapshot")]
    stdout = run(env, *args, "--epoch", "2", "--out", tmp_path / "second",
                 "--resume", tmp_path / "first" / snapshot)
    first, second = read_log(tmp_path / "first"), read_log(tmp_path / "second")
    assert second[0] == first[0] and [e["epoch"] for e in second] == [1, 2]
    # the updates go on from the snapshot's iteration (lengths drawn as in one run)
    assert int(stdout.split("# ")[-1].split()[0]) == \
        second[1]["iteration"] - first[0]["iteration"]
    assert second[1]["val_perplexity"] < first[0]["val_perplexity"]
