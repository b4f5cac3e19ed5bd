"""Errors a user can meet, in the user's terms.

`InvalidType` is Chainer's: shape rules raise it with an `Expect:` / `Actual:`
pair, and the op that was applied wraps it with its label and direction::

    Invalid operation is performed in: LinearFunction (Forward)

    Expect: x.shape[1] == W.shape[1]
    Actual: 3 != 5
"""
from __future__ import annotations


class KusariError(Exception):
    """Base of kusari's own errors that are not Chainer's."""


class NotDifferentiable(KusariError):
    """A gradient was asked of an op whose gradient is undefined."""


class InvalidType(Exception):
    """Raised when the types (shapes, dtypes) of an op's inputs are invalid."""

    def __init__(self, expect: str, actual: str, msg: str | None = None):
        if msg is None:
            msg = f"Expect: {expect}\nActual: {actual}"
        super().__init__(msg)
        self.expect = expect
        self.actual = actual

    def __reduce__(self):
        return (type(self), (self.expect, self.actual, str(self)))


def invalid_in(label: str, error: InvalidType, direction: str = "Forward") -> InvalidType:
    """`error` restated as raised by the op `label` (Chainer's form)."""
    msg = (f"\nInvalid operation is performed in: {label} ({direction})\n\n"
           f"Expect: {error.expect}\nActual: {error.actual}")
    return InvalidType(error.expect, error.actual, msg)


def expect(condition: bool, expect: str, actual: str) -> None:
    """Raise InvalidType(expect, actual) unless `condition` holds."""
    if not condition:
        raise InvalidType(expect, actual)


def expect_eq(lhs, rhs, lhs_text: str, rhs_text: str) -> None:
    """Chainer's `lhs == rhs` expectation: `Expect: a == b` / `Actual: 3 != 5`."""
    if lhs != rhs:
        raise InvalidType(f"{lhs_text} == {rhs_text}", f"{lhs} != {rhs}")


class TraceError(KusariError, TypeError):
    """A traced value was used where a concrete one is needed."""


class NotDifferentiable(KusariError):
    """Asked for the gradient through an op that has none."""
