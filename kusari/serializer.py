"""Chainer's serializer protocol (`chainer.serializer`).

An object saves and loads itself in `serialize(serializer)`: it calls
`serializer(key, value)` for each value (a save returns `value`, a load
returns the loaded one, or copies into `value` in place) and
`serializer[name]` for the serializer of a child.
"""
from __future__ import annotations


class AbstractSerializer:
    """Base of serializers and deserializers."""

    def __getitem__(self, key):
        """The serializer of the child `key`."""
        raise NotImplementedError(f"{type(self).__name__} does not define __getitem__")

    def __call__(self, key, value):
        """Save `value` under `key`, or load it (returning the loaded value)."""
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")


class Serializer(AbstractSerializer):
    """Base of serializers (saving)."""

    def save(self, obj) -> None:
        """Save `obj` (calls obj.serialize(self))."""
        obj.serialize(self)


class Deserializer(AbstractSerializer):
    """Base of deserializers (loading)."""

    def load(self, obj) -> None:
        """Load into `obj` (calls obj.serialize(self))."""
        obj.serialize(self)
