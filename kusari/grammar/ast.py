"""The AST of the kusari language. Every node carries its source position."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pos:
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self):
        return f"{self.line}:{self.column}"


NOWHERE = Pos(1, 1, 1, 1)


@dataclass
class Node:
    pos: Pos = field(default=NOWHERE, repr=False, compare=False, kw_only=True)


# -- types ---------------------------------------------------------------------

@dataclass
class TypeSpec(Node):
    dtype: str                     # "f32", ...
    dims: list                     # ints and names (str)

    def __str__(self):
        return f"{self.dtype}[{', '.join(map(str, self.dims))}]"


@dataclass
class Param(Node):
    name: str
    type: TypeSpec


# -- expressions -----------------------------------------------------------------

@dataclass
class Num(Node):
    value: int | float


@dataclass
class Bool(Node):
    value: bool


@dataclass
class NoneLit(Node):
    pass


@dataclass
class DType(Node):
    name: str


@dataclass
class Name(Node):
    id: str


@dataclass
class ArrayLit(Node):
    items: list


@dataclass
class Tuple(Node):
    items: list


@dataclass
class Unary(Node):
    op: str                         # "-", "not"
    operand: Node


@dataclass
class Binary(Node):
    op: str                         # + - * / @ ** and or < <= > >= == !=
    left: Node
    right: Node


@dataclass
class IfElse(Node):
    cond: Node
    then: Node
    other: Node


@dataclass
class Keyword(Node):
    name: str
    value: Node


@dataclass
class Call(Node):
    func: Node
    args: list
    kwargs: list                    # Keyword nodes


@dataclass
class Slice(Node):
    start: Node | None
    stop: Node | None
    step: Node | None


@dataclass
class EllipsisLit(Node):
    pass


@dataclass
class Index(Node):
    base: Node
    items: list


@dataclass
class Attribute(Node):
    base: Node
    name: str


# -- statements and definitions --------------------------------------------------

@dataclass
class Let(Node):
    names: list                     # one name, or several (destructuring)
    value: Node
    many: bool = False


@dataclass
class Return(Node):
    value: Node


@dataclass
class FuncDef(Node):
    name: str
    params: list                    # Param
    returns: list | None            # TypeSpecs, or None when not declared
    body: list                      # Let ... Return (a one-line def is one Return)
    returns_many: bool = False


@dataclass
class Alias(Node):
    """`def NAME = EXPR`: a transform (grad, value_and_grad) or another function."""
    name: str
    value: Node


@dataclass
class Module(Node):
    definitions: list
    filename: str = "<string>"
    source: str = ""
