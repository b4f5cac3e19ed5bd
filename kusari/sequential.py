"""Chainer's Sequential: a ChainList of layers called one after another.

Layers are links or any callables (functions, lambdas); links among them
are also the ChainList's children (named by their position among the
links), so their parameters are found, saved and updated.
"""
from __future__ import annotations

import copy as copy_module
import inspect

from . import guards
from .link import ChainList, Link


def _layer_name(layer) -> str:
    return type(layer).__name__ if isinstance(layer, Link) else layer.__name__


class Sequential(ChainList):
    """`Sequential(l1, F.relu, l2)(x)` is `l2(F.relu(l1(x)))`; a layer
    returning a tuple passes it on as positional arguments."""

    def __init__(self, *layers) -> None:
        super().__init__()
        self._layers = []
        for layer in layers:
            self.append(layer)

    # -- the list of layers ------------------------------------------------------
    def __len__(self) -> int:
        return len(self._layers)

    def __getitem__(self, i):
        return self._layers[i]

    def __iter__(self):
        return iter(self._layers)

    def __reversed__(self):
        return reversed(self._layers)

    def __contains__(self, item) -> bool:
        return item in self._layers

    def __setitem__(self, i, layer) -> None:
        if i >= len(self):
            raise ValueError(f"{i} should be less than {len(self)}")
        if not callable(layer):
            raise ValueError("All elements of a Sequential class should be callable. "
                             f"But given {layer} is not callable.")
        if self._layers[i] is not layer:
            del self[i]
            self.insert(i, layer)

    def __delitem__(self, i) -> None:
        layer = self._layers.pop(i)
        if isinstance(layer, Link):
            self._children = [c for c in self._children if c is not layer]
            self._rename()

    def _rename(self) -> None:
        for k, child in enumerate(self._children):
            child.name = str(k)
        guards.changed(f"{type(self).__name__}'s layers changed")

    def insert(self, i: int, layer) -> None:
        """Insert `layer` before position `i` (negative counts from the end)."""
        n = len(self._layers)
        if not -n <= i < n + 1:
            raise IndexError(f"Index out of range: {i}")
        if i < 0:
            i += n
        if not callable(layer):
            raise ValueError("All elements of the argument should be callable. But "
                             f"given {layer} is not callable.")
        self._layers.insert(i, layer)
        if isinstance(layer, Link):
            before = sum(isinstance(x, Link) for x in self._layers[:i])
            self._children.insert(before, layer)
            self._rename()

    def append(self, layer) -> None:
        self.insert(len(self), layer)

    def extend(self, sequential) -> None:
        for layer in sequential:
            self.append(layer)

    def remove(self, layer) -> None:
        if layer not in self:
            raise ValueError(f"There is no layer object that is same as {layer}")
        del self[self.index(layer)]

    def remove_by_layer_type(self, type_name: str) -> None:
        """Remove every layer whose class name (or function name) is `type_name`."""
        for layer in [x for x in self if _layer_name(x) == type_name]:
            self.remove(layer)

    def pop(self, i: int = -1):
        layer = self._layers[i]
        del self[i]
        return layer

    def clear(self) -> None:
        self._children = []
        self._layers = []
        guards.changed(f"{type(self).__name__} was cleared")

    def index(self, layer, start=None, end=None) -> int:
        return self._layers[start:end].index(layer)

    def count(self, layer) -> int:
        return self._layers.count(layer)

    def count_by_layer_type(self, type_name: str) -> int:
        """How many layers' class name (or function name) is `type_name`."""
        return sum(_layer_name(x) == type_name for x in self._layers)

    def __add__(self, other):
        if not isinstance(other, Sequential):
            raise ValueError("add (+) operator supports only objects of Sequential "
                             f"class, but {type(other)} is given.")
        ret = Sequential()
        ret.extend(self)
        ret.extend(other)
        return ret

    def __iadd__(self, other):
        if not isinstance(other, Sequential):
            raise ValueError("add (+) operator supports only objects of Sequential "
                             f"class, but {type(other)} is given.")
        self.extend(other)
        return self

    def flatten(self) -> "Sequential":
        """The layers of nested Sequentials spliced in, one level."""
        ret = Sequential()
        for layer in self:
            if isinstance(layer, Sequential):
                ret.extend(layer.flatten())
            else:
                ret.append(layer)
        return ret

    # -- running, copying, printing ---------------------------------------------
    def forward(self, *x):
        """Call the layers in order (a tuple result is unpacked into the next)."""
        if not self._layers:
            raise RuntimeError("Sequential does not have any layer.")
        for layer in self._layers:
            x = layer(*x) if isinstance(x, tuple) else layer(x)
        return x

    def copy(self, mode: str = "share") -> "Sequential":
        ret = Sequential()
        for layer in self:
            ret.append(layer.copy(mode) if isinstance(layer, Link) else copy_module.copy(layer))
        return ret

    def copyparams(self, link, copy_persistent: bool = True) -> None:
        if not isinstance(link, Sequential):
            raise ValueError("Objects other than Sequential object cannot be copied to "
                             "a Sequential object.")
        for i, layer in enumerate(self):
            if isinstance(layer, Link):
                layer.copyparams(link[i], copy_persistent)

    def __reduce_ex__(self, protocol):
        if any(getattr(x, "__name__", None) == "<lambda>" for x in self._layers):
            raise ValueError(
                "This Sequential object has at least one lambda function as its "
                "component. Lambda function can not be pickled, so please consider to "
                "use functools.partial instead of the lambda function or use \"dill\", "
                "which is an external package that enables pickling an object "
                "including lambda functions intead of built-in pickle.")
        return super().__reduce_ex__(protocol)

    def __str__(self):
        reps = []
        for i, layer in enumerate(self):
            if getattr(layer, "__name__", None) == "<lambda>":
                rep = inspect.getsource(layer).strip().rstrip(",")
            else:
                rep = str(layer)
            reps.extend(f"  {line}\n" for line in f"({i}): {rep},".splitlines())
        body = "".join(reps)
        return f"{type(self).__name__}({chr(10) + body if body else ''})"
