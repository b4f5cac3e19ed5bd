"""Array backends: NumPy (CPU, always) and CuPy (GPU, `kusari[cuda]`)."""
from . import cuda  # noqa: F401
from . import intel64  # noqa: F401
