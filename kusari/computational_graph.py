"""Chainer's computational_graph: the recorded graph as nodes and edges, and DOT.

`build_computational_graph(outputs)` collects the variable nodes (the
graph's Nodes) and function nodes (user FunctionNodes, and FunctionNode views
of kusari's ops) backward-reachable from `outputs`, with an edge from each
input to its function and from each function to its outputs. `dump()` writes
it in Graphviz's DOT language, styled as Chainer styles it.
"""
from __future__ import annotations

import heapq

from .tape import Node
from .user_function import FunctionNode
from .variable import Variable

_var_style = {"shape": "octagon", "fillcolor": "#E0E0E0", "style": "filled"}
_func_style = {"shape": "record", "fillcolor": "#6495ED", "style": "filled"}


def _is_variable_node(node) -> bool:
    return isinstance(node, Node)


class DotNode:
    """One node of the graph in DOT: its id and its attributes."""

    def __init__(self, node, attribute=None, show_name: bool = True):
        if not isinstance(node, (Node, FunctionNode)):
            raise TypeError(f"a graph node is a variable node or a FunctionNode, not "
                            f"{type(node).__name__}")
        self.id_ = id(node.node) if _is_view(node) else id(node)
        self.attribute = {"label": node.label}
        if _is_variable_node(node):
            if show_name and node.name is not None:
                self.attribute["label"] = f"{node.name}: {self.attribute['label']}"
            self.attribute["shape"] = "oval"
        else:
            self.attribute["shape"] = "box"
        if attribute is not None:
            self.attribute.update(attribute)

    @property
    def label(self) -> str:
        attributes = ",".join(f'{k}="{v}"' for k, v in self.attribute.items())
        return f"{self.id_} [{attributes}];"


def _is_view(node) -> bool:
    from .user_function import OpFunction
    return isinstance(node, OpFunction)


class ComputationalGraph:
    """Nodes and edges of a computational graph; `dump()` writes it as DOT."""

    def __init__(self, nodes, edges, variable_style="default", function_style="default",
                 rankdir="TB", remove_variable=False, show_name=True):
        self.nodes = nodes
        self.edges = edges
        self.variable_style = dict(_var_style) if variable_style == "default" else \
            (variable_style or {})
        self.function_style = dict(_func_style) if function_style == "default" else \
            (function_style or {})
        if rankdir not in ("TB", "BT", "LR", "RL"):
            raise ValueError("rankdir must be in TB, BT, LR or RL.")
        self.rankdir = rankdir
        self.remove_variable = remove_variable
        self.show_name = show_name

    def _to_dot(self) -> str:
        nodes, edges = self.nodes, self.edges
        if self.remove_variable:
            nodes, edges = _skip_variables(nodes, edges)
        out = f"digraph graphname{{rankdir={self.rankdir};"
        # a view of kusari's op stands for one application, which lives in
        # its output's Node: its box gets an id next to that Node's
        for node in nodes:
            if _is_variable_node(node):
                if not self.remove_variable:
                    out += DotNode(node, self.variable_style, self.show_name).label
            else:
                out += _function_dot(node, self.function_style, self.show_name).label
        drawn = set()
        for head, tail in edges:
            ends = []
            for end in (head, tail):
                if _is_variable_node(end):
                    ends.append(DotNode(end, self.variable_style, self.show_name).id_)
                else:
                    ends.append(_function_dot(end, self.function_style, self.show_name).id_)
            edge = tuple(ends)
            if edge in drawn:
                continue
            out += "%s -> %s;" % edge
            drawn.add(edge)
        return out + "}"

    def dump(self, format: str = "dot") -> str:   # noqa: A002 (Chainer's name)
        """The graph as text; only Graphviz's 'dot' format is supported."""
        if format == "dot":
            return self._to_dot()
        raise NotImplementedError("Currently, only dot format is supported.")


def _function_dot(node, style, show_name) -> DotNode:
    d = DotNode(node, style, show_name)
    if _is_view(node):
        d.id_ += 1              # objects are aligned: no object has this id
    return d


def _skip_variables(nodes, edges):
    """Edges between functions only (variables in between dropped)."""
    funcs = [n for n in nodes if not _is_variable_node(n)]
    out = []
    for head, tail in edges:
        if _is_variable_node(head):
            head = head.creator_node
            if head is None:
                continue
        if _is_variable_node(tail):
            found = None
            for f in funcs:
                if any(x is tail for x in f.inputs):
                    found = f
                    break
            if found is None:
                continue
            tail = found
        out.append((head, tail))
    return nodes, out


def build_computational_graph(outputs, remove_split=True, variable_style="default",
                              function_style="default", rankdir="TB",
                              remove_variable=False, show_name=True):
    """The graph of functions and variables backward-reachable from
    `outputs` (Variables, variable nodes or FunctionNodes, or one of them)."""
    if not remove_split:
        raise ValueError("remove_split=False is not supported anymore")
    kinds = (Variable, Node, FunctionNode)
    if isinstance(outputs, kinds):
        outputs = [outputs]
    elif not all(isinstance(o, kinds) for o in outputs):
        raise TypeError("element of outputs must be either Variable, VariableNode, "
                        " or FunctionNode.")
    cands: list = []
    seen_edges: set = set()
    nodes: set = set()
    count = [0]

    def add(cand):
        heapq.heappush(cands, (-cand.rank, count[0], cand))
        count[0] += 1

    for o in outputs:
        if isinstance(o, Variable):
            o = o.node
        add(o)
        nodes.add(o)
    while cands:
        _, _, cand = heapq.heappop(cands)
        if _is_variable_node(cand):
            creator = cand.creator_node
            if creator is not None and (creator, cand) not in seen_edges:
                add(creator)
                seen_edges.add((creator, cand))
                nodes.add(creator)
                nodes.add(cand)
        else:
            for x in cand.inputs or ():
                if x is not cand and (x, cand) not in seen_edges:
                    add(x)
                    seen_edges.add((x, cand))
                    nodes.add(x)
                    nodes.add(cand)
    return ComputationalGraph(list(nodes), list(seen_edges), variable_style,
                              function_style, rankdir, remove_variable, show_name)
