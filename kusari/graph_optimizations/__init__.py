"""Chainer's `chainer.graph_optimizations`: static graphs of Chains
(`static_graph`, in `.static_graph`) and the code they run at every call
(`static_code`, in `.static_graph_utilities`), on kusari.jit."""
from . import static_graph_utilities  # noqa: F401
from .static_graph_utilities import static_code  # noqa: F401
from . import static_graph  # noqa: F401

__all__ = ["static_code"]
