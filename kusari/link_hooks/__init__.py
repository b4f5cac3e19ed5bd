"""kusari.link_hooks: Chainer's link hooks (run around a link's forward)."""
from .spectral_normalization import SpectralNormalization  # noqa: F401
from .timer import TimerHook  # noqa: F401
from .weight_standardization import WeightStandardization  # noqa: F401

__all__ = ["SpectralNormalization", "TimerHook", "WeightStandardization"]
