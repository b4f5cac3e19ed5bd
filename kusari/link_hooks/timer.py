"""TimerHook: how long each link's forward takes."""
from __future__ import annotations

from .._timer import Timer
from ..link_hook import LinkHook


class TimerHook(Timer, LinkHook):
    """Records (link class name, seconds) for every forward it sees;
    `total_time()` sums the outermost ones, `print_report()` tabulates."""

    name = "TimerHook"
    _first_column = "LinkName"

    def forward_preprocess(self, args) -> None:
        self.xp = args.link.xp
        self._start()

    def forward_postprocess(self, args) -> None:
        self._stop(type(args.link).__name__)
