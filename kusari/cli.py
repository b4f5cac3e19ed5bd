"""The `kusari` command: run, check, emit and bench kusari programs.

    kusari run FILE.ksr [FUNC] [--arg NAME=VALUE ...] [--backend numpy|cupy]
               [--out FILE.npz] [--seed S] [--dim N=100 ...]
    kusari check FILE.ksr
    kusari emit FILE.ksr FUNC --target ir|dot|numpy|cuda [--arg ...] [--dim ...]
    kusari bench FILE.ksr FUNC [--arg ...] [--dim ...] [--repeat R]

Exit status: 0 success, 1 a mistake in the program or its arguments (reported
with file:line:col), 2 a usage error, 3 an internal error of kusari.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

VALUE_HELP = ("a literal ('[[1,2],[3,4]]', 3.5), @file.npy, @file.npz:key, or random "
              "(from --seed, shaped by the declared type and --dim)")


class UserError(Exception):
    """A mistake in the command's arguments (exit status 1)."""


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    from .grammar.errors import KsrError
    from .compiler.errors import KusariError, InvalidType
    try:
        return args.handler(args)
    except KsrError as e:
        print(e.format(), file=sys.stderr)
        return 1
    except (UserError, KusariError, InvalidType) as e:
        print(f"kusari: error: {e}".rstrip(), file=sys.stderr)
        return 1
    except IndexError as e:            # data-dependent, at run time (an index array)
        print(f"kusari: error while running: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:            # the reader has gone (`kusari run ... | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:  # noqa: BLE001 - a bug of kusari's: say so, briefly
        if os.environ.get("KUSARI_DEBUG"):
            raise
        print(f"kusari: internal error: {type(e).__name__}: {e}\n"
              "(this is a bug in kusari; run with KUSARI_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 3


def _parser() -> argparse.ArgumentParser:
    from . import __version__
    p = argparse.ArgumentParser(prog="kusari", description="Run, check and compile "
                                "kusari (.ksr) programs.")
    p.add_argument("--version", action="version", version=f"kusari {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp, func_required: bool):
        sp.add_argument("file", metavar="FILE", help="a .ksr program")
        if func_required:
            sp.add_argument("func", metavar="FUNC", help="the function to use")
        else:
            sp.add_argument("func", metavar="FUNC", nargs="?",
                            help="the function to run (default: main)")
        sp.add_argument("--arg", action="append", default=[], metavar="NAME=VALUE",
                        help=f"an argument: {VALUE_HELP}")
        sp.add_argument("--dim", action="append", default=[], metavar="N=SIZE",
                        help="the size of a named dimension (for random arguments)")
        sp.add_argument("--seed", type=int, default=0, help="seed for random arguments")

    run = sub.add_parser("run", help="compile and run a function, print its results")
    common(run, False)
    run.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    run.add_argument("--out", metavar="FILE.npz", help="also save every result (out0, ...)")
    run.set_defaults(handler=_run)

    chk = sub.add_parser("check", help="parse and type-check a program")
    chk.add_argument("file", metavar="FILE", help="a .ksr program")
    chk.set_defaults(handler=_check)

    emit = sub.add_parser("emit", help="show what the compiler makes of a function")
    common(emit, True)
    emit.add_argument("--target", choices=["ir", "dot", "numpy", "cuda"], required=True)
    emit.set_defaults(handler=_emit)

    bench = sub.add_parser("bench", help="time compiling and running a function")
    common(bench, True)
    bench.add_argument("--repeat", type=int, default=50, help="runs to time (default 50)")
    bench.set_defaults(handler=_bench)
    return p


# -- subcommands ------------------------------------------------------------------

def _load(path: str):
    import kusari
    if not Path(path).is_file():
        raise UserError(f"{path}: no such file")
    return kusari.load(path)


def _check(args) -> int:
    m = _load(args.file)
    print(f"{args.file}: {len(m.functions)} definitions, no errors")
    return 0


def _function(m, name: str | None, file: str):
    if name is None:
        if "main" not in m.functions:
            raise UserError(f"{file} defines no `main`; name the function to run "
                            f"(one of: {', '.join(m.functions)})")
        name = "main"
    if name not in m.functions:
        from .grammar.errors import did_you_mean
        raise UserError(f"{file} defines no `{name}`{did_you_mean(name, m.functions)} "
                        f"(it defines: {', '.join(m.functions)})")
    return m.functions[name]


def _run(args) -> int:
    if args.backend == "cupy":
        raise UserError("the CuPy backend is not available yet; use --backend numpy")
    m = _load(args.file)
    f = _function(m, args.func, args.file)
    results = f(*_arguments(f, args, required=True))
    results = results if isinstance(results, tuple) else (results,)
    for r in results:
        print(np.asarray(r))
    if args.out:
        np.savez(args.out, **{f"out{i}": np.asarray(r) for i, r in enumerate(results)})
    return 0


def _emit(args) -> int:
    if args.target == "cuda":
        raise UserError("the CUDA target needs the CuPy backend, which is not available "
                        "yet; use --target ir, dot or numpy")
    from .api import compile as compile_graph
    from .compiler.passes import optimize
    m = _load(args.file)
    f = _function(m, args.func, args.file)
    g = f.graph(*_arguments(f, args, required=False))
    optimized = optimize(g.copy())
    if args.target == "ir":
        print(optimized)
    elif args.target == "dot":
        print(optimized.to_dot())
    else:
        print(compile_graph(g).source)
    return 0


def _bench(args) -> int:
    m = _load(args.file)
    f = _function(m, args.func, args.file)
    arrays = _arguments(f, args, required=False)
    t = time.perf_counter()
    f(*arrays)
    first = time.perf_counter() - t
    runs = []
    for _ in range(max(1, args.repeat)):
        t = time.perf_counter()
        f(*arrays)
        runs.append(time.perf_counter() - t)
    shapes = ", ".join(f"{n}: {a.dtype.name}{list(a.shape)}"
                       for (n, _), a in zip(f.params, arrays))
    print(f"{f.name}({shapes})")
    print(f"  compile   {first * 1e3:9.3f} ms   (first call: trace, optimize, generate, run)")
    print(f"  run       {statistics.median(runs) * 1e3:9.3f} ms   "
          f"(median of {len(runs)} runs)")
    return 0


# -- arguments ------------------------------------------------------------------------

def _arguments(f, args, required: bool) -> list:
    """Arrays for f's parameters from --arg (and --dim, --seed for random ones).
    Without `required`, missing arguments are random (emit, bench)."""
    from .grammar import types as T
    given = {}
    names = [n for n, _ in f.params]
    for item in args.arg:
        name, sep, value = item.partition("=")
        if not sep:
            raise UserError(f"--arg {item!r}: write it as NAME=VALUE")
        if name not in names:
            from .grammar.errors import did_you_mean
            raise UserError(f"--arg {name}: `{f.name}` has no parameter `{name}`"
                            f"{did_you_mean(name, names)} ({f.signature.describe()})")
        given[name] = value
    dims = {}
    for item in args.dim:
        name, sep, value = item.partition("=")
        if not sep or not value.strip().isdigit():
            raise UserError(f"--dim {item!r}: write it as NAME=SIZE, e.g. N=100")
        dims[name] = int(value)
    rng = np.random.default_rng(args.seed)
    out = []
    for name, spec in f.params:
        dtype = T.DTYPES[spec.dtype]
        if name in given:
            value = _value(name, given[name], spec, dtype, dims, rng)
        elif required:
            raise UserError(f"missing --arg {name}=VALUE ({name}: {spec}); VALUE is "
                            f"{VALUE_HELP}")
        else:
            value = _random(name, spec, dtype, dims, rng)
        for d, n in zip(spec.dims, np.shape(value)):     # later random ones agree
            if isinstance(d, str):
                dims.setdefault(d, n)
        out.append(value)
    return out


def _value(name, text: str, spec, dtype, dims, rng):
    if text == "random":
        return _random(name, spec, dtype, dims, rng)
    if text.startswith("@"):
        path, _, key = text[1:].partition(":")
        if not Path(path).is_file():
            raise UserError(f"--arg {name}: {path}: no such file")
        try:
            data = np.load(path)
            if key:
                if key not in data:
                    raise UserError(f"--arg {name}: {path} has no array {key!r} "
                                    f"(it has: {', '.join(data.files)})")
                data = data[key]
            elif hasattr(data, "files"):
                raise UserError(f"--arg {name}: {path} holds several arrays; name one "
                                f"with @{path}:KEY ({', '.join(data.files)})")
        except (OSError, ValueError) as e:
            raise UserError(f"--arg {name}: cannot read {path}: {e}") from None
        array = np.asarray(data)
    else:
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            raise UserError(f"--arg {name}: cannot read {text!r}; VALUE is "
                            f"{VALUE_HELP}") from None
        try:
            array = np.asarray(parsed)
        except ValueError:
            raise UserError(f"--arg {name}: {text!r} is not a rectangular array") from None
        if array.dtype.kind not in "biuf":
            raise UserError(f"--arg {name}: {text!r} is not numbers")
    if array.dtype.kind == "f" and np.dtype(dtype).kind in "iub" and \
            not np.all(np.equal(np.mod(array, 1), 0)):
        raise UserError(f"--arg {name}: {spec} takes integers, got {text!r}")
    return array.astype(dtype)


def _random(name, spec, dtype, dims, rng):
    shape = []
    for d in spec.dims:
        if isinstance(d, int):
            shape.append(d)
        elif d in dims:
            shape.append(dims[d])
        else:
            raise UserError(f"argument `{name}: {spec}` is random, but dimension {d} has "
                            f"no size: give one with --dim {d}=SIZE")
    kind = np.dtype(dtype).kind
    if kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    if kind == "b":
        return rng.random(shape) < 0.5
    return rng.integers(0, 2, size=shape).astype(dtype)


if __name__ == "__main__":
    sys.exit(main())
