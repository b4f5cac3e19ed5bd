"""Special points for the `function_node` op: a user's sin (forward in NumPy,
backward gy * cos(x) with functions), whose derivatives are cos and -sin at
every point where sin is finite, eagerly and compiled."""
from __future__ import annotations

import numpy as np

from tests.functions.special_cases import unary
from tests.functions.user_functions import sin

CASES = {"function_node": unary(sin, np.cos, lambda x: -np.sin(x))}
