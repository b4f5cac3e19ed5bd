"""kusari's compiler: the IR, the op registry, gradients, passes, code generation.

This package is pure: it computes no arrays (constant folding aside) and
imports nothing above it (not the Chainer surface, the language or the
runtime). `compile(graph, backend, options)` is the spine every front end
gets code from; the backend (the runtime's NUMPY) is passed in. The
user-facing helpers that trace Python and compile for NumPy are
`kusari.trace` and `kusari.compile`.
"""
from __future__ import annotations

from . import ops  # noqa: F401  (registers every op)
from .autodiff import grad, vjp  # noqa: F401
from .cache_log import explain_cache, set_logs  # noqa: F401
from .errors import InvalidType, KusariError, NotDifferentiable, TraceError  # noqa: F401
from .ir import AVal, Graph  # noqa: F401
from .passes import optimize  # noqa: F401
from .spine import Options, cache_info, clear_cache, compile  # noqa: F401
