"""NPZ serialization in Chainer's layout: one array per key, keys are paths
('l1/W', 'predictor/l1/b', an optimizer's 't', 'epoch', 'l1/W/m'), None
(an uninitialized parameter) stored as a 0-d object array. Files written by
Chainer load here and the other way round.

`load_npz` into a link or an optimizer checks the whole file against the
object first: a missing key or an array that does not fit raises an error
naming the key and why, and leaves the object unchanged.
"""
from __future__ import annotations

import os

import numpy

from ..serializer import Deserializer, Serializer
from ._zip import write_npz


def _to_cpu(value):
    if isinstance(value, numpy.ndarray):
        return value
    from ..backends import cuda
    return cuda.to_cpu(value)


class DictionarySerializer(Serializer):
    """Saves values into a flat dict `target` under '/'-joined paths."""

    def __init__(self, target=None, path: str = ""):
        self.target = {} if target is None else target
        self.path = path

    def __getitem__(self, key: str) -> "DictionarySerializer":
        return DictionarySerializer(self.target, self.path + key.strip("/") + "/")

    def __call__(self, key: str, value):
        self.target[self.path + key.lstrip("/")] = \
            numpy.asarray(None) if value is None else _to_cpu(value)
        return value


def serialize(obj) -> dict:
    """The dict DictionarySerializer makes of `obj`."""
    s = DictionarySerializer()
    s.save(obj)
    return s.target


def save_npz(file, obj, compression: bool = True) -> None:
    """Save `obj` (a link, an optimizer, anything with `serialize`, or a
    dict of arrays) to `file` (a path or a file object)."""
    if isinstance(file, (str, os.PathLike)):
        with open(file, "wb") as f:
            save_npz(f, obj, compression)
        return
    target = obj if isinstance(obj, dict) else serialize(obj)
    if compression:
        write_npz(file, target)          # numpy.savez_compressed's file, deflated in parallel
    else:
        numpy.savez(file, **target)


class NpzDeserializer(Deserializer):
    """Loads from an NPZ file (numpy.load's result, or a dict of arrays).

    `path` is the prefix of the keys to read ('predictor/'); with
    `strict=False` keys missing from the file are skipped; `ignore_names`
    (a key, a callable key -> bool, or a list of them) are never loaded."""

    def __init__(self, npz, path: str = "", strict: bool = True, ignore_names=None):
        self.npz = npz
        self.path = path
        self.strict = strict
        self.ignore_names = [] if ignore_names is None else ignore_names

    def __getitem__(self, key: str) -> "NpzDeserializer":
        return type(self)(self.npz, self.path + key.strip("/") + "/", strict=self.strict,
                          ignore_names=self.ignore_names)

    def _ignored(self, key: str) -> bool:
        names = self.ignore_names
        for name in names if isinstance(names, (tuple, list)) else (names,):
            if isinstance(name, str):
                if key == name:
                    return True
            elif callable(name):
                if name(key):
                    return True
            else:
                raise ValueError("ignore_names needs to be a callable, string or list "
                                 "of them.")
        return False

    def __call__(self, key: str, value):
        key = self.path + key.lstrip("/")
        if not self.strict and key not in self.npz:
            return value
        if self._ignored(key):
            return value
        if key not in self.npz:
            raise KeyError(f"{key!r} is not in the file (strict loading; the file has "
                           f"{len(list(self.npz.keys()))} keys, e.g. "
                           f"{sorted(self.npz.keys())[:5]})")
        dataset = self.npz[key]
        if dataset.dtype == object and dataset.shape == () and dataset[()] is None:
            return None
        if value is None:
            return dataset
        return _into(key, dataset, value)


class _CheckingNpzDeserializer(NpzDeserializer):
    """Reads every key as NpzDeserializer would and raises its errors, but
    changes nothing (returns `value`, and None where a load would make a
    new array)."""

    def __call__(self, key: str, value):
        loaded = super().__call__(key, _probe(value))
        return None if value is None or loaded is None else value


class _Probe:
    """Stands for an array to be filled: its shape and dtype, no storage."""

    def __init__(self, array):
        self.shape, self.dtype = array.shape, array.dtype


def _probe(value):
    if isinstance(value, numpy.ndarray) or hasattr(value, "__cuda_array_interface__"):
        return _Probe(value)
    return value


def _fits(key: str, dataset, shape, dtype) -> None:
    data = numpy.asarray(dataset)
    try:
        numpy.broadcast_shapes(data.shape, shape)
        fits = numpy.broadcast_shapes(data.shape, shape) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"cannot load {key!r}: the file holds an array of shape "
                         f"{data.shape}, the target's shape is {tuple(shape)}")
    if not numpy.can_cast(data.dtype, dtype, casting="same_kind"):
        raise TypeError(f"cannot load {key!r}: the file holds {data.dtype}, which does "
                        f"not cast to the target's {numpy.dtype(dtype)}")


def _into(key: str, dataset, value):
    """Load `dataset` into `value` (an array: in place; a scalar: a new one
    of its type)."""
    if isinstance(value, _Probe):
        _fits(key, dataset, value.shape, value.dtype)
        return value
    if isinstance(value, numpy.ndarray):
        _fits(key, dataset, value.shape, value.dtype)
        numpy.copyto(value, dataset)
        return value
    if hasattr(value, "__cuda_array_interface__"):       # a CuPy array
        _fits(key, dataset, value.shape, value.dtype)
        value.set(numpy.asarray(dataset, dtype=value.dtype))
        return value
    data = numpy.asarray(dataset)
    kind = type(value)
    if issubclass(data.dtype.type, numpy.number) and \
            not (issubclass(data.dtype.type, numpy.integer) and kind is int) and \
            not numpy.can_cast(data.dtype, kind, casting="safe"):
        raise TypeError(f"Cannot safely deserialize from numpy array with "
                        f"dtype={data.dtype} into a variable of type {kind} "
                        f"(key {key!r}).")
    return kind(data)


def _checked_first(obj) -> bool:
    from ..link import Link
    from ..optimizer import Optimizer
    return isinstance(obj, (Link, Optimizer))


def load_npz(file, obj, path: str = "", strict: bool = True, ignore_names=None) -> None:
    """Load `obj` (a link, an optimizer, anything with `serialize`) from
    `file` (a path or a file object), reading the keys under `path`.

    A link or an optimizer is checked against the whole file first: a key
    missing (with strict) or an array of another shape raises, naming the
    key, with nothing loaded."""
    with numpy.load(file, allow_pickle=True) as f:
        if _checked_first(obj):
            _CheckingNpzDeserializer(f, path=path, strict=strict,
                                     ignore_names=ignore_names).load(obj)
        NpzDeserializer(f, path=path, strict=strict, ignore_names=ignore_names).load(obj)
