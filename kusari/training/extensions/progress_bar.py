"""ProgressBar: training progress, speed and the estimated time left.

On a terminal it draws Chainer's four lines in place::

         total [#####.............................................]  10.00%
    this epoch [#########################.........................]  50.00%
           100 iter, 2 epoch / 20 epochs
        123.45 iters/sec. Estimated time to finish: 0:00:07.290000.

In a notebook it rewrites one line; in a file or a CI log it writes one plain
line per update with no control characters (see `util`).
"""
from __future__ import annotations

from kusari.training import extension

from . import util


class ProgressBar(extension.Extension):
    """Shows the progress every `update_interval` iterations.

    Args:
        training_length: ``(length, unit)``; read from the trainer's stop
            trigger (``get_training_length()``) if None.
        update_interval: iterations between two updates of the bar.
        bar_length: the width of the bars in characters.
        out: the stream; the current ``sys.stdout`` if None.
    """

    def __init__(self, training_length=None, update_interval=100, bar_length=50,
                 out=None):
        self._training_length = training_length
        self._update_interval = update_interval
        self._pbar = _TrainerProgressBar(training_length, bar_length, out)

    def __call__(self, trainer) -> None:
        self._pbar.trainer = trainer
        if trainer.updater.iteration % self._update_interval == 0:
            self._pbar.update()

    def finalize(self) -> None:
        self._pbar.close()


class _TrainerProgressBar(util.ProgressBar):

    def __init__(self, training_length, bar_length, out):
        super().__init__(bar_length=bar_length, out=out)
        self.trainer = None
        self.training_length = training_length

    def _length(self):
        if self.training_length is None:
            get = getattr(self.trainer.stop_trigger, "get_training_length", None)
            if get is not None:
                self.training_length = get()
        return self.training_length

    def _state(self):
        updater = self.trainer.updater
        iteration = updater.iteration
        epoch_detail = updater.epoch_detail
        speed_t, speed_e = self.update_speed(iteration, epoch_detail)
        length = self._length()
        rate = eta = None
        if length is not None:
            total, unit = length
            if unit == "iteration":
                rate = iteration / total
                eta = self.remaining(total - iteration, speed_t)
            else:
                rate = epoch_detail / total
                eta = self.remaining(total - epoch_detail, speed_e)
            rate = min(rate, 1.0)
        return updater, iteration, epoch_detail, rate, speed_t, eta

    def get_lines(self) -> list:
        updater, iteration, epoch_detail, rate, speed_t, eta = self._state()
        n = self._bar_length
        lines = []
        if rate is not None:
            lines.append(f"     total {util.bar(rate, n)} {rate:6.2%}\n")
        epoch_rate = epoch_detail - int(epoch_detail)
        lines.append(f"this epoch {util.bar(epoch_rate, n)} {epoch_rate:6.2%}\n")
        status = f"{iteration:10} iter, {updater.epoch} epoch"
        if self.training_length is not None:
            status += " / {} {}s".format(*self.training_length)
        lines.append(status + "\n")
        lines.append(f"{speed_t:10.5g} iters/sec. Estimated time to finish: "
                     f"{util.format_eta(eta)}.\n")
        return lines

    def get_line(self) -> str:
        updater, iteration, epoch_detail, rate, speed_t, eta = self._state()
        parts = [f"iteration {iteration}", f"epoch {updater.epoch}"]
        if rate is not None:
            parts[-1] += " / {} {}s".format(*self.training_length)
            parts.append(f"total {rate:.2%}")
        parts.append(f"this epoch {epoch_detail - int(epoch_detail):.2%}")
        parts.append(f"{speed_t:.5g} iters/sec")
        parts.append(f"ETA {util.format_eta(eta, whole=True)}")
        return ", ".join(parts)
