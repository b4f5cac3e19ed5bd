"""Chainer's type_check: InvalidType and the helpers that raise it."""
from ..compiler.errors import InvalidType, expect, expect_eq  # noqa: F401
