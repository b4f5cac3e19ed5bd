"""L.BatchNormalization: batch normalization with running statistics."""
from __future__ import annotations

import numpy as np

from ... import configuration, initializers
from ...configuration import get_dtype
from ...functions.normalization import batch_normalization as _bn
from ...link import Link
from ...variable import Parameter


class BatchNormalization(Link):
    """Normalizes x over the batch (and `axis`) while training, with the
    running mean and (unbiased) variance as persistent values (`avg_mean`,
    `avg_var`, updated with `decay`); when not training, with those running
    statistics. `forward(x, finetune=True)` averages over every batch since
    `start_finetuning()` instead (decay 1 - 1/N). gamma and beta (learned
    scale and shift) are kept unless use_gamma/use_beta say otherwise; with
    `size` None the statistics' shape comes from the first batch."""

    gamma = None
    beta = None

    def __init__(self, size=None, decay=0.9, eps=2e-5, dtype=None, use_gamma=True,
                 use_beta=True, initial_gamma=None, initial_beta=None, axis=None,
                 initial_avg_mean=None, initial_avg_var=None):
        super().__init__()
        if size is None and axis is None:
            raise RuntimeError("size or axis is required")
        self._initial_avg_mean = initial_avg_mean
        self._initial_avg_var = initial_avg_var
        self.N = 0
        self.register_persistent("N")
        self.decay = decay
        self.eps = eps
        if isinstance(axis, (int, np.integer)):
            axis = (int(axis),)
        self.axis = axis
        self._highprec_dtype = get_dtype(dtype, map_mixed16=np.float32)
        with self.init_scope():
            if use_gamma:
                init = initializers._get_initializer(1 if initial_gamma is None
                                                     else initial_gamma)
                init.dtype = self._highprec_dtype
                self.gamma = Parameter(init)
            if use_beta:
                init = initializers._get_initializer(0 if initial_beta is None
                                                     else initial_beta)
                init.dtype = self._highprec_dtype
                self.beta = Parameter(init)
        if size is None:
            self.avg_mean = None
            self.avg_var = None
        else:
            self._initialize_params(size)
        self.register_persistent("avg_mean")
        self.register_persistent("avg_var")

    def _initialize_params(self, shape) -> None:
        self.avg_mean = self._init_array(self._initial_avg_mean, 0, shape)
        self._initial_avg_mean = None
        self.avg_var = self._init_array(self._initial_avg_var, 1, shape)
        self._initial_avg_var = None
        if self.gamma is not None:
            self.gamma.initialize(shape)
        if self.beta is not None:
            self.beta.initialize(shape)

    def _init_array(self, initializer, default, shape):
        init = initializers._get_initializer(default if initializer is None else initializer)
        return initializers.generate_array(init, shape, self.xp, dtype=self._highprec_dtype,
                                           device=self.device)

    def _constant(self, value):
        return self.xp.full(self.avg_mean.shape, value, dtype=self._highprec_dtype)

    @property
    def printable_specs(self):
        specs = [("size", self.avg_mean.shape[0]), ("decay", self.decay), ("eps", self.eps),
                 ("dtype", self.avg_mean.dtype), ("use_gamma", hasattr(self, "gamma")),
                 ("use_beta", hasattr(self, "beta"))]
        yield from specs

    def forward(self, x, **kwargs):
        """forward(self, x, finetune=False)"""
        if "test" in kwargs:
            raise ValueError("test argument is not supported anymore. "
                             "Use chainer.using_config")
        finetune = kwargs.pop("finetune", False)
        if kwargs:
            names = ", ".join(repr(k) for k in sorted(kwargs))
            raise TypeError(f"forward() got unexpected keyword argument(s) {names}")
        if self.avg_mean is None:
            self._initialize_params(tuple(d for i, d in enumerate(x.shape)
                                          if i not in self.axis))
        gamma = self.gamma if self.gamma is not None else self._constant(1)
        beta = self.beta if self.beta is not None else self._constant(0)
        if configuration.config.train:
            if finetune:
                self.N += 1
                decay = 1.0 - 1.0 / self.N
            else:
                decay = self.decay
            avg_mean, avg_var = self.avg_mean, self.avg_var
            if getattr(configuration.config, "in_recomputing", False):
                if finetune:
                    self.N -= 1
                avg_mean = avg_var = None
            return _bn.batch_normalization(x, gamma, beta, eps=self.eps, running_mean=avg_mean,
                                           running_var=avg_var, decay=decay, axis=self.axis)
        return _bn.fixed_batch_normalization(x, gamma, beta, self.avg_mean, self.avg_var,
                                             self.eps, axis=self.axis)

    def start_finetuning(self) -> None:
        """Count batches from 0 again for `finetune=True`."""
        self.N = 0
