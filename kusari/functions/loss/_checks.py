"""Chainer's type checks for the loss, evaluation and normalization functions:
each failure is an InvalidType naming the function (`Expect:` / `Actual:`)."""
from __future__ import annotations

from ...compiler.errors import InvalidType, invalid_in
from ...configuration import state


def expect(label: str, *checks) -> None:
    """Raise InvalidType in `label` for the first (ok, expect, actual) that
    fails; nothing when config.type_check is off (Chainer's switch)."""
    if not state.type_check:
        return
    for ok, what, actual in checks:
        if not ok:
            raise invalid_in(label, InvalidType(what, actual))


def float_kind(x, name: str):
    return x.dtype.kind == "f", f"{name}.dtype.kind == f", f"{x.dtype.kind} != f"


def int_kind(x, name: str):
    return x.dtype.kind == "i", f"{name}.dtype.kind == i", f"{x.dtype.kind} != i"


def same_dtype(a, b, na: str, nb: str):
    return a.dtype == b.dtype, f"{na}.dtype == {nb}.dtype", f"{a.dtype} != {b.dtype}"


def same_shape(a, b, na: str, nb: str):
    return a.shape == b.shape, f"{na}.shape == {nb}.shape", f"{a.shape} != {b.shape}"


def ndim_is(x, n: int, name: str):
    return x.ndim == n, f"{name}.ndim == {n}", f"{x.ndim} != {n}"


def check_reduce(reduce, allowed: tuple, capital: bool = False) -> None:
    """Chainer's ValueError for a `reduce` it does not know."""
    if reduce not in allowed:
        names = ", ".join(f"'{a}'" for a in allowed[:-1]) + f" and '{allowed[-1]}'"
        first = "Only" if capital else "only"
        raise ValueError(f"{first} {names} are valid for 'reduce', but '{reduce}' is given")
