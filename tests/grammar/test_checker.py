"""The checker: each class of mistake, with its message and its position."""
from __future__ import annotations

import textwrap

import pytest

import kusari
from kusari.grammar.errors import KsrError


def errors(source: str) -> list[str]:
    with pytest.raises(KsrError) as e:
        kusari.loads(textwrap.dedent(source).strip("\n"), "t.ksr")
    return [d.format("t.ksr", e.value.source).splitlines()[0] for d in e.value.diagnostics]


def ok(source: str):
    return kusari.loads(textwrap.dedent(source).strip("\n"), "t.ksr")


def test_design_doc_example():
    source = textwrap.dedent("""
        def mlp(x: f32[B, 4], W1: f32[8, 4], b: f32[4]) {
            let h = relu(x @ W1.T + b)
            return h
        }""").strip("\n")
    with pytest.raises(KsrError) as e:
        kusari.loads(source, "mlp.ksr")
    assert str(e.value) == textwrap.dedent("""\
        mlp.ksr:2:27: shape mismatch in `+`: f32[B, 8] and f32[4]
                let h = relu(x @ W1.T + b)
                                      ^""")


@pytest.mark.parametrize("source,message", [
    ("def f(x: f32[N]) = tanhh(x)",
     "t.ksr:1:20: unknown function `tanhh` (did you mean `tanh`?)"),
    ("def f(x: f32[N]) = x + xx",
     "t.ksr:1:24: unknown name `xx` (did you mean `x`?)"),
    ("def f(x: f32[N]) = x + 1\ndef g(x: f32[N]) = ff(x)",
     "t.ksr:2:20: unknown function `ff` (did you mean `f`?)"),
    ("def f(x: f32[N], t: i32[N]) = x * t",
     "t.ksr:1:33: dtype mismatch in `*`: f32[N] and i32[N]"),
    ("def f(x: f32[N], y: f32[M]) = x + y",
     "t.ksr:1:33: shape mismatch in `+`: f32[N] and f32[M]"),
    ("def f(x: f32[2, 3], W: f32[4, 5]) = x @ W",
     "t.ksr:1:39: shape mismatch in `@`: f32[2, 3] and f32[4, 5]"),
    ("def f(x: f32[N]) = sum(x, axes=0)",
     "t.ksr:1:27: `sum` has no argument `axes` (did you mean `axis`?); "
     "it is sum(x, axis=None, keepdims=false)"),
    ("def f(x: f32[N]) = exp(x, x)",
     "t.ksr:1:20: `exp` takes at most 1 arguments (exp(x)), got 2"),
    ("def f(x: f32[N]) = sum(x, axis=1)",
     "t.ksr:1:20: axis 1 is out of range for an array with 1 dimensions"),
    ("def f(x: i32[N]) = exp(x)",
     "t.ksr:1:20: `x` must be a floating array, got i32[N]"),
    ("def f(x: f32[N]) = x[5, 2]", "t.ksr:1:20: too many indices (2) for f32[N]"),
    ("def f(x: f32[3]) = x[3]",
     "t.ksr:1:20: index 3 is out of range for axis 0 of f32[3] (length 3)"),
    ("def f(x: f32[N]) = x[x > 0]",
     "t.ksr:1:20: a boolean mask index (bool[N]) has a data-dependent shape; "
     "use `if ... else` to select elementwise instead"),
    ("def f(x: f32[N]) = x if x else x",
     "t.ksr:1:20: `condition of `if`` must be a boolean array (a comparison), got f32[N]"),
    ("def f(x: f32[N]) = reshape(x, [2, -1, -1])",
     "t.ksr:1:20: `shape` may hold at most one -1"),
    ("def f(x: f32[6]) = reshape(x, [4, -1])",
     "t.ksr:1:20: cannot reshape [6] (size 6) to [4, -1]"),
    ("def f(x: f32[N]) = x.size", "t.ksr:1:22: arrays have no attribute `size` "
     "(they have T, shape and ndim)"),
])
def test_one_mistake(source, message):
    assert errors(source) == [message]


def test_named_dimension_conflict_names_both_bindings():
    assert errors("""
        def add(x: f32[N], y: f32[N]) = x + y
        def use(a: f32[3], b: f32[4]) = add(a, b)
        """) == ["t.ksr:2:40: dimension N of `add` is 3 (from `x`) and 4 (from `y`)"]


def test_argument_shapes_are_checked_at_calls():
    assert errors("""
        def f(x: f32[B, 4]) = x
        def g(x: f32[3]) = f(x)
        """) == ["t.ksr:2:22: argument `x` of `f` must be f32[B, 4], got f32[3]"]


def test_dims_flow_through_calls():
    m = ok("""
        def mlp(x: f32[B, 4], W: f32[8, 4]) = relu(linear(x, W))
        def head(x: f32[B, 4], W: f32[8, 4], V: f32[2, 8]) = linear(mlp(x, W), V)
        def total(x: f32[B, 4], W: f32[8, 4], V: f32[2, 8]) -> f32[B, 2] = head(x, W, V)
        """)
    assert str(m.signatures["head"].result) == "f32[B, 2]"


def test_recursion_is_detected():
    msgs = errors("""
        def f(x: f32[N]) = g(x)
        def g(x: f32[N]) = f(x) + 1
        """)
    assert msgs == ["t.ksr:1:5: recursion is not allowed: `f`, which calls `g`, "
                    "which calls `f`"]


def test_grad_rules():
    assert errors("""
        def f(x: f32[N], t: i32[N]) = sum(x)
        def g = grad(f, wrt=[t])
        """) == ["t.ksr:2:22: cannot take the gradient with respect to `t`: it is i32[N]; "
                 "only floating parameters have gradients"]
    assert errors("""
        def f(x: f32[N]) = (x, x)
        def g = grad(f)
        """) == ["t.ksr:2:14: `grad` needs a function that returns one floating array; "
                 "`f` returns (f32[N], f32[N])"]
    assert errors("""
        def f(x: f32[N]) = x
        def g = grad(f, wrt=[y])
        """) == ["t.ksr:2:22: `wrt` names parameters of `f` (x)"]


def test_declared_return_type_is_checked():
    assert errors("def f(x: f32[N]) -> f32[] = x") == \
        ["t.ksr:1:21: `f` returns f32[N] but is declared -> f32[]"]


def test_structure_errors():
    assert errors("def f(x: f32[N]) { let y = x }") == ["t.ksr:1:5: `f` has no return"]
    assert errors("def f(x: f32[N]) { return x let y = x }") == \
        ["t.ksr:1:29: nothing may follow `return`"]
    assert errors("def f(x: f32[N]) { let (a, b) = x return a }") == \
        ["t.ksr:1:20: cannot unpack f32[N] into 2 names"]
    assert errors("def f(x: f32[N]) = x\ndef f(y: f32[N]) = y") == \
        ["t.ksr:2:5: `f` is defined twice (first at line 1)"]
    assert errors("def exp(x: f32[N]) = x") == \
        ["t.ksr:1:5: `exp` is a built-in function; choose another name"]
    assert errors("def f32(x: f32[N]) = x") == ["t.ksr:1:5: `f32` is a dtype; choose another name"]
    assert errors("def g(x: f32[N]) = f64(x)") == \
        ["t.ksr:1:20: `f64` is a dtype, not a function (to convert, use astype(x, f64))"]


def test_several_errors_are_collected_once_each():
    msgs = errors("""
        def f(x: f32[N]) {
            let a = x + undefined
            let b = a * 2
            return tanhh(b)
        }
        def g(x: f32[N], t: i32[N]) = x * t
        def h = grad(f)
        """)
    assert msgs == [
        "t.ksr:2:17: unknown name `undefined`",
        "t.ksr:4:12: unknown function `tanhh` (did you mean `tanh`?)",
        "t.ksr:6:33: dtype mismatch in `*`: f32[N] and i32[N]",
    ]


def test_weak_literals_take_the_arrays_dtype():
    m = ok("""
        def f(x: f32[N]) = x * 2.5 + 1 + [1.0] * x
        def g(x: i32[N]) = x * 2
        def h(x: i32[N]) = x * 2.5
        def k(x: i32[N]) = x / 2
        """)
    assert [str(m.signatures[n].result) for n in "fghk"] == \
        ["f32[N]", "i32[N]", "f64[N]", "f64[N]"]
