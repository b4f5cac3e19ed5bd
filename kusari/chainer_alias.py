"""`import chainer...` as kusari: one module object per name, not copies.

After `kusari.install_as_chainer()`, every `chainer` and `chainer.<sub>`
module a script imports is kusari's own module object (`chainer.functions
is kusari.functions`), through an import hook on `sys.meta_path`. The same
hook makes the older idiom `sys.modules['chainer'] = kusari` work: without
it, `import chainer.functions` would execute kusari's files a second time as
new modules, whose links the optimizers do not know.

Until one of the two is done, the hook does nothing: a real Chainer
installed beside kusari imports as itself.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

_PREFIX = "chainer"


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `chainer.<sub>` as the module `kusari.<sub>` while `chainer` is kusari."""

    def __init__(self):
        self.installed = False

    def active(self) -> bool:
        import kusari
        return self.installed or sys.modules.get(_PREFIX) is kusari

    def find_spec(self, fullname, path=None, target=None):
        if not (fullname == _PREFIX or fullname.startswith(_PREFIX + ".")) or \
                not self.active():
            return None
        real = "kusari" + fullname[len(_PREFIX):]
        try:
            found = importlib.util.find_spec(real)
        except (ImportError, ValueError):
            found = None
        if found is None:
            return None                 # ModuleNotFoundError, naming chainer.<sub>
        return importlib.util.spec_from_loader(fullname, self, is_package=bool(
            found.submodule_search_locations))

    def create_module(self, spec):
        module = importlib.import_module("kusari" + spec.name[len(_PREFIX):])
        # importlib sets __spec__ on what we return; keep kusari's own
        spec.loader_state = module.__spec__
        return module

    def exec_module(self, module):
        original = module.__spec__.loader_state
        if original is not None:
            module.__spec__ = original  # (already executed as kusari.<sub>)


_alias = _Alias()
sys.meta_path.insert(0, _alias)


def install_as_chainer() -> None:
    """Make `import chainer` and every `import chainer.<sub>` give kusari's
    modules, the same objects (`chainer.links.Linear is kusari.links.Linear`).

    Call it before anything imports a real Chainer; after it, `chainer`
    means kusari in this process.
    """
    import kusari
    current = sys.modules.get(_PREFIX)
    if current is not None and current is not kusari:
        raise RuntimeError(
            "install_as_chainer(): a real chainer is already imported "
            f"({getattr(current, '__file__', current)!r}); call "
            "kusari.install_as_chainer() before anything imports chainer")
    if _alias in sys.meta_path:
        sys.meta_path.remove(_alias)
    sys.meta_path.insert(0, _alias)      # ahead of finders added since
    _alias.installed = True
    sys.modules[_PREFIX] = kusari
    if "chainerx" not in sys.modules and importlib.util.find_spec("chainerx") is None:
        from . import _chainerx_stub
        sys.modules["chainerx"] = _chainerx_stub
    # submodules kusari has already imported are the same objects under both names
    for name, module in list(sys.modules.items()):
        if name.startswith("kusari.") and module is not None:
            sys.modules.setdefault(_PREFIX + name[len("kusari"):], module)
