"""Rnn links (Chainer's names; each in its Chainer-named module)."""
__all__: list = []
