"""`kusari.iterators`: not implemented yet (the toolkit issue fills it in).

The module imports, so Chainer code's import block works; using anything
in it raises NotImplementedError naming what is missing.
"""


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise NotImplementedError(f"kusari.iterators.{name} is not implemented yet")
