"""ParameterStatistics: statistics of links' parameters and gradients, reported."""
from __future__ import annotations

import numpy

from kusari import backend
from kusari import reporter
from kusari.training import extension

from ._common import get_trigger

_PERCENTILE_SIGMAS = (0.13, 2.28, 15.87, 50, 84.13, 97.72, 99.87)


def _xp(x):
    return backend.get_array_module(x)


_default_statistics = {
    "mean": lambda x: _xp(x).mean(x),
    "std": lambda x: _xp(x).std(x),
    "min": lambda x: _xp(x).min(x),
    "max": lambda x: _xp(x).max(x),
    "zeros": lambda x: _xp(x).count_nonzero(x == 0),
    "percentile": lambda x: _xp(x).percentile(x, _PERCENTILE_SIGMAS),
}


class ParameterStatistics(extension.Extension):
    """Reports statistics of every parameter (and gradient) of `links`, the
    mean over the iterations since the last report, when `trigger` fires.

    The keys are ``{prefix/}{link name}{/param path}/{data|grad}/{statistic}``;
    a statistic returning several values (``percentile``) gets ``/0``,
    ``/1`` ... appended.

    Args:
        links: a link or a list of links.
        statistics: a dict name -> function of a flat array; ``'default'``
            for mean, std, min, max, zeros and percentile; None for none yet
            (see `register_statistics`).
        report_params: report statistics of the parameters' values.
        report_grads: report statistics of their gradients.
        prefix: prepended to the keys (with a ``/``).
        trigger: when the means are reported.
        skip_nan_params: report NaN for an array holding a NaN instead of
            computing the statistics (a gradient before the first backward).
    """

    default_name = "parameter_statistics"
    priority = extension.PRIORITY_WRITER
    # the prefix ends with '/' and the param name starts with '/'
    report_key_template = "{prefix}{link_name}{param_name}/{attr_name}/{function_name}"
    default_statistics = _default_statistics

    def __init__(self, links, statistics="default", report_params=True, report_grads=True,
                 prefix=None, trigger=(1, "epoch"), skip_nan_params=False):
        if not isinstance(links, (list, tuple)):
            links = links,
        self._links = links
        if statistics is None:
            statistics = {}
        elif isinstance(statistics, str) and statistics == "default":
            statistics = self.default_statistics
        self._statistics = dict(statistics)
        self._attrs = [a for a, on in (("data", report_params), ("grad", report_grads)) if on]
        self._prefix = prefix
        self._trigger = get_trigger(trigger)
        self._summary = reporter.DictSummary()
        self._skip_nan_params = skip_nan_params

    def __call__(self, trainer) -> None:
        statistics = {}
        prefix = self._prefix + "/" if self._prefix else ""
        for link in self._links:
            link_name = getattr(link, "name", "None")
            for param_name, param in link.namedparams():
                for attr_name in self._attrs:
                    array = getattr(param, attr_name)
                    if array is None:          # uninitialized, or no gradient kept
                        continue
                    # flat: a statistic should not assume anything of the axes
                    flat = array.ravel()
                    nan = self._skip_nan_params and bool(_xp(flat).isnan(flat).any())
                    for function_name, function in self._statistics.items():
                        value = numpy.nan if nan else function(flat)
                        key = self.report_key_template.format(
                            prefix=prefix, link_name=link_name, param_name=param_name,
                            attr_name=attr_name, function_name=function_name)
                        if getattr(value, "size", 1) > 1 and getattr(value, "ndim", 0) > 0:
                            statistics.update({f"{key}/{i}": v for i, v in enumerate(value)})
                        else:
                            statistics[key] = value
        self._summary.add(statistics)
        if self._trigger(trainer):
            reporter.report(self._summary.compute_mean())
            self._summary = reporter.DictSummary()

    def register_statistics(self, name: str, function) -> None:
        """Adds a statistic: `function` of a flat array."""
        self._statistics[name] = function
