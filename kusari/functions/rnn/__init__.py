"""Recurrent functions (Chainer's names and signatures): LSTM, S-LSTM and
TreeLSTM steps, and stacked n-step RNN, LSTM and GRU over sequences."""
from __future__ import annotations

from .lstm import lstm
from .n_step_gru import n_step_bigru, n_step_gru
from .n_step_lstm import n_step_bilstm, n_step_lstm
from .n_step_rnn import n_step_birnn, n_step_rnn
from .slstm import slstm
from .tree_lstm import tree_lstm

__all__ = ['lstm', 'n_step_bigru', 'n_step_bilstm', 'n_step_birnn', 'n_step_gru',
           'n_step_lstm', 'n_step_rnn', 'slstm', 'tree_lstm']
