"""PrintReport: LogReport's entries as a table, one row per entry."""
from __future__ import annotations

import sys

from kusari.training import extension

from . import log_report as log_report_module
from .util import output_mode


class PrintReport(extension.Extension):
    """Prints the chosen entries of a LogReport's log as they appear.

    Each column is at least ten characters wide; a missing value leaves its
    column blank. On a terminal each row first clears what a ProgressBar drew
    below the cursor (as Chainer does); in a notebook it starts with ``\r``,
    replacing the ProgressBar's line (which is drawn again below it);
    elsewhere no control characters are written.

    Args:
        entries: the keys to print, in order.
        log_report: the LogReport, or the name it was registered under.
        out: the stream; the current ``sys.stdout`` if None.
    """

    def __init__(self, entries, log_report="LogReport", out=None):
        self._entries = entries
        self._log_report = log_report
        self._out = out
        self._log_len = 0             # entries already printed
        widths = [max(10, len(s)) for s in entries]
        self._header = "  ".join(f"{e:{w}}" for e, w in zip(entries, widths)) + "\n"
        self._templates = [(e, "{:<%dg}  " % w, " " * (w + 2))
                           for e, w in zip(entries, widths)]

    @property
    def out(self):
        return sys.stdout if self._out is None else self._out

    def __call__(self, trainer) -> None:
        out = self.out
        if self._header:
            out.write(("\r" if output_mode(out) == "notebook" else "") + self._header)
            self._header = None
        log_report = self._log_report
        if isinstance(log_report, str):
            log_report = trainer.get_extension(log_report)
        elif isinstance(log_report, log_report_module.LogReport):
            log_report(trainer)                  # ours: bring it up to date
        else:
            raise TypeError(f"log report has a wrong type {type(log_report)}")
        log = log_report.log
        mode = output_mode(out)
        while len(log) > self._log_len:
            if mode == "tty":          # clear the progress bar drawn below
                out.write("\033[J")
            elif mode == "notebook":   # the row replaces the progress line
                out.write("\r")
            self._print(log[self._log_len])
            self._log_len += 1

    def serialize(self, serializer) -> None:
        if isinstance(self._log_report, log_report_module.LogReport):
            self._log_report.serialize(serializer["_log_report"])

    def _print(self, observation) -> None:
        out = self.out
        for entry, template, empty in self._templates:
            if entry in observation:
                value = observation[entry]
                try:
                    text = template.format(value)
                except (TypeError, ValueError):      # not a number: as text
                    text = template.replace("g", "").format(str(value))
                out.write(text)
            else:
                out.write(empty)
        out.write("\n")
        if hasattr(out, "flush"):
            out.flush()
