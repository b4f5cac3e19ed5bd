"""Links: objects that own parameters (Chainer's Link, Chain, ChainList).

Parameters (and, for a Chain, child links) assigned inside
`with self.init_scope():` are registered; `params()`, `namedparams()`,
serializers and optimizers walk them in Chainer's order (names sorted, a
ChainList's children by position), so paths and keys are Chainer's
(`/l1/W`). Persistent values (`add_persistent`) are saved and loaded with
the parameters and moved between devices with them.
"""
from __future__ import annotations

import collections
import collections.abc
import contextlib
import copy as copy_module
import warnings

import numpy

from . import guards, link_hook
from .device_resident import DeviceResident
from .variable import Parameter

_INIT_MISSING = "Link.__init__() has not been called."


def _is_shape(value) -> bool:
    if value is None:
        return True
    if isinstance(value, collections.abc.Sequence):
        try:
            return all(isinstance(int(x), int) for x in value)
        except TypeError:
            return False
    try:
        int(value)
        return True
    except TypeError:
        return False


def _shape_and_dtype(value):
    """Link(W=...): a shape (float32), or a (shape, dtype) pair."""
    return (value, numpy.float32) if _is_shape(value) else value


def _array_types() -> tuple:
    from .initializers import array_types
    return array_types()


class Link(DeviceResident):
    """A building block that owns parameters and persistent values.

    `Link(W=(2, 3), b=((3,), 'd'))` adds parameters of those shapes (and
    dtypes), as Chainer's old form does.
    """

    _local_link_hooks = None
    _Link__init_done = False

    def __init__(self, **params) -> None:
        super().__init__()
        self._params = set()
        self._persistent = set()
        self._within_init_scope = False
        self.name = None
        self._Link__init_done = True
        for name, value in params.items():
            shape, dtype = _shape_and_dtype(value)
            self.add_param(name, shape, dtype=dtype)

    def _check_init_done(self) -> None:
        if not self._Link__init_done:
            raise RuntimeError(_INIT_MISSING)

    # -- printing -----------------------------------------------------------------
    @property
    def printable_specs(self):
        """(name, value) pairs str() shows: the arguments that made the link."""
        return iter(())

    def __str__(self):
        specs = ", ".join(f"{k}={v}" for k, v in self.printable_specs)
        return f"{type(self).__name__}({specs})"

    # -- registration ---------------------------------------------------------------
    @property
    def within_init_scope(self) -> bool:
        """Whether code runs inside `with self.init_scope():`."""
        return getattr(self, "_within_init_scope", False)

    @contextlib.contextmanager
    def init_scope(self):
        """Within this block, Parameters (and a Chain's links) assigned to
        attributes are registered."""
        self._check_init_done()
        old = self.within_init_scope
        self._within_init_scope = True
        try:
            yield
        finally:
            self._within_init_scope = old

    def __setattr__(self, name, value):
        if self.within_init_scope and isinstance(value, Parameter):
            value.name = name
            self._params.add(name)
            self._persistent.discard(name)
        if isinstance(value, (Parameter, Link)) or \
                isinstance(self.__dict__.get(name), (Parameter, Link)):
            guards.changed(f"{type(self).__name__}.{name} was set")
        super().__setattr__(name, value)

    def __delattr__(self, name):
        self._params.discard(name)
        self._persistent.discard(name)
        if isinstance(self.__dict__.get(name), (Parameter, Link)):
            guards.changed(f"{type(self).__name__}.{name} was deleted")
        super().__delattr__(name)

    def add_param(self, name: str, shape=None, dtype=numpy.float32,
                  initializer=None) -> None:
        """Register a parameter `name` of `shape` (None: uninitialized until
        `initialize`), filled by `initializer` (an initializer, array or
        scalar; default NaN of `dtype`)."""
        self._check_init_done()
        if name in self.__dict__:
            raise AttributeError(f"cannot register a new parameter {name}: "
                                 "attribute exists")
        if initializer is None:
            from . import initializers
            initializer = initializers.NaN(dtype)
        param = Parameter(initializer, shape)
        with self.init_scope():
            setattr(self, name, param)

    def add_persistent(self, name: str, value) -> None:
        """Register `value` as a persistent value (saved, loaded and moved
        with the parameters) under the attribute `name`."""
        d = self.__dict__
        if name in d:
            raise AttributeError(f"cannot register a new persistent value {name}: "
                                 "attribute exists")
        self._persistent.add(name)
        self._params.discard(name)
        d[name] = value
        guards.changed(f"{type(self).__name__} gained persistent value {name}")

    def register_persistent(self, name: str) -> None:
        """Make the existing attribute `name` a persistent value."""
        if not hasattr(self, name):
            raise AttributeError(f"cannot register non-existent attribute {name} as "
                                 "a persistent value")
        self._persistent.add(name)
        self._params.discard(name)
        guards.changed(f"{type(self).__name__}.{name} became persistent")

    @classmethod
    def from_params(cls, *args, **kwargs):
        """Make the link from given arrays (links that support it override this)."""
        raise NotImplementedError(f"{cls.__name__} does not implement `from_params`.")

    # -- calling --------------------------------------------------------------------
    @property
    def local_link_hooks(self) -> collections.OrderedDict:
        """The hooks registered on this link (add_hook), by name."""
        if self._local_link_hooks is None:
            self._local_link_hooks = collections.OrderedDict()
        return self._local_link_hooks

    def __call__(self, *args, **kwargs):
        self._check_init_done()
        hooks = link_hook._get_link_hooks()
        if self._local_link_hooks:
            hooks = collections.OrderedDict(hooks)
            hooks.update(self._local_link_hooks)
        if hooks:
            pre = link_hook._ForwardPreprocessCallbackArgs(self, "forward", args, kwargs)
            for hook in hooks.values():
                hook.forward_preprocess(pre)
        # a __call__ from a mixin class wins over forward (as in Chainer)
        forward = getattr(super(), "__call__", None)
        if forward is None:
            forward = getattr(self, "forward", None)
            if forward is None:
                raise AttributeError(f"{type(self).__name__} defines neither forward() "
                                     "nor __call__()")
        out = forward(*args, **kwargs)
        if hooks:
            post = link_hook._ForwardPostprocessCallbackArgs(self, "forward", args,
                                                              kwargs, out)
            for hook in hooks.values():
                hook.forward_postprocess(post)
        return out

    def add_hook(self, hook, name: str | None = None) -> "Link":
        """Register a LinkHook on this link only."""
        if not isinstance(hook, link_hook.LinkHook):
            raise TypeError("Hook must be of type LinkHook")
        name = hook.name if name is None else name
        hooks = self.local_link_hooks
        if name in hooks:
            raise KeyError(f"Hook {name} already exists")
        hooks[name] = hook
        hook.added(self)
        return self

    def delete_hook(self, name: str) -> None:
        """Unregister the LinkHook `name` from this link."""
        if name not in self.local_link_hooks:
            raise KeyError(f"Hook {name} does not exist")
        self.local_link_hooks[name].deleted(self)
        del self.local_link_hooks[name]

    # -- traversal ------------------------------------------------------------------
    def params(self, include_uninit: bool = True):
        """Every parameter of this link and the links below it."""
        d = self.__dict__
        for name in sorted(self._params):
            if include_uninit or d[name].array is not None:
                yield d[name]

    def namedparams(self, include_uninit: bool = True):
        """(path, parameter) pairs, paths relative to this link ('/l1/W')."""
        d = self.__dict__
        for name in sorted(self._params):
            if include_uninit or d[name].array is not None:
                yield "/" + name, d[name]

    def links(self, skipself: bool = False):
        """This link (unless skipself) and every link below it."""
        if not skipself:
            yield self

    def namedlinks(self, skipself: bool = False):
        """(path, link) pairs: '/' for this link, '/c1/l1' below it."""
        if not skipself:
            yield "/", self

    def children(self):
        """The links directly below this one."""
        return iter(())

    def count_params(self) -> int:
        """The number of scalars in the initialized parameters (an
        uninitialized one is skipped with a warning)."""
        size = 0
        for name, param in self.namedparams():
            if param.array is None:
                warnings.warn(f"Parameter '{name}' has not been initialized, so the "
                              "resulting count will not include the number of "
                              "parameters in it.")
                continue
            size += param.size
        return size

    # -- gradients and update rules -------------------------------------------------
    def cleargrads(self) -> None:
        """Set every parameter's grad to None (the next backward fills them)."""
        for param in self.params():
            param.cleargrad()

    def zerograds(self) -> None:
        """Fill every parameter's grad with zeros (deprecated: cleargrads)."""
        warnings.warn("Link.zerograds is deprecated. Use Link.cleargrads instead.",
                      DeprecationWarning, stacklevel=2)
        for param in self.params():
            param.zerograd()

    def addgrads(self, link: "Link") -> None:
        """Add the grads of `link`'s parameters (same structure) to these."""
        src, dst = link.__dict__, self.__dict__
        for name in self._params:
            dst[name].addgrad(src[name])

    def copyparams(self, link: "Link", copy_persistent: bool = True) -> None:
        """Copy the arrays of `link`'s parameters (and persistent values)
        into this link's (same structure); grads are not copied."""
        src, dst = link.__dict__, self.__dict__
        for name in self._params:
            dst[name].copydata(src[name])
        if copy_persistent:
            arrays = _array_types()
            for name in self._persistent:
                d, s = dst[name], src[name]
                if isinstance(d, arrays) and isinstance(s, arrays):
                    from .backends import cuda
                    if isinstance(d, numpy.ndarray):
                        numpy.copyto(d, cuda.to_cpu(s))
                    else:
                        d[...] = cuda.to_gpu(s)
                else:
                    dst[name] = copy_module.deepcopy(s)

    def enable_update(self) -> None:
        """Enable the update rule of every parameter below this link."""
        for param in self.params():
            if param.update_rule is not None:
                param.update_rule.enabled = True

    def disable_update(self) -> None:
        """Disable the update rule of every parameter below this link (an
        optimizer then leaves them as they are)."""
        for param in self.params():
            if param.update_rule is not None:
                param.update_rule.enabled = False

    @property
    def update_enabled(self) -> bool:
        """Whether at least one parameter's update rule is enabled."""
        return any(p.update_rule is not None and p.update_rule.enabled
                   for p in self.params())

    # -- copies -----------------------------------------------------------------------
    def copy(self, mode: str = "share") -> "Link":
        """A copy of the hierarchy below this link. mode 'share': new links
        whose parameters share the arrays; 'copy': a deep copy; 'init': a
        deep copy whose parameters are initialized anew."""
        if mode == "share":
            ret = self._share_copy()
            ret.name = None
            return ret
        if mode == "copy":
            return copy_module.deepcopy(self)
        if mode == "init":
            ret = copy_module.deepcopy(self)
            from .initializers import NaN
            for param in ret.params(include_uninit=False):
                if param._grad_initializer is None:      # a fresh grad, NaN as at creation
                    param._grad_initializer = NaN(param.dtype)
                param.initialize(param.shape)
            return ret
        raise ValueError("The 'mode' argument should be either 'init','copy', or "
                         f"'share'. But {mode} was given.")

    def _share_copy(self) -> "Link":
        ret = copy_module.copy(self)
        d = ret.__dict__
        d["_params"] = set(self._params)
        d["_persistent"] = set(self._persistent)
        d.pop("_local_link_hooks", None)
        for name in self._params:
            param = copy_module.copy(d[name])
            param._grad = param._grad_var = None
            d[name] = param
        return ret

    def __getstate__(self):
        # a jitted method's compiled versions stay with the instance they were
        # made for (copies and pickles trace their own)
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_kusari_jit_")}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def repeat(self, n_repeat: int, mode: str = "init"):
        """A Sequential of `n_repeat` copies of this link (see copy's modes)."""
        from .sequential import Sequential
        ret = Sequential()
        if n_repeat <= 0:
            return ret
        if mode not in ("init", "copy", "share"):
            raise ValueError("The 'mode' argument should be either 'init','copy', or "
                             f"'share'. But {mode} was given.")
        for _ in range(n_repeat):
            ret.append(self.copy(mode))
        return ret

    # -- devices and serialization -------------------------------------------------
    def device_resident_accept(self, visitor) -> None:
        super().device_resident_accept(visitor)
        d = self.__dict__
        for name in self._params:
            visitor.visit_variable(d[name])
        arrays = _array_types()
        for name in self._persistent:
            if isinstance(d[name], arrays):
                d[name] = visitor.visit_array(d[name])

    def serialize(self, serializer) -> None:
        """Save or load the parameters and persistent values through
        `serializer` (an uninitialized parameter is initialized from a
        loaded array)."""
        d = self.__dict__
        for name in sorted(self._params):
            param = d[name]
            data = serializer(name, param.array)
            if param.array is None and data is not None:
                param.initialize(data.shape)
                _copy_loaded(param.array, data)
        for name in sorted(self._persistent):
            d[name] = serializer(name, d[name])


def _copy_loaded(dst, src) -> None:
    if isinstance(dst, numpy.ndarray):
        from .backends import cuda
        numpy.copyto(dst, cuda.to_cpu(src), casting="unsafe")
    else:
        dst[...] = src


def _indent(text: str) -> str:
    return "".join(f"  {line}\n" for line in text.splitlines())


class Chain(Link):
    """A link made of named child links (registered within init_scope, or
    with add_link); they are its attributes and `chain['name']`."""

    def __init__(self, **links) -> None:
        super().__init__()
        self._children = set()
        for name, link in links.items():
            self.add_link(name, link)

    def __str__(self):
        reps = "".join(_indent(f"({child.name}): {child},") for child in self.children())
        return f"{type(self).__name__}({chr(10) + reps if reps else ''})"

    def __getitem__(self, name: str):
        return getattr(self, name)

    def __setattr__(self, name, value):
        if self.within_init_scope and isinstance(value, Link):
            if hasattr(self, name):
                raise AttributeError(f"cannot register a new link {name}: "
                                     "attribute exists")
            value.name = name
            self._children.add(name)
        super().__setattr__(name, value)

    def __delattr__(self, name):
        self._children.discard(name)
        super().__delattr__(name)

    def add_link(self, name: str, link: Link) -> None:
        """Register `link` as the child `name` (also an attribute)."""
        if name in self.__dict__:
            raise AttributeError(f"cannot register a new link {name}: attribute exists")
        if not isinstance(link, Link):
            raise TypeError("cannot register a non-link object as a child")
        with self.init_scope():
            setattr(self, name, link)

    def _share_copy(self):
        ret = super()._share_copy()
        ret.__dict__["_children"] = set(self._children)
        d = ret.__dict__
        for name in self._children:
            child = d[name].copy("share")
            child.name = name
            d[name] = child
        return ret

    def device_resident_accept(self, visitor) -> None:
        super().device_resident_accept(visitor)
        d = self.__dict__
        for name in self._children:
            d[name].device_resident_accept(visitor)

    def params(self, include_uninit: bool = True):
        yield from super().params(include_uninit)
        d = self.__dict__
        for name in sorted(self._children):
            yield from d[name].params(include_uninit)

    def namedparams(self, include_uninit: bool = True):
        yield from super().namedparams(include_uninit)
        d = self.__dict__
        for name in sorted(self._children):
            prefix = "/" + name
            for path, param in d[name].namedparams(include_uninit):
                yield prefix + path, param

    def links(self, skipself: bool = False):
        if not skipself:
            yield self
        d = self.__dict__
        for name in sorted(self._children):
            yield from d[name].links()

    def namedlinks(self, skipself: bool = False):
        if not skipself:
            yield "/", self
        d = self.__dict__
        for name in sorted(self._children):
            prefix = "/" + name
            yield prefix, d[name]
            for path, link in d[name].namedlinks(True):
                yield prefix + path, link

    def children(self):
        d = self.__dict__
        for name in sorted(self._children):
            yield d[name]

    def copyparams(self, link: Link, copy_persistent: bool = True) -> None:
        super().copyparams(link, copy_persistent)
        src, dst = link.__dict__, self.__dict__
        for name in self._children:
            dst[name].copyparams(src[name], copy_persistent)

    def addgrads(self, link: Link) -> None:
        super().addgrads(link)
        src, dst = link.__dict__, self.__dict__
        for name in self._children:
            dst[name].addgrads(src[name])

    def serialize(self, serializer) -> None:
        super().serialize(serializer)
        d = self.__dict__
        for name in sorted(self._children):
            d[name].serialize(serializer[name])


class ChainList(Link, collections.abc.MutableSequence):
    """A link made of an ordered list of child links (`add_link`, `append`,
    indexing, slicing, `insert`, `del`; children are named by position)."""

    def __init__(self, *links) -> None:
        super().__init__()
        self._children = []
        for link in links:
            self.add_link(link)

    def __str__(self):
        reps = "".join(_indent(f"({i}): {child},") for i, child in enumerate(self._children))
        return f"{type(self).__name__}({chr(10) + reps if reps else ''})"

    def __setattr__(self, name, value):
        if self.within_init_scope and isinstance(value, Link):
            raise TypeError('cannot register a new link within a '
                            '"with chainlist.init_scope():" block.')
        super().__setattr__(name, value)

    def _renamed(self) -> None:
        for i, child in enumerate(self._children):
            child.name = str(i)
        guards.changed(f"{type(self).__name__}'s links changed")

    def __setitem__(self, index, value):
        if isinstance(index, int):
            value.name = str(index)
            self._children[index] = value
        elif isinstance(index, slice):
            self._children[index] = value
            for i, child in enumerate(self._children):
                child.name = str(i)
        else:
            raise TypeError("ChainList indices must be integers or slices, not "
                            f"{type(index).__name__}")
        guards.changed(f"{type(self).__name__}'s links changed")

    def __getitem__(self, index):
        return self._children[index]

    def __delitem__(self, index) -> None:
        del self._children[index]
        self._renamed()

    def insert(self, index: int, link: Link) -> None:
        """Insert `link` before position `index`."""
        if index == len(self._children):
            self._children.append(link)
            link.name = str(index)
            guards.changed(f"{type(self).__name__} gained link {index}")
        else:
            self._children.insert(index, link)
            self._renamed()

    def __iter__(self):
        return iter(self._children)

    def __len__(self) -> int:
        return len(self._children)

    def add_link(self, link: Link) -> None:
        """Append `link` (named by its position)."""
        self.append(link)

    def _share_copy(self):
        ret = super()._share_copy()
        children = [child.copy("share") for child in self._children]
        for i, child in enumerate(children):
            child.name = str(i)
        ret.__dict__["_children"] = children
        return ret

    def device_resident_accept(self, visitor) -> None:
        super().device_resident_accept(visitor)
        for link in self._children:
            link.device_resident_accept(visitor)

    def params(self, include_uninit: bool = True):
        yield from super().params(include_uninit)
        for link in self._children:
            yield from link.params(include_uninit)

    def namedparams(self, include_uninit: bool = True):
        yield from super().namedparams(include_uninit)
        for i, link in enumerate(self._children):
            prefix = f"/{i}"
            for path, param in link.namedparams(include_uninit):
                yield prefix + path, param

    def links(self, skipself: bool = False):
        if not skipself:
            yield self
        for child in self._children:
            yield from child.links()

    def namedlinks(self, skipself: bool = False):
        if not skipself:
            yield "/", self
        for i, child in enumerate(self._children):
            prefix = f"/{i}"
            yield prefix, child
            for path, link in child.namedlinks(True):
                yield prefix + path, link

    def children(self):
        return iter(list(self._children))

    def copyparams(self, link: Link, copy_persistent: bool = True) -> None:
        super().copyparams(link, copy_persistent)
        for i, child in enumerate(self._children):
            child.copyparams(link[i], copy_persistent)

    def addgrads(self, link: Link) -> None:
        super().addgrads(link)
        for i, child in enumerate(self._children):
            child.addgrads(link[i])

    def serialize(self, serializer) -> None:
        super().serialize(serializer)
        for i, child in enumerate(self._children):
            child.serialize(serializer[str(i)])
