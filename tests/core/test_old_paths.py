"""The module paths docs/library.md promised before the rules moved still work, with a warning."""

from __future__ import annotations

import importlib
import sys

import pytest

from habitcore.rules import days, periods, reminders, rollover, schedule, score, streaks, tally

OLD_PATHS = {
    "habitcore.days": (days, "parse_timezone"),
    "habitcore.schedule": (schedule, "parse_schedule"),
    "habitcore.periods": (tally, "evaluate"),
    "habitcore.streaks": (streaks, "streaks"),
    "habitcore.score": (tally, "score"),
    "habitcore.rollover": (rollover, "close"),
    "habitcore.reminders": (reminders, "next_fire"),
}


@pytest.mark.parametrize("path", sorted(OLD_PATHS))
def test_an_old_path_warns_and_gives_the_same_functions(path: str) -> None:
    home, name = OLD_PATHS[path]
    sys.modules.pop(path, None)
    with pytest.warns(DeprecationWarning, match=f"^{path} is deprecated; import habitcore.rules"):
        old = importlib.import_module(path)
    assert getattr(old, name) is getattr(home, name)


def test_the_old_periods_and_score_paths_keep_their_vocabulary_too() -> None:
    for path, home, name in (
        ("habitcore.periods", periods, "State"),
        ("habitcore.score", score, "multiplier"),
    ):
        sys.modules.pop(path, None)
        with pytest.warns(DeprecationWarning, match="is deprecated"):
            old = importlib.import_module(path)
        assert getattr(old, name) is getattr(home, name)
