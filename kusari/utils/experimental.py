"""`experimental(api_name)`: warn that an API may change."""
from __future__ import annotations

import warnings


def experimental(api_name):
    """Issue a FutureWarning saying `api_name` is experimental (unless
    `kusari.disable_experimental_feature_warning` is True)."""
    import kusari
    if not getattr(kusari, "disable_experimental_feature_warning", False):
        warnings.warn(f"{api_name} is experimental. The interface can change in "
                      "the future.", FutureWarning)
