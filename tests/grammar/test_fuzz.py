"""Fuzzing the parser, the checker and the lowering with mutated example
programs: every outcome is a result or a clean KsrError, never an internal
exception."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kusari
from kusari.grammar import types as T
from kusari.grammar.errors import KsrError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SOURCES = [p.read_text() for p in sorted(EXAMPLES.glob("*.ksr"))]
TOKENS = ["(", ")", "[", "]", ",", "=", "+", "-", "*", "/", "@", "**", ":", "->", "{", "}",
          "...", "None", "true", "not", "and", "if", "else", "let", "def", "return",
          "grad", "value_and_grad", "sum", "x", "N", "B", "f32", "i32", "bool", "0", "1",
          "2.5", "1e-3", ".T", ".shape", "[0]", "axis=", "wrt=[x]", "\n", " ", "#"]


@st.composite
def mutant(draw):
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "swap", "duplicate"]))
        n = len(text)
        i = draw(st.integers(0, max(n - 1, 0)))
        if kind == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 12)):]
        elif kind == "insert":
            text = text[:i] + draw(st.sampled_from(TOKENS)) + text[i:]
        elif kind == "replace":
            text = text[:i] + draw(st.sampled_from(TOKENS)) + text[i + 1:]
        else:
            lines = text.splitlines()
            if len(lines) >= 2:
                a = draw(st.integers(0, len(lines) - 1))
                b = draw(st.integers(0, len(lines) - 1))
                if kind == "swap":
                    lines[a], lines[b] = lines[b], lines[a]
                else:
                    lines.insert(b, lines[a])
                text = "\n".join(lines)
    return text


def arguments(fn):
    """Benign arguments for a function's declared types (named dims are 2)."""
    out = []
    for _, spec in fn.params:
        shape = [d if isinstance(d, int) else 2 for d in spec.dims]
        dtype = T.DTYPES[spec.dtype]
        if np.dtype(dtype).kind == "f":
            out.append(np.full(shape, 0.7, dtype))
        else:
            out.append(np.zeros(shape, dtype))
    return out


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(mutant())
def test_mutated_programs_fail_cleanly(text):
    try:
        m = kusari.loads(text, "fuzz.ksr")
    except KsrError as e:
        assert e.diagnostics and str(e).startswith("fuzz.ksr:")
        return
    for fn in m.functions.values():
        try:
            fn(*arguments(fn))
        except KsrError:
            pass
