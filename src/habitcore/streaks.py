"""The old path of ``habitcore.rules.streaks``, kept for one release; it warns on import."""

import warnings

from habitcore.rules.streaks import *  # noqa: F403

warnings.warn(
    "habitcore.streaks is deprecated; import habitcore.rules.streaks instead",
    DeprecationWarning,
    stacklevel=2,
)
