"""What the weight-rewriting hooks share: a link's weight replaced by a
Variable computed from it for the duration of one forward."""
from __future__ import annotations


class WeightHook:
    """Base of hooks that give the link a transformed weight during its
    forward and put the Parameter back afterwards."""

    weight_name = "W"

    def __enter__(self):
        raise NotImplementedError(f"{type(self).__name__} is not supposed to be used "
                                  "as context manager.")

    def __exit__(self, *exc):
        raise NotImplementedError

    def _check_weight(self, link) -> None:
        if not hasattr(link, self.weight_name):
            raise ValueError(f"Weight '{self.weight_name}' does not exist!")

    def _swap(self, link, weight) -> None:
        # the attribute bypasses Link.__setattr__: the link's structure does
        # not change, the Parameter comes back after the forward
        link.__dict__[self.weight_name] = weight

    def forward_postprocess(self, cb_args) -> None:
        self._swap(cb_args.link, self.original_weight)
