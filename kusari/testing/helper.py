"""Test helpers: skip on missing requirements, assert a warning, mock.patch."""
from __future__ import annotations

import contextlib
import importlib.metadata
import sys
import unittest
import warnings


def _satisfied(requirement: str) -> bool:
    """Whether an installed distribution meets `requirement` ('numpy>=1.10')."""
    try:
        from packaging.requirements import Requirement
    except ImportError:             # packaging comes with pip/setuptools
        from pkg_resources import Requirement
        req = Requirement.parse(requirement)
        try:
            return importlib.metadata.version(req.project_name) in req
        except importlib.metadata.PackageNotFoundError:
            return False
    req = Requirement(requirement)
    try:
        version = importlib.metadata.version(req.name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return req.specifier.contains(version, prereleases=True)


def with_requires(*requirements):
    """Run the test only when every requirement is installed."""
    skip = not all(_satisfied(r) for r in requirements)
    return unittest.skipIf(skip, f"requires: {','.join(requirements)}")


def without_requires(*requirements):
    """Run the test only when the requirements are not all installed."""
    skip = all(_satisfied(r) for r in requirements)
    return unittest.skipIf(skip, f"requires: {','.join(requirements)}")


@contextlib.contextmanager
def assert_warns(expected):
    """Fail unless the block warns with a warning of class `expected`."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    if not any(isinstance(w.message, expected) for w in caught):
        name = getattr(expected, "__name__", str(expected))
        raise AssertionError(f"{name} not triggerred")


def _import_object_from_name(fullname: str):
    parts = fullname.split(".")
    obj = sys.modules.get(parts[0])
    if obj is None:
        raise RuntimeError(f"Can't import {parts[0]}")
    for i, part in enumerate(parts[1:]):
        obj = getattr(obj, part)
        if obj is None:
            raise RuntimeError(f"Can't find object {'.'.join(parts[:i + 1])}")
    return obj


def patch(target, *args, **kwargs):
    """mock.patch that wraps the patched object (calls go through to it)."""
    try:
        import mock
    except ImportError:
        from unittest import mock
    wraps = kwargs.pop("wraps") if "wraps" in kwargs else \
        _import_object_from_name(target)
    return mock.patch(target, *args, wraps=wraps, **kwargs)
