"""kusari.install_as_chainer(): `import chainer...` gives kusari's own modules
(one object per name, an import hook, not copies); the older idiom
sys.modules['chainer'] = kusari works too; a real Chainer is left alone until
either is done. Each case runs in a fresh interpreter."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "..", "shared", "seeds")

IMPORTS = """
import numpy as np
import chainer
from chainer import Function, gradient_check, report, training, utils, Variable
from chainer import datasets, iterators, optimizers, serializers
from chainer import link, Chain, ChainList
from chainer import Link
from chainer import cuda
from chainer.backends import cuda as cuda2
import chainer.functions as F
import chainer.links as L
from chainer.training import extensions
"""


def run(code: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env or {}))
    env["PYTHONPATH"] = os.pathsep.join([ROOT] + ([env["PYTHONPATH"]]
                                                  if env.get("PYTHONPATH") else []))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, cwd=cwd or ROOT, env=env, timeout=120)


def ok(r):
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_install_as_chainer_gives_the_same_module_objects():
    out = ok(run("import sys, kusari\nkusari.install_as_chainer()\n" + IMPORTS +
                 textwrap.dedent("""
        import kusari.functions, kusari.links
        assert chainer is kusari and F is kusari.functions and L is kusari.links
        assert L.Linear is kusari.links.Linear and extensions is kusari.training.extensions
        assert sys.modules["chainer.links"] is kusari.links
        assert kusari.functions.__spec__.name == "kusari.functions"
        # a model built through chainer.* trains: its links are kusari's
        np.random.seed(0)
        class MLP(Chain):
            def __init__(self):
                super().__init__()
                with self.init_scope():
                    self.l1 = L.Linear(3, 4)
                    self.l2 = L.Linear(4, 2)
            def forward(self, x):
                return self.l2(F.relu(self.l1(x)))
        m = MLP()
        opt = optimizers.SGD(lr=0.5).setup(m)
        x = np.random.rand(8, 3).astype(np.float32)
        t = (x.sum(1) > 1.5).astype(np.int32)
        first = None
        for _ in range(50):
            loss = F.softmax_cross_entropy(m(x), t)
            m.cleargrads(); loss.backward(); opt.update()
            first = first if first is not None else float(loss.array)
        assert float(loss.array) < first
        print(len(list(m.params())))
    """)))
    assert out.strip() == "4"


def test_a_missing_chainer_module_is_a_clear_import_error():
    r = run("""
        import kusari
        kusari.install_as_chainer()
        import chainer.no_such_module
    """)
    assert r.returncode != 0 and "No module named 'chainer.no_such_module'" in r.stderr


def test_the_sys_modules_idiom_loads_no_second_copy():
    ok(run("""
        import sys, kusari
        sys.modules["chainer"] = kusari
        import chainer
        import chainer.functions as F, chainer.links as L
        import kusari.links
        assert F is kusari.functions and L.Linear is kusari.links.Linear
        m = L.Linear(2, 2)
        opt = chainer.optimizers.SGD().setup(m)
        assert len(list(m.params())) == 2
    """))


def test_a_real_chainer_is_left_alone_until_asked(tmp_path):
    fake = tmp_path / "chainer"
    fake.mkdir()
    (fake / "__init__.py").write_text("REAL = True\n")
    (fake / "functions.py").write_text("REAL = True\n")
    env = {"PYTHONPATH": str(tmp_path)}
    ok(run("""
        import kusari
        import chainer, chainer.functions
        assert chainer.REAL and chainer.functions.REAL
    """, env=env))
    r = run("""
        import chainer, kusari
        kusari.install_as_chainer()
    """, env=env)
    assert r.returncode != 0 and "a real chainer is already imported" in r.stderr
    ok(run("""
        import kusari
        kusari.install_as_chainer()
        import chainer.functions
        assert chainer.functions is kusari.functions and not hasattr(chainer, "REAL")
    """, env=env))


def _notebook_cells() -> list[str]:
    """The code cells of the seed notebook (001), in order: each "In [n]:"
    is followed by code, then (after a blank line) what it printed; a
    paragraph after a blank line is more code unless it reads as output."""
    path = os.path.join(SEEDS, "001_480d4f8d9ab32ff9.txt")
    if not os.path.exists(path):
        pytest.skip("the seeds are not beside the project (../shared/seeds)")
    lines = open(path, encoding="utf-8").read().splitlines()
    output = re.compile(r"^(array\(|variable|\(|\[|<|True|False|None|-?\d)")
    cells, i = [], 0
    while i < len(lines):
        if not re.match(r"In \[\d+\]:", lines[i]):
            i += 1
            continue
        code, i = [], i + 1
        while i < len(lines) and not re.match(r"In \[\d+\]:", lines[i]):
            if lines[i].strip() == "":
                nxt = next((ln for ln in lines[i:] if ln.strip()), "")
                if output.match(nxt) or re.match(r"In \[\d+\]:", nxt):
                    break
            code.append(lines[i])
            i += 1
        cells.append("\n".join(code))
    return cells


def test_the_seed_notebook_runs_verbatim_through_the_alias():
    cells = _notebook_cells()
    assert len(cells) >= 35 and cells[0].startswith("import numpy as np")
    assert any("loss = model(chainer.Variable(x))" in c for c in cells)
    script = "import kusari\nkusari.install_as_chainer()\n" + "\n".join(cells) + \
        "\nassert F.relu is kusari.functions.relu\nprint('ran', len(list(model2.params())))\n"
    out = ok(run(script))
    assert "ran 4" in out


def test_chainerx_is_the_stub_chainer_ships_without_chainerx():
    # Chainer's examples do `import chainerx` and `device.xp is not chainerx`
    out = ok(run("""
        import kusari
        kusari.install_as_chainer()
        import chainer, chainerx
        assert chainerx.is_available() is False
        assert not isinstance(chainer.Variable(chainer.backend.CpuDevice().xp.ones(2)).array,
                              chainerx.ndarray)
        print(chainer.get_device("@numpy").xp is not chainerx)
    """))
    assert out.strip() == "True"
