"""Links for stacked (bi-directional) GRUs over lists of sequences."""
from __future__ import annotations

from ...functions.rnn.n_step_gru import n_step_bigru, n_step_gru
from .n_step_rnn import NStepRNNBase


class NStepGRUBase(NStepRNNBase):
    """forward(hx, xs) returns (hy, ys); hx None: zeros."""
    n_weights = 6


class NStepGRU(NStepGRUBase):
    """Stacked uni-directional GRU (F.n_step_gru's weights)."""
    use_bi_direction = False

    def rnn(self, *args):
        return n_step_gru(*args)


class NStepBiGRU(NStepGRUBase):
    """Stacked bi-directional GRU (F.n_step_bigru's weights)."""
    use_bi_direction = True

    def rnn(self, *args):
        return n_step_bigru(*args)
