"""Class decorators that turn one unittest.TestCase into several.

`parameterize` and `inject_backend_tests` both replace a test class by a set
of generated subclasses, one per parameter set, added to the class's module
under names that carry the parameters (the test ids Chainer's users know).
Applying one to the result of another multiplies the sets: the decorator
returns a `Bundle` (the generated classes), and the next decorator expands
each class of the bundle and removes it from its module.

A generator, given the base class, yields (class name, class members,
wrap) triples; `wrap(method)` returns the test method the generated class
gets for a `test_*` method of the base (None: not collected).
"""
from __future__ import annotations

import collections
import inspect
import sys

# the generated class, and where it was registered (module, name); a bare
# (never generated) class has module and name None
Case = collections.namedtuple("Case", ("klass", "module_name", "class_name"))


class Bundle:
    """The test classes a parameterizing decorator generated."""

    def __init__(self, cases):
        self.cases = list(cases)


# Chainer's names for these two
_TestCaseTuple = Case
_ParameterizedTestCaseBundle = Bundle


def make_decorator(generator):
    def decorate(target):
        if isinstance(target, Bundle):
            cases = target.cases
        else:
            cases = [Case(target, None, None)]
        generated = []
        for klass, module_name, class_name in cases:
            if module_name is not None:
                # a generated class expanded again: only its expansions stay
                delattr(sys.modules[module_name], class_name)
            else:
                module_name = klass.__module__
            module = sys.modules[module_name]
            for name, members, wrap in generator(klass):
                generated.append(_generate(klass, module, name, members, wrap))
        return Bundle(generated)
    return decorate


def _generate(base, module, name, members, wrap) -> Case:
    members = dict(members)
    members.setdefault("__module__", module.__name__)
    for attr, value in inspect.getmembers(
            base, lambda m: inspect.isfunction(m) or inspect.ismethod(m)):
        if attr.startswith("test_"):
            members[attr] = wrap(value)
    cls = type(name, (base,), members)
    setattr(module, name, cls)
    return Case(cls, module.__name__, name)
