"""The old path of ``habitcore.rules.rollover``, kept for one release; it warns on import."""

import warnings

from habitcore.rules.rollover import *  # noqa: F403

warnings.warn(
    "habitcore.rollover is deprecated; import habitcore.rules.rollover instead",
    DeprecationWarning,
    stacklevel=2,
)
