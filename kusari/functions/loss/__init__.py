"""Loss functions (Chainer's names, each in its Chainer-named module)."""
from __future__ import annotations

from .absolute_error import absolute_error
from .black_out import black_out
from .contrastive import contrastive
from .crf1d import argmax_crf1d, crf1d
from .cross_covariance import cross_covariance
from .ctc import connectionist_temporal_classification
from .decov import decov
from .discriminative_loss import discriminative_margin_based_clustering_loss
from .hinge import hinge
from .huber_loss import huber_loss
from .mean_absolute_error import mean_absolute_error
from .mean_squared_error import mean_squared_error
from .negative_sampling import negative_sampling
from .sigmoid_cross_entropy import sigmoid_cross_entropy
from .softmax_cross_entropy import softmax_cross_entropy
from .squared_error import squared_difference, squared_error
from .triplet import triplet
from .vae import bernoulli_nll, gaussian_kl_divergence, gaussian_nll

__all__ = ['absolute_error', 'argmax_crf1d', 'bernoulli_nll', 'black_out',
           'connectionist_temporal_classification', 'contrastive', 'crf1d', 'cross_covariance',
           'decov', 'discriminative_margin_based_clustering_loss', 'gaussian_kl_divergence',
           'gaussian_nll', 'hinge', 'huber_loss', 'mean_absolute_error', 'mean_squared_error',
           'negative_sampling', 'sigmoid_cross_entropy', 'softmax_cross_entropy',
           'squared_difference', 'squared_error', 'triplet']
