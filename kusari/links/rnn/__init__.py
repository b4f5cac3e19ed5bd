"""Recurrent links (Chainer's names; each in its Chainer-named module)."""
from .gru import GRU, StatefulGRU, StatelessGRU  # noqa: F401
from .lstm import LSTM, StatelessLSTM  # noqa: F401
from .mgu import StatefulMGU, StatelessMGU  # noqa: F401
from .n_step_gru import NStepBiGRU, NStepGRU  # noqa: F401
from .n_step_lstm import NStepBiLSTM, NStepLSTM  # noqa: F401
from .n_step_rnn import NStepBiRNNReLU, NStepBiRNNTanh, NStepRNNReLU, NStepRNNTanh  # noqa: F401
from .peephole import StatefulPeepholeLSTM  # noqa: F401
from .tree_lstm import ChildSumTreeLSTM, NaryTreeLSTM  # noqa: F401
from .zoneoutlstm import StatefulZoneoutLSTM  # noqa: F401

__all__ = ["ChildSumTreeLSTM", "GRU", "LSTM", "NStepBiGRU", "NStepBiLSTM", "NStepBiRNNReLU",
           "NStepBiRNNTanh", "NStepGRU", "NStepLSTM", "NStepRNNReLU", "NStepRNNTanh",
           "NaryTreeLSTM", "StatefulGRU", "StatefulMGU", "StatefulPeepholeLSTM",
           "StatefulZoneoutLSTM", "StatelessGRU", "StatelessLSTM", "StatelessMGU"]
