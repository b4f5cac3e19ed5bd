"""L.EmbedID: a table of embeddings looked up by integer ids."""
from __future__ import annotations

from ... import initializers
from ...functions.connection.embed_id import embed_id
from ...link import Link
from ...variable import Parameter
from .convolution_2d import as_array


class EmbedID(Link):
    """y = embed_id(x, W, ignore_label): W is (in_size, out_size), drawn by
    default from Normal(1.0) as in Chainer."""

    ignore_label = None

    def __init__(self, in_size, out_size, initialW=None, ignore_label=None):
        super().__init__()
        self.ignore_label = ignore_label
        with self.init_scope():
            if initialW is None:
                initialW = initializers.Normal(1.0)
            self.W = Parameter(initialW, (in_size, out_size))

    @classmethod
    def from_params(cls, W, ignore_label=None):
        """An EmbedID whose W starts as a copy of the given array."""
        in_size, out_size = W.shape
        return cls(in_size, out_size, initialW=as_array(W), ignore_label=ignore_label)

    def forward(self, x):
        return embed_id(x, self.W, ignore_label=self.ignore_label)
