"""The op registry. Importing this package registers every op."""
from . import call, elementwise, index, linalg, reduce, shape, softmax, source  # noqa: F401
from .registry import REGISTRY, OpDef, get  # noqa: F401
