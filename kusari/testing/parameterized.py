"""`parameterize`, `product` and `product_dict`: one test class, run once per
parameter set.

A generated class is named `<Base>_param_<i>_{<k>=<v>, ...}` (keys sorted,
values shortened to 100 characters), which is what its test ids show. A
parameter that is a plain function becomes a staticmethod-like attribute
(`self.f(x)` calls `f(x)`), and a failing test says which parameters it ran
with.
"""
from __future__ import annotations

import functools
import io
import itertools
import types
import unittest

import numpy

from . import _bundle


_NUMPY_1 = int(numpy.__version__.split(".")[0]) < 2


def _param_to_str(obj) -> str:
    if obj is numpy.bool_:
        return "bool_"          # its NumPy 1 name (NumPy 2 calls it 'bool')
    name = getattr(obj, "__name__", None)
    if isinstance(obj, type) or isinstance(name, str):
        return name if isinstance(name, str) else obj.__name__
    # NumPy scalars as NumPy 1 wrote them ('1.0', not 'np.float32(1.0)'), so
    # that generated class names (test ids) are the same as under Chainer
    # (NumPy 1 writes them so anyway, and knows no legacy mode "1.25")
    if _NUMPY_1:
        return repr(obj)
    with numpy.printoptions(legacy="1.25"):
        return repr(obj)


def _shorten(s: str, maxlen: int) -> str:
    if len(s) <= maxlen:
        return s
    head = (maxlen - 3) // 2
    tail = maxlen - 3 - head
    return s[:head] + "..." + s[len(s) - tail:]


def _make_class_name(base_name: str, index: int, param: dict) -> str:
    parts = ", ".join(f"{k}={_shorten(_param_to_str(v), 100)}"
                      for k, v in sorted(param.items()))
    return f"{base_name}_param_{index}_{{{_shorten(parts, 5000)}}}"


def _bind_function(f):
    def method(self, *args, **kwargs):
        return f(*args, **kwargs)
    return method


def _parameterize_test_case(base, index, param):
    def __str__(self):
        return f"{base.__str__(self)}  parameter: {param}"

    members = {"__str__": __str__}
    for k, v in sorted(param.items()):
        members[k] = _bind_function(v) if isinstance(v, types.FunctionType) else v

    def wrap(method):
        @functools.wraps(method)
        def test(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except unittest.SkipTest:
                raise
            except Exception as e:
                s = io.StringIO()
                s.write("Parameterized test failed.\n\n")
                s.write(f"Base test method: {base.__name__}.{method.__name__}\n")
                s.write("Test parameters:\n")
                for k, v in sorted(param.items()):
                    s.write(f"  {k}: {v}\n")
                cls = e.__class__
                if cls.__name__ == "OutOfMemoryError":
                    cls = MemoryError
                _reraise_with_message(cls, s.getvalue(), e)
        return test

    return _make_class_name(base.__name__, index, param), members, wrap


def _reraise_with_message(cls, message, original):
    """Raise an exception of `cls` with `message` followed by the original's
    type and text, carrying its traceback; if `cls` cannot be built from one
    message, re-raise the original as it is."""
    try:
        new = cls(f"{message}\n\n(caused by)\n{type(original).__name__}: {original}\n")
    except Exception:
        raise original
    raise new.with_traceback(original.__traceback__) from None


def parameterize(*params):
    """Run the decorated test class once for each dict in `params`, with the
    dict's items as class attributes."""
    return _bundle.make_decorator(
        lambda base: (_parameterize_test_case(base, i, p)
                      for i, p in enumerate(params)))


def _values_to_dicts(names: str, values) -> list:
    assert isinstance(names, str)
    assert isinstance(values, (tuple, list))
    keys = names.split(",")
    out = []
    for value in values:
        if len(keys) == 1:
            out.append({keys[0]: value})
        else:
            assert isinstance(value, (tuple, list)) and len(value) == len(keys)
            out.append(dict(zip(keys, value)))
    return out


def from_pytest_parameterize(names, values) -> list:
    """pytest's ('a,b', [(1, 2), ...]) form as a list of dicts."""
    return _values_to_dicts(names, values)


def parameterize_pytest(names, values):
    """`parameterize` with pytest's ('a,b', [(1, 2), ...]) arguments."""
    return parameterize(*from_pytest_parameterize(names, values))


def product(parameter) -> list:
    """Every combination: from a dict of lists ({'a': [1, 2], 'b': [3]}, keys
    may be 'a,b' with tuples as values) or from a list of lists of dicts."""
    if isinstance(parameter, dict):
        return product_dict(*[_values_to_dicts(names, values)
                              for names, values in sorted(parameter.items())])
    if isinstance(parameter, list):
        if not all(isinstance(group, list) for group in parameter) or \
                not all(isinstance(d, dict) for group in parameter for d in group):
            raise TypeError("parameter must be list of lists of dicts")
        return product_dict(*parameter)
    raise TypeError(f"parameter must be either dict or list. Actual: {type(parameter)}")


def product_dict(*parameters) -> list:
    """Every combination of one dict from each list, merged."""
    return [{k: v for d in combination for k, v in d.items()}
            for combination in itertools.product(*parameters)]


_product_dict_orig = product_dict


def _pairwise_product_dict(*parameters) -> list:
    """Combinations covering every pair of values of two lists (fewer than
    the full product when there are more than two lists)."""
    if len(parameters) <= 2:
        return _product_dict_orig(*parameters)
    lists = [list(p) for p in parameters]
    return [{k: v for i, group in zip(index, lists) for k, v in group[i].items()}
            for index in sorted(_covering_indices([len(g) for g in lists]))]


def _covering_indices(shape):
    rng = numpy.random.RandomState(seed=0)
    pairs = list(itertools.combinations(range(len(shape)), 2))
    uncovered = {(i, j): set(itertools.product(range(shape[i]), range(shape[j])))
                 for i, j in pairs}
    candidates = list(itertools.product(*[range(n) for n in shape]))
    rng.shuffle(candidates)
    for index in candidates:
        new = False
        for i, j in pairs:
            key = (index[i], index[j])
            if key in uncovered[(i, j)]:
                uncovered[(i, j)].discard(key)
                new = True
        if new:
            yield index
