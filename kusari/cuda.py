"""`kusari.cuda`: Chainer's old alias of `kusari.backends.cuda`."""
import sys

from .backends import cuda as _cuda

sys.modules[__name__] = _cuda
