"""The old path of ``habitcore.rules.schedule``, kept for one release; it warns on import."""

import warnings

from habitcore.rules.schedule import *  # noqa: F403

warnings.warn(
    "habitcore.schedule is deprecated; import habitcore.rules.schedule instead",
    DeprecationWarning,
    stacklevel=2,
)
