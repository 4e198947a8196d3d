"""The old path of ``habitcore.rules.reminders``, kept for one release; it warns on import."""

import warnings

from habitcore.rules.reminders import *  # noqa: F403

warnings.warn(
    "habitcore.reminders is deprecated; import habitcore.rules.reminders instead",
    DeprecationWarning,
    stacklevel=2,
)
