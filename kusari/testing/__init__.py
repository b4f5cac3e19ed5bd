"""Chainer's testing helpers (`chainer.testing`): parameterized test classes,
backend injection, function and link test cases, assert_allclose and friends,
so that users' tests and Chainer's own test files run on kusari."""
from __future__ import annotations

from . import attr, condition  # noqa: F401
from .array import assert_allclose  # noqa: F401
from .backend import BackendConfig, inject_backend_tests  # noqa: F401
from .function_link import (FunctionTestCase, FunctionTestError,  # noqa: F401
                            InitializerArgument, LinkInitializersTestCase,
                            LinkTestCase, LinkTestError)
from .helper import assert_warns, patch, with_requires, without_requires  # noqa: F401
from .parameterized import (from_pytest_parameterize, parameterize,  # noqa: F401
                            parameterize_pytest, product, product_dict)
from .matrix import generate_matrix  # noqa: F401
from .random import fix_random, generate_seed  # noqa: F401
from .serializer import save_and_load, save_and_load_hdf5, save_and_load_npz  # noqa: F401
from .training import get_trainer_with_mock_updater  # noqa: F401
from .unary_math_function_test import unary_math_function_unittest  # noqa: F401
from .distribution_test import distribution_unittest  # noqa: F401


def run_module(name, file):
    """Run the test cases of `file` with pytest when it is run as a script."""
    if name == "__main__":
        import pytest
        pytest.main([file, "-vvs", "-x", "--pdb"])
