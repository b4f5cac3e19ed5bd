"""Why things were compiled: the log behind `explain_cache()`.

Every compilation (a jitted signature, a backward plan, a DSL function)
records what was compiled and why the caches could not serve it: a first
call, an argument whose shape or dtype changed, a static value, a captured
parameter, a new graph structure. The log is also sent to the logger
"kusari.compile" at INFO level.
"""
from __future__ import annotations

import logging
import os
import sys
from collections import deque
from dataclasses import dataclass

logger = logging.getLogger("kusari.compile")
_events: deque = deque(maxlen=256)

# KUSARI_LOGS=compile,ir,code (any of them, comma-separated) prints to stderr
# why each compilation happened, the optimized IR, and the generated code.
LOGS = frozenset(t.strip() for t in os.environ.get("KUSARI_LOGS", "").split(",") if t.strip())


def set_logs(*kinds: str) -> None:
    """What to print as things compile: "compile", "ir", "code" (none: stop)."""
    global LOGS
    unknown = set(kinds) - {"compile", "ir", "code"}
    if unknown:
        raise ValueError(f"unknown log kind(s) {sorted(unknown)}: use compile, ir, code")
    LOGS = frozenset(kinds)


def show(kind: str, title: str, text: str) -> None:
    """Print `text` to stderr when KUSARI_LOGS asks for `kind`."""
    if kind in LOGS:
        sys.stderr.write(f"[kusari {kind}] {title}\n{text.rstrip()}\n")


@dataclass(frozen=True)
class CompileEvent:
    kind: str      # "jit", "backward", "grad", "compile", "dsl"
    name: str      # what was compiled
    reason: str    # why no cached version fit

    def __str__(self):
        return f"{self.kind} {self.name}: {self.reason}"


def record(kind: str, name: str, reason: str) -> None:
    event = CompileEvent(kind, name, reason)
    _events.append(event)
    logger.info("compiling %s", event)
    if "compile" in LOGS:
        sys.stderr.write(f"[kusari compile] {event}\n")


def explain_cache(last: int | None = None) -> list[CompileEvent]:
    """The recent compilations, oldest first (`last`: only that many)."""
    events = list(_events)
    return events if last is None else events[-last:]


def clear() -> None:
    _events.clear()


def describe_types(types) -> str:
    return "(" + ", ".join(types) + ")"


def diff_signature(new: tuple, old: tuple) -> str:
    """What differs between two signatures of (label, type) pairs, in words."""
    before = dict(old)
    parts = []
    for label, now in new:
        if label not in before:
            parts.append(f"{label} is {now} (not given before)")
        elif before[label] != now:
            parts.append(f"{label} is {now} (was {before[label]})")
    now_labels = {label for label, _ in new}
    parts += [f"{label} is not given (was {was})" for label, was in old
              if label not in now_labels]
    return "; ".join(parts) or "an equal signature was evicted from the cache"
