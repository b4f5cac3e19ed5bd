"""What the rnn functions share: Chainer's type checks and gate slicing."""
from __future__ import annotations

from ...compiler.errors import InvalidType, invalid_in
from .._core import Variable, call

_ALL = ("s", None, None, None)


def expect(label: str, condition: bool, expected: str, actual: str) -> None:
    """Chainer's type_check.expect: InvalidType naming the function `label`."""
    if not condition:
        raise invalid_in(label, InvalidType(expected, actual))


def expect_eq(label: str, lhs, rhs, lhs_text: str, rhs_text: str) -> None:
    expect(label, lhs == rhs, f"{lhs_text} == {rhs_text}", f"{lhs} != {rhs}")


def check_float_cells(label: str, cells, x, names, x_name: str = "x") -> None:
    """Chainer's LSTM-family checks: float cells, x of their dtype, ndim >= 2,
    one ndim, the trailing axes equal."""
    first = cells[0]
    expect(label, first.dtype.kind == "f", f"{names[0]}.dtype.kind == f",
           f"{first.dtype.kind} != f")
    for c, n in zip(cells[1:], names[1:]):
        expect_eq(label, c.dtype, first.dtype, f"{n}.dtype", f"{names[0]}.dtype")
    expect_eq(label, x.dtype, first.dtype, f"{x_name}.dtype", f"{names[0]}.dtype")
    for v, n in list(zip(cells, names)) + [(x, x_name)]:
        expect(label, v.ndim >= 2, f"{n}.ndim >= 2", f"{v.ndim} < 2")
    for v, n in list(zip(cells[1:], names[1:])) + [(x, x_name)]:
        expect_eq(label, v.ndim, first.ndim, f"{n}.ndim", f"{names[0]}.ndim")


def interleaved_gates(x: Variable, n: int) -> list:
    """Chainer's LSTM layout: gate k of unit u is x[:, n * u + k, ...]."""
    r = call("reshape", x, shape=(x.shape[0], x.shape[1] // n, n) + x.shape[2:])
    return [call("getitem", r, key=(_ALL, _ALL, ("i", k))) for k in range(n)]


def blocked_gates(x: Variable, n: int) -> list:
    """TreeLSTM's layout: gate k is the k-th block x[:, k * units:(k + 1) * units]."""
    units = x.shape[1] // n
    return [call("getitem", x, key=(_ALL, ("s", k * units, (k + 1) * units, None)))
            for k in range(n)]


def rows(x: Variable, start, stop) -> Variable:
    """x[start:stop] along the batch axis."""
    return call("getitem", x, key=(("s", start, stop, None),))


def interleave(gates: list) -> Variable:
    """The inverse of interleaved_gates: gates (B, U, ...) -> (B, n U, ...)."""
    b, u = gates[0].shape[:2]
    rest = gates[0].shape[2:]
    parts = [call("reshape", g, shape=(b, u, 1) + rest) for g in gates]
    return call("reshape", call("concat", *parts, axis=2), shape=(b, u * len(gates)) + rest)
