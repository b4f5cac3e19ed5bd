"""`python -m kusari` is the `kusari` command."""
import sys

from .cli import main

sys.exit(main())
