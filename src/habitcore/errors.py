"""Errors a person can act on.

Every failure habitcore reports on purpose is a ``HabitcoreError``. Its ``str()`` is a whole
sentence written for the person using a frontend, so a frontend can show it as it is and pick an
exit code or a reply from the class alone. Anything else escaping habitcore is a bug.
"""

from __future__ import annotations


def shown(text: object, limit: int = 40) -> str:
    """Echo what a person typed in a message, quoted, and cut short if it is long."""
    value = str(text)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return repr(value)


class HabitcoreError(Exception):
    """A domain error: the operation was refused and nothing was changed."""


class HabitNotFound(HabitcoreError):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"There is no habit called {name!r}; list your habits to see their exact names."
        )
        self.name = name


class HabitNotArchived(HabitNotFound):
    """Unarchiving a habit that is active: there is no archived habit of that name."""

    def __init__(self, name: str) -> None:
        HabitcoreError.__init__(
            self, f"{name!r} is not archived; only an archived habit comes back."
        )
        self.name = name


class AmbiguousHabit(HabitcoreError):
    def __init__(self, prefix: str, candidates: list[str]) -> None:
        listed = ", ".join(repr(c) for c in candidates)
        super().__init__(
            f"{prefix!r} matches more than one habit ({listed}); type more of the name."
        )
        self.prefix = prefix
        self.candidates = candidates


class DuplicateHabit(HabitcoreError):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"You already have an active habit called {name!r}; pick another name "
            "or unarchive the old one."
        )
        self.name = name


class HabitArchived(HabitcoreError):
    pass


class InvalidName(HabitcoreError):
    pass


class InvalidSchedule(HabitcoreError):
    pass


class InvalidTime(HabitcoreError):
    pass


class InvalidTimezone(HabitcoreError):
    pass


class InvalidWeekday(HabitcoreError):
    pass


class InvalidDay(HabitcoreError):
    pass


class InvalidSetting(HabitcoreError):
    pass


class InvalidAmount(HabitcoreError):
    pass


class InvalidPause(HabitcoreError):
    pass


class ReminderNotFound(HabitcoreError):
    pass


class InvalidImport(HabitcoreError):
    pass


class StoreError(HabitcoreError):
    """The database could not be opened or upgraded; the message says which and why."""
