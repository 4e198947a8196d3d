"""The old path of ``habitcore.rules.days``, kept for one release; it warns on import."""

import warnings

from habitcore.rules.days import *  # noqa: F403

warnings.warn(
    "habitcore.days is deprecated; import habitcore.rules.days instead",
    DeprecationWarning,
    stacklevel=2,
)
