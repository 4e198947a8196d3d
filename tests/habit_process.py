"""The installed ``habit`` executable in a real process, as a person's shell runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HABIT = Path(sys.executable).parent / "habit"


def process_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment with its own database under ``tmp_path`` and a plain, wide terminal."""
    assert HABIT.exists(), "the habit console script is not installed next to this Python"
    return {
        **os.environ,
        "HABITCORE_DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}",
        "TERM": "dumb",
        "COLUMNS": "100",
        "TZ": "UTC",
        **extra,
    }


def run(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HABIT), *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )
