"""Every registry op and every public function of kusari.functions has tests of
its forward and its first and second derivatives (or that it passes no
gradient). A new op or function without them fails here."""
from __future__ import annotations

import importlib
import inspect

import pytest

import kusari.functions as F
from kusari.compiler import ops
from tests.functions import test_more_ops, test_ops

OPS_FILE = "tests.functions.test_ops"
MORE_FILE = "tests.functions.test_more_ops"

# Names checked by a table (the test runs every entry of its table).
TABLES = {
    (OPS_FILE, "test_unary"): test_ops.UNARY,
    (OPS_FILE, "test_kinked"): test_ops.KINKED,
    (OPS_FILE, "test_binary"): test_ops.BINARY,
    (OPS_FILE, "test_reduction"): test_ops.REDUCTIONS,
    (MORE_FILE, "test_comparisons"): test_more_ops.COMPARISONS,
}

# Names checked by one test each: name -> (module, test); the test must use the name.
TESTS = {
    "sign": (OPS_FILE, "test_piecewise_constant_has_no_gradient"),
    "floor": (OPS_FILE, "test_piecewise_constant_has_no_gradient"),
    "ceil": (OPS_FILE, "test_piecewise_constant_has_no_gradient"),
    "where": (OPS_FILE, "test_where"),
    "logsumexp": (OPS_FILE, "test_logsumexp_softmax"),
    "softmax": (OPS_FILE, "test_logsumexp_softmax"),
    "log_softmax": (OPS_FILE, "test_logsumexp_softmax"),
    "reshape": (OPS_FILE, "test_shape_ops"),
    "transpose": (OPS_FILE, "test_shape_ops"),
    "swapaxes": (OPS_FILE, "test_shape_ops"),
    "expand_dims": (OPS_FILE, "test_shape_ops"),
    "flatten": (OPS_FILE, "test_shape_ops"),
    "broadcast_to": (OPS_FILE, "test_shape_ops"),
    "sum_to": (OPS_FILE, "test_shape_ops"),
    "squeeze": (OPS_FILE, "test_shape_ops"),
    "concat": (OPS_FILE, "test_shape_ops"),
    "stack": (OPS_FILE, "test_shape_ops"),
    "split_axis": (OPS_FILE, "test_shape_ops"),
    "get_item": (OPS_FILE, "test_get_item"),
    "matmul": (OPS_FILE, "test_matmul"),
    "linear": (OPS_FILE, "test_linear"),
    "cast": (OPS_FILE, "test_cast"),
    "clip": (OPS_FILE, "test_clip_average_losses"),
    "mean_squared_error": (OPS_FILE, "test_clip_average_losses"),
    "average": (OPS_FILE, "test_clip_average_losses"),
    "softmax_cross_entropy": (OPS_FILE, "test_softmax_cross_entropy"),
    "absolute_error": (MORE_FILE, "test_elementwise_errors_and_fabs"),
    "squared_error": (MORE_FILE, "test_elementwise_errors_and_fabs"),
    "fabs": (MORE_FILE, "test_elementwise_errors_and_fabs"),
    "hstack": (MORE_FILE, "test_stacking_and_separating"),
    "vstack": (MORE_FILE, "test_stacking_and_separating"),
    "separate": (MORE_FILE, "test_stacking_and_separating"),
    "broadcast": (MORE_FILE, "test_stacking_and_separating"),
    "identity": (MORE_FILE, "test_stacking_and_separating"),
    "batch_matmul": (MORE_FILE, "test_batch_matmul"),
    "sigmoid_cross_entropy": (MORE_FILE, "test_sigmoid_cross_entropy"),
    "dropout": (MORE_FILE, "test_dropout"),
    "logical_and": (MORE_FILE, "test_logic"),
    "logical_or": (MORE_FILE, "test_logic"),
    "logical_not": (MORE_FILE, "test_logic"),
    "argmax": (MORE_FILE, "test_arg_reductions"),
    "argmin": (MORE_FILE, "test_arg_reductions"),
    "accuracy": (MORE_FILE, "test_accuracy"),
    "stop_gradient": (MORE_FILE, "test_stop_gradient"),
    "select_item": (MORE_FILE, "test_select_item"),
    "cumprod": (MORE_FILE, "test_cumulative_products"),          # prod's gradient
    "cumprodsum": (MORE_FILE, "test_cumulative_products"),
    # registry ops reached through functions of other names
    "absolute": (OPS_FILE, "test_kinked"),                # F.absolute is op abs
    "getitem": (OPS_FILE, "test_get_item"),
    "add": (OPS_FILE, "test_binary"),                     # F.add, op add
    "scatter_add": (OPS_FILE, "test_get_item"),           # get_item's gradient (2nd order)
    "call": ("tests.test_jit", "test_call_nodes_differentiate_to_any_order"),
}
# how a test spells the use of a name, where not F.<name> or "<name>"
SPELLING = {"scatter_add": "get_item", "getitem": "get_item", "call": "kusari.jit",
            "add": "a + b"}
SOURCES = {"input", "const"}         # graph inputs and constants, not operations


def public_functions() -> list[str]:
    return sorted(n for n in dir(F) if not n.startswith("_") and callable(getattr(F, n))
                  and getattr(getattr(F, n), "__module__", "").startswith("kusari.functions"))


def registry_ops() -> list[str]:
    return sorted(n for n in ops.REGISTRY if n not in SOURCES and not n.startswith("test_"))


def _discover() -> None:
    """Add what each tests/functions module declares: COVERS maps a name to
    the test (in that module) that checks it; COVERS_TABLES maps a test to
    the table it runs. Each area keeps its own declarations, in its own file."""
    import pathlib
    import pkgutil
    folder = pathlib.Path(__file__).parent / "functions"
    for info in pkgutil.iter_modules([str(folder)]):
        if not info.name.startswith("test_"):
            continue
        module_name = f"tests.functions.{info.name}"
        module = importlib.import_module(module_name)
        for name, test in getattr(module, "COVERS", {}).items():
            if name in TESTS:
                raise AssertionError(f"{name} is covered twice: {TESTS[name]} and "
                                     f"{module_name}.{test}")
            TESTS[name] = (module_name, test)
        for test, table in getattr(module, "COVERS_TABLES", {}).items():
            TABLES[(module_name, test)] = table


_discover()


def where_tested(name: str):
    for place, table in TABLES.items():
        if name in table:
            return place
    return TESTS.get(name)


def in_table(name: str, place) -> bool:
    """`name` is a key of the table `place` runs, or its function is a value there."""
    table = TABLES.get(place, {})
    fn = getattr(F, name, None)
    return name in table or any(fn is not None and fn is entry[0] for entry in table.values())


@pytest.mark.parametrize("name", public_functions() + registry_ops())
def test_every_op_and_function_is_tested(name):
    place = where_tested(name)
    assert place is not None, (
        f"{name} has no forward and derivative tests: write a test in a "
        "tests/functions/test_*.py module and name it in that module's COVERS "
        "(name -> test) or COVERS_TABLES (test -> table)")
    module, test = place
    fn = getattr(importlib.import_module(module), test, None)
    assert fn is not None, f"{module}.{test} (said to test {name}) does not exist"
    source = inspect.getsource(fn)
    uses = SPELLING.get(name, name)
    assert in_table(name, place) or uses in source, f"{module}.{test} never uses {name}"
