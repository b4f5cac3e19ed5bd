"""Every registry elementwise op and closing reduction as CUDA C: the
source compiles with `nvcc -ptx`, and the same kernels, compiled for the CPU
through the host shim (shim.h), give the NumPy backend's results on special
values (0, -0.0, +-inf, NaN, huge, tiny), in float16/32/64 (and the integer
and bool dtypes an op takes), with broadcasting. All programs go into one
nvcc and one g++ call."""
from __future__ import annotations

import numpy as np
import pytest

from kusari.compiler.codegen import cuda_gen
from kusari.compiler.ir import Graph
from kusari.compiler.ops.registry import ELEMENTWISE, REGISTRY

from . import harness
from .common import FLOATS, assert_same, cuda_program, need_gxx, need_nvcc, numpy_results, specials

INTS = (np.int32, np.int64)
# elementwise ops whose registry entries have no CUDA form yet: the CUDA
# generator refuses a graph using them (CudaUnsupported names the op)
NO_CUDA_FORM: set = set()
SPECIAL_FORMS = {"cast", "stop_gradient", "logical_not", "logical_and", "logical_or", "where",
                 "polygamma"}


def _elementwise(nargs):
    return sorted(n for n, o in REGISTRY.items() if o.kind == ELEMENTWISE and
                  len(o.arg_names) == nargs and n not in SPECIAL_FORMS and o.cuda is not None)


UNARY = _elementwise(1)
BINARY = _elementwise(2)
# ops whose arguments may be integers (the rest are float only or give floats)
INT_OK = {"neg", "abs", "sign", "add", "sub", "mul", "maximum", "minimum", "less",
          "less_equal", "greater", "greater_equal", "equal", "not_equal"}
# the math library's rounding of these differs from NumPy's by more than a few
# units in the last place somewhere in their domain: a looser relative bound
# sigmoid: Chainer's form tanh(x / 2) / 2 + 1/2 cancels far left: the math
# libraries' tanh differ by an ulp, so the results differ by an ulp of 1/2
LOOSE = {"sigmoid": lambda dt: dict(atol=float(np.finfo(dt).eps)),
         # float16 sinc: NumPy computes pi x and sin in float16 (3e-4 where
         # sinc is 0); the CUDA form computes in float32 and rounds once
         "sinc": lambda dt: dict(atol=1e-3) if dt == np.float16 else {}}
# of 0.0 and -0.0, NumPy's float32/64 maximum gives the second and its
# float16 loop the first (the CUDA forms give the second: only the sign of a
# zero differs)
TIES = {"maximum", "minimum", "relu"}
# inputs where kusari's NumPy form, not the CUDA form, is off (a report):
# lgamma(-5e-324) is -log(5e-324) = 744.44 (the C library, CUDA); the NumPy
# form gives inf
NUMPY_FORM_OFF = {("lgamma", "float64"): [-5e-324],
                  # float16 pi * 65504 overflows: NumPy's sinc is NaN there
                  ("sinc", "float16"): [65504.0, -65504.0]}


def _int_values(dt):
    v = specials(dt)
    return v[np.abs(v.astype(np.float64)) < 1000]       # no overflow in +, -, *


class Case:
    def __init__(self, label, g, arrays, rtol=None, atol=None, check_zero_sign=True):
        self.label, self.g, self.arrays = label, g, arrays
        self.rtol, self.atol = rtol, atol
        self.check_zero_sign = check_zero_sign


def _unary_cases():
    out = []
    for name in UNARY:
        dtypes = FLOATS + (INTS if name in INT_OK else ())
        for dt in dtypes:
            x = specials(dt) if np.dtype(dt).kind == "f" else _int_values(dt)
            off = NUMPY_FORM_OFF.get((name, np.dtype(dt).name), [])
            x = x[~np.isin(x, off)]
            g = Graph(f"{name}_{np.dtype(dt).name}")
            a = g.add_input(x.shape, dt)
            g.outputs = [g.add(name, [a])]
            out.append(Case(g.name, g, [x], **LOOSE.get(name, lambda dt: {})(dt),
                            check_zero_sign=not (name in TIES and dt == np.float16)))
    return out


def _binary_cases():
    out = []
    for name in BINARY:
        dtypes = FLOATS + (INTS if name in INT_OK else ())
        for dt in dtypes:
            v = specials(dt) if np.dtype(dt).kind == "f" else _int_values(dt)
            a, b = v.reshape(-1, 1), v            # broadcast: every pair of values
            g = Graph(f"{name}_{np.dtype(dt).name}")
            ia, ib = g.add_input(a.shape, dt), g.add_input(b.shape, dt)
            g.outputs = [g.add(name, [ia, ib])]
            out.append(Case(g.name, g, [a, b], **LOOSE.get(name, lambda dt: {})(dt),
                            check_zero_sign=not (name in TIES and dt == np.float16)))
    return out


def _other_cases():
    out = []
    b = np.array([False, True])
    for name in ("logical_and", "logical_or"):
        g = Graph(name)
        ia, ib = g.add_input((2, 1), np.bool_), g.add_input((2,), np.bool_)
        g.outputs = [g.add(name, [ia, ib])]
        out.append(Case(name, g, [b.reshape(2, 1), b]))
    g = Graph("logical_not")
    g.outputs = [g.add("logical_not", [g.add_input((2,), np.bool_)])]
    out.append(Case("logical_not", g, [b]))
    for dt in FLOATS:
        v = specials(dt)
        cond = (np.arange(v.size) % 3 == 0).reshape(-1, 1)
        g = Graph(f"where_{np.dtype(dt).name}")
        ic = g.add_input(cond.shape, np.bool_)
        ia, ib = g.add_input(v.shape, dt), g.add_input((1,), dt)
        g.outputs = [g.add("where", [ic, ia, ib])]
        out.append(Case(g.name, g, [cond, v, np.array([-7.5], dt)]))
    # casts: between the floats, to bool, and from ints and bools
    for src in FLOATS:
        for dst in FLOATS + (np.bool_,):
            v = specials(src)
            g = Graph(f"cast_{np.dtype(src).name}_{np.dtype(dst).name}")
            g.outputs = [g.add("cast", [g.add_input(v.shape, src)], dtype=np.dtype(dst))]
            out.append(Case(g.name, g, [v]))
    for src in INTS + (np.bool_,):
        for dst in FLOATS:
            v = specials(src)
            g = Graph(f"cast_{np.dtype(src).name}_{np.dtype(dst).name}")
            g.outputs = [g.add("cast", [g.add_input(v.shape, src)], dtype=np.dtype(dst))]
            out.append(Case(g.name, g, [v]))
    for dt in FLOATS:
        v = specials(dt)
        n = np.array([0, 1, 2, 3, 6], np.int32).reshape(-1, 1)
        g = Graph(f"polygamma_{np.dtype(dt).name}")
        g.outputs = [g.add("polygamma", [g.add_input(n.shape, np.int32),
                                         g.add_input(v.shape, dt)])]
        out.append(Case(g.name, g, [n, v]))
    rng = np.random.default_rng(3)
    # narrow integers wrap at every op, as NumPy's do
    for dt in (np.int8, np.int16, np.uint8):
        info = np.iinfo(dt)
        v = np.array([0, 1, 2, 7, 100, info.max, info.max - 1, info.min], dt)
        g = Graph(f"wrap_{np.dtype(dt).name}")
        a, b = g.add_input((8, 1), dt), g.add_input((8,), dt)
        s_ = g.add("add", [a, b])
        g.outputs = [g.add("mul", [s_, s_]), g.add("less", [s_, a])]
        out.append(Case(g.name, g, [v.reshape(8, 1), v]))
    # nothing to compute: an empty array
    g = Graph("empty")
    x = g.add_input((0, 3), np.float32)
    g.outputs = [g.add("exp", [g.add("add", [x, g.add_input((3,), np.float32)])])]
    out.append(Case("empty", g, [np.zeros((0, 3), np.float32), rng.random(3).astype(np.float32)]))
    g = Graph("stop_gradient")
    x = g.add_input((4,), np.float32)
    g.outputs = [g.add("exp", [g.add("stop_gradient", [x])])]
    out.append(Case("stop_gradient", g, [np.array([0, -1, np.inf, np.nan], np.float32)]))
    # a float16 chain: each op rounds to float16 as NumPy's does (x * x overflows)
    v = specials(np.float16)
    g = Graph("f16_chain")
    x = g.add_input(v.shape, np.float16)
    y = g.add("exp", [g.add("neg", [g.add("mul", [x, x])])])
    g.outputs = [g.add("add", [g.add("mul", [y, x]), x])]
    out.append(Case("f16_chain", g, [v]))
    return out


def _reduction_rows(dt, product=False):
    """Rows of ordinary values, each with its own special values: a NaN, an
    inf, both infinities, only negative zeros, huge values, tiny ones."""
    dt = np.dtype(dt)
    fi = np.finfo(dt)
    base = np.array([0.5, -1.25, 2.0, 0.75, -0.5, 1.5, 3.0], dt)
    rows = np.tile(base, (8, 1))
    rows[1, 3] = np.nan
    rows[2, 2] = np.inf
    rows[3, 1], rows[3, 4] = np.inf, -np.inf
    rows[4, :] = -0.0
    # (a product of huge values may overflow in one order and not in
    # another: the documented reassociation, so not tested here)
    rows[5, :] = fi.max / 16 if not product else np.sqrt(fi.max) / 64
    rows[6, :] = fi.smallest_subnormal
    rows[7, 0] = -np.inf
    return rows


def _reduction_cases():
    out = []
    for name in ("sum", "max", "min", "prod"):
        for dt in FLOATS:
            x = _reduction_rows(dt, name == "prod")
            for axis, keep in (((1,), False), ((0,), True), ((0, 1), False)):
                g = Graph(f"{name}_{np.dtype(dt).name}_{''.join(map(str, axis))}{int(keep)}")
                ix = g.add_input(x.shape, dt)
                g.outputs = [g.add(name, [ix], axis=axis, keepdims=keep)]
                # a sum or product is reassociated (the one documented difference);
                # max and min may pick either zero of a tie
                rtol = 1e-2 if dt == np.float16 else 1e-5 if dt == np.float32 else 1e-12
                out.append(Case(g.name, g, [x], rtol=rtol,
                                check_zero_sign=name in ("sum", "prod")))
            # fused: a chain closing in the reduction, with a broadcast operand
            # and the chain's value also used outside
            if dt == np.float16:
                continue
            y = np.linspace(-1, 1, 7).astype(dt)
            g = Graph(f"{name}_fused_{np.dtype(dt).name}")
            ix, iy = g.add_input(x.shape, dt), g.add_input(y.shape, dt)
            e = g.add("mul", [g.add("tanh", [ix]), iy])
            g.outputs = [g.add(name, [e], axis=(1,), keepdims=True), g.add("exp", [e])]
            # (a sum that cancels to 0 is off by its terms' rounding)
            out.append(Case(g.name, g, [x, y], rtol=1e-5 if dt == np.float32 else 1e-12,
                            atol=4 * float(np.finfo(dt).eps),
                            check_zero_sign=name in ("sum", "prod")))
    # many elements per output, few outputs: several blocks per output and a
    # second kernel combining their partial results
    rng = np.random.default_rng(0)
    for name in ("sum", "max", "min"):
        for dt in (np.float32, np.float64):
            x = rng.standard_normal((3, 9000)).astype(dt)
            x[1, 4321] = np.nan
            x[2, 77] = np.inf if name != "min" else -np.inf
            y = rng.standard_normal(9000).astype(dt)
            g = Graph(f"{name}_split_{np.dtype(dt).name}")
            ix, iy = g.add_input(x.shape, dt), g.add_input(y.shape, dt)
            e = g.add("mul", [g.add("tanh", [ix]), iy])
            g.outputs = [g.add(name, [e], axis=(1,), keepdims=False),
                         g.add(name, [ix], axis=(0, 1), keepdims=False)]
            out.append(Case(g.name, g, [x, y], rtol=1e-4 if dt == np.float32 else 1e-11,
                            atol=1e-4 if dt == np.float32 else 1e-11))
    for dt in (np.float32, np.float64):
        x = _reduction_rows(dt).reshape(2, 4, 7)
        g = Graph(f"sum_to_{np.dtype(dt).name}")
        ix = g.add_input(x.shape, dt)
        g.outputs = [g.add("sum_to", [g.add("square", [ix])], shape=(1, 7))]
        out.append(Case(g.name, g, [x], rtol=1e-5 if dt == np.float32 else 1e-12))
        # an empty reduced axis gives the identity
        g = Graph(f"sum_empty_{np.dtype(dt).name}")
        ix = g.add_input((3, 0), dt)
        g.outputs = [g.add("sum", [ix], axis=(1,), keepdims=False),
                     g.add("prod", [ix], axis=(1,), keepdims=False)]
        out.append(Case(g.name, g, [np.zeros((3, 0), dt)]))
    return out


CASES = _unary_cases() + _binary_cases() + _other_cases() + _reduction_cases()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    programs, graphs = [], []
    for i, c in enumerate(CASES):
        p, g = cuda_program(c.g, f"p{i}")
        programs.append(p)
        graphs.append(g)
    return programs, graphs, tmp_path_factory.mktemp("cuda_ops")


def test_every_elementwise_op_is_covered():
    """Each registry elementwise op has a CUDA form and a case here."""
    named = {n for n, o in REGISTRY.items() if o.kind == ELEMENTWISE}
    covered = {n for c in CASES for n in (c.g.op(x) for x in c.g.nx.nodes)}
    missing = {n for n in named if REGISTRY[n].cuda is None}
    assert named - covered == missing
    assert missing == NO_CUDA_FORM, f"elementwise ops without a CUDA form: {sorted(missing)}"


def test_nvcc_compiles_every_op(built):
    need_nvcc()
    programs, _, tmp = built
    harness.nvcc_ptx(harness.module_text(programs), str(tmp))


@pytest.fixture(scope="module")
def host(built):
    need_gxx()
    programs, _, tmp = built
    return harness.HostModule(programs, str(tmp))


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c.label for c in CASES])
def test_host_shim_matches_numpy(built, host, i):
    c = CASES[i]
    programs, graphs, _ = built
    with np.errstate(all="ignore"):
        want = numpy_results(c.g, c.arrays)
        got = host.run(programs[i], graphs[i], c.arrays)
    for j, (a, b) in enumerate(zip(got, want)):
        what = f"{c.label} output {j}"
        if c.check_zero_sign:
            assert_same(a, b, what, c.rtol, c.atol)
        else:
            assert_same(np.where(np.asarray(b) == 0, 0, a).astype(np.asarray(a).dtype),
                        np.where(np.asarray(b) == 0, 0, b).astype(np.asarray(b).dtype),
                        what, c.rtol, c.atol)


def test_cuda_form_is_the_registry_entry():
    """The generated code of an op is its registry entry's CUDA expression."""
    g = Graph("one")
    g.outputs = [g.add("tanh", [g.add_input((3,), np.float32)])]
    p = cuda_gen.generate(g, "one")
    assert "tanh(a0)" in p.source and 'extern "C" __global__ void one_k0' in p.source


def test_an_op_without_a_cuda_form_is_refused_by_name(monkeypatch):
    monkeypatch.setattr(REGISTRY["digamma"], "cuda", None)
    g = Graph("dg")
    g.outputs = [g.add("digamma", [g.add_input((3,), np.float32)])]
    with pytest.raises(cuda_gen.CudaUnsupported, match="'digamma' has no CUDA form"):
        cuda_gen.generate(g)


def test_large_kernels_index_with_64_bits():
    """Past 2**31 elements the loop and index arithmetic are 64-bit."""
    g = Graph("big")
    x = g.add_input((1 << 16, 1 << 16), np.float32)
    y = g.add_input((1 << 16, 1), np.float32)
    g.outputs = [g.add("add", [x, y])]
    src = cuda_gen.generate(g).source
    assert "for (long long i" in src and "for (int i" not in src


def test_every_reduction_shape_of_work_is_tested(built):
    """Thread per output, block per output, and split blocks all appear above."""
    programs, _, _ = built
    text = "\n".join(k for p in programs for k in p.kernels)
    for mode in ("(thread)", "(block)", "parts per output)"):
        assert mode in text
