"""`kusari.dataset.tabular` (Chainer's `chainer.dataset.tabular`):
TabularDataset and its helpers."""
from .delegate_dataset import DelegateDataset  # noqa: F401
from .from_data import from_data  # noqa: F401
from .tabular_dataset import TabularDataset  # noqa: F401
from . import _concat, _join, _transform, _views  # noqa: F401
