"""The architecture's rules (DESIGN.md, "Layout"), held as facts:

- the compiler is pure: it imports nothing above it (not the Chainer surface,
  the language or the runtime);
- the runtime depends on the compiler, never on the surface or the language,
  and builds no IR;
- the language's gradients go through the graph, not through backprop or
  Variable internals;
- nothing patches the op registry from outside it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "kusari"


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every kusari module `path` imports (absolute names), anywhere in it."""
    parts = ["kusari"] + list(path.relative_to(ROOT).with_suffix("").parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("kusari")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.startswith("kusari"):
                if node.module is None or name in ("kusari",):
                    found |= {f"{name}.{a.name}" for a in node.names}
                else:
                    found.add(name)
    return found


def test_the_resolver_sees_relative_and_nested_imports(tmp_path):
    src = ROOT / "compiler" / "ops" / "call.py"
    names = imported(src)
    assert "kusari.compiler.ir" in names and "kusari.compiler.spine" in names


@pytest.mark.parametrize("path", modules("compiler"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_compiler_imports_nothing_above_it(path):
    outside = {m for m in imported(path) if not m.startswith("kusari.compiler")}
    assert not outside, f"{path.relative_to(ROOT)} imports {sorted(outside)}"


@pytest.mark.parametrize("path", modules("runtime"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_runtime_depends_only_on_the_compiler(path):
    outside = {m for m in imported(path)
               if not m.startswith(("kusari.compiler", "kusari.runtime"))}
    assert not outside, f"{path.relative_to(ROOT)} imports {sorted(outside)}"
    builds = {m for m in imported(path) if m.split(".")[-1] in ("autodiff", "sym", "passes")}
    assert not builds, f"{path.relative_to(ROOT)} builds IR through {sorted(builds)}"
    tree = ast.parse(path.read_text())
    calls = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute)}
    assert not calls & {"add_input", "add_const", "add_raw"}, "the runtime builds no IR"


@pytest.mark.parametrize("path", modules("grammar"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_language_differentiates_graphs_not_tapes(path):
    bad = {m for m in imported(path) if m in ("kusari.backprop", "kusari.tracing")}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_nothing_patches_the_registry():
    for path in ROOT.rglob("*.py"):
        if "compiler/ops" in str(path):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Call) \
                            and getattr(t.value.func, "attr", None) == "get":
                        pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} assigns to a "
                                    "registry entry")
