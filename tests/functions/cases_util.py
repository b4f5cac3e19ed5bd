"""Special points for F.forget (kusari.functions.util): forget of a product
has the product's derivatives at every pair of special points, the second
ones computed by running the product again in the recorded backward."""
from __future__ import annotations

import numpy as np

import kusari.functions as F
from tests.functions.special_cases import ZEROS, binary

CASES = {
    "forget": binary(lambda a, b: F.forget(lambda u, v: u * v, a, b),
                     lambda a, b: b, lambda a, b: a, ZEROS,
                     lambda a, b: np.ones_like(a), ZEROS),
}
