"""The old path of ``habitcore.rules.periods``, kept for one release; it warns on import."""

import warnings

from habitcore.rules.periods import *  # noqa: F403
from habitcore.rules.tally import evaluate  # noqa: F401

warnings.warn(
    "habitcore.periods is deprecated; import habitcore.rules.periods instead",
    DeprecationWarning,
    stacklevel=2,
)
