"""The device base class (Chainer's `chainer._backend`).

A device says which array module computes on it (`xp`), which array types
live on it, and how to move arrays there (`send`). kusari has the CPU device
always; the GPU device needs CuPy (`kusari.backends.cuda`), the iDeep device
needs ideep4py (`kusari.backends.intel64`).
"""
from __future__ import annotations


def _convert_arrays(arrays, convert):
    """Apply `convert` to an array, or to each array of a list or tuple.

    None stays None; an array met twice in the container is converted once
    and the same result appears at both places (tied arrays stay tied)."""
    if not isinstance(arrays, (list, tuple)):
        return convert(arrays)
    done = {}
    out = []
    for a in arrays:
        if a is None:
            out.append(None)
            continue
        if id(a) not in done:
            done[id(a)] = convert(a)
        out.append(done[id(a)])
    return type(arrays)(out)


class _NullContext:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


_null_context = _NullContext()


class Device:
    """Base class of kusari's devices: `CpuDevice`, `GpuDevice`, `Intel64Device`."""

    @property
    def xp(self):
        """The array module of the device (numpy, cupy)."""
        raise NotImplementedError(f"{type(self).__name__} must define xp")

    @property
    def name(self):
        """The device's unique name (its specifier: '@numpy', '@cupy:0')."""
        raise NotImplementedError(f"{type(self).__name__} must define name")

    @property
    def supported_array_types(self):
        """The array types the device's array module works on."""
        raise NotImplementedError(
            f"{type(self).__name__} must define supported_array_types")

    def __str__(self):
        return self.name

    def __enter__(self):
        raise RuntimeError(
            "Device class does not support runtime context using `with` "
            "statement. Use chainer.using_device instead.")

    def __exit__(self, exc_type, exc_value, traceback):
        return False

    def __eq__(self, other):
        raise NotImplementedError(f"{type(self).__name__} must define __eq__")

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self.name)

    def create_context(self):
        """A context manager making the device current (`using_device`)."""
        return _null_context

    def send_array(self, array):
        raise NotImplementedError(f"{type(self).__name__} must define send_array")

    def send(self, arrays):
        """The array (or list/tuple of arrays) transferred to this device."""
        return _convert_arrays(arrays, self.send_array)

    def use(self):
        """Make this device current in this thread (nothing to do on CPU)."""

    def is_array_supported(self, array) -> bool:
        raise NotImplementedError(
            f"{type(self).__name__} must define is_array_supported")
