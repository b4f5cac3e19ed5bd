"""LogReport's JSON file, PrintReport's table, ProgressBar on a terminal, in
a notebook and in a log, and PlotReport without matplotlib."""
import io
import json
import os
import re
import warnings

import numpy as np
import pytest

from kusari.serializers import npz
from kusari.training import extensions
from kusari.training.extensions import util
from tests.training.test_extensions_base import FakeTrainer, every

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")     # anything but \t and \n


class Tty(io.StringIO):
    def isatty(self):
        return True


Notebook = type("OutStream", (io.StringIO,), {"__module__": "ipykernel.iostream"})


def _train(trainer, extension, losses, per_iteration=None):
    for loss in losses:
        trainer.step(**{"main/loss": np.float32(loss), "main/accuracy": 1.0})
        extension(trainer)
        if per_iteration is not None:
            per_iteration()


def test_log_report_json_format(tmp_path):
    trainer = FakeTrainer(tmp_path, iter_per_epoch=2)
    log = extensions.LogReport(trigger=every(2))
    _train(trainer, log, [1.0, 2.0, 3.0, 5.0])
    text = (tmp_path / "log").read_text()
    expected = [
        {"main/loss": 1.5, "main/accuracy": 1.0, "epoch": 1, "iteration": 2,
         "elapsed_time": 1.0},
        {"main/loss": 4.0, "main/accuracy": 1.0, "epoch": 2, "iteration": 4,
         "elapsed_time": 2.0},
    ]
    assert json.loads(text) == expected
    assert text == json.dumps(expected, indent=4)        # Chainer's layout
    assert log.log == expected
    assert all(type(v) in (float, int) for entry in log.log for v in entry.values())
    assert os.listdir(tmp_path) == ["log"]                # no temporary left


def test_log_report_file_replaced_whole_each_time(tmp_path):
    trainer = FakeTrainer(tmp_path)
    log = extensions.LogReport(trigger=every(1))
    seen = []

    def read():      # a reader between iterations always finds a whole, valid file
        seen.append(len(json.loads((tmp_path / "log").read_text())))
        assert sorted(os.listdir(tmp_path)) == ["log"]

    _train(trainer, log, [1, 2, 3], per_iteration=read)
    assert seen == [1, 2, 3]


def test_log_report_keys_postprocess_filename(tmp_path):
    trainer = FakeTrainer(tmp_path)

    def post(entry):
        entry["double"] = entry["main/loss"] * 2

    log = extensions.LogReport(keys=["main/loss"], trigger=every(2), postprocess=post,
                               filename="log_{iteration}.json")
    _train(trainer, log, [1.0, 3.0])
    entries = json.loads((tmp_path / "log_2.json").read_text())
    assert entries == [{"main/loss": 2.0, "epoch": 0, "iteration": 2,
                        "elapsed_time": 1.0, "double": 4.0}]
    nofile = extensions.LogReport(trigger=every(1), log_name=None)
    _train(FakeTrainer(tmp_path / "none"), nofile, [1.0])
    assert not (tmp_path / "none").exists() and len(nofile.log) == 1


def test_log_report_serialize_roundtrip(tmp_path):
    trainer = FakeTrainer(tmp_path)
    log = extensions.LogReport(trigger=every(2))
    _train(trainer, log, [1.0, 2.0, 4.0])           # one entry, one pending value
    npz.save_npz(str(tmp_path / "s.npz"), log)
    again = extensions.LogReport(trigger=every(2))
    npz.load_npz(str(tmp_path / "s.npz"), again)
    assert again.log == log.log
    trainer.step(**{"main/loss": 6.0, "main/accuracy": 1.0})
    again(trainer)
    assert again.log[-1]["main/loss"] == 5.0         # the pending 4.0 was kept


def test_log_report_unknown_keyword():
    with pytest.raises(TypeError, match="unexpected keyword"):
        extensions.LogReport(bogus=1)


def _print_report(tmp_path, out, rows):
    trainer = FakeTrainer(tmp_path)
    log = extensions.LogReport(trigger=every(1), filename=None)
    report = extensions.PrintReport(["epoch", "main/loss", "missing"], log_report=log,
                                    out=out)
    for loss in rows:
        trainer.step(**{"main/loss": loss})
        report(trainer)
    return out.getvalue()


def test_print_report_table(tmp_path):
    text = _print_report(tmp_path, io.StringIO(), [0.5, 0.25])
    assert text.splitlines() == [
        "epoch       main/loss   missing   ",
        "0           0.5                     ",
        "0           0.25                    ",
    ]
    assert not CONTROL.search(text)


def test_print_report_clears_progress_bar_on_terminal(tmp_path, monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    text = _print_report(tmp_path, Tty(), [0.5])
    assert text.count("\033[J") == 1


def test_print_report_bad_log_report(tmp_path):
    report = extensions.PrintReport(["epoch"], log_report=3, out=io.StringIO())
    with pytest.raises(TypeError, match="wrong type"):
        report(FakeTrainer(tmp_path))


class _Stop:
    def get_training_length(self):
        return 20, "iteration"


def _progress(tmp_path, out, n=10, interval=2):
    trainer = FakeTrainer(tmp_path, iter_per_epoch=4, stop_trigger=_Stop())
    bar = extensions.ProgressBar(update_interval=interval, out=out)
    for _ in range(n):
        trainer.step()
        bar(trainer)
    bar.finalize()
    return out.getvalue()


def test_progress_bar_plain_lines_without_control_characters(tmp_path):
    text = _progress(tmp_path, io.StringIO())
    lines = text.splitlines()
    assert len(lines) == 5
    assert not CONTROL.search(text)
    assert lines[-1].startswith("iteration 10, epoch 2 / 20 iterations, total 50.00%, "
                                "this epoch 50.00%, ")
    assert re.search(r"[\d.e+]+ iters/sec, ETA (\d+:\d\d:\d\d|unknown)$", lines[-1])


def test_progress_bar_terminal_block(tmp_path, monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    text = _progress(tmp_path, Tty(), n=2, interval=2)
    assert text.startswith("\033[J     total [#####")
    assert "] 10.00%\nthis epoch [#########################" in text
    assert "         2 iter, 0 epoch / 20 iterations\n" in text
    assert "iters/sec. Estimated time to finish: " in text
    assert "\033[4A" in text and text.endswith("\033[J")


def test_progress_bar_notebook_rewrites_one_line(tmp_path):
    text = _progress(tmp_path, Notebook())
    assert text.count("\r") == 5 and text.endswith("\n") and text.count("\n") == 1
    assert "\033" not in text


def test_progress_bar_eta_from_speed():
    assert util.format_eta(75.5) == "0:01:15.500000"
    assert util.format_eta(75.6, whole=True) == "0:01:16"
    assert util.format_eta(None) == "unknown"
    assert util.ProgressBar.remaining(10, 2.0) == 5.0
    assert util.ProgressBar.remaining(10, 0.0) is None        # no progress seen
    assert util.ProgressBar.remaining(10, float("inf")) == 0.0


def test_progress_bar_without_training_length(tmp_path):
    trainer = FakeTrainer(tmp_path, stop_trigger=object())
    out = io.StringIO()
    bar = extensions.ProgressBar(update_interval=1, out=out)
    trainer.step()
    bar(trainer)
    assert "total" not in out.getvalue() and "ETA unknown" in out.getvalue()


def test_evaluator_progress_bar_plain(tmp_path):
    from kusari.training.extensions.evaluator import _IteratorProgressBar
    from kusari import iterators
    it = iterators.SerialIterator(list(range(4)), 2, repeat=False, shuffle=False)
    out = io.StringIO()
    pbar = _IteratorProgressBar(it, out=out)
    next(it)
    pbar.update()
    assert out.getvalue().startswith("validation 50.00%, 2 iterations, ")
    with pytest.raises(TypeError, match="current_position"):
        _IteratorProgressBar(object())


try:
    import matplotlib  # noqa: F401
    HAVE_MPL = True
except ImportError:
    HAVE_MPL = False


@pytest.mark.skipif(HAVE_MPL, reason="checks the message given when matplotlib is missing")
def test_plot_report_without_matplotlib(tmp_path):
    with pytest.warns(UserWarning, match="pip install matplotlib"):
        plot = extensions.PlotReport(["main/loss"], trigger=every(1))
    with pytest.warns(UserWarning, match="matplotlib is not installed"):
        assert extensions.PlotReport.available() is False
    trainer = FakeTrainer(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # no warning per call
        _train(trainer, plot, [1.0, 2.0])
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(not HAVE_MPL, reason="matplotlib (an optional extra) is not installed")
def test_plot_report_writes_png(tmp_path):
    matplotlib.use("Agg")
    plot = extensions.PlotReport(["main/loss"], trigger=every(1), filename="loss.png")
    _train(FakeTrainer(tmp_path), plot, [1.0, 2.0])
    assert os.listdir(tmp_path) == ["loss.png"]
    assert (tmp_path / "loss.png").read_bytes()[:4] == b"\x89PNG"
    assert [y for _, y in plot._data["main/loss"]] == [1.0, 2.0]
    bare = extensions.PlotReport("main/loss", trigger=every(1), filename="plot")
    _train(FakeTrainer(tmp_path / "bare"), bare, [1.0])
    assert os.listdir(tmp_path / "bare") == ["plot"]       # saved as named (PNG)


@pytest.mark.skipif(not HAVE_MPL, reason="matplotlib (an optional extra) is not installed")
@pytest.mark.parametrize("kw", [{}, {"plot_std": False}, {"plot_mean": False, "plot_std": False},
                                {"percentile_sigmas": (10, 50, 90, 95)}, {"report_grad": False}])
def test_variable_statistics_plot_writes_png(tmp_path, kw):
    import kusari
    matplotlib.use("Agg")
    link = kusari.links.Linear(3, 2)
    plot = extensions.VariableStatisticsPlot(link, trigger=every(2), filename="s.png", **kw)
    trainer = FakeTrainer(tmp_path)
    for _ in range(4):
        trainer.step()
        plot(trainer)
    assert os.listdir(tmp_path) == ["s.png"]
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_variable_statistics_plot_arguments():
    import kusari
    with pytest.raises(ValueError, match="at least one"):
        extensions.VariableStatisticsPlot([])
    with pytest.raises(ValueError, match="Nothing to plot"):
        extensions.VariableStatisticsPlot(kusari.links.Linear(3, 2), plot_mean=False,
                                          plot_std=False, percentile_sigmas=())


def test_print_report_in_a_notebook_replaces_the_progress_line(tmp_path):
    text = _print_report(tmp_path, Notebook(), [0.5])
    assert text.startswith("\repoch ") and "\n\r0 " in text and "\033" not in text


def test_dumb_terminal_gets_plain_lines(tmp_path, monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    assert util.output_mode(Tty()) == "plain"
    monkeypatch.setenv("TERM", "xterm")
    assert util.output_mode(Tty()) == "tty"
    assert util.output_mode(io.StringIO()) == "plain"


def test_log_file_in_a_subdirectory(tmp_path):
    log = extensions.LogReport(trigger=every(1), filename="logs/log_{iteration}")
    _train(FakeTrainer(tmp_path), log, [1.0])
    assert os.listdir(tmp_path) == ["logs"] and os.listdir(tmp_path / "logs") == ["log_1"]
