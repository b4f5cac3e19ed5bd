"""The parser: golden ASTs (as S-expressions) with source positions."""
from __future__ import annotations

import textwrap

import pytest

from kusari.grammar import ast
from kusari.grammar.errors import KsrError
from kusari.grammar.parser import parse


def dump(n) -> str:
    """A compact S-expression of an AST, for golden comparison."""
    if isinstance(n, list):
        return "[" + " ".join(dump(x) for x in n) + "]"
    if n is None:
        return "_"
    if isinstance(n, ast.Module):
        return "\n".join(dump(d) for d in n.definitions)
    if isinstance(n, ast.FuncDef):
        ret = "" if n.returns is None else " -> " + ",".join(map(str, n.returns))
        params = " ".join(f"{p.name}:{p.type}" for p in n.params)
        body = " ".join(dump(s) for s in n.body)
        return f"(def {n.name} ({params}){ret} {body})"
    if isinstance(n, ast.Alias):
        return f"(def {n.name} = {dump(n.value)})"
    if isinstance(n, ast.Let):
        return f"(let {','.join(n.names)} {dump(n.value)})"
    if isinstance(n, ast.Return):
        return f"(return {dump(n.value)})"
    if isinstance(n, ast.Num):
        return repr(n.value)
    if isinstance(n, ast.Bool):
        return "true" if n.value else "false"
    if isinstance(n, ast.NoneLit):
        return "None"
    if isinstance(n, ast.DType):
        return n.name
    if isinstance(n, ast.Name):
        return n.id
    if isinstance(n, ast.ArrayLit):
        return "[" + " ".join(dump(i) for i in n.items) + "]"
    if isinstance(n, ast.Tuple):
        return "(tuple " + " ".join(dump(i) for i in n.items) + ")"
    if isinstance(n, ast.Unary):
        return f"({n.op} {dump(n.operand)})"
    if isinstance(n, ast.Binary):
        return f"({n.op} {dump(n.left)} {dump(n.right)})"
    if isinstance(n, ast.IfElse):
        return f"(if {dump(n.cond)} {dump(n.then)} {dump(n.other)})"
    if isinstance(n, ast.Call):
        kw = "".join(f" {k.name}={dump(k.value)}" for k in n.kwargs)
        return f"({dump(n.func)}{''.join(' ' + dump(a) for a in n.args)}{kw})"
    if isinstance(n, ast.Index):
        return f"(index {dump(n.base)} {' '.join(dump(i) for i in n.items)})"
    if isinstance(n, ast.Slice):
        return f"{dump(n.start)}:{dump(n.stop)}:{dump(n.step)}"
    if isinstance(n, ast.EllipsisLit):
        return "..."
    if isinstance(n, ast.Attribute):
        return f"(. {dump(n.base)} {n.name})"
    raise TypeError(n)


def test_one_line_definitions_and_transforms():
    m = parse(textwrap.dedent("""
        # quickstart
        def f(x: f32[N]) = x**2 - 2*x + 1
        def df = grad(f)            # 2x - 2
        def g = value_and_grad(f, wrt=[x])
        """))
    assert dump(m) == textwrap.dedent("""\
        (def f (x:f32[N]) (return (+ (- (** x 2) (* 2 x)) 1)))
        (def df = (grad f))
        (def g = (value_and_grad f wrt=[x]))""")


def test_blocks_tuples_and_declared_types():
    m = parse(textwrap.dedent("""
        def step(x: f32[B, 4], W: f32[8, 4]) -> (f32[B, 8], f32[]) {
            let h = relu(linear(x, W))
            let (a, b) = (h, sum(h))
            return (a, b)
        }
        def loss(x: f32[B]) -> f32[] =
            mean(x)
        """))
    assert dump(m) == textwrap.dedent("""\
        (def step (x:f32[B, 4] W:f32[8, 4]) -> f32[B, 8],f32[] \
(let h (relu (linear x W))) (let a,b (tuple h (sum h))) (return (tuple a b)))
        (def loss (x:f32[B]) -> f32[] (return (mean x)))""")


def test_precedence():
    m = parse("def f(x: f32[N], c: bool[N]) = "
              "-x ** 2 * 3 + 1 < 2 and not c or c if c else x @ x / 2")
    assert dump(m.definitions[0].body[0].value) == (
        "(if c (or (and (< (+ (* (- (** x 2)) 3) 1) 2) (not c)) c) (/ (@ x x) 2))")
    m = parse("def f(x: f32[N]) = x ** 2 ** 3")          # right-associative
    assert dump(m.definitions[0].body[0].value) == "(** x (** 2 3))"


def test_indexing_attributes_literals():
    m = parse("def f(x: f32[N, 3], t: i32[M]) = "
              "x[0] + x[:, 1] + x[1:3, ::2] + x[..., None] + x[t] + x.T + x.shape[0] + "
              "[[1, 2.5], [true, false]] + astype(x, f64) + 1e-3")
    got = dump(m.definitions[0].body[0].value)
    for part in ["(index x 0)", "(index x _:_:_ 1)", "(index x 1:3:_ _:_:2)",
                 "(index x ... None)", "(index x t)", "(. x T)", "(index (. x shape) 0)",
                 "[[1 2.5] [true false]]", "(astype x f64)", "0.001"]:
        assert part in got


def test_positions():
    m = parse("def f(x: f32[N]) {\n    let y = x +\n        2 * x\n    return y\n}")
    let = m.definitions[0].body[0]
    assert (let.value.pos.line, let.value.pos.column) == (2, 15)        # the `+`
    assert (let.value.right.pos.line, let.value.right.pos.column) == (3, 11)  # the `*`
    assert (m.definitions[0].pos.line, m.definitions[0].pos.column) == (1, 5)
    assert (m.definitions[0].params[0].pos.line, m.definitions[0].params[0].pos.column) \
        == (1, 7)


@pytest.mark.parametrize("source,where,expected", [
    ("def f(x: f32[N]) = x +* 2", "1:23", "unexpected `*`; expected `(`, `-`, `[`"),
    ("def f(x: f32[N]) = (x + 2", "1:25", "unexpected end of file; expected `)`, `,`"),
    ("def f(x: f32[N]) { let = x }", "1:24", "unexpected `=`; expected `(`, a name"),
    ("def f(x: f33[N]) = x", "1:10", "expected a dtype"),
    ("def f(x) = x", "1:8", "unexpected `)`; expected `:`"),
    ("def f(x: f32[N]) = x $ 2", "1:22", "unexpected character '$'"),
])
def test_syntax_errors_say_what_was_expected(source, where, expected):
    with pytest.raises(KsrError) as e:
        parse(source, "t.ksr")
    text = str(e.value)
    assert text.startswith(f"t.ksr:{where}: syntax error: ")
    assert expected in text
    line, col = map(int, where.split(":"))
    assert text.splitlines()[2] == "    " + " " * (col - 1) + "^"
