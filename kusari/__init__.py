"""kusari: a symbolic-to-numeric graph compiler with Chainer's define-by-run API.

``import kusari as chainer`` runs Chainer code: Variables record their history,
``backward()`` turns it into IR, differentiates it as IR (to any order) and
runs compiled NumPy kernels, cached by the graph's structure.
"""
from __future__ import annotations

__version__ = "0.1.0"

from . import compiler  # noqa: F401  (registers the ops first)
from .configuration import (DebugMode, config, force_backprop_mode,  # noqa: F401
                            global_config, is_debug, no_backprop_mode, set_debug,
                            using_config)
from .variable import Parameter, Variable, as_array, as_variable  # noqa: F401
from .backprop import backward_many as backward  # noqa: F401
from .backprop import grad  # noqa: F401
from . import functions, initializers, utils  # noqa: F401
from . import link, links, optimizer, optimizer_hooks, optimizers  # noqa: F401
from . import backends, gradient_check, reporter  # noqa: F401
from . import dataset, datasets, iterators, serializers, training  # noqa: F401
from .backends import cuda  # noqa: F401
from . import backend  # noqa: F401
from .backend import (get_array_types, get_cpu_array_types, get_device,  # noqa: F401
                      is_arrays_compatible, using_device)
from .backends.cuda import should_use_cudnn, should_use_cudnn_tensor_core  # noqa: F401
from .configuration import get_compute_mode, get_dtype, mixed16  # noqa: F401
from ._runtime_info import print_runtime_info  # noqa: F401
from .device_resident import DeviceResident  # noqa: F401
from .function import Function, FunctionNode  # noqa: F401
from .link import Chain, ChainList, Link  # noqa: F401
from . import initializer, link_hook, link_hooks, sequential, serializer  # noqa: F401
from .initializer import Initializer  # noqa: F401
from .link_hook import LinkHook, _get_link_hooks  # noqa: F401
from .optimizer import GradientMethod, Optimizer, UpdateRule  # noqa: F401
from .sequential import Sequential  # noqa: F401
from .serializer import AbstractSerializer, Deserializer, Serializer  # noqa: F401
from .reporter import (DictSummary, Reporter, Summary, get_current_reporter,  # noqa: F401
                       report, report_scope)
from .function_node import stop_gradient  # noqa: F401
from .jit import jit  # noqa: F401
from .api import compile, trace  # noqa: F401
from .grammar.module import load, loads  # noqa: F401
from .chainer_alias import install_as_chainer  # noqa: F401
from . import graph_optimizations  # noqa: F401,E402
from .graph_optimizations.static_graph import static_graph  # noqa: F401,E402
from .graph_optimizations.static_graph_utilities import static_code  # noqa: F401,E402

get_array_module = cuda.get_array_module

# Chainer's switch for utils.experimental's FutureWarning
disable_experimental_feature_warning = False
from . import computational_graph, function_hooks  # noqa: F401,E402
from .function import FunctionAdapter  # noqa: F401,E402
from .function_hook import FunctionHook, get_function_hooks  # noqa: F401,E402
from .functions.math import basic_math  # noqa: F401,E402  (Chainer's chainer.basic_math)
from . import distribution, distributions  # noqa: F401,E402
from .distribution import Distribution, cross_entropy, kl_divergence, register_kl  # noqa: F401,E402
