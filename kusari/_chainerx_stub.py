"""`chainerx` as a Chainer built without ChainerX has it.

Chainer 7 always ships the `chainerx` package; where its C++ core was not
built, the package still imports and `chainerx.is_available()` is False.
Scripts written for Chainer import it (`import chainerx`, then
`device.xp is not chainerx`), so `kusari.install_as_chainer()` puts this
module under that name when no real ChainerX can be imported.
"""


class ndarray:  # noqa: N801  (ChainerX's name)
    """A class no array is an instance of (for isinstance tests)."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("chainerx is not available.")


def is_available() -> bool:
    return False
