"""A stand-in for the `cupy` module, for testing kusari's GPU paths on a CPU.

Its arrays hold NumPy arrays but are not NumPy arrays, and they are as strict
as CuPy's where kusari could go wrong:

- no implicit conversion to NumPy (`numpy.asarray(x)` raises TypeError, as
  CuPy's `__array__` does): a NumPy function that would copy a device array
  to the host fails instead of quietly computing there;
- a NumPy array meeting a device array in an operation raises TypeError
  (CuPy's "Unsupported type <class 'numpy.ndarray'>");
- every array belongs to the device that was current when it was made, and
  arrays of two devices in one operation raise (CuPy needs peer access).

NumPy functions, ufuncs and methods applied to its arrays dispatch here
(`__array_function__`, `__array_ufunc__`), as they dispatch to CuPy.
`RawModule` compiles the CUDA source it is given with the host C++ compiler
through tests/cuda/shim.h, and launches run the kernels on the CPU with the
grid and block given, so CUDA kernels compute for real.

`install(monkeypatch)` makes it kusari's cupy for one test.
"""
from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import tempfile
import types

import numpy

from . import harness

__all__ = ["ndarray", "install"]

_current = [0]
N_DEVICES = 2


class Device:
    """cupy.cuda.Device: `with Device(1):` makes device 1 current."""

    def __init__(self, device=None):
        if device is None:
            device = _current[0]
        device = int(device)
        if not 0 <= device < N_DEVICES:
            raise RuntimeError(f"CUDARuntimeError: cudaErrorInvalidDevice (device {device})")
        self.id = device
        self._saved = []

    def use(self):
        _current[0] = self.id

    def synchronize(self):
        pass

    def __enter__(self):
        self._saved.append(_current[0])
        _current[0] = self.id
        return self

    def __exit__(self, *exc):
        _current[0] = self._saved.pop()
        return False

    def __int__(self):
        return self.id

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(("cuda", self.id))

    def __repr__(self):
        return f"<CUDA Device {self.id}>"


class ndarray(numpy.lib.mixins.NDArrayOperatorsMixin):   # noqa: N801 (CuPy's name)
    """A device array: a NumPy array kept behind CuPy's rules."""

    __array_priority__ = 100.0

    def __init__(self, shape, dtype=float, memptr=None, strides=None, order="C"):
        self._a = numpy.empty(shape, dtype, order=order)
        self._device = _current[0]

    @classmethod
    def _wrap(cls, a, device=None):
        x = cls.__new__(cls)
        x._a = a
        x._device = _current[0] if device is None else device
        return x

    # -- what it is ---------------------------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    nbytes = property(lambda self: self._a.nbytes)
    itemsize = property(lambda self: self._a.itemsize)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: self._a.flags)
    device = property(lambda self: Device(self._device))
    T = property(lambda self: self.transpose())

    @property
    def __cuda_array_interface__(self):
        return {"shape": self.shape, "typestr": self.dtype.str, "version": 3,
                "data": (self._a.ctypes.data, False), "strides": self.strides}

    @property
    def base(self):
        return None if self._a.base is None else ndarray._wrap(self._a.base, self._device)

    def __len__(self):
        return len(self._a)

    def __repr__(self):
        return repr(self._a)

    def __str__(self):
        return str(self._a)

    # -- no quiet trip to the host ------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. "
                        "Please use `.get()` to construct a NumPy array explicitly.")

    def get(self, stream=None, order="C", out=None):
        return numpy.array(self._a, order=order)

    def set(self, arr, stream=None):
        if not isinstance(arr, numpy.ndarray):
            raise TypeError(f"Only numpy.ndarray can be set to cupy.ndarray, got {type(arr)}")
        self._a[...] = arr

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __index__(self):
        return self._a.__index__()

    def __bool__(self):
        return bool(self._a)

    def __complex__(self):
        return complex(self._a)

    def item(self, *args):
        return self._a.item(*args)

    def tolist(self):
        return self._a.tolist()

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(len(self)))

    def __reduce__(self):
        return (_rebuild, (self._a, self._device))

    # -- computing: NumPy on the held arrays, under CuPy's rules ---------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        unknown = set(kwargs) - {"out", "dtype", "casting"}
        if unknown:                      # CuPy's ufuncs take no `where`, `order` ...
            raise TypeError(f"Wrong arguments {unknown}")
        device = _device_of((inputs, kwargs), ufunc.__name__)
        inputs = _unwrap(inputs, ufunc.__name__)
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = _unwrap(out, ufunc.__name__)
        result = getattr(ufunc, method)(*inputs, **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result, device)

    def __array_function__(self, func, types_, args, kwargs):
        name = func.__name__
        device = _device_of((args, kwargs), name)
        result = func(*_unwrap(args, name), **_unwrap(kwargs, name))
        return _wrap(result, device)

    def __getitem__(self, index):
        return _wrap(self._a[_unwrap(index, "getitem", False)], self._device)

    def __setitem__(self, index, value):
        _device_of((self, value), "setitem")
        self._a[_unwrap(index, "setitem", False)] = _unwrap(value, "setitem")

    def __getattr__(self, name):
        # array methods (reshape, sum, astype, fill ...): NumPy's on the held array
        if name.startswith("__"):
            raise AttributeError(name)
        method = getattr(self._a, name)
        if not callable(method):
            return _wrap(method, self._device)

        def call(*args, **kwargs):
            _device_of((self, args, kwargs), name)
            return _wrap(method(*_unwrap(args, name), **_unwrap(kwargs, name)),
                         self._device)
        return call

    def __copy__(self):
        return ndarray._wrap(self._a.copy(), self._device)

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __dlpack__(self, *args, **kwargs):
        raise TypeError("the stand-in cupy does not export DLPack")


ndarray.__module__ = "cupy"          # what kusari (and Chainer) look at


def _rebuild(a, device):
    return ndarray._wrap(a, device)


def _device_of(tree, what):
    """The device of the device arrays in `tree` (the current one if none);
    arrays of two devices raise."""
    found = set()

    def walk(x):
        if isinstance(x, ndarray):
            found.add(x._device)
        elif isinstance(x, (list, tuple)):
            for y in x:
                walk(y)
        elif isinstance(x, dict):
            for y in x.values():
                walk(y)
    walk(tree)
    if len(found) > 1:
        raise ValueError(f"{what}: arrays on devices {sorted(found)} in one operation "
                         "(the array is on another device than the current one)")
    return found.pop() if found else _current[0]


def _unwrap(x, what, strict=True):
    """The held arrays; a NumPy array raises where CuPy's would (`strict`;
    indices may be NumPy arrays)."""
    if isinstance(x, ndarray):
        return x._a
    if strict and isinstance(x, numpy.ndarray):
        raise TypeError(f"Unsupported type {type(x)} (in {what}: a NumPy array "
                        "met a device array)")
    if isinstance(x, tuple):
        return tuple(_unwrap(y, what, strict) for y in x)
    if isinstance(x, list):
        return [_unwrap(y, what, strict) for y in x]
    if isinstance(x, dict):
        return {k: _unwrap(v, what, strict) for k, v in x.items()}
    return x


def _wrap(x, device):
    if isinstance(x, numpy.ndarray):
        return ndarray._wrap(x, device)
    if isinstance(x, numpy.generic):       # CuPy gives 0-d arrays, not scalars
        return ndarray._wrap(numpy.asarray(x), device)
    if isinstance(x, tuple):
        return tuple(_wrap(y, device) for y in x)
    if isinstance(x, list):
        return [_wrap(y, device) for y in x]
    return x


# -- the module's functions ---------------------------------------------------------

def asarray(a, dtype=None, order=None):
    if isinstance(a, ndarray):
        if a._device != _current[0]:
            return array(a, dtype)
        return a if dtype is None or a.dtype == dtype else a.astype(dtype)
    return ndarray._wrap(numpy.array(a, dtype, order=order or "K"))


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0):
    if isinstance(obj, ndarray):
        obj = obj._a
    return ndarray._wrap(numpy.array(obj, dtype, copy=True, order=order, ndmin=ndmin))


def ascontiguousarray(a, dtype=None):
    if not isinstance(a, ndarray):
        raise TypeError(f"Unsupported type {type(a)}")
    return ndarray._wrap(numpy.ascontiguousarray(a._a, dtype), a._device)


def asnumpy(a, stream=None, order="C", out=None):
    if isinstance(a, ndarray):
        return numpy.array(a._a, order=order)
    return numpy.asarray(a, order=order)


def get_array_module(*args):
    return _module if any(isinstance(a, ndarray) for a in args) else numpy


def _creator(name):
    fn = getattr(numpy, name)

    def create(*args, **kwargs):
        _device_of((args, kwargs), name)
        return _wrap(fn(*_unwrap(args, name), **_unwrap(kwargs, name)), None)
    create.__name__ = name
    return create


_CREATORS = ("empty", "zeros", "ones", "full", "arange", "linspace", "eye", "identity",
             "empty_like", "zeros_like", "ones_like", "full_like", "tri", "indices")


class _Random(types.ModuleType):
    """cupy.random: NumPy's generator, arrays made on the current device."""

    def __getattr__(self, name):
        fn = getattr(numpy.random, name)
        if not callable(fn):
            return fn

        def draw(*args, **kwargs):
            return _wrap(fn(*_unwrap(args, name), **_unwrap(kwargs, name)), None)
        return draw


# -- kernels: CUDA source run on the CPU through the host shim ---------------------

_SIG = re.compile(r'extern "C" __global__ void (\w+)\(([^)]*)\)')


def compile_for_host(code: str):
    """(library, {kernel name: parameter types}): the kernels of CUDA source
    `code` compiled with g++ through shim.h, each with a host entry point
    `launch_<name>(grid, block, void** args)`."""
    d = tempfile.mkdtemp(prefix="kusari-fakecupy-")
    lines = [f'#include "{harness.SHIM}"', code]
    kernels = {}
    for name, params in _SIG.findall(code):
        ptypes = [p.rsplit("__restrict__", 1)[0].strip() for p in params.split(",")]
        args = ", ".join(f"({t})a[{i}]" for i, t in enumerate(ptypes))
        lines.append(f'extern "C" void launch_{name}(unsigned grid, unsigned block, '
                     f"void** a) {{ ks_launch(grid, block, [&] {{ {name}({args}); }}); }}")
        kernels[name] = ptypes
    src = os.path.join(d, "m.cpp")
    with open(src, "w") as f:
        f.write("\n".join(lines) + "\n")
    lib = os.path.join(d, "m.so")
    r = subprocess.run([harness.gxx(), "-std=c++17", "-O1", "-fPIC", "-shared", "-w",
                        "-ffp-contract=off", src, "-o", lib], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("CompileException: " + r.stderr[-4000:])
    loaded = ctypes.CDLL(lib)
    shutil.rmtree(d, ignore_errors=True)        # a loaded library needs its file no more
    return loaded, kernels


class RawModule:
    """cupy.RawModule(code=..., options=...): compiled with g++ through shim.h."""

    compiled: list = []            # the source of every module compiled
    launched: list = []            # the name of every kernel launched

    _built: dict = {}              # source -> what g++ made (CuPy keeps a disk cache)

    def __init__(self, code: str, options=(), **kwargs):
        RawModule.compiled.append(code)
        built = RawModule._built.get(code)
        if built is None:
            built = RawModule._built[code] = compile_for_host(code)
        self.lib, self.kernels = built

    def get_function(self, name):
        if name not in self.kernels:
            raise RuntimeError(f"CUDA_ERROR_NOT_FOUND: named symbol not found: {name}")
        ptypes = self.kernels[name]
        fn = getattr(self.lib, f"launch_{name}")

        def kernel(grid, block, args, **kwargs):
            if len(args) != len(ptypes):
                raise TypeError(f"{name} takes {len(ptypes)} arguments, got {len(args)}")
            ptrs = []
            for a, t in zip(args, ptypes):
                if not isinstance(a, ndarray):
                    raise TypeError(f"{name}: a kernel argument of type {type(a)}")
                if a._device != _current[0]:
                    raise ValueError(f"{name}: an array on device {a._device} launched "
                                     f"on device {_current[0]}")
                if not a._a.flags.c_contiguous:
                    raise ValueError(f"{name}: a non-contiguous argument")
                ptrs.append(a._a.ctypes.data)
            RawModule.launched.append(name)
            fn(ctypes.c_uint(grid[0]), ctypes.c_uint(block[0]),
               (ctypes.c_void_p * len(ptrs))(*ptrs))
        return kernel


# -- the module -------------------------------------------------------------------------

def _make_module():
    m = types.ModuleType("cupy", __doc__)
    m.__file__ = __file__
    for name in ("ndarray", "asarray", "array", "ascontiguousarray", "asnumpy",
                 "get_array_module", "RawModule"):
        setattr(m, name, globals()[name])
    for name in _CREATORS:
        setattr(m, name, _creator(name))
    # the rest of NumPy's namespace: functions and ufuncs dispatch through the
    # arrays' protocols; dtypes and constants are NumPy's
    for name in dir(numpy):
        if not name.startswith("_") and not hasattr(m, name):
            setattr(m, name, getattr(numpy, name))
    runtime = types.SimpleNamespace(getDevice=lambda: _current[0],
                                    getDeviceCount=lambda: N_DEVICES)
    m.cuda = types.SimpleNamespace(Device=Device, runtime=runtime,
                                   Stream=types.SimpleNamespace(null=None),
                                   get_current_stream=lambda: None)
    m.random = _Random("cupy.random")
    m.memoize = lambda for_each_device=False: (lambda f: f)
    m.clear_memo = lambda: None
    m.get_default_memory_pool = lambda: None
    m.get_default_pinned_memory_pool = lambda: None
    m.copyto = lambda dst, src, **kw: numpy.copyto(dst, src, **kw)
    return m


_module = _make_module()


def install(monkeypatch, gpus: int = N_DEVICES):
    """Make the stand-in kusari's cupy for the test using `monkeypatch`."""
    import sys

    from kusari.backends import cuda
    from kusari.runtime import cupy_backend
    monkeypatch.setattr(sys.modules[__name__], "N_DEVICES", gpus)
    _current[0] = 0
    monkeypatch.setitem(sys.modules, "cupy", _module)
    monkeypatch.setitem(sys.modules, "cupy.cuda", _module.cuda)
    monkeypatch.setattr(cuda, "available", True)
    monkeypatch.setattr(cuda, "_resolution_error", None)
    for name, value in (("ndarray", ndarray), ("Device", Device), ("cupy", _module),
                        ("cuda", _module.cuda)):
        monkeypatch.setattr(cuda, name, value, raising=False)
    monkeypatch.setattr(cupy_backend, "_backend", [])
    return _module
