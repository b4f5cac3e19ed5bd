"""`import chainer` in a subprocess that Chainer's tests start: kusari."""
import sys

del sys.modules["chainer"]          # this shim; kusari takes the name
import kusari  # noqa: E402

kusari.install_as_chainer()
