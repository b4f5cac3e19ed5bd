"""StandardUpdater: one batch, one optimizer update per iteration."""
from __future__ import annotations

import warnings

import numpy

from ... import backend
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

    def update_core(self) -> None:
        iterator = self._iterators["main"]
        batch = iterator.next()
        in_arrays = convert._call_converter(self.converter, batch, self._input_device)

        optimizer = self._optimizers["main"]
        loss_func = self.loss_func or optimizer.target
        if isinstance(in_arrays, tuple):
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
