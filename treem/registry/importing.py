"""The register import's former home, kept for the names other code and stored jobs use ("treem.registry.importing.
run_commit" in a Job row queued before the split): everything is in treem.registry.imports."""

from .imports import *  # noqa: F403
from .imports import __all__  # noqa: F401
from .imports.reader import size_mb as _mb  # noqa: F401
