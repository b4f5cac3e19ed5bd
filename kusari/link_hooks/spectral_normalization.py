"""SpectralNormalization (Miyato et al.): divide a link's weight by its
largest singular value, estimated by power iteration at each forward."""
from __future__ import annotations

import numpy

from .. import functions as F
from ..configuration import state
from ..link_hook import LinkHook
from ..variable import Parameter
from ._weight import WeightHook


def l2normalize(xp, v, eps):
    """v / (|v| + eps)."""
    return v / (xp.linalg.norm(v) + eps)


def update_approximate_vectors(weight_matrix, u, n_power_iteration, eps):
    """`n_power_iteration` steps of power iteration on the weight matrix's
    array (no gradient flows here): the new left and right vectors."""
    W = weight_matrix.array
    xp = numpy if isinstance(W, numpy.ndarray) else _xp(W)
    for _ in range(n_power_iteration):
        v = l2normalize(xp, xp.dot(u, W), eps)
        u = l2normalize(xp, xp.dot(W, v), eps)
    return u, v


def calculate_max_singular_value(weight_matrix, u, v):
    """sigma = u^T W v (a Variable: the gradient reaches W)."""
    return F.matmul(F.matmul(u, weight_matrix), v)


def _xp(array):
    from ..backends import cuda
    return cuda.get_array_module(array)


class SpectralNormalization(WeightHook, LinkHook):
    """For each forward, W is replaced by W / sigma (times a learned `gamma`
    with use_gamma, divided by `factor` if given), sigma estimated with
    `n_power_iteration` steps from the persistent vector `<weight>_u`."""

    name = "SpectralNormalization"

    def __init__(self, n_power_iteration=1, eps=1e-6, use_gamma=False, factor=None,
                 weight_name="W", name=None):
        if n_power_iteration <= 0:
            raise ValueError(f"n_power_iteration must be positive: {n_power_iteration}")
        self.n_power_iteration = n_power_iteration
        self.eps = eps
        self.use_gamma = use_gamma
        self.factor = factor
        self.weight_name = weight_name
        self.vector_name = weight_name + "_u"
        self._initialized = False
        self.axis = 0
        if name is not None:
            self.name = name

    def added(self, link) -> None:
        from ..links import Deconvolution2D, DeconvolutionND
        self._check_weight(link)
        if isinstance(link, (Deconvolution2D, DeconvolutionND)):
            self.axis = 1
        if getattr(link, self.weight_name).array is not None:
            self._prepare_parameters(link)

    def deleted(self, link) -> None:
        delattr(link, self.vector_name)
        if self.use_gamma:
            del link.gamma

    def forward_preprocess(self, cb_args) -> None:
        link = cb_args.link
        if not self._initialized:
            self._prepare_parameters(link, cb_args.args[0])
        self.original_weight = getattr(link, self.weight_name)
        self._swap(link, self.normalize_weight(link))

    def _prepare_parameters(self, link, x=None) -> None:
        if getattr(link, self.weight_name).array is None and x is not None:
            link._initialize_params(x.shape[1])
        W = getattr(link, self.weight_name)
        if W.shape[self.axis] == 0:
            raise ValueError(f"Expect {self.weight_name}.shape[{self.axis}] > 0")
        xp = link.xp
        u = xp.random.normal(size=(W.shape[self.axis],)).astype(dtype=W.dtype)
        setattr(link, self.vector_name, u)
        link.register_persistent(self.vector_name)
        if self.use_gamma:
            _, s, _ = xp.linalg.svd(self.reshape_W(W.array))
            with link.init_scope():
                link.gamma = Parameter(xp.asarray(s[0]))
        self._initialized = True

    def normalize_weight(self, link):
        """W / sigma (a Variable), the vector u updated in place in training."""
        W = getattr(link, self.weight_name)
        u = getattr(link, self.vector_name)
        matrix = self.reshape_W(W)
        if not state.in_recomputing:
            u, v = update_approximate_vectors(matrix, u, self.n_power_iteration, self.eps)
        else:
            v = self.v
        sigma = calculate_max_singular_value(matrix, u, v)
        if self.factor is not None:
            sigma /= self.factor
        W = link.gamma * W / sigma if self.use_gamma else W / sigma
        if not state.in_recomputing:
            self.v = v
            if state.train:
                getattr(link, self.vector_name)[...] = u
        return W

    def reshape_W(self, W):
        """W as a matrix: axis `self.axis` first, the rest flattened."""
        if self.axis != 0:
            W = W.transpose([self.axis] + [i for i in range(W.ndim) if i != self.axis])
        return W if W.ndim == 2 else W.reshape(W.shape[0], -1)
