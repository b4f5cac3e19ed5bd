"""DumpGraph: writes the graph behind a reported value (the loss) as DOT.

The graph written is kusari's own IR of the first iteration's loss: the ops
recorded on the tape from the parameters and the batch to the reported
variable, one node per op application (the form ``kusari emit --target ir``
prints), not Chainer's function/variable graph. Inputs that are parameters of
an optimizer's target are labelled with their paths (``/predictor/l1/W``).
When Graphviz's ``dot`` is installed, a PNG is rendered beside it.
"""
from __future__ import annotations

import os
import subprocess
import warnings

from kusari import configuration
from kusari.training import extension
from kusari.utils import argument
from kusari.variable import Variable

from ._common import replacing


def is_return_code_zero(args) -> bool:
    """Whether the command runs and exits with 0 (False if it is missing)."""
    try:
        subprocess.check_call(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (subprocess.CalledProcessError, OSError):
        return False
    return True


def is_graphviz_available() -> bool:
    return is_return_code_zero(["dot", "-V"])


def _dot_attrs(style) -> str:
    return "".join(f', {k}="{v}"' for k, v in (style or {}).items())


def ir_graph_of(var: Variable, name: str = "loss", param_names=None):
    """kusari's IR Graph of the ops recorded from the leaves to `var`.

    `param_names` maps id(variable node) to a name shown on that input.
    Returns (graph, {input node id: name}).
    """
    from kusari import tape
    from kusari.compiler.ir import Graph
    order, entries, index = tape.walk([var.node])
    g = Graph(name)
    labels: dict = {}

    def leaf(i, n):
        path = (param_names or {}).get(id(n)) or n.name
        node = g.add_input(n.shape, n.dtype, name=path)
        if path:
            labels[node] = path
        return node

    def constant(c):
        return g.add_const(c.value.item(), c.dtype) if c.baked else g.add_input((), c.dtype)

    ids = tape.to_graph(g, order, entries, leaf=leaf, constant=constant)
    g.outputs = [ids[index[var.node]]]
    return g, labels


def graph_to_dot(g, labels=None, variable_style=None, function_style=None) -> str:
    """DOT text of an IR graph: inputs as ellipses (with their names), one box
    per op showing its equation; the styles add DOT attributes to inputs and
    to ops."""
    from kusari.compiler.ir import type_text
    labels = labels or {}
    names = g.names()
    lines = [f'digraph "{g.name}" {{', "  rankdir=TB;",
             '  node [shape=box, style="rounded,filled", fillcolor=white, '
             'fontname="monospace"];']
    for n in g.topo():
        d = g.nx.nodes[n]
        if n not in names:                          # an inline scalar constant
            label, extra = g.operand_text(n, names), ""
        elif d["op"] == "input":
            label = f"{g.operand_text(n, names)}:{type_text(d['shape'], d['dtype'])}"
            if n in labels:
                label += f" {labels[n]}"
            extra = ", shape=ellipse" + _dot_attrs(variable_style)
        else:
            label, extra = g.equation(n, names), _dot_attrs(function_style)
        label = label.replace("\\", "\\\\").replace('"', r'\"')
        lines.append(f'  n{n} [label="{label}"{extra}];')
    for u, v, e in g.nx.edges(data=True):
        lines.append(f'  n{u} -> n{v} [label="{",".join(map(str, e["pos"]))}"];')
    for i, o in enumerate(g.outputs):
        if o is not None:
            lines.append(f'  out{i} [label="{g.name}", shape=plaintext];')
            lines.append(f"  n{o} -> out{i};")
    lines.append("}")
    return "\n".join(lines) + "\n"


class DumpGraph(extension.Extension):
    """Dumps the IR graph of the reported value `root_name` (e.g.
    ``'main/loss'``) once, at the first iteration, to `filename` under the
    trainer's ``out`` (``cg.dot``; the old keyword ``out_name`` too).

    During that first iteration ``config.keep_graph_on_report`` is on (so the
    reported variable keeps its graph); the user's value is restored after.

    Args:
        root_name: the observation key of the variable.
        filename: the DOT file's name.
        variable_style: DOT attributes of the input nodes.
        function_style: DOT attributes of the op nodes.
    """

    default_name = "dump_graph"

    def __init__(self, root_name, filename=None, variable_style=None, function_style=None,
                 **kwargs):
        out_name, = argument.parse_kwargs(kwargs, ("out_name", "cg.dot"))
        self._root_name = root_name
        self._filename = out_name if filename is None else filename
        self._variable_style = variable_style
        self._function_style = function_style
        self._original_flag = None
        self._flag_called = False
        self._flag_set = False

    def initialize(self, trainer) -> None:
        # Idempotent: a second call (after an autoloaded snapshot) must not
        # take the flag it set itself for the user's.
        if not self._flag_called and not self._flag_set:
            self._original_flag = configuration.config.keep_graph_on_report
            configuration.config.keep_graph_on_report = True
            self._flag_set = True

    def trigger(self, trainer) -> bool:
        if self._flag_called:
            return False
        self._flag_called = True
        return True

    def __call__(self, trainer) -> None:
        try:
            var = trainer.observation[self._root_name]
            if not isinstance(var, Variable):
                raise TypeError(f"DumpGraph: the reported value {self._root_name!r} is a "
                                f"{type(var).__name__}, not a Variable; report the "
                                "Variable itself to dump its graph")
            g, labels = ir_graph_of(var, self._root_name, _param_names(trainer))
            if var.creator is None:
                warnings.warn(
                    f"DumpGraph: the reported {self._root_name!r} has no recorded graph "
                    "(it was computed under no_backprop_mode, inside a compiled "
                    "function, or unchained), so the graph written has only the value",
                    UserWarning)
            dot = graph_to_dot(g, labels, self._variable_style, self._function_style)
            os.makedirs(trainer.out, exist_ok=True)
            with replacing(trainer.out, self._filename) as path:
                with open(path, "w") as f:
                    f.write(dot)
            if is_graphviz_available():
                filename = os.path.join(trainer.out, self._filename)
                image = os.path.splitext(self._filename)[0] + ".png"
                with replacing(trainer.out, image) as path:
                    subprocess.check_call(["dot", "-Tpng", filename, "-o", path])
        finally:
            configuration.config.keep_graph_on_report = self._original_flag

    def serialize(self, serializer) -> None:
        flag = serializer("_original_flag", self._original_flag)
        called = serializer("_flag_called", self._flag_called)
        # loaded from a file these are 0-d arrays (None an object array)
        self._original_flag = flag.item() if hasattr(flag, "item") else flag
        self._flag_called = bool(called)


def _param_names(trainer) -> dict:
    """id(parameter node) -> the parameter's path in an optimizer's target."""
    names: dict = {}
    try:
        optimizers = trainer.updater.get_all_optimizers()
    except AttributeError:
        return names
    for opt_name, optimizer in (optimizers or {}).items():
        target = getattr(optimizer, "target", None)
        if target is None or not hasattr(target, "namedparams"):
            continue
        for path, param in target.namedparams():
            node = getattr(param, "node", None)
            if node is not None:
                names.setdefault(id(node), path)
    return names
