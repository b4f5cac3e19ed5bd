"""PlotReport: a PNG plot of reported values against iterations or epochs.

matplotlib is an optional extra: without it the extension warns once (when
it is made) and plots nothing; `PlotReport.available()` says whether it can.
The image is written to a temporary file and renamed over the old one, so a
viewer refreshing it never shows a half-written image.
"""
from __future__ import annotations

import json
import os

import numpy

from kusari import reporter
from kusari import serializer as serializer_module
from kusari.training import extension
from kusari.utils import argument

from ._common import get_trigger, matplotlib_available, observation_to_floats, replacing


class PlotReport(extension.Extension):
    """Plots the means of `y_keys` over each interval against `x_key`.

    Args:
        y_keys: a key or a list of keys to plot.
        x_key: ``'iteration'`` or ``'epoch'``.
        trigger: when a point is added and the image redrawn.
        postprocess: ``postprocess(figure, axes, summary)`` before saving.
        filename: the image's name under the trainer's ``out`` (``plot.png``;
            the old keyword ``file_name`` is accepted too).
        marker: matplotlib's marker for the points.
        grid: draw a grid.
    """

    def __init__(self, y_keys, x_key="iteration", trigger=(1, "epoch"), postprocess=None,
                 filename=None, marker="x", grid=True, **kwargs):
        file_name, = argument.parse_kwargs(kwargs, ("file_name", "plot.png"))
        self._available = matplotlib_available()     # warns when it is missing
        self._x_key = x_key
        if isinstance(y_keys, str):
            y_keys = (y_keys,)
        self._y_keys = y_keys
        self._trigger = get_trigger(trigger)
        self._file_name = file_name if filename is None else filename
        self._marker = marker
        self._grid = grid
        self._postprocess = postprocess
        self._init_summary()
        self._data = {k: [] for k in y_keys}

    @staticmethod
    def available() -> bool:
        """Whether matplotlib can be used (a UserWarning says why not)."""
        return matplotlib_available()

    def __call__(self, trainer) -> None:
        if not self._available:
            return
        observation = trainer.observation
        self._summary.add({k: observation[k] for k in self._y_keys if k in observation})
        if not (getattr(trainer, "is_before_training", False) or self._trigger(trainer)):
            return
        stats = observation_to_floats(self._summary.compute_mean())
        stats["epoch"] = trainer.updater.epoch
        stats["iteration"] = trainer.updater.iteration
        x = stats[self._x_key]
        for k in self._y_keys:
            if k in stats:
                self._data[k].append((x, stats[k]))
        self._plot(trainer.out)
        self._init_summary()

    def _plot(self, outdir: str) -> None:
        # pyplot is imported only now, so a user's matplotlib.use() still works.
        import matplotlib.pyplot as plt
        f = plt.figure()
        try:
            a = f.add_subplot(111)
            a.set_xlabel(self._x_key)
            if self._grid:
                a.grid()
            for k in self._y_keys:
                xy = self._data[k]
                if xy:
                    xy = numpy.array(xy)
                    a.plot(xy[:, 0], xy[:, 1], marker=self._marker, label=k)
            if a.has_data():
                if self._postprocess is not None:
                    self._postprocess(f, a, self._summary)
                legend = a.legend(bbox_to_anchor=(1.05, 1), loc=2, borderaxespad=0.)
                os.makedirs(outdir, exist_ok=True)
                fmt = os.path.splitext(self._file_name)[1][1:] or "png"   # no suffix added
                with replacing(outdir, self._file_name) as path:
                    f.savefig(path, format=fmt, bbox_extra_artists=(legend,),
                              bbox_inches="tight")
        finally:
            plt.close(f)

    def serialize(self, serializer) -> None:
        key = f"_plot_{self._file_name}"
        if isinstance(serializer, serializer_module.Serializer):
            serializer(key, json.dumps(self._data))
        else:
            data = serializer(key, "")
            if hasattr(data, "item"):
                data = data.item()
            self._data = json.loads(data)

    def _init_summary(self) -> None:
        self._summary = reporter.DictSummary()

