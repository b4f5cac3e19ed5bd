"""Test configuration: hypothesis profile for CI (deterministic, bounded)."""
from hypothesis import settings

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.load_profile("ci")


def pytest_addoption(parser):
    parser.addoption(
        "--cupy", action="store_true",
        help="run the device tests (tests/cuda/test_device_*.py) on CuPy and a GPU "
             "instead of the stand-in for CuPy (skipped where CuPy or a GPU is missing)")
