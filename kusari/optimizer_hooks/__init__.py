"""kusari.optimizer_hooks: Chainer's optimizer hooks, in Chainer's modules.

Each hook's math is written once with kusari.functions: eagerly it runs as
a compiled kernel changing the gradients in place; inside kusari.jit it is
part of the compiled training step, its rates read at every call.
"""
from .gradient_clipping import GradientClipping  # noqa: F401
from .gradient_hard_clipping import GradientHardClipping  # noqa: F401
from .gradient_lars import GradientLARS  # noqa: F401
from .gradient_noise import GradientNoise, exponential_decay_noise  # noqa: F401
from .lasso import Lasso  # noqa: F401
from .weight_decay import WeightDecay  # noqa: F401

__all__ = ["GradientClipping", "GradientHardClipping", "GradientLARS", "GradientNoise",
           "Lasso", "WeightDecay"]
