"""Evaluating an expression tree bottom-up without recursion.

Programs nest deeper than Python's recursion limit (`x + x + ...` with ten
thousand terms is a left-leaning tree ten thousand deep; definitions call
definitions hundreds deep), so the checker and the lowering do not call
themselves on sub-expressions. A node's method is either a plain function
returning the node's value, or a generator that yields sub-expressions and
receives their values:

    def e_Binary(self, e):
        left = yield e.left
        right = yield e.right
        return combine(left, right)

A method may also yield `Within(start, node)`, a node to evaluate in another
scope (a called function's body), or a generator of such steps, whose result
it receives the same way. `evaluate` runs all of these on a stack of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import GeneratorType
from typing import Callable


@dataclass(frozen=True)
class Within:
    """A node to evaluate with another `start` (another scope's methods)."""
    start: Callable
    node: object


def evaluate(root, start: Callable, on_error: Callable):
    """The value of `root` (a node, a Within or a generator of steps).
    `start(node)` is the node's method applied (a value or a generator, as
    above); `on_error(node, exception)`, for an exception raised while
    computing `node`, returns the node's value instead or raises (out of the
    whole walk). An exception in a generator of steps is its caller's."""
    stack = []                  # (node or None, generator, start), innermost last

    def begin(item, start):
        """Start `item`: (True, None) when a generator was pushed, else (False, value)."""
        if isinstance(item, Within):
            start, item = item.start, item.node
        if isinstance(item, GeneratorType):
            stack.append((None, item, start))
            return True, None
        try:
            result = start(item)
        except Exception as exc:  # noqa: BLE001 - on_error decides
            return False, on_error(item, exc)
        if isinstance(result, GeneratorType):
            stack.append((item, result, start))
            return True, None
        return False, result

    pushed, value = begin(root, start)
    send = None if pushed else value
    while stack:
        node, gen, start = stack[-1]
        try:
            child = gen.send(send)
        except StopIteration as stop:
            stack.pop()
            send = value = stop.value
            continue
        except Exception as exc:  # noqa: BLE001 - on_error decides
            stack.pop()
            while node is None:       # a generator of steps: its caller failed
                if not stack:
                    raise
                node, _, _ = stack.pop()
            send = value = on_error(node, exc)
            continue
        pushed, value = begin(child, start)
        send = None if pushed else value
    return value
