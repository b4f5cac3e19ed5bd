"""Chainer's collections helpers (an OrderedDict alias)."""
from collections import OrderedDict  # noqa: F401
