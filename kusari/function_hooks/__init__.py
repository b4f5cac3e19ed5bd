"""Chainer's function hooks: timing, printing, CUDA profiling and memory."""
from .cuda_profile import CUDAProfileHook  # noqa: F401
from .cupy_memory_profile import CupyMemoryProfileHook  # noqa: F401
from .debug_print import PrintHook  # noqa: F401
from .timer import TimerHook  # noqa: F401
