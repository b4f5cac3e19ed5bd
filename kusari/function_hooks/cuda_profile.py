"""CUDAProfileHook: NVTX ranges around each function (needs CuPy with NVTX)."""
from __future__ import annotations

from ..backends import cuda
from ..function_hook import FunctionHook


class CUDAProfileHook(FunctionHook):
    """Marks each function's forward and backward as an NVTX range, for the
    CUDA profilers. Without CuPy (or NVTX) making one raises RuntimeError."""

    name = "CUDAProfileHook"

    def __init__(self):
        cuda.check_cuda_available()
        if not cuda.cupy.cuda.nvtx_enabled:
            raise RuntimeError("nvtx is required for CUDAProfileHook")

    def forward_preprocess(self, function, in_data):
        cuda.cupy.cuda.nvtx.RangePush(function.label + ".forward")

    def forward_postprocess(self, function, in_data):
        cuda.cupy.cuda.nvtx.RangePop()

    def backward_preprocess(self, function, in_data, out_grad):
        cuda.cupy.cuda.nvtx.RangePush(function.label + ".backward")

    def backward_postprocess(self, function, in_data, out_grad):
        cuda.cupy.cuda.nvtx.RangePop()
