"""log_ndtr (Chainer's chainer.functions.math.log_ndtr); its NumPy form is
kusari's own (SciPy is not needed)."""
from __future__ import annotations

from ._unary import node_class, unary

log_ndtr = unary("log_ndtr", "Elementwise logarithm of ndtr, accurate far into the left tail.")
LogNdtr = node_class("LogNdtr", "log_ndtr", "log_ndtr")
