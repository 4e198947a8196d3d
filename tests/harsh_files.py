"""harsh's folders, built for tests from the layout harsh's own source gives (wakatara/harsh:
``internal/storage/config.go`` reads ``habits``, ``internal/storage/log.go`` reads and writes
``log``).

``habits``: one habit a line, ``Name: frequency`` (split on the first ``": "``), an optional third
part the end date (``Name: 1: 2024-06-15``, newest harsh); ``#`` at column 0 a comment, ``! Name``
a heading, empty lines ignored. ``log``: ``YYYY-MM-DD : Name : y|n|s : comment : amount``, split
on ``" : "``; harsh 0.9 and later always write all five fields (``y :  : `` when both are empty),
0.8 wrote three, or four with a comment.
"""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

# config.go @ dfe573b, DEFAULT_HABITS: what harsh 0.10 and later write on their first run.
DEFAULT_HABITS = """\
# This is your habits file.
# It tells harsh what to track and how frequently.
# 1 means daily, 7 means weekly, 14 every two weeks.
# You can also track targets within a set number of days.
# For example, Gym 3 times a week would translate to 3/7.
# 0 is for tracking a habit. 0 frequency habits will not warn or score.
# Examples:

Gymmed: 3/7
Bed by midnight: 1
Cleaned House: 7
Called Mom: 7
Tracked Finances: 15
New Skill: 90
Too much coffee: 0
Used harsh: 0
"""

# harsh.go @ 005d4bb (0.8.x): the same without the two lines on targets, and Gymmed every 2 days.
DEFAULT_HABITS_0_8 = (
    DEFAULT_HABITS.replace("# You can also track targets within a set number of days.\n", "")
    .replace("# For example, Gym 3 times a week would translate to 3/7.\n", "")
    .replace("Gymmed: 3/7", "Gymmed: 2")
)


def log_line(
    day: date | str,
    habit: str,
    status: str,
    comment: str = "",
    amount: str = "",
    *,
    fields: int = 5,
) -> str:
    """One line of the log as harsh writes it: five fields (0.9 and later), or the first
    ``fields`` of them (0.8: three, four with a comment)."""
    when = day if isinstance(day, str) else day.isoformat()
    return " : ".join([when, habit, status, comment, amount][:fields]) + "\n"


def write_folder(folder: Path, habits: str, log: str, *, newline: str = "\n") -> Path:
    """A harsh folder (what ``$HARSHPATH`` or ``~/.config/harsh`` holds)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "habits").write_bytes(habits.replace("\n", newline).encode())
    (folder / "log").write_bytes(log.replace("\n", newline).encode())
    return folder


def write_zip(path: Path, habits: str, log: str, *, prefix: str = "harsh/") -> Path:
    """A zip of a harsh folder, the folder itself inside as zipping one gives it."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(prefix + "habits", habits.encode())
        archive.writestr(prefix + "log", log.encode())
    return path
