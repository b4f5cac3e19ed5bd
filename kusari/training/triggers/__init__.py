"""Triggers: callables of the trainer deciding when an extension runs or the
training stops."""
from .early_stopping_trigger import EarlyStoppingTrigger  # noqa: F401
from .interval_trigger import IntervalTrigger  # noqa: F401
from .manual_schedule_trigger import ManualScheduleTrigger  # noqa: F401
from .minmax_value_trigger import BestValueTrigger, MaxValueTrigger, MinValueTrigger  # noqa: F401
from .once_trigger import OnceTrigger  # noqa: F401
from .time_trigger import TimeTrigger  # noqa: F401
