"""Array backends: NumPy (CPU, always) and CuPy (GPU, `kusari[cuda]`)."""
from . import cuda  # noqa: F401
