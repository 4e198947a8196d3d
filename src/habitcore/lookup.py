"""How a person names a habit: its name in any case, a unique prefix of it, or its id.

Every frontend reaches habits through these rules, so a name means the same habit in the
terminal, the bot and the library: by name, an active habit wins over archived namesakes; an id
names exactly one habit, which is how a frontend that keeps a short handle (a Telegram button)
reaches an archived one.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from habitcore.errors import (
    AmbiguousHabit,
    DuplicateHabit,
    HabitArchived,
    HabitNotArchived,
    HabitNotFound,
)
from habitcore.rules.habits import clean_name, name_key
from habitcore.storage import queries
from habitcore.storage.tables import HabitRow

# A habit is named by its name (any case) or by its ``Habit.id``.
HabitRef = str | int


def habit_row(
    session: Session, user_id: int, ref: HabitRef | None, archived: bool | None = False
) -> HabitRow:
    """The user's habit called ``ref`` (any case) or with id ``ref``.

    ``archived`` says which kind is wanted (None: either); the wrong kind is refused with a
    sentence that says how to get the other.
    """
    if isinstance(ref, int) and not isinstance(ref, bool):
        found = queries.habit_by_id(session, user_id, ref)
        if found is None:
            raise HabitNotFound(f"#{ref}")
        rows = [found]
    else:
        rows = queries.habits_keyed(session, user_id, name_key(clean_name(ref or "")))
        if not rows:
            raise HabitNotFound(clean_name(ref or ""))
    if archived is not None:
        wanted = [r for r in rows if r.archived == archived]
        if not wanted:
            if archived:
                raise HabitNotArchived(rows[0].name)
            raise HabitArchived(f"{rows[0].name!r} is archived; unarchive it first.")
        rows = wanted
    return rows[0]


def match_name(rows: Sequence[HabitRow], text: str) -> str:
    """The full name ``text`` means among ``rows``: exact (any case), else a unique prefix."""
    key = name_key(clean_name(text))
    exact = [r for r in rows if r.name_key == key]
    if exact:
        return exact[0].name
    matches = [r.name for r in rows if r.name_key.startswith(key)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AmbiguousHabit(text.strip(), matches)
    raise HabitNotFound(text.strip())


def refuse_duplicate(session: Session, user_id: int, name: str) -> None:
    """Raise ``DuplicateHabit`` when an active habit of the user already has this name."""
    clash = queries.active_name(session, user_id, name_key(name))
    if clash is not None:
        raise DuplicateHabit(clash)  # as it is spelled, which may differ in case from ``name``
