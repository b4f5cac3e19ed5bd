"""kusari.optimizers: Chainer's gradient methods, in Chainer's modules.

Each rule's math is one `step` written with kusari.functions: eagerly it
runs as a compiled kernel updating the arrays in place, in the parameter's
dtype (float16 parameters of Adam in float32, as Chainer does); inside
kusari.jit it is part of the compiled training step.
"""
from .ada_delta import AdaDelta, AdaDeltaRule  # noqa: F401
from .ada_grad import AdaGrad, AdaGradRule  # noqa: F401
from .adam import AdaBound, Adam, AdamRule, AdamW, AMSBound, AMSGrad  # noqa: F401
from .corrected_momentum_sgd import CorrectedMomentumSGD  # noqa: F401
from .corrected_momentum_sgd import CorrectedMomentumSGDRule  # noqa: F401
from .momentum_sgd import MomentumSGD, MomentumSGDRule  # noqa: F401
from .msvag import MSVAG, MSVAGRule  # noqa: F401
from .nesterov_ag import NesterovAG, NesterovAGRule  # noqa: F401
from .rmsprop import RMSprop, RMSpropRule  # noqa: F401
from .rmsprop_graves import RMSpropGraves, RMSpropGravesRule  # noqa: F401
from .sgd import SGD, SGDRule  # noqa: F401
from .smorms3 import SMORMS3, SMORMS3Rule  # noqa: F401

__all__ = ["AdaDelta", "AdaGrad", "Adam", "AdamW", "AMSGrad", "AdaBound", "AMSBound",
           "CorrectedMomentumSGD", "MomentumSGD", "MSVAG", "NesterovAG", "RMSprop",
           "RMSpropGraves", "SGD", "SMORMS3"]
