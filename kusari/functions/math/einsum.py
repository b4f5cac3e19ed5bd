"""einsum (Chainer's chainer.functions.math.einsum), with Chainer's EinSum
and DiagEinSum classes (DiagEinSum is einsum's gradient)."""
from __future__ import annotations

from ...compiler.errors import InvalidType
from .._core import Variable, call, var

einsum_symbols = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
einsum_symbols_set = set(einsum_symbols)


def _parse_einsum_input(operands):
    """(input subscripts, output subscript, operands), '@' standing for an
    ellipsis, from either of NumPy's forms: einsum('ij,jk->ik', a, b) or
    einsum(a, [0, 1], b, [1, 2], [0, 2])."""
    if not operands:
        raise ValueError("einsum: no input operands")
    if isinstance(operands[0], str):
        subscripts = operands[0].replace(" ", "")
        operands = list(operands[1:])
        for s in subscripts:
            if s not in ".,->" and s not in einsum_symbols_set:
                raise ValueError(f"einsum: character {s} is not a valid symbol.")
        if "-" in subscripts or ">" in subscripts:
            if subscripts.count("-") > 1 or subscripts.count(">") > 1 or \
                    subscripts.count("->") != 1:
                raise ValueError("einsum: subscripts can only contain one '->'.")
        subscripts = subscripts.replace("...", "@")
        if "." in subscripts:
            raise ValueError("einsum: invalid ellipses.")
    else:
        rest = list(operands)
        ops, subs = [], []
        while len(rest) >= 2:
            ops.append(rest.pop(0))
            subs.append(rest.pop(0))
        out_list = rest[0] if rest else None

        def spell(sublist) -> str:
            text = ""
            for s in sublist:
                if s is Ellipsis:
                    text += "@"
                elif isinstance(s, int) and 0 <= s < len(einsum_symbols):
                    text += einsum_symbols[s]
                else:
                    raise TypeError("einsum: for this input type lists must contain "
                                    "either int or Ellipsis")
            return text
        subscripts = ",".join(spell(s) for s in subs)
        if out_list is not None:
            subscripts += "->" + spell(out_list)
        operands = ops
    if "->" in subscripts:
        in_subs, out_sub = subscripts.split("->")
    else:
        in_subs = subscripts
        chars = in_subs.replace(",", "").replace("@", "")
        out_sub = ("@" if "@" in in_subs else "") + \
            "".join(sorted(c for c in set(chars) if chars.count(c) == 1))
    for c in out_sub:
        if c != "@" and c not in in_subs:
            raise ValueError(f"einsum: output character {c} did not appear in the input")
        if out_sub.count(c) > 1:
            raise ValueError(f"einsum: output character {c} appeared more than once in "
                             "the output.")
    if "@" in out_sub and "@" not in in_subs:
        raise ValueError("einsum: output has an ellipsis that no input has.")
    if len(in_subs.split(",")) != len(operands):
        raise ValueError("einsum: the number of subscripts and of operands differ "
                         f"({len(in_subs.split(','))} and {len(operands)}).")
    return in_subs, out_sub, operands


class EinSum:
    """Chainer's EinSum: `apply(inputs)` sums products by the subscripts."""

    label = "EinSum"

    def __init__(self, in_subs: str, out_sub: str):
        self.in_subs = in_subs
        self.out_sub = out_sub

    def apply(self, inputs) -> tuple:
        xs = [var(x) for x in inputs]
        if "@" in self.in_subs and "@" not in self.out_sub:
            from ...compiler.errors import invalid_in
            from ...compiler.ops.einsum import sizes
            try:
                _, ell = sizes(self.in_subs, [x.shape for x in xs])
            except InvalidType as e:
                raise invalid_in(self.label, e) from None
            if ell:
                raise ValueError("einsum should not support summing over Ellipsis (the "
                                 f"axes under ... are {ell}), as in Chainer")
        return (call("einsum", *xs, in_subs=self.in_subs, out_sub=self.out_sub),)


class DiagEinSum(EinSum):
    """Chainer's DiagEinSum: an einsum whose output, of `out_shape`, may
    repeat a subscript (a diagonal) or name one no input has (broadcast)."""

    label = "DiagEinSum"

    def __init__(self, in_subs: str, out_sub: str, out_shape):
        super().__init__(in_subs, out_sub)
        self.out_shape = tuple(out_shape)

    def apply(self, inputs) -> tuple:
        return (call("diag_einsum", *[var(x) for x in inputs], in_subs=self.in_subs,
                     out_sub=self.out_sub, out_shape=self.out_shape),)


def einsum(*operands) -> Variable:
    """Einstein summation, NumPy's einsum on Variables: einsum('ij,jk->ik',
    a, b) or einsum(a, [0, 1], b, [1, 2], [0, 2]); '...' for batch axes
    (the shapes under it must agree: no broadcasting, as in Chainer)."""
    in_subs, out_sub, ops = _parse_einsum_input(operands)
    return EinSum(in_subs, out_sub).apply(ops)[0]
