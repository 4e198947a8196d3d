"""What the frontends print for programs: `habit ... --json` and habit-api's bodies, as models.

A script that switches from the CLI to HTTP must find the same keys with the same values, so
both frontends build their JSON from these models and nothing else; the HTTP frontend's OpenAPI
schema is generated from them, so the contract a client reads is the one `--json` keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from habitcore.exchange.document import ImportSummary
from habitcore.rules.habits import CheckIn, Kind, Status
from habitcore.rules.stats import DayState
from habitcore.rules.streaks import Streak
from habitcore.storage.records import PauseEntry, Settings
from habitcore.tokens import TokenInfo
from habitcore.tracker import HabitStatus

SCORE_DIGITS = 6  # a score or rate to a millionth: enough for any chart, stable to compare


class Shape(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    def data(self) -> dict[str, Any]:
        """The JSON object, keys as printed (``day-start``, not ``day_start``)."""
        return self.model_dump(mode="json", by_alias=True)


class StreakShape(Shape):
    length: int
    start: date
    end: date


class HabitShape(Shape):
    """One habit and where it stands on the user's current habit day (`habit list --json`)."""

    id: int
    name: str
    schedule: str
    kind: Kind
    state: DayState
    current_streak: int
    best_streak: int
    score: float
    archived: bool
    day: date
    target: float | None
    unit: str | None
    at_most: bool
    amount_today: float | None
    description: str | None
    reminders: list[str]
    start: date
    position: int


class CheckInShape(Shape):
    day: date
    status: Status
    amount: float | None
    note: str | None


class StatsShape(HabitShape):
    """A habit with its streaks and completion rates (`habit stats --json`)."""

    current: StreakShape | None
    best: StreakShape | None
    completion: dict[str, float | None] = Field(
        description="The share of judged days met over the last N days, keyed by N."
    )
    completion_rate: float | None


class DetailShape(HabitShape):
    """A habit with its streaks and every check-in (`habit show --json`)."""

    current: StreakShape | None
    best: StreakShape | None
    completion: dict[str, float | None]
    checkins: list[CheckInShape]


class PauseShape(Shape):
    id: int
    habit_id: int | None = Field(description="The habit it holds; null for a vacation (all).")
    habit: str | None
    start: date
    end: date | None = Field(description="The last paused day; null until resumed.")
    state: str = Field(description="past, now or planned")


class SettingsShape(Shape):
    timezone: str
    day_start: str = Field(alias="day-start")
    week_start: str = Field(alias="week-start")
    language: str


class TokenShape(Shape):
    label: str
    created: datetime
    last_used: datetime | None


class ImportShape(Shape):
    """What an import did, or would do on a dry run."""

    format: str
    dry_run: bool
    habits_added: list[str]
    habits_matched: list[str]
    checkins_added: int
    checkins_updated: int
    checkins_unchanged: int
    checkins_kept: int
    pauses_added: int
    pauses_unchanged: int
    unmapped: list[str] = Field(description="What the file held that could not be taken as it was.")


def checklist_order(statuses: Sequence[HabitStatus]) -> list[HabitStatus]:
    """The order a checklist shows: due and not done first, then the user's own order."""
    return sorted(statuses, key=lambda s: (s.state is not DayState.DUE, s.habit.archived))


def habit(status: HabitStatus) -> HabitShape:
    return HabitShape(**_habit_fields(status))


def stats(status: HabitStatus) -> StatsShape:
    return StatsShape(
        **_habit_fields(status),
        **_streaks(status),
        completion_rate=status.stats.completion_rate,
    )


def detail(status: HabitStatus, checkins: Sequence[CheckIn]) -> DetailShape:
    return DetailShape(
        **_habit_fields(status), **_streaks(status), checkins=[checkin(c) for c in checkins]
    )


def checkin(found: CheckIn) -> CheckInShape:
    return CheckInShape(day=found.day, status=found.status, amount=found.amount, note=found.note)


def pause(entry: PauseEntry, today: date) -> PauseShape:
    if entry.start > today:
        when = "planned"
    elif entry.end is not None and entry.end < today:
        when = "past"
    else:
        when = "now"
    return PauseShape(
        id=entry.id,
        habit_id=entry.habit_id,
        habit=entry.habit,
        start=entry.start,
        end=entry.end,
        state=when,
    )


def settings(found: Settings) -> SettingsShape:
    return SettingsShape(
        timezone=found.timezone,
        day_start=found.day_start,
        week_start=found.week_start,
        language=found.language,
    )


def token(found: TokenInfo) -> TokenShape:
    return TokenShape(
        label=found.label,
        created=found.created_at.replace(microsecond=0),
        last_used=found.last_used_at.replace(microsecond=0) if found.last_used_at else None,
    )


def imported(summary: ImportSummary, *, dry_run: bool) -> ImportShape:
    return ImportShape(
        format=summary.format,
        dry_run=dry_run,
        habits_added=summary.habits_added,
        habits_matched=summary.habits_merged,
        checkins_added=summary.checkins_added,
        checkins_updated=summary.checkins_updated,
        checkins_unchanged=summary.checkins_unchanged,
        checkins_kept=summary.checkins_kept,
        pauses_added=summary.pauses_added,
        pauses_unchanged=summary.pauses_unchanged,
        unmapped=[str(u) for u in summary.unmapped],
    )


def _habit_fields(status: HabitStatus) -> dict[str, object]:
    found, figures = status.habit, status.stats
    return {
        "id": found.id,
        "name": found.name,
        "schedule": found.schedule,
        "kind": found.kind,
        "state": status.state,
        "current_streak": figures.current_streak,
        "best_streak": figures.best_streak,
        "score": round(figures.score, SCORE_DIGITS),
        "archived": found.archived,
        "day": status.day,
        "target": found.target,
        "unit": found.unit,
        "at_most": found.at_most,
        "amount_today": figures.amount_today,
        "description": found.description,
        "reminders": list(found.reminders),
        "start": found.start,
        "position": found.position,
    }


def _streaks(status: HabitStatus) -> dict[str, object]:
    figures = status.stats
    return {
        "current": _streak(figures.current),
        "best": _streak(figures.best),
        "completion": {
            str(days): None if rate is None else round(rate, SCORE_DIGITS)
            for days, rate in sorted(figures.completion.items())
        },
    }


def _streak(found: Streak | None) -> StreakShape | None:
    if found is None:
        return None
    return StreakShape(length=found.length, start=found.start, end=found.end)
