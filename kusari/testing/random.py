"""`fix_random`: seed NumPy's and Python's generators for a test and restore
them after it."""
from __future__ import annotations

import atexit
import functools
import os
import random
import types

import numpy

from . import _bundle

_saved = None
_nest_count = 0


def do_setup(deterministic: bool = True) -> None:
    global _saved
    _saved = (random.getstate(), numpy.random.get_state())
    if deterministic:
        numpy.random.seed(100)
    else:
        numpy.random.seed()


def do_teardown() -> None:
    global _saved
    python_state, numpy_state = _saved
    random.setstate(python_state)
    numpy.random.set_state(numpy_state)
    _saved = None


@atexit.register
def _check_teardown():
    assert _nest_count == 0, \
        "_setup_random() and _teardown_random() must be called in pairs."


def _setup_random() -> None:
    """Seed the generators, at the outermost of nested setUps only."""
    global _nest_count
    if _nest_count == 0:
        nondeterministic = bool(int(os.environ.get(
            "CHAINER_TEST_RANDOM_NONDETERMINISTIC", "0")))
        do_setup(not nondeterministic)
    _nest_count += 1


def _teardown_random() -> None:
    global _nest_count
    assert _nest_count > 0, "_setup_random has not been called"
    _nest_count -= 1
    if _nest_count == 0:
        do_teardown()


def generate_seed() -> int:
    assert _nest_count > 0, "random is not set up"
    return numpy.random.randint(0xffffffff)


def _fix_random(setup_name: str, teardown_name: str):
    def decorate(target):
        if isinstance(target, types.FunctionType) and \
                target.__name__.startswith("test_"):
            @functools.wraps(target)
            def test(self, *args, **kwargs):
                _setup_random()
                try:
                    target(self, *args, **kwargs)
                finally:
                    _teardown_random()
            return test

        bundle = target if isinstance(target, _bundle.Bundle) else \
            _bundle.Bundle([_bundle.Case(target, None, None)])
        for klass, _, _ in bundle.cases:
            setup = getattr(klass, setup_name)
            teardown = getattr(klass, teardown_name)

            def new_setup(self, setup=setup):
                _setup_random()
                setup(self)

            def new_teardown(self, teardown=teardown):
                try:
                    teardown(self)
                finally:
                    _teardown_random()

            setattr(klass, setup_name, functools.wraps(setup)(new_setup))
            setattr(klass, teardown_name, functools.wraps(teardown)(new_teardown))
        return bundle
    return decorate


def fix_random(*, setup_method: str = "setUp", teardown_method: str = "tearDown"):
    """Seed the random generators (NumPy's to 100) around each test of the
    decorated class or around the decorated test method."""
    return _fix_random(setup_method, teardown_method)
