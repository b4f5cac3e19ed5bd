"""EarlyStoppingTrigger: a stop trigger for when a monitored value stops improving."""
from __future__ import annotations

import operator
import warnings

from ... import reporter
from ...utils import argument
from .. import util


class EarlyStoppingTrigger:
    """Stops the training when the mean of ``observation[monitor]`` over each
    `check_trigger` interval has not improved for `patience` intervals in a
    row, or when `max_trigger` fires.

    Args:
        check_trigger: the interval of the comparisons.
        monitor (str): the observation's key.
        patience (int): how many intervals without improvement are allowed
            (default 3; ``patients`` is an old alias).
        mode (str): ``'max'``, ``'min'`` or ``'auto'`` (max when the key
            names an accuracy, else min).
        verbose (bool): print the comparison and the stop.
        max_trigger: the longest training.
    """

    def __init__(self, check_trigger=(1, "epoch"), monitor: str = "main/loss",
                 patience=None, mode: str = "auto", verbose: bool = False,
                 max_trigger=(100, "epoch"), **kwargs):
        patients, = argument.parse_kwargs(kwargs, ("patients", None))
        if patients is not None:
            if patience is not None:
                raise TypeError(
                    "Both 'patience' and 'patients' arguments are specified. "
                    "'patients' is an alias of the former. Specify only 'patience'.")
            patience = patients
        if patience is None:
            patience = 3

        self.count = 0
        self.patience = patience
        self.monitor = monitor
        self.verbose = verbose
        self.already_warning = False
        self._max_trigger = util.get_trigger(max_trigger)
        self._interval_trigger = util.get_trigger(check_trigger)
        self._init_summary()

        if mode == "max" or (mode not in ("max", "min") and "accuracy" in monitor):
            self._compare = operator.gt
            self.best = float("-inf")
            if verbose:
                print("early stopping: operator is greater")
        else:
            self._compare = operator.lt
            self.best = float("inf")
            if verbose:
                print("early stopping: operator is less")

    def __call__(self, trainer) -> bool:
        observation = trainer.observation
        monitor = self.monitor
        if monitor in observation:
            self._summary.add({monitor: observation[monitor]})
        if self._max_trigger(trainer):
            return True
        if not self._interval_trigger(trainer):
            return False
        if monitor not in observation:
            warnings.warn(f"{monitor} is not in observation")
            return False
        current = self._summary.compute_mean()[monitor]
        self._init_summary()
        if self._compare(current, self.best):
            self.best = current
            self.count = 0
        else:
            self.count += 1
        if self._stop_condition():
            if self.verbose:
                print(f"Epoch {trainer.updater.epoch}: early stopping")
            return True
        return False

    def _stop_condition(self) -> bool:
        return self.count >= self.patience

    def _init_summary(self) -> None:
        self._summary = reporter.DictSummary()

    def get_training_length(self):
        """The longest training, `max_trigger`'s length."""
        return self._max_trigger.get_training_length()
