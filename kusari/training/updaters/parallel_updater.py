"""ParallelUpdater: data-parallel SGD over several copies of the model."""
from __future__ import annotations

import concurrent.futures
import copy

import numpy

from ... import backend, configuration, reporter as reporter_module
from ...configuration import force_backprop_mode
from ...dataset import convert
from .standard_updater import StandardUpdater


def _loss(loss_func, in_arrays, device):
    with force_backprop_mode(), backend.using_device(device):
        if isinstance(in_arrays, tuple):
            loss = loss_func(*in_arrays)
        elif isinstance(in_arrays, dict):
            loss = loss_func(**in_arrays)
        else:
            loss = loss_func(in_arrays)
    return loss


class ParallelUpdater(StandardUpdater):
    """Synchronous data parallelism: each batch is split over the models
    (``batch[i::n]`` to the i-th), each computes its loss and gradients, the
    gradients are summed into the main model, the main optimizer updates it
    and the other models copy its parameters back.

    On GPUs (Chainer's use) each model lives on its own device. kusari also
    runs it on the CPU: when every device is the CPU, the models' forward and
    backward passes run concurrently on threads (NumPy's kernels release the
    GIL); the result is the same as running them one after another.

    Args:
        iterator, optimizer, converter, loss_func, loss_scale,
        auto_new_epoch: as in `StandardUpdater`.
        models: dict name -> model, ``'main'`` being the main optimizer's
            target; made from `devices` (deep copies) when omitted.
        devices: dict name -> device, with the same keys as `models` (must
            hold ``'main'`` when `models` is omitted).
    """

    def __init__(self, iterator, optimizer, converter=convert.concat_examples,
                 models=None, devices=None, loss_func=None, loss_scale=None,
                 auto_new_epoch: bool = True):
        super().__init__(iterator=iterator, optimizer=optimizer, converter=converter,
                         loss_func=loss_func, loss_scale=loss_scale,
                         auto_new_epoch=auto_new_epoch)
        if models is None:
            if devices is None:
                raise ValueError("either models or devices must be specified")
            names = list(devices)
            try:
                names.remove("main")
            except ValueError:
                raise KeyError("'devices' must contain a 'main' key.") from None
            models = {"main": optimizer.target}
            for name in names:
                model = copy.deepcopy(optimizer.target)
                model.to_device(devices[name])
                models[name] = model
            optimizer.target.to_device(devices["main"])
        self._devices = devices
        self._models = models
        self._pool = None

    def connect_trainer(self, trainer) -> None:
        model_main = self.get_optimizer("main").target
        for name, model in self._models.items():
            if model is not model_main:
                trainer.reporter.add_observer(name, model)

    def _on_cpu(self) -> bool:
        return all(backend.get_device(d).xp is numpy for d in self._devices.values())

    def update_core(self) -> None:
        optimizer = self.get_optimizer("main")
        model_main = optimizer.target
        iterator = self.get_iterator("main")
        batch = iterator.next()

        models = self._models
        n = len(models)
        jobs = []
        for i, (key, model) in enumerate(models.items()):
            in_arrays = self.converter(batch[i::n], self._devices[key])
            jobs.append((self.loss_func or model, in_arrays, self._devices[key]))
        for model in models.values():
            model.cleargrads()

        if n > 1 and self._on_cpu():
            losses = self._run_threads(jobs)
        else:
            losses = [_loss(*job) for job in jobs]
            for model in models.values():     # (parameters made in the forward)
                model.cleargrads()
            for loss in losses:
                loss.backward(loss_scale=self.loss_scale)
        del losses

        for model in models.values():
            if model is not model_main:
                model_main.addgrads(model)
        optimizer.update()
        for model in models.values():
            if model is not model_main:
                model.copyparams(model_main)

        if self.auto_new_epoch and iterator.is_new_epoch:
            optimizer.new_epoch(auto=True)

    def _run_threads(self, jobs) -> list:
        """Each model's loss and backward on a thread of its own, in the
        caller's configuration and with its reporter current (so reported
        values land in the trainer's observation)."""
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(
                max_workers=len(jobs), thread_name_prefix="ParallelUpdater")
        settings = dict(vars(configuration.state))
        reporters = list(reporter_module._get_reporters())
        models = list(self._models.values())
        loss_scale = self.loss_scale

        def work(job, model):
            local = vars(configuration.state)
            local.clear()
            local.update(settings)
            stack = reporter_module._get_reporters()
            depth = len(stack)
            stack.extend(reporters)
            try:
                loss = _loss(*job)
                model.cleargrads()
                loss.backward(loss_scale=loss_scale)
                return loss
            finally:
                del stack[depth:]

        futures = [self._pool.submit(work, job, model) for job, model in zip(jobs, models)]
        return [f.result() for f in futures]

    def finalize(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        super().finalize()
