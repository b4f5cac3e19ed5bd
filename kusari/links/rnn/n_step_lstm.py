"""Links for stacked (bi-directional) LSTMs over lists of sequences."""
from __future__ import annotations

from ...functions.rnn.n_step_lstm import n_step_bilstm, n_step_lstm
from .n_step_rnn import NStepRNNBase


class NStepLSTMBase(NStepRNNBase):
    """forward(hx, cx, xs) returns (hy, cy, ys); hx, cx None: zeros."""
    n_weights = 8

    def forward(self, hx, cx, xs, **kwargs):
        (hy, cy), ys = self._call([hx, cx], xs, **kwargs)
        return hy, cy, ys

    @property
    def n_cells(self) -> int:
        return 2


class NStepLSTM(NStepLSTMBase):
    """Stacked uni-directional LSTM (F.n_step_lstm's weights)."""
    use_bi_direction = False

    def rnn(self, *args):
        return n_step_lstm(*args)


class NStepBiLSTM(NStepLSTMBase):
    """Stacked bi-directional LSTM (F.n_step_bilstm's weights)."""
    use_bi_direction = True

    def rnn(self, *args):
        return n_step_bilstm(*args)
