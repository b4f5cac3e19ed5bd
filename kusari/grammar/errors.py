"""Errors in a program, in the user's terms: file:line:col, the line, a caret.

    mlp.ksr:3:22: shape mismatch in `+`: f32[B, 8] and f32[4]
        let h = relu(x @ W1.T + b)
                              ^
"""
from __future__ import annotations

import difflib
import unicodedata

from ..compiler.errors import KusariError
from .ast import Pos


SHOWN = 100                 # columns of a source line shown under an error


class Diagnostic:
    """One error at one place in the source."""

    def __init__(self, pos: Pos, message: str):
        self.pos = pos
        self.message = message

    def format(self, filename: str, source: str) -> str:
        lines = source.split("\n")            # as the parser counts lines
        text = f"{filename}:{self.pos.line}:{self.pos.column}: {self.message}"
        if 1 <= self.pos.line <= len(lines):
            line = lines[self.pos.line - 1]
            shown = line.expandtabs(4)
            at = len(line[:self.pos.column - 1].expandtabs(4))   # the caret, in `shown`
            start, end = 0, len(shown)
            if end > SHOWN:                  # a long line: the part around the caret
                start = max(0, at - SHOWN * 3 // 5)
                end = start + SHOWN
            before, after = ("..." if start else ""), ("..." if end < len(shown) else "")
            caret = len(before) + _width(shown[start:at])
            text += f"\n    {before}{shown[start:end]}{after}\n    {' ' * caret}^"
        return text

    def __repr__(self):
        return f"Diagnostic({self.pos}, {self.message!r})"


class KsrError(KusariError):
    """One or more errors in a kusari program (parse, check, or a call)."""

    def __init__(self, diagnostics: list[Diagnostic], filename: str = "<string>",
                 source: str = ""):
        self.diagnostics = list(diagnostics)
        self.filename = filename
        self.source = source
        super().__init__(self.format())

    def format(self) -> str:
        return "\n".join(d.format(self.filename, self.source) for d in self.diagnostics)

    def __str__(self):
        return self.format()


class Located(Exception):
    """Raised inside the checker or the interpreter: a message at a place.
    The caller turns it into a KsrError with the file and source."""

    def __init__(self, pos: Pos, message: str):
        super().__init__(message)
        self.pos = pos
        self.message = message


def _width(text: str) -> int:
    """Columns `text` takes on a terminal: wide (East Asian) characters take two,
    combining marks none."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def did_you_mean(name: str, known) -> str:
    """ ' (did you mean `x`?)' for the closest known name, or ''."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""
