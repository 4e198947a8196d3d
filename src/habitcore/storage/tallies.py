"""Kept tallies: today's figures without walking years of history on every look.

A habit's tally as of yesterday is stored with the habit's revision. The next look loads it,
fetches only the check-ins since, folds them on, and stores the tally again if it moved on. Any
change that can alter a past day's figures bumps the habit's revision (see ``Tracker``), which
makes a kept tally stale, so a tally written concurrently from older data is never used.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from habitcore.rules.periods import ONE_DAY
from habitcore.rules.stats import Stats, stats_from
from habitcore.rules.tally import FORMAT, Tally
from habitcore.storage.records import goal_of, histories_since, ident
from habitcore.storage.tables import HabitRow, TallyRow


@dataclass(frozen=True)
class Kept:
    """A tally worth storing: folded further than the stored one, from this revision."""

    habit_id: int
    revision: int
    tally: Tally


def figures(
    session: Session, user_id: int, rows: Sequence[HabitRow], today: date, week_start: int
) -> tuple[dict[int, Stats], list[Kept]]:
    """Stats of each habit as of ``today``, and the tallies to keep for next time."""
    ids = [ident(r) for r in rows]
    stored = (
        {
            row.habit_id: row
            for row in session.execute(
                sa.select(TallyRow).where(col(TallyRow.habit_id).in_(ids))
            ).scalars()
        }
        if ids
        else {}
    )
    tallies: dict[int, Tally] = {}
    since: dict[int, date | None] = {}
    for row in rows:
        habit_id = ident(row)
        kept = stored.get(habit_id)
        if (
            kept is not None
            and kept.revision == row.revision
            and kept.week_start == week_start
            and kept.day < today
            and (data := json.loads(kept.data)).get("format") == FORMAT
        ):
            tally = Tally.from_json(goal_of(row), week_start, data)
            since[habit_id] = kept.day + ONE_DAY
        else:
            tally = Tally(goal_of(row), week_start)
            since[habit_id] = None
        tallies[habit_id] = tally
    found = histories_since(session, user_id, since)
    result: dict[int, Stats] = {}
    keep: list[Kept] = []
    for row in rows:
        habit_id = ident(row)
        tally = tallies[habit_id]
        before = tally.day
        result[habit_id] = stats_from(tally, found[habit_id], today)
        if tally.day > before:
            keep.append(Kept(habit_id, row.revision, tally))
    return result, keep


def store(session: Session, kept: Sequence[Kept]) -> None:
    """Write the tallies of these habits over the stored ones, in one upsert statement (inside
    the caller's transaction); SQLite and PostgreSQL both take ``ON CONFLICT DO UPDATE``."""
    if not kept:
        return
    dialect = session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(TallyRow)
    fields = ("revision", "week_start", "day", "data")
    statement = insert.on_conflict_do_update(
        index_elements=[col(TallyRow.habit_id)],
        set_={name: insert.excluded[name] for name in fields},
    )
    session.execute(
        statement,
        [
            {
                "habit_id": k.habit_id,
                "revision": k.revision,
                "week_start": k.tally.week_start,
                "day": k.tally.day,
                "data": json.dumps(k.tally.to_json(), separators=(",", ":")),
            }
            for k in kept
        ],
    )
