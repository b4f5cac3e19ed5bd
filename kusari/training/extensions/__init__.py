"""Trainer extensions (Chainer's chainer.training.extensions)."""
from . import snapshot_writers  # noqa: F401
from ._snapshot import snapshot, snapshot_object  # noqa: F401
from .computational_graph import DumpGraph  # noqa: F401
from .evaluator import Evaluator  # noqa: F401
from .exponential_shift import ExponentialShift  # noqa: F401
from .fail_on_nonnumber import FailOnNonNumber  # noqa: F401
from .inverse_shift import InverseShift  # noqa: F401
from .linear_shift import LinearShift  # noqa: F401
from .log_report import LogReport  # noqa: F401
from .micro_average import MicroAverage  # noqa: F401
from .multistep_shift import MultistepShift  # noqa: F401
from .parameter_statistics import ParameterStatistics  # noqa: F401
from .plot_report import PlotReport  # noqa: F401
from .polynomial_shift import PolynomialShift  # noqa: F401
from .print_report import PrintReport  # noqa: F401
from .progress_bar import ProgressBar  # noqa: F401
from .step_shift import StepShift  # noqa: F401
from .value_observation import observe_lr, observe_value  # noqa: F401
from .variable_statistics_plot import VariableStatisticsPlot  # noqa: F401
from .variable_unchain import unchain_variables  # noqa: F401
from .warmup_shift import WarmupShift  # noqa: F401

# Chainer's alias
dump_graph = DumpGraph
