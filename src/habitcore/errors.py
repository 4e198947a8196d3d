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
    def __init__(self, name: str, *, similar: str | None = None, exact: bool = False) -> None:
        if similar is not None and exact:
            text = (
                f"No habit is called exactly {name!r}; {similar!r} begins so, but deleting, "
                "archiving, editing and renaming need a habit's whole name or its id (#N)."
            )
        elif similar is not None:
            text = f"There is no habit called {name!r}; did you mean {similar!r}?"
        elif name.startswith("#") and name[1:].isdigit():
            text = f"There is no habit {name}; list your habits to see their ids."
        else:
            text = f"There is no habit called {name!r}; list your habits to see their exact names."
        super().__init__(text)
        self.name = name
        self.similar = similar


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
    def __init__(self, name: str, *, unarchiving: bool = False) -> None:
        if unarchiving:
            text = (
                f"An active habit is already called {name!r}; rename one of the two before "
                "bringing the archived one back."
            )
        else:
            text = f"You already have an active habit called {name!r}; pick another name."
        super().__init__(text)
        self.name = name


class HabitArchived(HabitcoreError):
    """The habit named is archived: it keeps its history but takes no check-ins."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name!r} is archived; unarchive it first.")
        self.name = name


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


class PauseNotFound(InvalidPause):
    def __init__(self, pause_id: int) -> None:
        super().__init__(f"There is no pause #{pause_id}; list the pauses to see their ids.")
        self.pause_id = pause_id


class ReminderNotFound(HabitcoreError):
    pass


class InvalidImport(HabitcoreError):
    pass


class StoreError(HabitcoreError):
    """The database could not be opened or upgraded; the message says which and why."""
