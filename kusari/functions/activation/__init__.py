"""Activation functions, in Chainer's modules (relu, sigmoid, softmax, ...),
plus celu, gelu and log_sigmoid, which Chainer 7 lacks. Each is made of
registry ops, so each differentiates to any order."""
from __future__ import annotations

__all__ = ['celu', 'clipped_relu', 'crelu', 'elu', 'gelu', 'hard_sigmoid', 'leaky_relu',
           'log_sigmoid', 'log_softmax', 'maxout', 'prelu', 'relu', 'relu6', 'rrelu', 'selu',
           'sigmoid', 'softmax', 'softplus', 'swish', 'tanh']

from .celu import celu
from .clipped_relu import clipped_relu, relu6
from .crelu import crelu
from .elu import elu
from .gelu import gelu
from .hard_sigmoid import hard_sigmoid
from .leaky_relu import leaky_relu
from .log_sigmoid import log_sigmoid
from .log_softmax import log_softmax
from .maxout import maxout
from .prelu import prelu
from .relu import relu
from .rrelu import rrelu
from .selu import selu
from .sigmoid import sigmoid
from .softmax import softmax
from .softplus import softplus
from .swish import swish
from .tanh import tanh

from ..math import modules_like_functions  # noqa: E402

modules_like_functions(__name__, globals(), __all__)
