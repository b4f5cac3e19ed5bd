"""kusari.links: layers that own parameters, laid out as Chainer's packages
(`kusari.links.connection.linear.Linear` is `kusari.links.Linear`). Each
subpackage names its links in `__all__`."""
from ..link import Chain, ChainList, Link  # noqa: F401
from .activation import *  # noqa: F401,F403
from .connection import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .model import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
