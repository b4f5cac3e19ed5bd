"""The console progress bar that ProgressBar and Evaluator(progress_bar=True) draw.

Where it writes decides how it draws:

- a terminal (``out.isatty()``, TERM not ``dumb``): Chainer's block of
  lines, redrawn in place with ANSI cursor movements;
- a Jupyter notebook (an ipykernel stream): one line, rewritten with ``\\r``
  (notebooks understand a carriage return, not cursor movements);
- anything else (a file, a pipe, a CI log): one plain line per update, no
  control characters at all.
"""
from __future__ import annotations

import collections
import datetime
import os
import sys
import time


def output_mode(out) -> str:
    """'tty', 'notebook' or 'plain' for a stream (see the module docstring)."""
    if type(out).__module__.split(".")[0] == "ipykernel":
        return "notebook"
    try:
        if out.isatty() and os.environ.get("TERM") != "dumb":
            return "tty"
    except (AttributeError, ValueError, OSError):
        pass
    return "plain"


def format_eta(seconds, whole: bool = False) -> str:
    """``H:MM:SS.ffffff`` (timedelta's text, as Chainer shows it; rounded to
    whole seconds with `whole`), or 'unknown' when no progress was seen."""
    if seconds is None or seconds != seconds or seconds == float("inf"):
        return "unknown"
    seconds = max(seconds, 0.0)
    return str(datetime.timedelta(seconds=round(seconds) if whole else seconds))


def bar(rate: float, length: int) -> str:
    marks = "#" * int(rate * length)
    return f"[{marks}{'.' * (length - len(marks))}]"


class ProgressBar:
    """Base of progress bars: subclasses give `get_lines()` (the block drawn
    on a terminal, each line ending in a newline) and `get_line()` (the one
    line written elsewhere)."""

    def __init__(self, bar_length=None, out=None):
        self._bar_length = 50 if bar_length is None else bar_length
        self._out = out
        self._recent_timing = collections.deque([], maxlen=100)
        self._drawn = False
        self._last_length = 0

    @property
    def out(self):
        return sys.stdout if self._out is None else self._out

    def update_speed(self, iteration, epoch_detail):
        """(iterations/s, epochs/s) over the last 100 updates; inf at the first."""
        now = time.time()
        self._recent_timing.append((iteration, epoch_detail, now))
        old_t, old_e, old_sec = self._recent_timing[0]
        span = now - old_sec
        if span != 0:
            return (iteration - old_t) / span, (epoch_detail - old_e) / span
        return float("inf"), float("inf")

    @staticmethod
    def remaining(todo, speed):
        """Seconds left for `todo` units at `speed` units/s; None if unknown."""
        if speed == float("inf"):
            return 0.0
        if not speed or speed != speed:
            return None
        return max(todo / speed, 0.0)

    def get_lines(self) -> list:
        raise NotImplementedError

    def get_line(self) -> str:
        return "  ".join(line.strip() for line in self.get_lines())

    def update(self) -> None:
        out = self.out
        mode = output_mode(out)
        if mode == "tty":
            lines = self.get_lines()
            out.write("\033[J")
            for line in lines:
                out.write(line)
            out.write(f"\033[{len(lines):d}A")       # back to the bar's first line
        elif mode == "notebook":
            line = self.get_line()
            out.write("\r" + line.ljust(self._last_length))   # cover a longer last line
            self._last_length = len(line)
        else:
            out.write(self.get_line() + "\n")
        self._drawn = True
        self.flush()

    def close(self) -> None:
        out = self.out
        mode = output_mode(out)
        if mode == "tty":
            out.write("\033[J")
        elif mode == "notebook" and self._drawn:
            out.write("\n")
        self.flush()

    def erase_console(self) -> None:
        if output_mode(self.out) == "tty":
            self.out.write("\033[J")

    def move_cursor_up(self, n: int) -> None:
        if output_mode(self.out) == "tty":
            self.out.write(f"\033[{n:d}A")

    def flush(self) -> None:
        if hasattr(self.out, "flush"):
            self.out.flush()
