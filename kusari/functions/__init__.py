"""kusari.functions: Chainer's functions, each built from registry ops.

Every function here differentiates to any order: its gradient is IR from the
op registry, never hand-written NumPy. The groups are Chainer's packages
(`kusari.functions.math`, `.activation`, ...); each names its public
functions in `__all__`.
"""
from ..function_node import stop_gradient  # noqa: F401
from .activation import *  # noqa: F401,F403
from .array import *  # noqa: F401,F403
from .connection import *  # noqa: F401,F403
from .evaluation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .math import *  # noqa: F401,F403
from .noise import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .util import *  # noqa: F401,F403

# chainer.functions.array.flip is the module flip.py in Chainer: those
# packages' attributes are their modules again (callable as the function)
from .array._util import modules_as_attributes as _modules  # noqa: E402
_modules(array)  # noqa: F405
_modules(noise)  # noqa: F405
_modules(connection)  # noqa: F405
_modules(pooling)  # noqa: F405
_modules(evaluation)  # noqa: F405
_modules(loss)  # noqa: F405
_modules(normalization)  # noqa: F405
_modules(util)  # noqa: F405
