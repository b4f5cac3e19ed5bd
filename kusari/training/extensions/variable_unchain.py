"""unchain_variables: drop the graphs behind reported Variables."""
from __future__ import annotations

from kusari import configuration
from kusari.training import extension
from kusari.variable import Variable


class unchain_variables(extension.Extension):  # noqa: N801 (Chainer's name)
    """Unchains the reported Variables of an iteration's observation, so that
    their graphs can be freed, whenever ``config.keep_graph_on_report`` was
    on during that iteration (the flag is read one iteration late: the
    observation was made under the previous value). Runs last (priority 0).
    """

    priority = 0

    def __init__(self):
        self._prev_flag = None

    def initialize(self, _) -> None:
        self._prev_flag = configuration.config.keep_graph_on_report

    def trigger(self, _) -> bool:
        flag = self._prev_flag
        self._prev_flag = configuration.config.keep_graph_on_report
        return flag

    def __call__(self, trainer) -> None:
        for var in trainer.observation.values():
            if isinstance(var, Variable):
                var.unchain_backward()
