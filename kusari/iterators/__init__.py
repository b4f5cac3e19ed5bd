"""`kusari.iterators` (Chainer's `chainer.iterators`): dataset iterators
giving minibatches, in this thread (SerialIterator), in worker threads
(MultithreadIterator) or worker processes (MultiprocessIterator), and the
order samplers deciding each epoch's order."""
from .dali_iterator import DaliIterator  # noqa: F401
from .multiprocess_iterator import MultiprocessIterator  # noqa: F401
from .multithread_iterator import MultithreadIterator  # noqa: F401
from .order_samplers import OrderSampler, ShuffleOrderSampler  # noqa: F401
from .serial_iterator import SerialIterator  # noqa: F401
