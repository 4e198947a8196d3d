"""habitcore: a habit tracker's rules and storage, correct about time.

The documented face of the library is what ``__all__`` lists; everything else is importable but
not promised. Start with ``habitcore.open()``.
"""

from typing import TYPE_CHECKING, Any

from habitcore.clock import Clock, SystemClock
from habitcore.errors import (
    AmbiguousHabit,
    DuplicateHabit,
    HabitArchived,
    HabitcoreError,
    HabitNotArchived,
    HabitNotFound,
    InvalidAmount,
    InvalidDay,
    InvalidImport,
    InvalidName,
    InvalidPause,
    InvalidSchedule,
    InvalidSetting,
    InvalidTime,
    InvalidTimezone,
    InvalidWeekday,
    PauseNotFound,
    ReminderNotFound,
    StoreError,
)
from habitcore.rules.days import habit_day
from habitcore.rules.habits import CheckIn, Kind, Pause, Status
from habitcore.rules.rollover import DayResult, Outcome
from habitcore.rules.schedule import parse_schedule
from habitcore.rules.score import ScoreStep
from habitcore.rules.stats import DayState, Stats
from habitcore.rules.streaks import Streak
from habitcore.storage.records import Habit, PauseEntry, Resumed, Settings
from habitcore.storage.store import Store, check_database, database_url, default_url
from habitcore.tracker import HabitStatus, Tracker, open

if TYPE_CHECKING:
    from habitcore.delivery import DueReminder
    from habitcore.exchange.document import ImportSummary

# Imported on first use: a command-line call that needs neither does not pay for them.
_LAZY = {"DueReminder": "habitcore.delivery", "ImportSummary": "habitcore.exchange.document"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'habitcore' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "AmbiguousHabit",
    "CheckIn",
    "Clock",
    "DayResult",
    "DayState",
    "DueReminder",
    "DuplicateHabit",
    "Habit",
    "HabitArchived",
    "HabitNotArchived",
    "HabitNotFound",
    "HabitStatus",
    "HabitcoreError",
    "ImportSummary",
    "InvalidAmount",
    "InvalidDay",
    "InvalidImport",
    "InvalidName",
    "InvalidPause",
    "InvalidSchedule",
    "InvalidSetting",
    "InvalidTime",
    "InvalidTimezone",
    "InvalidWeekday",
    "Kind",
    "Outcome",
    "Pause",
    "PauseEntry",
    "PauseNotFound",
    "ReminderNotFound",
    "Resumed",
    "ScoreStep",
    "Settings",
    "Stats",
    "Status",
    "Store",
    "StoreError",
    "Streak",
    "SystemClock",
    "Tracker",
    "__version__",
    "check_database",
    "database_url",
    "default_url",
    "habit_day",
    "open",
    "parse_schedule",
]
