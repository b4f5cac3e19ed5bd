"""OnceTrigger: fires once, at the first call (again after a resume if asked)."""
from __future__ import annotations

import warnings


class OnceTrigger:
    """Fires at its first call only; with ``call_on_resume=True`` also at the
    first call after the training resumes from a snapshot.

    Attributes:
        finished (bool): whether it will never fire again.
    """

    def __init__(self, call_on_resume: bool = False):
        self._flag_first = True
        self._flag_resumed = call_on_resume

    @property
    def finished(self) -> bool:
        return not (self._flag_first or self._flag_resumed)

    def __call__(self, trainer) -> bool:
        fire = not self.finished
        self._flag_resumed = False
        self._flag_first = False
        return fire

    def serialize(self, serializer) -> None:
        try:
            self._flag_first = serializer("_flag_first", self._flag_first)
        except KeyError:
            warnings.warn(
                "The flag is not saved."
                "OnceTrigger guess it is not first when resumed. "
                "If this trigger is resumed before first called, "
                "it may not work correctly.")
            self._flag_first = False
