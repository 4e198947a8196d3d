"""What ``habit`` loads before it answers: ``--version`` no command module and no database
layer, a command's ``--help`` only that command's module (the figures are in
docs/performance.md; this holds the property, not a time)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from habit_process import HABIT, process_env
from habitcore_cli.commands import MODULES

COMMAND_MODULES = set(MODULES)


def imported(tmp_path: Path, *args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(HABIT), *args],
        env=process_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}


def test_version_loads_no_command_and_no_database(tmp_path: Path) -> None:
    modules = imported(tmp_path, "--version")
    assert not modules & COMMAND_MODULES
    assert not {m for m in modules if m.startswith(("sqlalchemy", "sqlmodel", "habitcore."))}


def registered(*args: str) -> set[str]:
    """The command modules ``habit ARGS`` loads before it runs (what ``main`` registers)."""
    code = (
        "import sys; from habitcore_cli.commands import register; "
        f"register({list(args)!r}); import json; print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout)) & COMMAND_MODULES


@pytest.mark.parametrize(
    ("command", "module"),
    [("done", "habitcore_cli.day_commands"), ("pauses", "habitcore_cli.pause_commands")],
)
def test_a_commands_help_loads_that_command_alone(command: str, module: str) -> None:
    assert registered(command, "--help") == {module, "habitcore_cli.view_commands"}


def test_version_registers_nothing_and_the_whole_help_everything() -> None:
    assert registered("--version") == set()
    assert registered("--db", "x.db", "--version") == set()
    assert registered("--help") == COMMAND_MODULES
