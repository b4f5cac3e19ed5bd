"""Links: objects that own parameters (Chainer's Link, Chain, ChainList).

Parameters and child links assigned inside `with self.init_scope():` are
registered; `params()`, `namedparams()`, `cleargrads()` and the optimizers
walk them.
"""
from __future__ import annotations

import contextlib
import copy as copy_module

import numpy as np

from . import guards
from .variable import Parameter


class Link:
    """A building block that owns parameters and persistent values."""

    def __init__(self, **params):
        object.__setattr__(self, "_params", [])
        object.__setattr__(self, "_persistent", [])
        object.__setattr__(self, "_within_init_scope", False)
        object.__setattr__(self, "name", None)
        self._device = "@numpy"
        for name, value in params.items():
            # Chainer's old form: Link(W=(2, 3)) adds a parameter of that shape
            shape, dtype = (value, None) if not isinstance(value, tuple) or \
                len(value) != 2 or not isinstance(value[1], (type, np.dtype)) else value
            self.add_param(name, shape, dtype=dtype)

    @property
    def within_init_scope(self) -> bool:
        return getattr(self, "_within_init_scope", False)

    @contextlib.contextmanager
    def init_scope(self):
        """Within this block, assigned Parameters (and links) are registered."""
        old = self._within_init_scope
        object.__setattr__(self, "_within_init_scope", True)
        try:
            yield
        finally:
            object.__setattr__(self, "_within_init_scope", old)

    def __setattr__(self, name, value):
        if self.within_init_scope and isinstance(value, Parameter):
            value.name = name
            if name not in self._params:
                self._params.append(name)
        if isinstance(value, (Parameter, Link)) or \
                isinstance(self.__dict__.get(name), (Parameter, Link)):
            guards.changed(f"{type(self).__name__}.{name} was set")
        super().__setattr__(name, value)

    def __delattr__(self, name):
        if name in self._params:
            self._params.remove(name)
        if name in self._persistent:
            self._persistent.remove(name)
        if isinstance(self.__dict__.get(name), (Parameter, Link)):
            guards.changed(f"{type(self).__name__}.{name} was deleted")
        super().__delattr__(name)

    def __call__(self, *args, **kwargs):
        forward = getattr(self, "forward", None)
        if forward is None:
            raise NotImplementedError(f"{type(self).__name__} defines no forward()")
        return forward(*args, **kwargs)

    # -- registration -----------------------------------------------------------
    def add_param(self, name: str, shape=None, dtype=np.float32, initializer=None):
        if name in self.__dict__:
            raise AttributeError(f"cannot register a new parameter {name}: "
                                 "attribute exists")
        from . import initializers
        if initializer is None:
            initializer = initializers.NaN(dtype)
        param = Parameter(initializer, shape)
        with self.init_scope():
            setattr(self, name, param)

    def add_persistent(self, name: str, value) -> None:
        if name in self.__dict__:
            raise AttributeError(f"cannot register a new persistent value {name}: "
                                 "attribute exists")
        self._persistent.append(name)
        object.__setattr__(self, name, value)

    register_persistent = add_persistent

    # -- traversal --------------------------------------------------------------
    def params(self, include_uninit: bool = True):
        for _, p in self.namedparams(include_uninit):
            yield p

    def namedparams(self, include_uninit: bool = True):
        for name in self._params:
            p = self.__dict__[name]
            if include_uninit or p.is_initialized:
                yield "/" + name, p

    def links(self, skipself: bool = False):
        if not skipself:
            yield self

    def namedlinks(self, skipself: bool = False):
        if not skipself:
            yield "/", self

    def children(self):
        return iter(())

    def count_params(self) -> int:
        return sum(p.size for p in self.params() if p.is_initialized)

    # -- gradients --------------------------------------------------------------
    def cleargrads(self) -> None:
        """Set every parameter's grad to None (the next backward fills them)."""
        for p in self.params():
            p.cleargrad()

    def zerograds(self) -> None:
        """Set every parameter's grad to zeros (Chainer's older cleargrads)."""
        for p in self.params():
            p.zerograd()

    def addgrads(self, link: "Link") -> None:
        src = dict(link.namedparams())
        for name, p in self.namedparams():
            p.addgrad(src[name])

    def copyparams(self, link: "Link", copy_persistent: bool = True) -> None:
        src = dict(link.namedparams())
        for name, p in self.namedparams():
            p.copydata(src[name])

    # -- copies and devices -----------------------------------------------------
    def copy(self, mode: str = "share") -> "Link":
        """A copy: mode 'share' shares arrays, 'copy' copies them, 'init' copies
        the structure with uninitialized parameters."""
        if mode == "share":
            ret = copy_module.copy(self)
            object.__setattr__(ret, "_params", list(self._params))
            object.__setattr__(ret, "_persistent", list(self._persistent))
            for name in self._params:
                p = self.__dict__[name]
                q = Parameter(p.array, name=p.name) if p.is_initialized else \
                    Parameter(p.initializer, name=p.name)
                object.__setattr__(ret, name, q)
            return ret
        if mode == "copy":
            return copy_module.deepcopy(self)
        if mode == "init":
            ret = copy_module.deepcopy(self)
            for p in ret.params():
                p._array = None
                p.cleargrad()
            return ret
        raise ValueError(f"mode must be 'share', 'copy' or 'init', not {mode!r}")

    def to_cpu(self):
        from .backends import cuda
        for p in self.params():
            p.to_cpu()
        for name in self._persistent:
            v = self.__dict__[name]
            if not np.isscalar(v):
                object.__setattr__(self, name, cuda.to_cpu(v))
        self._device = "@numpy"
        return self

    def to_gpu(self, device=None):
        from .backends import cuda
        for p in self.params():
            p.to_gpu(device)
        for name in self._persistent:
            v = self.__dict__[name]
            if not np.isscalar(v):
                object.__setattr__(self, name, cuda.to_gpu(v, device))
        self._device = "@cupy"
        return self

    def to_device(self, device):
        if str(device) in ("@numpy", "cpu", "-1"):
            return self.to_cpu()
        from .backends import cuda
        return self.to_gpu(cuda.parse_device_id(device))

    @property
    def xp(self):
        from .backends import cuda
        for p in self.params():
            if p.is_initialized:
                return cuda.get_array_module(p.array)
        return np

    @property
    def device(self):
        return self._device

    def serialize(self, serializer) -> None:
        for name in self._params:
            p = self.__dict__[name]
            data = serializer(name, p.array)
            if p.array is None and data is not None:
                p.initialize(data.shape)
                p.array[...] = data
        for name in self._persistent:
            object.__setattr__(self, name, serializer(name, self.__dict__[name]))

    def repeat(self, n_repeat: int, mode: str = "init"):
        return ChainList(*[self.copy(mode) for _ in range(n_repeat)])

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__qualname__} object at " \
               f"{hex(id(self))}>"


class Chain(Link):
    """A link made of child links (registered within init_scope)."""

    def __init__(self, **links):
        super().__init__()
        object.__setattr__(self, "_children", [])
        for name, link in links.items():
            self.add_link(name, link)

    def __setattr__(self, name, value):
        if self.within_init_scope and isinstance(value, Link):
            if hasattr(self, name) and name not in self._children:
                raise AttributeError(f"cannot register a new link {name}: "
                                     "attribute exists")
            value.name = name
            if name not in self._children:
                self._children.append(name)
        super().__setattr__(name, value)

    def __delattr__(self, name):
        if name in self._children:
            self._children.remove(name)
        super().__delattr__(name)

    def __getitem__(self, name: str) -> Link:
        return getattr(self, name)

    def add_link(self, name: str, link: Link) -> None:
        with self.init_scope():
            setattr(self, name, link)

    def children(self):
        for name in self._children:
            yield self.__dict__[name]

    def namedparams(self, include_uninit: bool = True):
        yield from super().namedparams(include_uninit)
        for name in self._children:
            prefix = "/" + name
            for path, p in self.__dict__[name].namedparams(include_uninit):
                yield prefix + path, p

    def links(self, skipself: bool = False):
        if not skipself:
            yield self
        for child in self.children():
            yield from child.links()

    def namedlinks(self, skipself: bool = False):
        if not skipself:
            yield "/", self
        for name in self._children:
            child = self.__dict__[name]
            prefix = "/" + name
            yield prefix, child
            for path, link in child.namedlinks(True):
                yield prefix + path, link

    def copy(self, mode: str = "share"):
        ret = super().copy(mode)
        if mode == "share":
            object.__setattr__(ret, "_children", list(self._children))
            for name in self._children:
                object.__setattr__(ret, name, self.__dict__[name].copy(mode))
        return ret

    def to_cpu(self):
        super().to_cpu()
        for child in self.children():
            child.to_cpu()
        return self

    def to_gpu(self, device=None):
        super().to_gpu(device)
        for child in self.children():
            child.to_gpu(device)
        return self

    def serialize(self, serializer) -> None:
        super().serialize(serializer)
        for name in self._children:
            self.__dict__[name].serialize(serializer[name])


class ChainList(Link):
    """A link made of an ordered list of child links."""

    def __init__(self, *links):
        super().__init__()
        object.__setattr__(self, "_children", [])
        for link in links:
            self.add_link(link)

    def __setattr__(self, name, value):
        if self.within_init_scope and isinstance(value, Link):
            raise TypeError("cannot register a new link within an init_scope "
                            "of a ChainList; use add_link")
        super().__setattr__(name, value)

    def __getitem__(self, index):
        return self._children[index]

    def __iter__(self):
        return iter(self._children)

    def __len__(self) -> int:
        return len(self._children)

    def add_link(self, link: Link) -> None:
        link.name = str(len(self._children))
        self._children.append(link)
        guards.changed(f"{type(self).__name__} gained link {link.name}")

    def append(self, link: Link) -> None:
        self.add_link(link)

    def children(self):
        return iter(self._children)

    def namedparams(self, include_uninit: bool = True):
        yield from super().namedparams(include_uninit)
        for i, child in enumerate(self._children):
            for path, p in child.namedparams(include_uninit):
                yield f"/{i}{path}", p

    def links(self, skipself: bool = False):
        if not skipself:
            yield self
        for child in self._children:
            yield from child.links()

    def namedlinks(self, skipself: bool = False):
        if not skipself:
            yield "/", self
        for i, child in enumerate(self._children):
            yield f"/{i}", child
            for path, link in child.namedlinks(True):
                yield f"/{i}{path}", link

    def copy(self, mode: str = "share"):
        ret = super().copy(mode)
        if mode == "share":
            object.__setattr__(ret, "_children", [c.copy(mode) for c in self._children])
        return ret

    def to_cpu(self):
        super().to_cpu()
        for child in self._children:
            child.to_cpu()
        return self

    def to_gpu(self, device=None):
        super().to_gpu(device)
        for child in self._children:
            child.to_gpu(device)
        return self

    def serialize(self, serializer) -> None:
        super().serialize(serializer)
        for i, child in enumerate(self._children):
            child.serialize(serializer[str(i)])
