"""`kusari.dataset` (Chainer's `chainer.dataset`): how examples become
batches (`concat_examples`, converters, `to_device`), the base classes of
datasets and iterators (`DatasetMixin`, `Iterator`, `TabularDataset`) and
where data sets are downloaded and cached (`get_dataset_root` ...)."""
from .convert import (ConcatWithAsyncTransfer, Converter,  # noqa: F401
                      concat_examples, converter, to_device)
from .dataset_mixin import DatasetMixin  # noqa: F401
from .download import (cache_or_load_file, cached_download,  # noqa: F401
                       get_dataset_directory, get_dataset_root,
                       set_dataset_root)
from .iterator import Iterator  # noqa: F401
from .tabular.tabular_dataset import TabularDataset  # noqa: F401
from . import tabular  # noqa: F401
