"""FailOnNonNumber: stop training when a parameter becomes NaN or infinite."""
from __future__ import annotations

from kusari.training import extension


class FailOnNonNumber(extension.Extension):
    """Raises RuntimeError naming the optimizer whose target has a parameter
    with a NaN or an infinity (uninitialized parameters are skipped)."""

    def __call__(self, trainer) -> None:
        for name, optimizer in trainer.updater.get_all_optimizers().items():
            target = optimizer.target
            xp = target.xp
            for param in target.params():
                if param.array is not None and not xp.isfinite(param.array).all():
                    raise RuntimeError(
                        f"Kill the process since parameters in optimizer "
                        f"'{name}' diverge. R.I.P.")
