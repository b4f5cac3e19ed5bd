"""Evaluator: the mean of what a model reports over a validation set.

Each call resets the validation iterator (or copies it when it has no
`reset`), runs the evaluation function on every batch with backprop off and
``config.train`` False, and reports the means under ``<name>/<observer>/...``
(``validation/main/loss``). The model's own ``config.train`` is restored
afterwards, so training goes on in train mode.
"""
from __future__ import annotations

import copy
import warnings

from kusari import backend
from kusari import configuration
from kusari import function
from kusari import iterators
from kusari import link
from kusari import reporter as reporter_module
from kusari.dataset import convert
from kusari.dataset import iterator as iterator_module
from kusari.training import extension
from kusari.utils import argument

from . import util


class Evaluator(extension.Extension):
    """Evaluates a target link on a validation iterator once an epoch.

    Args:
        iterator: the iterator, or a dict of them (``'main'`` is evaluated).
        target: the link, or a dict of links (``'main'`` is called unless
            `eval_func` is given). Their reports are observed.
        converter: makes the arguments of a batch (``concat_examples``).
        device: where the converter sends the arrays (a device specifier).
        eval_hook: called with the evaluator before each evaluation.
        eval_func: called instead of the main target with each batch's
            arguments (a tuple: positional, a dict: keywords, else one).
        progress_bar: draw a progress bar over the validation set.
    """

    trigger = 1, "epoch"
    default_name = "validation"
    priority = extension.PRIORITY_WRITER
    name = None

    def __init__(self, iterator, target, converter=convert.concat_examples,
                 device=None, eval_hook=None, eval_func=None, **kwargs):
        progress_bar, = argument.parse_kwargs(kwargs, ("progress_bar", False))
        if device is not None:
            device = backend.get_device(device)
        if isinstance(iterator, iterator_module.Iterator):
            iterator = {"main": iterator}
        if not isinstance(iterator, dict):
            raise TypeError("Evaluator: iterator must be a kusari.dataset.Iterator "
                            "(e.g. SerialIterator(data, batch_size, repeat=False)) or a "
                            f"dict of them, not {type(iterator).__name__}")
        self._iterators = iterator
        if isinstance(target, link.Link):
            target = {"main": target}
        if not isinstance(target, dict):
            raise TypeError("Evaluator: target must be a Link or a dict of Links, not "
                            f"{type(target).__name__} (a plain function goes in "
                            "eval_func=, with target={})")
        self._targets = target
        self.converter = converter
        self.device = device
        self.eval_hook = eval_hook
        self.eval_func = eval_func
        self._progress_bar = progress_bar
        repeating = (iterators.SerialIterator, iterators.MultiprocessIterator,
                     iterators.MultithreadIterator)
        for key, it in iterator.items():
            if isinstance(it, repeating) and getattr(it, "repeat", False):
                warnings.warn(
                    f"The `repeat` property of the iterator {key!r} is set to "
                    "`True`. The evaluator sweeps over an iterator until it "
                    "stops, and this one might never stop, so the evaluation "
                    "could loop forever. Create it with repeat=False.",
                    UserWarning)

    def get_iterator(self, name):
        return self._iterators[name]

    def get_all_iterators(self) -> dict:
        return dict(self._iterators)

    def get_target(self, name):
        return self._targets[name]

    def get_all_targets(self) -> dict:
        return dict(self._targets)

    def __call__(self, trainer=None) -> dict:
        """Evaluates and reports the means to the current reporter; returns them."""
        reporter = reporter_module.Reporter()
        prefix = "" if self.name is None else self.name + "/"
        for name, target in self._targets.items():
            reporter.add_observer(prefix + name, target)
            reporter.add_observers(prefix + name, target.namedlinks(skipself=True))
        with reporter:
            with configuration.using_config("train", False):
                result = self.evaluate()
        reporter_module.report(result)
        return result

    def evaluate(self) -> dict:
        """The means of the values reported over one sweep of the main
        iterator (reported to nothing: `__call__` reports them)."""
        iterator = self._iterators["main"]
        eval_func = self.eval_func or self._targets["main"]
        if self.eval_hook:
            self.eval_hook(self)
        if hasattr(iterator, "reset"):
            iterator.reset()
            it = iterator
        else:
            warnings.warn(
                "This iterator does not have the reset method. Evaluator "
                "copies the iterator instead of resetting. This behavior is "
                "deprecated. Please implement the reset method.",
                DeprecationWarning)
            it = copy.copy(iterator)

        summary = reporter_module.DictSummary()
        pbar = _IteratorProgressBar(iterator=it) if self._progress_bar else None
        for batch in it:
            observation: dict = {}
            with reporter_module.report_scope(observation):
                in_arrays = convert._call_converter(self.converter, batch, self.device)
                with function.no_backprop_mode():
                    if isinstance(in_arrays, tuple):
                        eval_func(*in_arrays)
                    elif isinstance(in_arrays, dict):
                        eval_func(**in_arrays)
                    else:
                        eval_func(in_arrays)
            summary.add(observation)
            if pbar is not None:
                pbar.update()
        if pbar is not None:
            pbar.close()
        return summary.compute_mean()

    def finalize(self) -> None:
        for it in self._iterators.values():
            it.finalize()


class _IteratorProgressBar(util.ProgressBar):
    """The validation sweep's progress (see `util` for where it draws how)."""

    def __init__(self, iterator, bar_length=None, out=None):
        if not (hasattr(iterator, "current_position") and hasattr(iterator, "epoch_detail")):
            raise TypeError("Iterator must have the following attributes to enable a "
                            "progress bar: current_position, epoch_detail")
        self._iterator = iterator
        super().__init__(bar_length=bar_length, out=out)

    def _state(self):
        position = self._iterator.current_position
        epoch_detail = self._iterator.epoch_detail
        speed_t, speed_e = self.update_speed(position, epoch_detail)
        eta = self.remaining(1.0 - epoch_detail, speed_e)
        return position, epoch_detail, speed_t, eta

    def get_lines(self) -> list:
        position, rate, speed_t, eta = self._state()
        epoch_size = getattr(self._iterator, "_epoch_size", None)
        lines = [f"validation {util.bar(rate, self._bar_length)} {rate:6.2%}\n"]
        if epoch_size:
            lines.append(f"{position:10} / {epoch_size} iterations\n")
        else:
            lines.append(f"{position:10} iterations\n")
        lines.append(f"{speed_t:10.5g} iters/sec. Estimated time to finish: "
                     f"{util.format_eta(eta)}.\n")
        return lines

    def get_line(self) -> str:
        position, rate, speed_t, eta = self._state()
        return (f"validation {rate:.2%}, {position} iterations, {speed_t:.5g} iters/sec, "
                f"ETA {util.format_eta(eta, whole=True)}")
