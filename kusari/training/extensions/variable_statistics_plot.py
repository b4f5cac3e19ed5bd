"""VariableStatisticsPlot: plots how the statistics of variables (values and
gradients) change over training: mean and standard deviation, and bands
between percentiles. matplotlib is an optional extra (see PlotReport)."""
from __future__ import annotations

import os

import numpy

from kusari import backend
from kusari.link import Link
from kusari.training import extension
from kusari.utils import argument
from kusari.variable import Variable

from ._common import get_trigger, matplotlib_available, replacing

_COLOR = "#1f77b4"          # matplotlib's C0


def _unpack_variables(x, memo=None) -> tuple:
    """The variables in `x`: a Variable, a Link's parameters, or lists of them."""
    memo = () if memo is None else memo
    if isinstance(x, Variable):
        memo += (x,)
    elif isinstance(x, Link):
        memo += tuple(x.params(include_uninit=True))
    elif isinstance(x, (list, tuple)):
        for xi in x:
            memo += _unpack_variables(xi)
    return memo


class Reservoir:
    """A uniform random sample of at most `size` of the arrays added
    (reservoir sampling), each kept with its index (the iteration)."""

    def __init__(self, size, data_shape, dtype=numpy.float32):
        self.size = size
        self.data = numpy.zeros((size,) + tuple(data_shape), dtype=dtype)
        self.idxs = numpy.zeros((size,), dtype=numpy.int32)
        self.counter = 0

    def add(self, x, idx=None) -> None:
        idx = self.counter if idx is None else idx
        if self.counter < self.size:
            self.data[self.counter] = x
            self.idxs[self.counter] = idx
        elif numpy.random.random() < self.size / float(self.counter + 1):
            i = numpy.random.randint(self.size)
            self.data[i] = x
            self.idxs[i] = idx
        self.counter += 1

    def get_data(self):
        """(indexes, data) of the kept samples, by increasing index."""
        idxs = self.idxs[:min(self.counter, self.size)]
        order = numpy.argsort(idxs)
        return idxs[order], self.data[order]


class Statistician:
    """Computes the chosen statistics of an array along axes (all if None)."""

    def __init__(self, collect_mean, collect_std, percentile_sigmas):
        self.collect_mean = collect_mean
        self.collect_std = collect_std
        self.percentile_sigmas = percentile_sigmas

    def __call__(self, x, axis=0, dtype=None, xp=None) -> dict:
        if axis is None:
            axis = tuple(range(x.ndim))
        elif not isinstance(axis, (tuple, list)):
            axis = axis,
        return self.collect(x, axis)

    def collect(self, x, axis) -> dict:
        out = {}
        if self.collect_mean:
            out["mean"] = x.mean(axis=axis)
        if self.collect_std:
            out["std"] = x.std(axis=axis)
        if self.percentile_sigmas:
            xp = backend.get_array_module(x)
            out["percentile"] = xp.percentile(x, self.percentile_sigmas, axis=axis)
        return out


class VariableStatisticsPlot(extension.Extension):
    """Collects statistics of `targets` at each call and plots a sample of
    them (at most `max_sample_size` iterations) when `trigger` fires.

    Args:
        targets: a Variable, a Link (its parameters) or a list of them.
        max_sample_size: iterations kept for the plot (reservoir sampling).
        report_data: plot the values.
        report_grad: plot the gradients.
        plot_mean: plot the mean.
        plot_std: plot the standard deviation (as error bars with the mean).
        percentile_sigmas: percentiles drawn as bands (empty: none).
        trigger: when the image is redrawn.
        filename: the image's name under the trainer's ``out``
            (``statistics.png``; the old keyword ``file_name`` too).
        figsize, marker, grid: matplotlib's options.
    """

    def __init__(self, targets, max_sample_size=1000, report_data=True, report_grad=True,
                 plot_mean=True, plot_std=True,
                 percentile_sigmas=(0, 0.13, 2.28, 15.87, 50, 84.13, 97.72, 99.87, 100),
                 trigger=(1, "epoch"), filename=None, figsize=None, marker=None, grid=True,
                 **kwargs):
        file_name, = argument.parse_kwargs(kwargs, ("file_name", "statistics.png"))
        self._vars = _unpack_variables(targets)
        if not self._vars:
            raise ValueError("Need at least one variables for which to collect "
                             "statistics.\nActual: 0 <= 0")
        if not any((plot_mean, plot_std, bool(percentile_sigmas))):
            raise ValueError("Nothing to plot")
        self._keys = [k for k, on in (("data", report_data), ("grad", report_grad)) if on]
        self._report_data = report_data
        self._report_grad = report_grad
        self._statistician = Statistician(collect_mean=plot_mean, collect_std=plot_std,
                                          percentile_sigmas=percentile_sigmas)
        self._plot_mean = plot_mean
        self._plot_std = plot_std
        self._plot_percentile = bool(percentile_sigmas)
        self._trigger = get_trigger(trigger)
        self._filename = file_name if filename is None else filename
        self._figsize = figsize
        self._marker = marker
        self._grid = grid
        if not self._plot_percentile:
            n_percentile = 0
        elif isinstance(percentile_sigmas, (list, tuple)):
            n_percentile = len(percentile_sigmas)
        else:
            n_percentile = 1
        self._data_shape = (len(self._keys), int(plot_mean) + int(plot_std) + n_percentile)
        self._samples = Reservoir(max_sample_size, data_shape=self._data_shape)
        self._available = matplotlib_available()

    @staticmethod
    def available() -> bool:
        return matplotlib_available()

    def __call__(self, trainer) -> None:
        if not self._available:
            return
        stats = numpy.zeros(self._data_shape, dtype=numpy.float32)
        for i, k in enumerate(self._keys):
            xs = [backend.CpuDevice().send(getattr(v, k)).ravel()
                  for v in self._vars if getattr(v, k, None) is not None]
            if xs:
                s = self._statistician(numpy.concatenate(xs, axis=0), axis=0)
                parts = []
                if self._plot_mean:
                    parts.append(numpy.atleast_1d(s["mean"]))
                if self._plot_std:
                    parts.append(numpy.atleast_1d(s["std"]))
                if self._plot_percentile:
                    parts.append(numpy.atleast_1d(s["percentile"]))
                stats[i] = numpy.concatenate(parts, axis=0)
        self._samples.add(stats, idx=trainer.updater.iteration)
        if self._trigger(trainer):
            import matplotlib.pyplot as plt
            os.makedirs(trainer.out, exist_ok=True)
            with replacing(trainer.out, self._filename) as path:
                self.save_plot_using_module(path, plt)

    def save_plot_using_module(self, file_path, plt) -> None:
        import matplotlib.colors
        color = matplotlib.colors.to_rgba(_COLOR)
        band = {"alpha": 0.2, "linewidth": 0, "color": color[:3] + (0.2,)}
        nrows = int(self._plot_mean or self._plot_std) + int(self._plot_percentile)
        ncols = len(self._keys)
        fig, axes = plt.subplots(nrows, ncols, figsize=self._figsize, sharex=True,
                                 squeeze=False)
        idxs, data = self._samples.get_data()
        offset = int(self._plot_mean) + int(self._plot_std)   # where percentiles start
        n_percentile = data.shape[-1] - offset
        half = n_percentile // 2
        odd = n_percentile % 2 == 1
        for col in range(ncols):
            row = 0
            ax = axes[row, col]
            ax.set_title(self._keys[col])
            if self._plot_mean or self._plot_std:
                if self._plot_mean and self._plot_std:
                    ax.errorbar(idxs, data[:, col, 0], data[:, col, 1], color=color,
                                ecolor=band["color"], label="mean, std", marker=self._marker)
                else:
                    label = "mean" if self._plot_mean else "std"
                    ax.plot(idxs, data[:, col, 0], color=color, label=label,
                            marker=self._marker)
                row += 1
            if self._plot_percentile:
                ax = axes[row, col]
                for i in range(half + 1):
                    if odd and i == half:        # the middle percentile: a line
                        ax.plot(idxs, data[:, col, offset + i], color=color,
                                label="percentile", marker=self._marker)
                    else:                        # a band between symmetric percentiles
                        label = "percentile" if i == half else "_nolegend_"
                        ax.fill_between(idxs, data[:, col, offset + i],
                                        data[:, col, -i - 1], label=label, **band)
                ax.set_xlabel("iteration")
        for ax in axes.ravel():
            ax.legend()
            if self._grid:
                ax.grid()
                ax.set_axisbelow(True)
        fmt = os.path.splitext(self._filename)[1][1:] or "png"   # no suffix added
        fig.savefig(file_path, format=fmt)
        plt.close(fig)
