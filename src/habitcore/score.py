"""The old path of ``habitcore.rules.score``, kept for one release; it warns on import."""

import warnings

from habitcore.rules.score import *  # noqa: F403
from habitcore.rules.tally import explain, score  # noqa: F401

warnings.warn(
    "habitcore.score is deprecated; import habitcore.rules.score instead",
    DeprecationWarning,
    stacklevel=2,
)
