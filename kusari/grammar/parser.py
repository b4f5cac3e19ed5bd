"""Parsing kusari source into the AST (Lark, LALR(1), positions on every node)."""
from __future__ import annotations

import functools
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import ast
from .errors import Diagnostic, KsrError
from .values import literal_error

GRAMMAR = Path(__file__).with_name("kusari.lark")

# what a terminal is called in an error message
_TERMINALS = {
    "NAME": "a name", "INT": "a number", "FLOAT": "a number", "DTYPE": "a dtype (f32, i32, ...)",
    "COMPARE": "a comparison", "$END": "end of file",
}


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    # cache=True keeps the LALR tables in the temp directory (keyed by the
    # grammar), so a new process does not rebuild them
    return Lark(GRAMMAR.read_text(), parser="lalr", propagate_positions=True,
                maybe_placeholders=True, cache=True)


def _pos(meta) -> ast.Pos:
    if getattr(meta, "empty", False):
        return ast.NOWHERE
    return ast.Pos(meta.line, meta.column, meta.end_line, meta.end_column)


def _tok_pos(tok: Token) -> ast.Pos:
    return ast.Pos(tok.line, tok.column, tok.end_line or tok.line,
                   tok.end_column or tok.column)


class _ToAST:
    """Parse tree to AST, bottom-up. Each rule's method takes the rule's meta
    (its position) and its children, already converted."""

    def __init__(self, source: str):
        self.lines = source.split("\n")
        self.errors: list[Diagnostic] = []

    def transform(self, tree: Tree):
        """The AST of `tree`, built without recursion: `x + x + ...` with
        thousands of terms nests thousands deep."""
        stack, done = [(tree, False)], []
        while stack:
            node, expanded = stack.pop()
            if not isinstance(node, Tree):
                done.append(node)
            elif not expanded:
                stack.append((node, True))
                stack.extend((c, False) for c in reversed(node.children))
            else:
                n = len(node.children)
                children = done[len(done) - n:]
                del done[len(done) - n:]
                done.append(getattr(self, node.data)(node.meta, children))
        return done[0]

    def _op_pos(self, meta, op: str, left, right) -> ast.Pos:
        """Where the operator between `left` and `right` is written."""
        line, col = left.pos.end_line, left.pos.end_column
        while 1 <= line <= len(self.lines):
            text = self.lines[line - 1]
            i = text.find(op, col - 1)
            hash_at = text.find("#", col - 1)
            if i >= 0 and (hash_at < 0 or i < hash_at):
                return ast.Pos(line, i + 1, line, i + 1 + len(op))
            line, col = line + 1, 1
        return _pos(meta)

    # -- definitions --------------------------------------------------------------
    def start(self, meta, defs):
        return ast.Module(list(defs), pos=_pos(meta))

    def def_expr(self, meta, c):
        name, params, returns, value = c
        many, types = returns if returns else (False, None)
        return ast.FuncDef(str(name), params, types, [ast.Return(value, pos=value.pos)],
                           many, pos=_tok_pos(name))

    def def_block(self, meta, c):
        name, params, returns, body = c
        many, types = returns if returns else (False, None)
        return ast.FuncDef(str(name), params, types, body, many, pos=_tok_pos(name))

    def def_alias(self, meta, c):
        name, value = c
        return ast.Alias(str(name), value, pos=_tok_pos(name))

    def params(self, meta, c):
        return [p for p in c if p is not None]

    def param(self, meta, c):
        name, typ = c
        return ast.Param(str(name), typ, pos=_tok_pos(name))

    def returns_one(self, meta, c):
        return (False, [c[0]])

    def returns_many(self, meta, c):
        return (True, list(c))

    def type(self, meta, c):
        dtype, *dims = c
        return ast.TypeSpec(str(dtype), [d for d in dims if d is not None], pos=_pos(meta))

    def dim_int(self, meta, c):
        return int(c[0])

    def dim_name(self, meta, c):
        return str(c[0])

    def block(self, meta, c):
        return list(c)

    def let(self, meta, c):
        name, value = c
        return ast.Let([str(name)], value, pos=_pos(meta))

    def let_many(self, meta, c):
        *names, value = c
        return ast.Let([str(n) for n in names], value, many=True, pos=_pos(meta))

    def return_(self, meta, c):
        return ast.Return(c[0], pos=_pos(meta))

    # -- expressions ------------------------------------------------------------------
    def _binary(op):
        def method(self, meta, c):
            left, right = c
            return ast.Binary(op, left, right, pos=self._op_pos(meta, op, left, right))
        return method

    add = _binary("+")
    sub = _binary("-")
    mul = _binary("*")
    div = _binary("/")
    matmul = _binary("@")
    pow = _binary("**")
    and_ = _binary("and")
    or_ = _binary("or")
    del _binary

    def compare(self, meta, c):
        left, op, right = c
        return ast.Binary(str(op), left, right, pos=_tok_pos(op))

    def neg(self, meta, c):
        return ast.Unary("-", c[0], pos=_pos(meta))

    def not_(self, meta, c):
        return ast.Unary("not", c[0], pos=_pos(meta))

    def ifelse(self, meta, c):
        then, cond, other = c
        return ast.IfElse(cond, then, other, pos=_pos(meta))

    def call(self, meta, c):
        func, arguments = c
        args, kwargs = [], []
        for a in arguments or []:
            (kwargs if isinstance(a, ast.Keyword) else args).append(a)
        return ast.Call(func, args, kwargs, pos=func.pos)

    def arguments(self, meta, c):
        return [a for a in c if a is not None]

    def keyword(self, meta, c):
        name, value = c
        return ast.Keyword(str(name), value, pos=_tok_pos(name))

    def index(self, meta, c):
        base, items = c
        return ast.Index(base, items, pos=_pos(meta))

    def subscripts(self, meta, c):
        return [s for s in c if s is not None]

    def slice(self, meta, c):
        start, stop, step = (list(c) + [None, None, None])[:3]
        return ast.Slice(start, stop, step, pos=_pos(meta))

    def ellipsis(self, meta, c):
        return ast.EllipsisLit(pos=_pos(meta))

    def attribute(self, meta, c):
        base, name = c
        return ast.Attribute(base, str(name), pos=_tok_pos(name))

    def int(self, meta, c):
        digits = c[0].lstrip("0") or "0"
        # past 40 digits it is too large anyway (and int() refuses 4300)
        return self._number(int(digits) if len(digits) <= 40 else None, c[0])

    def float(self, meta, c):
        return self._number(float(c[0]), c[0])

    def _number(self, value, tok: Token) -> ast.Num:
        problem = literal_error(value, str(tok))
        if problem:
            self.errors.append(Diagnostic(_tok_pos(tok), problem))
        return ast.Num(value, pos=_tok_pos(tok))

    def true(self, meta, c):
        return ast.Bool(True, pos=_pos(meta))

    def false(self, meta, c):
        return ast.Bool(False, pos=_pos(meta))

    def none(self, meta, c):
        return ast.NoneLit(pos=_pos(meta))

    def dtype(self, meta, c):
        return ast.DType(str(c[0]), pos=_tok_pos(c[0]))

    def name(self, meta, c):
        return ast.Name(str(c[0]), pos=_tok_pos(c[0]))

    def array(self, meta, c):
        return ast.ArrayLit([x for x in c if x is not None], pos=_pos(meta))

    def tuple(self, meta, c):
        return ast.Tuple([x for x in c if x is not None], pos=_pos(meta))


def normalize(source: str) -> str:
    """The text as positions count it: no byte-order mark, lines end in \\n."""
    return source.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse(source: str, filename: str = "<string>") -> ast.Module:
    """The AST of `source`, or KsrError with the first syntax error (or every
    literal too large for its type)."""
    source = normalize(source)
    try:
        tree = _lark().parse(source)
    except UnexpectedInput as e:
        raise KsrError([_syntax_error(e, source)], filename, source) from None
    builder = _ToAST(source)
    module = builder.transform(tree)
    if builder.errors:
        raise KsrError(builder.errors, filename, source)
    module.filename = filename
    module.source = source
    return module


def _syntax_error(e: UnexpectedInput, source: str) -> Diagnostic:
    line, column = getattr(e, "line", 1) or 1, getattr(e, "column", 1) or 1
    if isinstance(e, UnexpectedCharacters):
        char = source[e.pos_in_stream] if e.pos_in_stream < len(source) else ""
        return Diagnostic(ast.Pos(line, column, line, column),
                          f"syntax error: unexpected character {char!r}")
    if isinstance(e, UnexpectedEOF):
        lines = source.rstrip("\n").split("\n")
        line, column = len(lines), len(lines[-1]) + 1
        found = "end of file"
    else:
        assert isinstance(e, UnexpectedToken)
        found = "end of file" if e.token.type == "$END" else f"`{e.token}`"
    expected = sorted({_describe(t) for t in e.expected if t})
    shown = ", ".join(expected[:8]) + (", ..." if len(expected) > 8 else "")
    return Diagnostic(ast.Pos(line, column, line, column),
                      f"syntax error: unexpected {found}; expected {shown}")


@functools.lru_cache(maxsize=None)
def _describe(terminal: str) -> str:
    if terminal in _TERMINALS:
        return _TERMINALS[terminal]
    for t in _lark().terminals:
        if t.name == terminal:
            pattern = t.pattern
            if pattern.type == "str":
                return f"`{pattern.value}`"
            return terminal.lower()
    return terminal.lower()
