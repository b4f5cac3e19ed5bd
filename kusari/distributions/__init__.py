"""Chainer's `chainer.distributions`: probability distributions whose
densities, moments and KL divergences are kusari functions of their
parameters (so they differentiate to any order)."""
from __future__ import annotations

from .bernoulli import Bernoulli  # noqa: F401
from .beta import Beta  # noqa: F401
from .categorical import Categorical  # noqa: F401
from .cauchy import Cauchy  # noqa: F401
from .chisquare import Chisquare  # noqa: F401
from .dirichlet import Dirichlet  # noqa: F401
from .exponential import Exponential  # noqa: F401
from .gamma import Gamma  # noqa: F401
from .geometric import Geometric  # noqa: F401
from .gumbel import Gumbel  # noqa: F401
from .independent import Independent  # noqa: F401
from .laplace import Laplace  # noqa: F401
from .log_normal import LogNormal  # noqa: F401
from .multivariate_normal import MultivariateNormal  # noqa: F401
from .normal import Normal  # noqa: F401
from .one_hot_categorical import OneHotCategorical  # noqa: F401
from .pareto import Pareto  # noqa: F401
from .poisson import Poisson  # noqa: F401
from .uniform import Uniform  # noqa: F401
from . import utils  # noqa: F401
from ..distribution import Distribution, kl_divergence, register_kl  # noqa: F401
