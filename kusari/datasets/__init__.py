"""`kusari.datasets` (Chainer's `chainer.datasets`): datasets built from
others (TupleDataset, DictDataset, SubDataset, ConcatenatedDataset,
TransformDataset), read from files (PickleDataset, TextDataset, images),
the splits (split_dataset..., cross validation) and the known data sets,
downloaded once and cached in Chainer's layout (get_mnist, get_cifar10 ...;
see `kusari.dataset.download` for where)."""
from .cifar import get_cifar10, get_cifar100  # noqa: F401
from .concatenated_dataset import ConcatenatedDataset  # noqa: F401
from .dict_dataset import DictDataset  # noqa: F401
from .fashion_mnist import get_fashion_mnist, get_fashion_mnist_labels  # noqa: F401
from .image_dataset import (ImageDataset, LabeledImageDataset,  # noqa: F401
                            LabeledZippedImageDataset, MultiZippedImageDataset,
                            ZippedImageDataset)
from .kuzushiji_mnist import get_kuzushiji_mnist, get_kuzushiji_mnist_labels  # noqa: F401
from .mnist import get_mnist  # noqa: F401
from .pickle_dataset import (PickleDataset, PickleDatasetWriter,  # noqa: F401
                             open_pickle_dataset, open_pickle_dataset_writer)
from .ptb import get_ptb_words, get_ptb_words_vocabulary  # noqa: F401
from .sub_dataset import (SubDataset, get_cross_validation_datasets,  # noqa: F401
                          get_cross_validation_datasets_random, split_dataset,
                          split_dataset_n, split_dataset_n_random,
                          split_dataset_random)
from .svhn import get_svhn  # noqa: F401
from .text_dataset import TextDataset  # noqa: F401
from .transform_dataset import TransformDataset  # noqa: F401
from .tuple_dataset import TupleDataset  # noqa: F401
