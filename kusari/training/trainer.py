"""The Trainer: Chainer's standard training loop.

Each iteration: a fresh observation dict becomes the reporter's, the updater
runs one update (batch, forward, backward, optimizer step), then every
extension whose trigger fires runs, in descending priority (registration
order among equal priorities). The loop ends when the stop trigger fires,
checked before each iteration.

Beyond Chainer: Ctrl-C (SIGINT) during `run()` does not tear an iteration in
half. The first Ctrl-C lets the current iteration finish (its update and its
extensions), then the trainer writes a snapshot of itself to
``<out>/snapshot_iter_<iteration>`` (the file name of Chainer's default
`snapshot` extension, written to a temporary file and renamed, so it is never
half-written), finalizes the extensions and the updater, and raises
KeyboardInterrupt. ``serializers.load_npz(path, trainer)`` on a trainer built
as before resumes the training from that iteration, as from any snapshot (a
`snapshot(autoload=True)` extension finds it by itself). A second Ctrl-C
interrupts at once, as Python does, without a snapshot.
"""
from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
import time
import traceback

from .. import reporter as reporter_module
from .. import serializer as serializer_module
from ..utils import argument
from . import extension as extension_module
from . import util

_get_time = time.perf_counter

INTERRUPT_SNAPSHOT = "snapshot_iter_{.updater.iteration}"


class _ExtensionEntry:

    def __init__(self, extension, priority, trigger, call_before_training):
        self.extension = extension
        self.trigger = trigger
        self.priority = priority
        self.call_before_training = call_before_training


class _Interrupt:
    """Turns the first SIGINT during a run into a request to stop at the next
    iteration boundary; a second one raises KeyboardInterrupt at once.
    Installed only in the main thread, and only over Python's default
    handler (a program's own handler, or SIG_IGN, is left alone)."""

    def __init__(self):
        self.requested = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is not threading.main_thread():
            return self
        try:
            current = signal.getsignal(signal.SIGINT)
        except ValueError:          # (no signals in this interpreter)
            return self
        if current is signal.default_int_handler:
            self._previous = current
            signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        sys.stderr.write(
            "\nInterrupted: the trainer stops after this iteration and writes a "
            "snapshot (press Ctrl-C again to stop at once, without one).\n")
        sys.stderr.flush()

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        return False


class Trainer:
    """The standard training loop (see the module docstring).

    Args:
        updater: the Updater, which does each iteration's update.
        stop_trigger: when to stop (a trigger, or ``(period, unit)`` for an
            IntervalTrigger; None never stops).
        out (str): output directory of the extensions (and of the snapshot
            written on Ctrl-C).
        extensions: extensions registered with their defaults.

    Attributes:
        updater, stop_trigger, out.
        observation: the values reported in the current (or last) iteration.
        reporter: the Reporter; each optimizer's target link and its sub-links
            are observers, named ``<optimizer name><link path>`` (``main``,
            ``main/predictor``, ...).
    """

    def __init__(self, updater, stop_trigger=None, out: str = "result", extensions=None):
        self.updater = updater
        self.stop_trigger = util.get_trigger(stop_trigger)
        self.observation: dict = {}
        self.out = out

        reporter = reporter_module.Reporter()
        for name, optimizer in updater.get_all_optimizers().items():
            reporter.add_observer(name, optimizer.target)
            reporter.add_observers(name, optimizer.target.namedlinks(skipself=True))
        self.reporter = reporter

        self._done = False
        self._extensions: dict = {}
        self._start_at = None
        self._snapshot_elapsed_time = 0.0
        self._final_elapsed_time = None

        updater.connect_trainer(self)
        for ext in extensions or ():
            self.extend(ext)

    @property
    def is_before_training(self) -> bool:
        """Whether no iteration has run yet (``updater.iteration == 0``)."""
        return self.updater.iteration == 0

    @property
    def elapsed_time(self) -> float:
        """Seconds of training, including those before the snapshot this
        training resumed from (RuntimeError before `run`)."""
        if self._done:
            return self._final_elapsed_time
        if self._start_at is None:
            raise RuntimeError("training has not been started yet")
        return _get_time() - self._start_at + self._snapshot_elapsed_time

    def extend(self, extension, name=None, trigger=None, priority=None, *,
               call_before_training: bool = False, **kwargs) -> None:
        """Registers an extension (any callable of the trainer).

        Args:
            extension: the extension.
            name (str): its name; by default its `name`, else its
                `default_name`, else its ``__name__``. A name already taken
                gets a suffix ``_1``, ``_2``, ...
            trigger: when it runs; by default its `trigger` attribute, else
                every iteration. ``(period, unit)`` makes an IntervalTrigger.
            priority (int): order within an iteration (higher first); by
                default its `priority`, else PRIORITY_READER.
            call_before_training (bool): also call it once before the first
                iteration.
        """
        if kwargs:
            argument.check_unexpected_kwargs(
                kwargs,
                invoke_before_training="invoke_before_training has been removed "
                "since Chainer v2.0.0. Use initializer= instead.")
            argument.assert_kwargs_empty(kwargs)

        if name is None:
            name = getattr(extension, "name", None)
            if name is None:
                name = getattr(extension, "default_name", None)
                if name is None:
                    name = getattr(extension, "__name__", None)
                    if name is None:
                        raise TypeError("name is not given for the extension")
        if name == "training":
            raise ValueError('the name "training" is prohibited as an extension name')

        if trigger is None:
            trigger = getattr(extension, "trigger", (1, "iteration"))
        trigger = util.get_trigger(trigger)
        if priority is None:
            priority = getattr(extension, "priority", extension_module.PRIORITY_READER)

        unique = name
        ordinal = 0
        while unique in self._extensions:
            ordinal += 1
            unique = f"{name}_{ordinal}"
        extension.name = unique
        self._extensions[unique] = _ExtensionEntry(
            extension, priority, trigger, call_before_training)

    def get_extension(self, name: str):
        """The extension registered under `name` (ValueError if none)."""
        try:
            return self._extensions[name].extension
        except KeyError:
            raise ValueError(f"extension {name} not found") from None

    def run(self, show_loop_exception_msg: bool = True, *,
            snapshot_on_interrupt: bool = True) -> None:
        """Runs the training loop (once per trainer).

        Args:
            show_loop_exception_msg (bool): print an exception raised in the
                loop before the extensions are finalized (as Chainer does, so
                that a finalizer that hangs does not hide it).
            snapshot_on_interrupt (bool): on Ctrl-C, finish the iteration and
                write a snapshot before stopping (see the module docstring).
        """
        if self._done:
            raise RuntimeError("cannot run training loop multiple times")
        try:
            os.makedirs(self.out, exist_ok=True)
        except OSError:
            pass        # as in Chainer: only the extensions that write need it

        # sorted() is stable: equal priorities keep their registration order
        entries = sorted(self._extensions.values(), key=lambda e: e.priority,
                         reverse=True)
        self._start_at = _get_time()

        for entry in entries:
            initializer = getattr(entry.extension, "initialize", None)
            if initializer and not getattr(entry.trigger, "finished", False):
                initializer(self)

        update = self.updater.update
        reporter = self.reporter
        stop_trigger = self.stop_trigger
        fired = [(entry.trigger, entry.extension) for entry in entries]

        if self.is_before_training:
            self.observation = {}
            with reporter.scope(self.observation):
                for entry in entries:
                    if entry.call_before_training:
                        entry.extension(self)

        reporters = reporter_module._get_reporters()
        interrupt = _Interrupt() if snapshot_on_interrupt else None
        try:
            if interrupt is not None:
                interrupt.__enter__()
            while not stop_trigger(self):
                # reporter.scope(self.observation), inlined: this is the
                # per-iteration path
                observation = self.observation = {}
                previous = reporter.observation
                reporter.observation = observation
                reporters.append(reporter)
                try:
                    update()
                    for trigger, extension in fired:
                        if trigger(self):
                            extension(self)
                finally:
                    reporters.pop()
                    reporter.observation = previous
                if interrupt is not None and interrupt.requested:
                    self._stop_interrupted()
        except Exception as e:
            self._on_loop_error(e, entries, show_loop_exception_msg)
            raise
        finally:
            if interrupt is not None:
                interrupt.__exit__(None, None, None)
            for entry in entries:
                finalize = getattr(entry.extension, "finalize", None)
                if finalize:
                    finalize()
            self.updater.finalize()

        self._final_elapsed_time = self.elapsed_time
        self._done = True

    def _on_loop_error(self, e, entries, show_message: bool) -> None:
        f = sys.stderr
        if show_message:
            # shown now: a finalizer below that deadlocks would hide it
            f.write(f"Exception in main training loop: {e}\n")
            f.write("Traceback (most recent call last):\n")
            traceback.print_tb(sys.exc_info()[2])
            f.write("Will finalize trainer extensions and updater before "
                    "reraising the exception.\n")
        tb = sys.exc_info()[2]
        for entry in entries:
            handler = getattr(entry.extension, "on_error", None)
            if handler:
                # every handler runs; their own errors are printed and ignored
                try:
                    handler(self, e, tb)
                except Exception as he:
                    f.write(f"Exception in error handler: {he}\n")
                    f.write("Traceback (most recent call last):\n")
                    traceback.print_tb(sys.exc_info()[2])

    def _stop_interrupted(self):
        """Writes the snapshot of an interrupted run and raises KeyboardInterrupt."""
        from .. import serializers
        iteration = self.updater.iteration
        path = os.path.join(self.out, INTERRUPT_SNAPSHOT.format(self))
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(prefix="tmp_snapshot", dir=self.out)
            with os.fdopen(fd, "wb") as f:
                serializers.save_npz(f, self)
            os.replace(tmp, path)
        except Exception as e:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
            sys.stderr.write(f"Training interrupted after iteration {iteration}; "
                             f"its snapshot could not be written: {e!r}\n")
            raise KeyboardInterrupt(
                f"training interrupted after iteration {iteration} "
                "(no snapshot)") from e
        sys.stderr.write(
            f"Training interrupted after iteration {iteration}; snapshot written to "
            f"{path}. Resume with serializers.load_npz({path!r}, trainer) "
            "before trainer.run().\n")
        raise KeyboardInterrupt(
            f"training interrupted after iteration {iteration}; snapshot: {path}")

    def serialize(self, serializer) -> None:
        """The updater, the stop trigger, each extension and its trigger
        (under ``extensions/<name>`` and ``extension_triggers/<name>``) and
        the elapsed time."""
        self.updater.serialize(serializer["updater"])
        if hasattr(self.stop_trigger, "serialize"):
            self.stop_trigger.serialize(serializer["stop_trigger"])
        s = serializer["extensions"]
        t = serializer["extension_triggers"]
        for name, entry in self._extensions.items():
            if hasattr(entry.extension, "serialize"):
                entry.extension.serialize(s[name])
            if hasattr(entry.trigger, "serialize"):
                entry.trigger.serialize(t[name])
        if isinstance(serializer, serializer_module.Serializer):
            serializer("_snapshot_elapsed_time", self.elapsed_time)
        else:
            self._snapshot_elapsed_time = serializer("_snapshot_elapsed_time", 0.0)
