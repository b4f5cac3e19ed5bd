"""Loss functions (Chainer's names, each in its Chainer-named module)."""
from __future__ import annotations

from .absolute_error import absolute_error
from .contrastive import contrastive
from .cross_covariance import cross_covariance
from .decov import decov
from .hinge import hinge
from .huber_loss import huber_loss
from .mean_absolute_error import mean_absolute_error
from .mean_squared_error import mean_squared_error
from .sigmoid_cross_entropy import sigmoid_cross_entropy
from .softmax_cross_entropy import softmax_cross_entropy
from .squared_error import squared_difference, squared_error
from .triplet import triplet
from .vae import bernoulli_nll, gaussian_kl_divergence, gaussian_nll

__all__ = ['absolute_error', 'bernoulli_nll', 'contrastive', 'cross_covariance', 'decov',
           'gaussian_kl_divergence', 'gaussian_nll', 'hinge', 'huber_loss',
           'mean_absolute_error', 'mean_squared_error', 'sigmoid_cross_entropy',
           'softmax_cross_entropy', 'squared_difference', 'squared_error', 'triplet']
