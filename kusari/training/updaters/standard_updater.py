"""StandardUpdater: one batch, one optimizer update per iteration."""
from __future__ import annotations

import logging
import warnings

import numpy

from ... import backend, configuration, tracing
from ...variable import Variable
from ...dataset import convert
from ...dataset import iterator as iterator_module
from ...utils import argument
from .._updater import Updater

_GPU_TO_GPU_WARNING = (
    "Transfer between @cupy devices was detected and skipped. StandardUpdater "
    "normally transfers the model to the specified device, but except for "
    "between @cupy devices. That is, if a part of the model is on @cupy:n device "
    "and the specified device is @cupy:m device, that part of the model will be "
    "left in @cupy:n device. This behavior is planned to be changed in near "
    "future. After that, the model will be transferred to the specified device "
    "regardless of device combination. If you want to keep the model device but "
    "only want to transfer the input data to a given device, specify the "
    "'input_device' argument instead and leave the 'device' argument unspecified.\n")


def _send_model(link, device) -> None:
    """`link.to_device(device)`, except that arrays already on another GPU stay
    there (with Chainer's FutureWarning) when `device` is a GPU."""
    if device.xp is numpy:
        link.to_device(device)
        return
    from ...device_resident import _ToDeviceVisitor
    on_other_gpu = False
    for param in link.params():
        there = backend.get_device_from_array(param.array)
        if isinstance(there, backend.GpuDevice) and there != device:
            on_other_gpu = True
    link.device_resident_accept(_ToDeviceVisitor(device, skip_between_gpus=True))
    if on_other_gpu:
        warnings.warn(_GPU_TO_GPU_WARNING, FutureWarning)


class StandardUpdater(Updater):
    """StandardUpdater(iterator, optimizer, converter=convert.concat_examples, \
device=None, loss_func=None, loss_scale=None, auto_new_epoch=True, *, input_device=None)

    Each `update()` takes the next batch of the ``'main'`` iterator, converts
    it with `converter` (sending it to `input_device`) and calls
    ``optimizer.update(loss_func, *in_arrays)`` (``**in_arrays`` for a dict,
    one argument for anything else) on the ``'main'`` optimizer. Override
    `update_core` for other schemes.

    kusari compiles that update: once batches of one structure (the arrays'
    shapes and dtypes) have come ``config.compile_threshold`` times, the
    whole step (forward, cleargrads, backward, the optimizer's update and
    hooks, the values the model reports) runs as one function compiled by
    `kusari.jit`, with the results of the eager step. A step that cannot
    be traced (Python code that needs an array's value, a Python-side
    effect on the model, ...) runs eagerly from then on, saying why once
    (a warning on the ``kusari.compile`` logger, which Python prints to
    stderr when logging is not configured; not a Python warning, which
    ``-W error`` would make fatal). `compiled` tells whether the last
    update ran compiled and `explain_compile()` says how and why;
    ``kusari.config.compile_updates = False`` keeps every update eager.

    Args:
        iterator: a dataset iterator, or a dict name -> iterator (one named
            ``'main'``).
        optimizer: an optimizer, or a dict name -> optimizer.
        converter: batch -> input arrays (`concat_examples` by default).
        device: where the model is sent (None: it stays where it is).
        loss_func: the loss function; the main optimizer's target by default.
        loss_scale (float): loss scaling factor given to every optimizer.
        auto_new_epoch (bool): call ``optimizer.new_epoch(auto=True)`` when the
            main iterator starts a new epoch (and set each optimizer's
            `use_auto_new_epoch`).
        input_device: where the batches are sent; `device` by default.
    """

    def __init__(self, iterator, optimizer, converter=convert.concat_examples,
                 device=None, loss_func=None, loss_scale=None,
                 auto_new_epoch: bool = True, **kwargs):
        input_device, = argument.parse_kwargs(kwargs, ("input_device", None))
        if device is not None:
            device = backend.get_device(device)
        if input_device is None:
            input_device = device
        else:
            input_device = backend.get_device(input_device)

        if isinstance(iterator, iterator_module.Iterator):
            iterator = {"main": iterator}
        self._iterators = iterator
        if not isinstance(optimizer, dict):
            optimizer = {"main": optimizer}
        self._optimizers = optimizer

        if device is not None:
            for opt in self._optimizers.values():
                _send_model(opt.target, device)

        self.converter = converter
        self.loss_func = loss_func
        self.iteration = 0
        self._device = device
        self._input_device = input_device

        self.loss_scale = loss_scale
        if loss_scale is not None:
            for opt in self._optimizers.values():
                opt.set_loss_scale(loss_scale)

        self.auto_new_epoch = auto_new_epoch
        if auto_new_epoch:
            for opt in self._optimizers.values():
                opt.use_auto_new_epoch = True

    @property
    def device(self):
        """Where the model was sent (a Device), or None."""
        return self._device

    @property
    def input_device(self):
        """Where the batches are sent (a Device), or None."""
        return self._input_device

    @property
    def epoch(self) -> int:
        return self._iterators["main"].epoch

    @property
    def epoch_detail(self) -> float:
        return self._iterators["main"].epoch_detail

    @property
    def previous_epoch_detail(self):
        return self._iterators["main"].previous_epoch_detail

    @property
    def is_new_epoch(self) -> bool:
        return self._iterators["main"].is_new_epoch

    def finalize(self) -> None:
        """Finalizes every iterator (called at the end of the training loop)."""
        for iterator in self._iterators.values():
            iterator.finalize()

    def get_optimizer(self, name: str):
        return self._optimizers[name]

    def get_all_optimizers(self) -> dict:
        return dict(self._optimizers)

    def get_iterator(self, name: str):
        """The iterator registered under `name`."""
        return self._iterators[name]

    def update(self) -> None:
        """One iteration: `update_core()`, then the iteration count."""
        self.update_core()
        self.iteration += 1

    @property
    def compiled(self) -> bool:
        """Whether the last update ran as a compiled step (see `explain_compile`)."""
        step = self.__dict__.get("_compiled_step")
        return step is not None and step.last_compiled

    def explain_compile(self) -> str:
        """How the update runs, in words: compiled (and for which batch
        shapes), eager and why (a batch structure not yet seen
        `config.compile_threshold` times, the setting off, ...), or eager
        for good and why."""
        step = self.__dict__.get("_compiled_step")
        if step is None:
            step = self._compiled_step = _CompiledStep(type(self).__name__)
        return step.explain()

    def update_core(self) -> None:
        iterator = self._iterators["main"]
        batch = iterator.next()
        in_arrays = convert._call_converter(self.converter, batch, self._input_device)

        optimizer = self._optimizers["main"]
        loss_func = self.loss_func or optimizer.target
        step = self.__dict__.get("_compiled_step")
        if step is None:
            step = self._compiled_step = _CompiledStep(type(self).__name__)
        if step.run(optimizer, loss_func, in_arrays):
            pass
        elif isinstance(in_arrays, tuple):
            optimizer.update(loss_func, *in_arrays)
        elif isinstance(in_arrays, dict):
            optimizer.update(loss_func, **in_arrays)
        else:
            optimizer.update(loss_func, in_arrays)

        if self.auto_new_epoch and iterator.is_new_epoch:
            optimizer.new_epoch(auto=True)

    def serialize(self, serializer) -> None:
        """The iterators (``iterator:<name>``), optimizers
        (``optimizer:<name>``), their models (``model:<name>``) and the
        iteration count."""
        for name, iterator in self._iterators.items():
            iterator.serialize(serializer["iterator:" + name])
        for name, optimizer in self._optimizers.items():
            optimizer.serialize(serializer["optimizer:" + name])
            optimizer.target.serialize(serializer["model:" + name])
        self.iteration = serializer("iteration", self.iteration)


# -- the compiled step -------------------------------------------------------------------

logger = logging.getLogger("kusari.compile")
_MAX_KEYS = 512          # batch structures counted before the counts start again


class _CompiledStep:
    """StandardUpdater's update as one function compiled by `kusari.jit`:
    ``optimizer.update(loss_func, *in_arrays)`` on the converted batch
    (forward, cleargrads, backward, the optimizer's update with its hooks),
    the parameters, optimizer state and counters written back after each
    call, the values the model reports written into the current reporter,
    and the Variables the model keeps as attributes (`Classifier.loss`,
    `.y`, `.accuracy`) set to the step's values.

    A batch structure (how the arrays are passed, their shapes and dtypes)
    runs eagerly until it has come `config.compile_threshold` times, then
    compiled. If the step cannot be traced (Python code that needs the
    values, an effect kusari.jit refuses, a function it cannot trace) the
    updater runs eagerly from then on and says why once.
    """

    def __init__(self, name: str):
        self.name = name
        self.counts: dict = {}        # batch key -> times seen
        self.jitted: dict = {}        # (id(optimizer), id(loss_func), layout) -> Jitted
        self.attributes: dict = {}    # the same -> how many attributes each link had
        self.written: dict = {}       # the same -> the slots its last step wrote
        self.shapes: list = []        # the batch types compiled, in words
        self.refused: str | None = None
        self.last_compiled = False
        self.why: str | None = None   # why the last update ran eagerly
        self.initialized = False
        # [link, attribute, Variable] the step's results are written to
        self.slots: list = []
        self._slot_index: dict = {}

    def explain(self) -> str:
        if self.refused is not None:
            return f"eager for good: {self.refused}"
        compiled = f"compiled for batches {'; '.join(self.shapes)}" if self.shapes else ""
        if self.last_compiled:
            return f"{compiled} (the last update ran compiled)"
        if self.why is None:
            why = "no update yet" if configuration.config.compile_updates else \
                "kusari.config.compile_updates is False"
        else:
            why = self.why
        return f"eager: {why}" + (f"; {compiled}" if compiled else "")

    def run(self, optimizer, loss_func, in_arrays) -> bool:
        """Runs the update compiled and returns True, or returns False (the
        caller runs it eagerly; `why` says why)."""
        self.last_compiled = False
        state = configuration.state
        if self.refused is not None:
            return False
        if not state.compile_updates:
            self.why = "kusari.config.compile_updates is False"
            return False
        if state.debug:
            self.why = "config.debug is set"
            return False
        if state.keep_graph_on_report:
            # the observation keeps the step's graph, which only the eager
            # step records (DumpGraph sets it)
            self.why = "config.keep_graph_on_report is set"
            return False
        links = self._links(optimizer, loss_func)
        why = _hooks_in_force(links)
        if why is not None:
            self.why = why
            return False
        if type(in_arrays) is tuple:
            names, arrays = None, in_arrays
        elif type(in_arrays) is dict:
            names = tuple(in_arrays)
            arrays = tuple(in_arrays.values())
        else:
            names, arrays = "one", (in_arrays,)
        for a in arrays:
            if type(a) is not numpy.ndarray or a.dtype.kind not in "biuf":
                self.why = f"the converted batch holds a {type(a).__name__}, " \
                    "not only NumPy arrays of numbers"
                return False
        layout = (id(optimizer), id(loss_func), names)
        key = (layout, tuple((a.shape, a.dtype) for a in arrays))
        seen = self.counts.get(key, 0) + 1
        if len(self.counts) >= _MAX_KEYS and seen == 1:
            self.counts.clear()
        self.counts[key] = seen
        threshold = state.compile_threshold
        if seen < threshold:
            self.why = f"batches {', '.join(_type(a) for a in arrays)} seen {seen} " \
                f"time{'s' if seen != 1 else ''}, compiled at " \
                f"config.compile_threshold = {threshold}"
            return False
        if not self.initialized:
            # parameters that the first batch shapes (Linear(None, n)) are
            # made by an eager step first
            if any(p.array is None for p in optimizer.target.params()):
                self.why = "parameters not initialized yet (the first batch shapes them)"
                return False
            self.initialized = True
        jitted = self.jitted.get(layout)
        # an attribute set on a link where its class had one (Classifier's
        # compute_accuracy) is no guard's business: a new one traces again
        attributes = tuple([len(link.__dict__) for link in links])
        fresh = jitted is None or self.attributes.get(layout) != attributes
        if fresh:
            jitted = self.jitted[layout] = self._make(optimizer, loss_func, names)
        for k in self.written.get(layout, ((), ()))[1]:
            # a result attribute rebound since the last step (an Evaluator ran
            # the model eagerly): the step sets it anyway; the traced step
            # finds the Variable its guard holds
            link, attr, holder = self.slots[k]
            if link.__dict__.get(attr) is not holder:
                link.__dict__[attr] = holder
        try:
            results = jitted(*arrays)
        except Exception as e:          # noqa: BLE001 (the eager step says what is wrong)
            self._refuse(e)
            return False
        if seen == threshold or not self.shapes:
            described = ", ".join(_type(a) for a in arrays)
            if described not in self.shapes:
                self.shapes.append(described)
        slots = self.slots
        for k, value in results.items():
            slot = slots[int(k)]
            link, attr, holder = slot
            if holder is None:
                holder = slot[2] = Variable(value)
            else:
                # the Variable the attribute held when the step was traced,
                # given this step's value: the trace's guard on the link's
                # Variable attributes (by identity) keeps holding
                Variable.__init__(holder, value, name=holder.name,
                                  requires_grad=holder.requires_grad)
            if link.__dict__.get(attr) is not holder:
                setattr(link, attr, holder)
        if fresh:           # (after the trace: what it added to the links counts)
            self.attributes[layout] = tuple([len(link.__dict__) for link in links])
        keys = tuple(results)
        if self.written.get(layout, ((), ()))[0] != keys:
            self.written[layout] = (keys, tuple(int(k) for k in keys))
        self.last_compiled = True
        return True

    def _refuse(self, error: Exception) -> None:
        what = str(error).strip().splitlines()
        self.refused = f"{type(error).__name__}: {what[0] if what else ''}".rstrip(": ")
        self.jitted.clear()
        logger.warning("%s: the update step cannot be compiled and runs eagerly from now "
                       "on (%s); updater.explain_compile() says how the update runs",
                       self.name, self.refused)

    def _make(self, optimizer, loss_func, names):
        from ...jit import Jitted

        def step(*arrays):
            links = self._links(optimizer, loss_func)
            before = [_snapshot(link) for link in links]
            try:
                if names is None:
                    optimizer.update(loss_func, *arrays)
                elif names == "one":
                    optimizer.update(loss_func, arrays[0])
                else:
                    optimizer.update(loss_func, **dict(zip(names, arrays)))
                _no_history(links, before)
                return self._traced_attributes(links, before)
            except BaseException:
                # the eager step that follows starts from the links' state
                # before the trace (a list the forward appended to, a counter)
                for link, old in zip(links, before):
                    _restore(link, old)
                raise

        target = optimizer.target

        def reads():
            # what the compiled step's guards watch (kusari.guards): the
            # links' plain attributes (Classifier.compute_accuracy), their
            # array attributes (inputs) and Variable attributes (by identity)
            return target, loss_func
        step._guard_source = reads
        return Jitted(step, name=f"{self.name}.update")

    @staticmethod
    def _links(optimizer, loss_func) -> list:
        from ...link import Link
        links = list(optimizer.target.links())
        if isinstance(loss_func, Link) and not any(loss_func is k for k in links):
            links.extend(loss_func.links())
        return links

    def _traced_attributes(self, links, before) -> dict:
        """The traced Variables the model keeps as attributes after the
        step (Classifier's loss, y, accuracy), to be set after each call.
        Any other change the step made to its links' attributes (a counter
        increased, a list appended to, a value set) is a Python-side effect
        a compiled step would not repeat: refused (TypeError)."""
        out = {}
        for link, old in zip(links, before):
            now = link.__dict__
            skip = link._params | link._persistent
            for attr in old.keys() - now.keys():
                raise TypeError(f"the step deletes {type(link).__name__}.{attr}, a "
                                "Python-side effect a compiled step would not repeat")
            for attr, value in list(now.items()):
                if attr in skip or attr.startswith("_kusari"):
                    continue
                state = _recurrent_state(link, attr, value)
                if state is not None and not (attr in old and _unchanged(old[attr], value)):
                    raise TypeError(f"the step keeps {type(link).__name__}.{state}, a "
                                    "recurrent state carried from step to step (the eager "
                                    "step may backpropagate through it)")
                if isinstance(value, Variable) and isinstance(value.array, tracing.Traced):
                    kept = value
                elif attr in old and _unchanged(old[attr], value):
                    continue
                elif value is None and attr in old and isinstance(old[attr][0], Variable):
                    continue        # a result cleared (Classifier.accuracy without accfun)
                else:
                    what = "keeps a traced value in a " + type(value).__name__ \
                        if _holds_traced(value) else "changes"
                    raise TypeError(f"the step {what} {type(link).__name__}.{attr}, a "
                                    "Python-side effect a compiled step would not repeat")
                slot = self._slot_index.get((id(link), attr))
                if slot is None:
                    was = old.get(attr, (None,))[0]
                    holder = was if type(was) is Variable and \
                        type(was.array) is numpy.ndarray else None
                    slot = self._slot_index[(id(link), attr)] = len(self.slots)
                    self.slots.append([link, attr, holder])
                out[str(slot)] = kept
        return out


def _snapshot(link) -> dict:
    """A link's attributes before the traced step: each value, and for a
    list, dict or set its items (to see them changed in place)."""
    snap = {}
    for attr, value in link.__dict__.items():
        t = type(value)
        if t is list or t is set:
            snap[attr] = (value, tuple(value))
        elif t is dict:
            snap[attr] = (value, tuple(value.items()))
        else:
            snap[attr] = (value, None)
    return snap


def _restore(link, snap: dict) -> None:
    """The link's attributes as `_snapshot` found them."""
    d = link.__dict__
    for attr in list(d):
        if attr not in snap:
            del d[attr]
    for attr, (value, items) in snap.items():
        d[attr] = value
        if items is not None and type(value) is dict:
            value.clear()
            value.update(items)
        elif items is not None:
            value.clear()
            (value.extend if type(value) is list else value.update)(items)


def _unchanged(old, value) -> bool:
    was, items = old
    if value is was:
        if items is None:
            return True
        now = tuple(value.items()) if type(value) is dict else tuple(value)
        return len(now) == len(items) and all(a is b for a, b in zip(now, items))
    from ... import guards
    return items is None and guards.is_plain(was) and guards.same(was, value)


def _no_history(links, before) -> None:
    """Refuses a step that reads a Variable with a graph from before it (a
    recurrent link's state from the last step): the eager backward goes on
    into that history, the compiled step would stop at it."""
    ctx = tracing.active()
    for node in list(ctx.detached.values()) if ctx is not None else ():
        var = node.var()
        if var is None or not var.requires_grad:
            continue
        where = next((f"{type(link).__name__}.{attr}" for link, snap in zip(links, before)
                      for attr, (value, _) in snap.items() if value is var),
                     f"a Variable of shape {var.shape}")
        raise TypeError(f"the step reads {where}, a Variable with a graph from an earlier "
                        "step (a recurrent state not reset?), which the eager backward "
                        "goes through")


def _hooks_in_force(links) -> str | None:
    """Function or link hooks that would see the step's calls (a timer, a
    printer): Python code to run at every call, so the step runs eagerly."""
    from ... import function_hook, link_hook
    if function_hook.active_hooks():
        return "function hooks are in force (they see every call eagerly)"
    if link_hook._get_link_hooks():
        return "link hooks are in force (they see every call eagerly)"
    for link in links:
        if link._local_link_hooks:
            return f"{type(link).__name__} has link hooks (they see every call eagerly)"
    return None


def _recurrent_state(link, attr: str, value) -> str | None:
    """The name of the recurrent state (LSTM's h, c) `attr` holds or keeps
    for kusari.jit (`_h_state`), or None."""
    if not isinstance(value, Variable):
        return None
    if attr.startswith("_") and attr.endswith("_state") and len(attr) > 7:
        return attr[1:-6]
    if value is link.__dict__.get(f"_{attr}_state"):
        return attr
    return None


def _holds_traced(value) -> bool:
    if isinstance(value, tracing.Traced):
        return True
    if isinstance(value, Variable):
        return isinstance(value.array, tracing.Traced)
    if type(value) in (tuple, list):
        return any(_holds_traced(v) for v in value)
    if type(value) is dict:
        return any(_holds_traced(v) for v in value.values())
    return False


def _type(a) -> str:
    return f"{a.dtype}{list(a.shape)}"
