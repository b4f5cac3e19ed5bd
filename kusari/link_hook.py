"""Chainer's LinkHook: code run before and after a link's forward.

A hook is active for every link inside `with hook:` (thread-local), or for
one link after `link.add_hook(hook)`.
"""
from __future__ import annotations

import collections
import threading

_local = threading.local()


def _get_link_hooks() -> collections.OrderedDict:
    """This thread's global link hooks (those entered with `with hook:`)."""
    hooks = getattr(_local, "link_hooks", None)
    if hooks is None:
        hooks = _local.link_hooks = collections.OrderedDict()
    return hooks


class _ForwardPreprocessCallbackArgs:
    """What forward_preprocess sees: link, forward_name, args, kwargs."""

    def __init__(self, link, forward_name: str, args: tuple, kwargs: dict):
        self.link = link
        self.forward_name = forward_name
        self.args = args
        self.kwargs = kwargs

    def __repr__(self):
        return (f"<{type(self).__name__} link={self.link} forward_name={self.forward_name}"
                f" args={self.args} kwargs={self.kwargs}>")


class _ForwardPostprocessCallbackArgs(_ForwardPreprocessCallbackArgs):
    """What forward_postprocess sees: the same, and `out`."""

    def __init__(self, link, forward_name: str, args: tuple, kwargs: dict, out):
        super().__init__(link, forward_name, args, kwargs)
        self.out = out


class LinkHook:
    """Base of link hooks; override forward_preprocess / forward_postprocess
    (and added / deleted, called with the link, or None for `with hook:`)."""

    name = "LinkHook"

    def __enter__(self) -> "LinkHook":
        hooks = _get_link_hooks()
        if self.name in hooks:
            raise KeyError(f"hook {self.name} already exists")
        hooks[self.name] = self
        self.added(None)
        return self

    def __exit__(self, *exc) -> None:
        hooks = _get_link_hooks()
        hooks[self.name].deleted(None)
        del hooks[self.name]

    def added(self, link) -> None:
        """Called when the hook is registered (link None: `with hook:`)."""

    def deleted(self, link) -> None:
        """Called when the hook is unregistered."""

    def forward_preprocess(self, args: _ForwardPreprocessCallbackArgs) -> None:
        """Called before the link's forward."""

    def forward_postprocess(self, args: _ForwardPostprocessCallbackArgs) -> None:
        """Called after the link's forward (args.out is its result)."""
