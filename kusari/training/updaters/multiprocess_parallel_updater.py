"""MultiprocessParallelUpdater: data parallelism over GPUs, one process per
GPU, gradients summed with NCCL (as Chainer's). It needs CuPy with NCCL;
without it, constructing one raises Chainer's error."""
from __future__ import annotations

import multiprocessing
import warnings

import numpy

from ... import backend, reporter
from ...backends import cuda
from ...dataset import convert
from .standard_updater import StandardUpdater

try:
    from cupy.cuda import nccl
    _available = True
except Exception:
    nccl = None
    _available = False


def _calc_loss(model, in_arrays):
    if isinstance(in_arrays, tuple):
        return model(*in_arrays)
    if isinstance(in_arrays, dict):
        return model(**in_arrays)
    return model(in_arrays)


def _nccl_data_type(dtype):
    types = {numpy.dtype(numpy.float32): "NCCL_FLOAT",
             numpy.dtype(numpy.float16): "NCCL_HALF",
             numpy.dtype(numpy.float64): "NCCL_DOUBLE"}
    try:
        return getattr(nccl, types[numpy.dtype(dtype)])
    except KeyError:
        raise RuntimeError(f"Unexpected data type:{dtype}") from None


class _Worker(multiprocessing.Process):
    """A GPU's process: its own model copy and iterator; each ``update``
    message computes gradients, reduces them to the master and receives the
    master's parameters."""

    def __init__(self, proc_id, pipe, master):
        super().__init__()
        self.proc_id = proc_id
        self.pipe = pipe
        self.converter = master.converter
        self.model = master._master
        self.device = master._devices[proc_id]
        self.iterator = master._mpu_iterators[proc_id]
        self.n_devices = len(master._devices)

    def setup(self):
        _, comm_id = self.pipe.recv()
        self.comm = nccl.NcclCommunicator(self.n_devices, comm_id, self.proc_id)
        self.model.to_device(self.device)
        self.reporter = reporter.Reporter()
        self.reporter.add_observer("main", self.model)
        self.reporter.add_observers("main", self.model.namedlinks(skipself=True))

    def run(self):
        self.device.use()
        self.setup()
        stream = cuda.cupy.cuda.Stream.null
        while True:
            job, _ = self.pipe.recv()
            if job == "finalize":
                self.device.device.synchronize()
                break
            if job == "update":
                self.model.cleargrads()
                batch = self.converter(self.iterator.next(), self.device)
                with self.reporter.scope({}):
                    loss = _calc_loss(self.model, batch)
                self.model.cleargrads()
                loss.backward()
                del loss
                gg = gather_grads(self.model)
                self.comm.reduce(gg.data.ptr, gg.data.ptr, gg.size,
                                 _nccl_data_type(gg.dtype), nccl.NCCL_SUM, 0, stream.ptr)
                del gg
                self.model.cleargrads()
                gp = gather_params(self.model)
                self.comm.bcast(gp.data.ptr, gp.size, _nccl_data_type(gp.dtype), 0,
                                stream.ptr)
                scatter_params(self.model, gp)
                del gp


class MultiprocessParallelUpdater(StandardUpdater):
    """Chainer's multi-process, multi-GPU updater (needs CuPy with NCCL).

    Args:
        iterators: one iterator per device (same dataset lengths).
        optimizer: the optimizer of the model (its learning rate or eps is
            corrected for the larger batch, with a warning, as in Chainer).
        converter: as in `StandardUpdater`.
        devices: list of devices (the first is the master) or a dict with a
            ``'main'`` key.
        auto_new_epoch: as in `StandardUpdater`.
    """

    def __init__(self, iterators, optimizer, converter=convert.concat_examples,
                 devices=None, auto_new_epoch: bool = True):
        if not MultiprocessParallelUpdater.available():
            raise Exception(
                "NCCL is not enabled. MultiprocessParallelUpdater requires NCCL.\n"
                "Please reinstall CuPy after you install NCCL.\n"
                "(see https://docs-cupy.chainer.org/en/latest/install.html)")
        try:
            cuda.cupy.cuda.driver.ctxGetCurrent()
            cuda_initialized = True
        except cuda.cupy.cuda.driver.CUDADriverError:
            cuda_initialized = False
        if cuda_initialized and multiprocessing.get_start_method() not in (
                "spawn", "forkserver"):
            raise RuntimeError(
                "The CUDA context has been already initialized. "
                "MultiprocessParallelUpdater assumes the context is uninitialized. "
                "Please do not call CUDA API before MultiprocessParallelUpdater "
                "creates processes or use multiprocessing.set_start_method with "
                "'spawn' or 'forkserver' as arguments.")
        if len(iterators) != len(devices):
            raise ValueError(f"MultiprocessParallelUpdater: {len(iterators)} iterators "
                             f"for {len(devices)} devices (one each is needed)")
        for iterator in iterators[1:]:
            if len(iterator.dataset) != len(iterators[0].dataset):
                raise ValueError("MultiprocessParallelUpdater: the iterators' datasets "
                                 "differ in length")

        n = len(devices)
        name = type(optimizer).__name__
        if name in ("Adam", "AdaGrad", "RMSprop"):
            optimizer.eps *= n
            warnings.warn(f"optimizer.eps is changed to {optimizer.eps} "
                          "by MultiprocessParallelUpdater for new batch size.")
        elif name in ("RMSpropGraves", "AdaDelta"):
            optimizer.eps *= n ** 2
            warnings.warn(f"optimizer.eps is changed to {optimizer.eps} "
                          "by MultiprocessParallelUpdater for new batch size.")
        elif hasattr(optimizer, "lr"):
            optimizer.lr /= n
            warnings.warn(f"optimizer.lr is changed to {optimizer.lr} "
                          "by MultiprocessParallelUpdater for new batch size.")

        super().__init__(iterator=iterators[0], optimizer=optimizer,
                         converter=converter, auto_new_epoch=auto_new_epoch)

        if isinstance(devices, dict):
            devices = dict(devices)
            main = devices.pop("main")
            devices = [main] + list(devices.values())
        elif isinstance(devices, (list, tuple)):
            devices = list(devices)
        else:
            raise ValueError("devices argument should be either dict, list or tuple, "
                             f"but {type(devices)} was given.")
        if any(device is None for device in devices):
            raise ValueError("GPU devices must be specified.")

        self._master = optimizer.target
        self._devices = [backend.get_device(d) for d in devices]
        self._mpu_iterators = iterators
        self._initialized = False
        self._pipes = []
        self._workers = []
        self.comm = None

    @staticmethod
    def available() -> bool:
        """Whether CuPy with NCCL is installed."""
        return _available

    def _send_message(self, message) -> None:
        for pipe in self._pipes:
            pipe.send(message)

    def setup_workers(self) -> None:
        if self._initialized:
            return
        self._initialized = True
        self._master.cleargrads()
        for i in range(1, len(self._devices)):
            pipe, worker_end = multiprocessing.Pipe()
            worker = _Worker(i, worker_end, self)
            worker.start()
            self._workers.append(worker)
            self._pipes.append(pipe)
        with backend.using_device(self._devices[0]):
            self._master.to_device(self._devices[0])
            if len(self._devices) > 1:
                comm_id = nccl.get_unique_id()
                self._send_message(("set comm_id", comm_id))
                self.comm = nccl.NcclCommunicator(len(self._devices), comm_id, 0)

    def update_core(self) -> None:
        self.setup_workers()
        self._send_message(("update", None))
        with backend.using_device(self._devices[0]):
            self._master.cleargrads()
            optimizer = self.get_optimizer("main")
            iterator = self.get_iterator("main")
            batch = self.converter(iterator.next(), self._devices[0])
            loss = _calc_loss(self._master, batch)
            self._master.cleargrads()
            loss.backward()
            stream = cuda.cupy.cuda.Stream.null
            if self.comm is not None:
                gg = gather_grads(self._master)
                self.comm.reduce(gg.data.ptr, gg.data.ptr, gg.size,
                                 _nccl_data_type(gg.dtype), nccl.NCCL_SUM, 0, stream.ptr)
                scatter_grads(self._master, gg)
                del gg
            optimizer.update()
            if self.comm is not None:
                gp = gather_params(self._master)
                self.comm.bcast(gp.data.ptr, gp.size, _nccl_data_type(gp.dtype), 0,
                                stream.ptr)
            if self.auto_new_epoch and iterator.is_new_epoch:
                optimizer.new_epoch(auto=True)

    def finalize(self) -> None:
        self._send_message(("finalize", None))
        for worker in self._workers:
            worker.join()
        super().finalize()


def size_num_grads(link):
    """``(total size, count)`` of the link's non-empty parameters."""
    size = num = 0
    for param in link.params():
        if param.size == 0:
            continue
        size += param.size
        num += 1
    return size, num


def _params_in_order(link):
    return [p for _, p in sorted(link.namedparams(), key=lambda np_: np_[0])
            if p.size != 0]


def _gather(link, target: str):
    cupy = cuda.cupy
    parts = []
    for param in _params_in_order(link):
        a = getattr(param, target)
        parts.append(cupy.zeros(param.size, numpy.float32) if a is None
                     else a.ravel().astype(numpy.float32))
    return cupy.concatenate(parts) if parts else cupy.zeros(0, numpy.float32)


def _scatter(link, array, target: str) -> None:
    cupy = cuda.cupy
    offset = 0
    for param in _params_in_order(link):
        piece = array[offset:offset + param.size].reshape(param.shape)
        offset += param.size
        a = getattr(param, target)
        if a is None:
            setattr(param, target, piece.astype(param.dtype))
        else:
            cupy.copyto(a, piece.astype(a.dtype))


def gather_grads(link):
    """The link's gradients as one float32 CuPy array (sorted by name)."""
    if link.xp is numpy:
        raise RuntimeError("gather_grads works only on GPU.")
    return _gather(link, "grad")


def gather_params(link):
    """The link's parameters as one float32 CuPy array (sorted by name)."""
    if link.xp is numpy:
        raise RuntimeError("Link.gather_params works only on GPU.")
    return _gather(link, "data")


def scatter_grads(link, array) -> None:
    """Puts `array` (from `gather_grads`) back into the link's gradients."""
    _scatter(link, array, "grad")


def scatter_params(link, array) -> None:
    """Puts `array` (from `gather_params`) back into the link's parameters."""
    _scatter(link, array, "data")
