"""`final` methods: overriding them raises (or warns) when the subclass is made."""
from __future__ import annotations

import warnings

_ACTION = "__override_action"


def final(*args, **kwargs):
    """Declare a method final: overriding it in a subclass raises `action`
    (TypeError by default; a Warning class warns instead). The class must
    derive from `enable_final()`."""
    def mark(f, action=TypeError):
        assert callable(f)
        setattr(f, _ACTION, (action,))
        return f
    if not kwargs and len(args) == 1:
        return mark(args[0])
    assert not args
    return lambda f: mark(f, **kwargs)


class _EnableFinal(type):
    def __new__(mcs, name, bases, namespace):
        for key in namespace:
            for base in bases:
                action = getattr(getattr(base, key, None), _ACTION, None)
                if action is None:
                    continue
                action, = action
                if issubclass(action, Warning):
                    warnings.warn(f"Overriding method {key!r}.", action)
                elif issubclass(action, Exception):
                    raise action(f"method {key!r} is final.")
                else:
                    raise AssertionError(f"Invalid action: {action}")
        return super().__new__(mcs, name, bases, namespace)


def enable_final(base=(), meta_base=()):
    """A base class (deriving from `base`) whose subclasses honour `final`."""
    base = tuple(base) if isinstance(base, (list, tuple)) else (base,)
    meta_base = tuple(meta_base) if isinstance(meta_base, (list, tuple)) else \
        (meta_base,)
    metaclass = type("base_metaclass", (_EnableFinal,) + meta_base, {})

    # a placeholder that, when subclassed, makes the subclass with `metaclass`
    # and the real bases (so it is not in the subclass's MRO)
    class placeholder_meta(type):
        def __new__(mcs, name, this_bases, namespace):
            return metaclass(name, base, namespace)

        @classmethod
        def __prepare__(mcs, name, this_bases):
            return metaclass.__prepare__(name, base)

    return type.__new__(placeholder_meta, "temporary_class", (), {})
