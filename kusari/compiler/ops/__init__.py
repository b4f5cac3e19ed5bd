"""The op registry. Importing this package registers every op."""
from . import (call, elementwise, index, linalg, reduce, scan, shape,  # noqa: F401
               softmax, source)
from .registry import REGISTRY, OpDef, get  # noqa: F401
from . import conv  # noqa: F401
from . import array  # noqa: F401
from . import special  # noqa: F401
from . import mathfn  # noqa: F401
from . import linalg_batched  # noqa: F401
from . import user  # noqa: F401
from . import pooling  # noqa: F401
from . import einsum  # noqa: F401
from . import normalization  # noqa: F401
