"""LogReport: the mean of each observed value per interval, kept as a list
and written as Chainer's ``log`` JSON file.

The file is a JSON list with one dict per interval: the mean of each
reported value and ``epoch``, ``iteration`` and ``elapsed_time``, indented
by four spaces, e.g.::

    [
        {
            "main/loss": 0.1914,
            "epoch": 1,
            "iteration": 600,
            "elapsed_time": 7.12
        }
    ]

It is written to a temporary file and renamed over the old one, so a reader
(another process plotting it, ``tail``, a notebook) always sees a whole file.
"""
from __future__ import annotations

import json
import os
import warnings

from kusari import reporter
from kusari import serializer as serializer_module
from kusari.training import extension
from kusari.utils import argument

from ._common import get_trigger, observation_to_floats, replacing


class LogReport(extension.Extension):
    """Accumulates observations and logs their means when `trigger` fires.

    Args:
        keys: the observation keys to log; all of them if None.
        trigger: when a log entry is made (``(1, 'epoch')``).
        postprocess: called with each entry (a dict) before it is stored; it
            may add or change values.
        filename: the log file's name under the trainer's ``out``, formatted
            with the entry (``'log_{iteration}'`` works); None writes no file.
            Default ``'log'`` (the old keyword ``log_name`` is accepted too).
    """

    def __init__(self, keys=None, trigger=(1, "epoch"), postprocess=None,
                 filename=None, **kwargs):
        log_name, = argument.parse_kwargs(kwargs, ("log_name", "log"))
        self._keys = keys
        self._trigger = get_trigger(trigger)
        self._postprocess = postprocess
        self._log = []
        self._log_name = log_name if filename is None else filename
        self._init_summary()

    def __call__(self, trainer) -> None:
        observation = trainer.observation
        if self._keys is None:
            self._summary.add(observation)
        else:
            self._summary.add({k: observation[k] for k in self._keys if k in observation})

        if getattr(trainer, "is_before_training", False) or self._trigger(trainer):
            entry = observation_to_floats(self._summary.compute_mean())
            updater = trainer.updater
            entry["epoch"] = updater.epoch
            entry["iteration"] = updater.iteration
            entry["elapsed_time"] = trainer.elapsed_time
            if self._postprocess is not None:
                self._postprocess(entry)
            self._log.append(entry)
            if self._log_name is not None:
                self._write(trainer.out, self._log_name.format(**entry))
            self._init_summary()

    def _write(self, outdir: str, name: str) -> None:
        os.makedirs(outdir, exist_ok=True)
        with replacing(outdir, name) as path:
            with open(path, "w") as f:
                json.dump(self._log, f, indent=4)

    @property
    def log(self) -> list:
        """The entries logged so far (a list of dicts)."""
        return self._log

    def serialize(self, serializer) -> None:
        if hasattr(self._trigger, "serialize"):
            self._trigger.serialize(serializer["_trigger"])
        summary_serialize = getattr(self._summary, "serialize", None)
        if summary_serialize is not None:
            try:
                summary_serialize(serializer["_summary"])
            except KeyError:
                warnings.warn("The statistics are not saved.")
        # The log travels as JSON text (small float differences may be lost).
        if isinstance(serializer, serializer_module.Serializer):
            serializer("_log", json.dumps(self._log))
        else:
            log = serializer("_log", "")
            if hasattr(log, "item"):             # a 0-d array from an NPZ file
                log = log.item()
            self._log = json.loads(log)

    def _init_summary(self) -> None:
        self._summary = reporter.DictSummary()
