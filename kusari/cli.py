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
import warnings
from pathlib import Path

import numpy as np

VALUE_HELP = ("a literal ('[[1,2],[3,4]]', 3.5), @file.npy, @file.npz:key, or random "
              "(from --seed, shaped by the declared type and --dim)")


class UserError(Exception):
    """A mistake in the command's arguments (exit status 1)."""


def main(argv=None) -> int:
    shown = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        try:
            return _main(argv)
        finally:                       # what is buffered goes now, while we can catch it
            sys.stdout.flush()
    except BrokenPipeError:            # the reader has gone (`kusari run ... | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:          # Ctrl-C: stop, without a traceback
        print("kusari: interrupted", file=sys.stderr)
        return 130
    finally:
        warnings.showwarning = shown


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings in the command's words: the message (which names the .ksr place),
    not the Python line that raised it."""
    print(f"kusari: warning: {message}", file=sys.stderr if file is None else file)


def _main(argv) -> int:
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
    except MemoryError as e:           # a program (or --dim) too large for this machine
        print(f"kusari: error: out of memory while running: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise
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
        sp.add_argument("--seed", type=_seed, default=0,
                        help="seed for random arguments (an integer, 0 or more)")

    run = sub.add_parser("run", help="compile and run a function, print its results")
    common(run, False)
    run.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    run.add_argument("--out", metavar="FILE.npz",
                     help="also save every result (out0, ...) to this file")
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


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if seed < 0:
        raise argparse.ArgumentTypeError(f"must be an integer, 0 or more; got {text!r}")
    return seed


# -- subcommands ------------------------------------------------------------------

def _load(path: str):
    import kusari
    p = Path(path)
    if p.is_dir():
        raise UserError(f"{path} is a directory; give a .ksr program file")
    if not p.exists():
        raise UserError(f"{path}: no such file")
    try:
        return kusari.load(path)
    except OSError as e:
        raise UserError(f"{path}: cannot read it: {e.strerror or e}") from None


def _check(args) -> int:
    m = _load(args.file)
    n = len(m.functions)
    print(f"{args.file}: {n} definition{'s' if n != 1 else ''}, no errors")
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
    backend = _cupy_backend() if args.backend == "cupy" else None
    if args.out:
        _check_writable(args.out)
    m = _load(args.file)
    f = _function(m, args.func, args.file)
    if backend is None:
        results = f(*_arguments(f, args, required=True))
    else:                       # the function's graph compiled for the GPU
        from .compiler import compile as compile_graph
        arrays = _arguments(f, args, required=True)
        results = compile_graph(f.graph(*arrays), backend)(*arrays)
        results = tuple(backend.cupy.asnumpy(r) for r in
                        (results if isinstance(results, tuple) else (results,)))
    results = results if isinstance(results, tuple) else (results,)
    for r in results:
        print(np.asarray(r))
    if args.out:
        with open(args.out, "wb") as out:     # the name as given (savez would add .npz)
            np.savez(out, **{f"out{i}": np.asarray(r) for i, r in enumerate(results)})
    return 0


def _check_writable(path: str) -> None:
    """--out can be written: checked before the program runs, not after."""
    p = Path(path)
    if p.is_dir():
        raise UserError(f"--out {path}: is a directory; give a file name, e.g. "
                        f"{p / 'results.npz'}")
    if not p.parent.is_dir():
        raise UserError(f"--out {path}: {p.parent} " + ("is not a directory" if
                        p.parent.exists() else "does not exist"))
    try:
        if p.exists():
            with open(p, "r+b"):
                pass
        else:
            with open(p, "xb"):
                pass
            p.unlink()
    except OSError as e:
        raise UserError(f"--out {path}: cannot write it: {e.strerror or e}") from None


def _cupy_backend():
    from .runtime.cupy_backend import CupyUnavailable, cupy_backend
    try:
        return cupy_backend()
    except CupyUnavailable as e:
        raise UserError(f"--backend cupy: {e}") from None


def _emit(args) -> int:
    from .api import compile as compile_graph
    from .compiler.passes import optimize
    m = _load(args.file)
    f = _function(m, args.func, args.file)
    g = f.graph(*_arguments(f, args, required=False))
    optimized = optimize(g.copy(), mark_kernels=args.target != "cuda")
    if args.target == "cuda":   # the source the CuPy backend compiles (no GPU needed)
        from .compiler.codegen.cuda_gen import CudaUnsupported
        from .runtime.cupy_backend import cuda_source
        try:
            print(cuda_source(optimized))
        except CudaUnsupported as e:
            raise UserError(f"--target cuda: {e}") from None
    elif args.target == "ir":
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
    Without `required`, missing arguments are random (emit, bench). Every array
    has its parameter's declared dtype, its values unchanged (grammar.values)."""
    from .grammar.errors import did_you_mean
    given = {}
    names = [n for n, _ in f.params]
    for item in args.arg:
        name, sep, value = item.partition("=")
        if not sep:
            raise UserError(f"--arg {item!r}: write it as NAME=VALUE")
        if name not in names:
            raise UserError(f"--arg {name}: `{f.name}` has no parameter `{name}`"
                            f"{did_you_mean(name, names)} ({f.signature.describe()})")
        if name in given:
            raise UserError(f"--arg {name} is given twice ({name}={given[name]} and "
                            f"{name}={value}); give it once")
        given[name] = value
    dims = _dims(f, args.dim)
    rng = np.random.default_rng(args.seed)
    out = []
    for name, spec in f.params:
        if name in given:
            value = _value(name, given[name], spec, dims, rng)
        elif required:
            raise UserError(f"missing --arg {name}=VALUE ({name}: {spec}); VALUE is "
                            f"{VALUE_HELP}")
        else:
            value = _random(name, spec, dims, rng)
        for d, n in zip(spec.dims, np.shape(value)):     # later random ones agree
            if isinstance(d, str):
                dims.setdefault(d, n)
        out.append(value)
    return out


def _dims(f, items: list) -> dict:
    """--dim N=SIZE: sizes of f's named dimensions."""
    from .grammar.errors import did_you_mean
    known = list(dict.fromkeys(d for _, spec in f.params for d in spec.dims
                               if isinstance(d, str)))
    dims = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not value.strip().isdecimal():
            raise UserError(f"--dim {item!r}: write it as NAME=SIZE, e.g. N=100")
        if name not in known:
            has = f"its dimensions are {', '.join(known)}" if known else "it has none"
            raise UserError(f"--dim {name}: `{f.name}` has no dimension named {name}"
                            f"{did_you_mean(name, known)} ({has})")
        if name in dims:
            raise UserError(f"--dim {name} is given twice; give it once")
        dims[name] = int(value)
    return dims


def _value(name, text: str, spec, dims, rng):
    from .grammar.values import BadValue, convert
    if text == "random":
        return _random(name, spec, dims, rng)
    if text.startswith("@"):
        array = _load_array(name, text[1:])
    else:
        try:
            array = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            raise UserError(f"--arg {name}: cannot read {text!r}; VALUE is "
                            f"{VALUE_HELP}") from None
        if isinstance(array, dict):
            raise UserError(f"--arg {name}: {text!r} is an object, not numbers; VALUE "
                            f"is {VALUE_HELP}")
    try:
        return convert(array, spec.dtype)
    except BadValue as e:
        raise UserError(f"--arg {name} ({spec}): {e}") from None


def _load_array(name: str, source: str) -> np.ndarray:
    """@file.npy or @file.npz:key."""
    path, _, key = source.partition(":")
    if Path(path).is_dir():
        raise UserError(f"--arg {name}: {path} is a directory; give a .npy or .npz file")
    if not Path(path).is_file():
        raise UserError(f"--arg {name}: {path}: no such file")
    with open(path, "rb") as file:
        magic = file.read(6)
    if magic != b"\x93NUMPY" and not magic.startswith(b"PK"):
        raise UserError(f"--arg {name}: {path} is not a .npy or .npz file (write one with "
                        "numpy.save or numpy.savez)")
    try:
        data = np.load(path)
    except (OSError, ValueError, EOFError) as e:
        raise UserError(f"--arg {name}: cannot read {path}: {_load_problem(e)}") from None
    if not hasattr(data, "files"):
        if key:
            raise UserError(f"--arg {name}: {path} holds one array, not several; "
                            f"write @{path}")
        return data
    with data:
        if not key:
            raise UserError(f"--arg {name}: {path} holds several arrays; name one "
                            f"with @{path}:KEY ({', '.join(data.files)})")
        if key not in data.files:
            raise UserError(f"--arg {name}: {path} has no array {key!r} "
                            f"(it has: {', '.join(data.files)})")
        try:
            return data[key]
        except (OSError, ValueError, EOFError) as e:
            raise UserError(f"--arg {name}: cannot read {key!r} from {path}: "
                            f"{_load_problem(e)}") from None


def _load_problem(e: Exception) -> str:
    if "pickle" in str(e):
        return "it holds Python objects, not numbers (kusari does not load those)"
    return str(e).split("\n")[0]


def _random(name, spec, dims, rng):
    from .grammar import types as T
    shape = []
    for d in spec.dims:
        if isinstance(d, int):
            shape.append(d)
        elif d in dims:
            shape.append(dims[d])
        else:
            raise UserError(f"argument `{name}: {spec}` is random, but dimension {d} has "
                            f"no size: give one with --dim {d}=SIZE")
    dtype = np.dtype(T.DTYPES[spec.dtype])
    size = 1
    for n in shape:
        size *= n
    if size * dtype.itemsize > _memory():
        raise UserError(f"argument `{name}: {spec}` is random with shape "
                        f"[{', '.join(map(str, shape))}]: {_bytes(size * dtype.itemsize)}, "
                        f"more than this machine's memory ({_bytes(_memory())}); "
                        "give smaller --dim sizes")
    if dtype.kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    return rng.integers(0, 2, size=shape).astype(dtype)


def _memory() -> int:
    """This machine's memory, in bytes."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 2 ** 40


def _bytes(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} TiB"


if __name__ == "__main__":
    sys.exit(main())
