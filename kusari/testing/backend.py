"""`BackendConfig` and `inject_backend_tests`: run a test once per backend
(CPU; CuPy, cuDNN, iDeep and ChainerX configurations are marked so that they
are deselected where those are absent)."""
from __future__ import annotations

import functools

from .. import backend as _backend
from ..configuration import using_config
from . import _bundle, attr


class BackendConfig:
    """One backend configuration: which device and which library flags a
    test runs with (`with backend_config:` applies them)."""

    _props = [
        ("use_chainerx", False),
        ("chainerx_device", None),
        ("use_cuda", False),
        ("cuda_device", None),       # 0 when use_cuda and not given
        ("use_cudnn", "never"),
        ("cudnn_deterministic", False),
        ("autotune", False),
        ("cudnn_fast_batch_normalization", False),
        ("use_ideep", "never"),
    ]

    _device = None

    def __init__(self, params):
        if not isinstance(params, dict):
            raise TypeError("params must be a dict.")
        self._contexts = []
        for k, v in self._props:
            setattr(self, k, v)
        for k, v in params.items():
            if not hasattr(self, k):
                raise ValueError(f"Parameter {k} is not defined")
            setattr(self, k, v)
        if self.use_chainerx:
            assert isinstance(self.chainerx_device, str), (
                "'chainerx_device' parameter is expected to be a string "
                "representing a ChainerX device specifier")
        if self.use_cuda and self.cuda_device is None:
            self.cuda_device = 0

    @property
    def xp(self):
        return self.device.xp

    @property
    def device(self):
        if self._device is None:
            if self.use_cuda:
                device = _backend.GpuDevice.from_device_id(self.cuda_device)
            elif self.use_chainerx:
                device = _backend.ChainerxDevice(self.chainerx_device)
            elif self.use_ideep != "never":
                device = _backend.Intel64Device()
            else:
                device = _backend.CpuDevice()
            self._device = device
        return self._device

    def __enter__(self):
        contexts = [using_config("use_cudnn", self.use_cudnn),
                    using_config("cudnn_deterministic", self.cudnn_deterministic),
                    using_config("autotune", self.autotune),
                    using_config("use_ideep", self.use_ideep),
                    _backend.using_device(self.device)]
        for c in contexts:
            c.__enter__()
        self._contexts.append(contexts)
        return self

    def __exit__(self, typ, value, traceback):
        for c in reversed(self._contexts.pop()):
            c.__exit__(typ, value, traceback)

    def __repr__(self):
        return "<BackendConfig " + " ".join(
            f"{k}={getattr(self, k)!r}" for k, _ in self._props) + ">"

    def get_func_str(self) -> str:
        """The configuration as a string fit for a method or class name."""
        def text(v):
            return "true" if v is True else "false" if v is False else str(v)
        return "__".join(f"{k}_{text(getattr(self, k))}" for k, _ in self._props)

    def get_pytest_marks(self) -> list:
        marks = []
        if self.use_chainerx:
            marks.append(attr.chainerx)
            backend_name, index = self.chainerx_device.split(":")
            if backend_name == "cuda":
                marks.append(attr.gpu)
                if int(index) >= 1:
                    marks.append(attr.multi_gpu(int(index) + 1))
        elif self.use_cuda:
            marks.append(attr.gpu)
            if self.use_cudnn != "never":
                marks.append(attr.cudnn)
            if self.cuda_device >= 1:
                marks.append(attr.multi_gpu(self.cuda_device + 1))
        elif self.use_ideep != "never":
            marks.append(attr.ideep)
        return marks

    def get_array(self, np_array):
        """The array(s) sent to this configuration's device."""
        return self.device.send(np_array)


def _backend_cases(base, method_names, params):
    if method_names is not None:
        # the base class keeps the methods that are not injected
        yield base.__name__, {}, (
            lambda method: None if method.__name__ in method_names else method)

    for param in params:
        config = BackendConfig(param)
        marks = config.get_pytest_marks()

        def wrap(method, config=config, marks=marks):
            if method_names is not None and method.__name__ not in method_names:
                return None

            @functools.wraps(method)
            def test(self, *args, **kwargs):
                return method(self, config, *args, **kwargs)
            for mark in marks:
                test = mark(test)
            return test

        yield f"{base.__name__}_{config.get_func_str()}", {}, wrap


def inject_backend_tests(method_names, params):
    """Run the test methods named in `method_names` (all `test_*` when None)
    once per backend configuration in `params` (a list of dicts); each gets
    its `BackendConfig` as its first argument."""
    if not (method_names is None or isinstance(method_names, list)):
        raise TypeError("method_names must be either None or a list.")
    if not isinstance(params, list) or not all(isinstance(d, dict) for d in params):
        raise TypeError("params must be a list of dicts.")
    return _bundle.make_decorator(
        lambda base: _backend_cases(base, method_names, params))
