"""L.DecorrelatedBatchNormalization."""
from __future__ import annotations

import functools
import warnings

import numpy as np

from ... import backend, configuration
from ... import serializer as serializer_mod
from ...functions.normalization import decorrelated_batch_normalization as _dbn
from ...link import Link


class DecorrelatedBatchNormalization(Link):
    """Decorrelated batch normalization: the channels in `groups` groups,
    each whitened over the batch while training; running mean (groups, C)
    and projection (groups, C, C) as persistent values (updated with
    `decay`, or averaged over all batches with `finetune=True`) whiten
    when not training."""

    def __init__(self, size, groups=16, decay=0.9, eps=2e-5, dtype=np.float32):
        super().__init__()
        c = size // groups
        self.avg_mean = np.zeros((groups, c), dtype=dtype)
        self.register_persistent("avg_mean")
        projection = np.zeros((groups, c, c), dtype=dtype)
        projection[:, np.arange(c), np.arange(c)] = 1
        self.avg_projection = projection
        self.register_persistent("avg_projection")
        self.N = 0
        self.register_persistent("N")
        self.decay = decay
        self.eps = eps
        self.groups = groups

    def serialize(self, serializer) -> None:
        if isinstance(serializer, serializer_mod.Deserializer):
            # statistics saved by Chainer's old version (one group's shape)
            serializer = _PatchedDeserializer(serializer, {
                "avg_mean": functools.partial(fix_avg_mean, groups=self.groups),
                "avg_projection": functools.partial(fix_avg_projection, groups=self.groups)})
        super().serialize(serializer)

    def forward(self, x, **kwargs):
        """forward(self, x, finetune=False)"""
        finetune = kwargs.pop("finetune", False)
        if kwargs:
            names = ", ".join(repr(k) for k in sorted(kwargs))
            raise TypeError(f"forward() got unexpected keyword argument(s) {names}")
        if configuration.config.train:
            if finetune:
                self.N += 1
                decay = 1.0 - 1.0 / self.N
            else:
                decay = self.decay
            avg_mean, avg_projection = self.avg_mean, self.avg_projection
            if getattr(configuration.config, "in_recomputing", False):
                if finetune:
                    self.N -= 1
                avg_mean = avg_projection = None
            return _dbn.decorrelated_batch_normalization(
                x, groups=self.groups, eps=self.eps, running_mean=avg_mean,
                running_projection=avg_projection, decay=decay)
        return _dbn.fixed_decorrelated_batch_normalization(
            x, self.avg_mean, self.avg_projection, groups=self.groups)

    def start_finetuning(self) -> None:
        self.N = 0


class _PatchedDeserializer(serializer_mod.Deserializer):
    """A deserializer that converts the values of some keys as it loads."""

    def __init__(self, base, patches):
        self.base = base
        self.patches = patches

    def __repr__(self):
        return f"_PatchedDeserializer({self.base!r}, {self.patches!r})"

    def __call__(self, key, value):
        if key not in self.patches:
            return self.base(key, value)
        arr = self.base(key, None)
        if arr is None:            # (a value stored as None, or a checking pass)
            return value
        arr = self.patches[key](arr)
        if value is None:
            return arr
        backend.copyto(value, arr)
        return value


def _warn_old_model() -> None:
    warnings.warn("Found moving statistics of old DecorrelatedBatchNormalization, whose "
                  "algorithm was different from the paper.")


def fix_avg_mean(avg_mean, groups):
    if avg_mean.ndim == 2:
        return avg_mean
    if avg_mean.ndim == 1:
        if groups != 1:
            _warn_old_model()
        return np.broadcast_to(avg_mean, (groups,) + avg_mean.shape)
    raise ValueError("unexpected shape of avg_mean")


def fix_avg_projection(avg_projection, groups):
    if avg_projection.ndim == 3:
        return avg_projection
    if avg_projection.ndim == 2:
        if groups != 1:
            _warn_old_model()
        return np.broadcast_to(avg_projection, (groups,) + avg_projection.shape)
    raise ValueError("unexpected shape of avg_projection")
