"""L.BatchRenormalization."""
from __future__ import annotations

from ... import configuration
from ...functions.normalization import batch_normalization as _bn
from ...functions.normalization import batch_renormalization as _brn
from .batch_normalization import BatchNormalization


class BatchRenormalization(BatchNormalization):
    """Batch renormalization: BatchNormalization whose training output is
    corrected towards the running statistics (r clipped to [1/rmax, rmax],
    d to [-dmax, dmax])."""

    def __init__(self, size, rmax=1, dmax=0, decay=0.9, eps=2e-5, dtype=None, use_gamma=True,
                 use_beta=True, initial_gamma=None, initial_beta=None, initial_avg_mean=None,
                 initial_avg_var=None):
        super().__init__(size, decay, eps, dtype, use_gamma, use_beta, initial_gamma,
                         initial_beta, initial_avg_mean=initial_avg_mean,
                         initial_avg_var=initial_avg_var)
        self.rmax = rmax
        self.dmax = dmax
        self.r = None
        self.d = None

    def forward(self, x, finetune=False):
        dtype = x.dtype
        gamma = self.gamma if self.gamma is not None else \
            self.xp.ones(self.avg_mean.shape, dtype=dtype)
        beta = self.beta if self.beta is not None else \
            self.xp.zeros(self.avg_mean.shape, dtype=dtype)
        config = configuration.config
        if config.train:
            if finetune:
                self.N += 1
                decay = 1.0 - 1.0 / self.N
            else:
                decay = self.decay
            avg_mean, avg_var = self.avg_mean, self.avg_var
            update_statistics = True
            if getattr(config, "in_recomputing", False):
                if finetune:
                    self.N -= 1
                avg_mean, avg_var = self._prev_avg_mean, self._prev_avg_var
                update_statistics = False
            elif getattr(config, "_will_recompute", False):
                self._prev_avg_mean = avg_mean.copy()
                self._prev_avg_var = avg_var.copy()
            return _brn.batch_renormalization(x, gamma, beta, self.rmax, self.dmax, self.eps,
                                              avg_mean, avg_var, decay,
                                              update_statistics=update_statistics)
        return _bn.fixed_batch_normalization(x, gamma, beta, self.avg_mean, self.avg_var,
                                             self.eps)
