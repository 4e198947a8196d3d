"""Which module holds which ``habit`` command, and registering them on the app.

A command-line call registers only the module of the command it runs: building every
command's options for each call would cost more than most commands take. Help, completion and
anything unrecognised register everything, in help order (``habitcore_cli.register`` imports
them all, for the tests and the docs walker).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import import_module

MODULES = (
    "habitcore_cli.view_commands",
    "habitcore_cli.day_commands",
    "habitcore_cli.habit_commands",
    "habitcore_cli.pause_commands",
    "habitcore_cli.config_commands",
    "habitcore_cli.data_commands",
    "habitcore_cli.remind",
    "habitcore_cli.token_commands",
)
COMMANDS = {
    "list": 0,
    "show": 0,
    "stats": 0,
    "log": 0,
    "done": 1,
    "undo": 1,
    "skip": 1,
    "note": 1,
    "ask": 1,
    "add": 2,
    "edit": 2,
    "archive": 2,
    "unarchive": 2,
    "move": 2,
    "rm": 2,
    "pause": 3,
    "resume": 3,
    "pauses": 3,
    "unpause": 3,
    "config": 4,
    "export": 5,
    "import": 5,
    "db": 5,
    "remind": 6,
    "token": 7,
}
_GLOBAL_WITH_VALUE = {"--db"}


def register(argv: Sequence[str] | None = None) -> None:
    """Register the modules ``argv`` needs (all of them when in doubt).

    Shell completion runs ``habit`` with no arguments and ``_HABIT_COMPLETE`` set (Click's
    protocol): it needs every command, so it gets all of them.
    """
    completing = "_HABIT_COMPLETE" in os.environ
    if argv is not None and not completing and _only_version(argv):
        return  # habit --version shows no command: it loads none
    wanted = _command(argv) if argv is not None and not completing else None
    if wanted is None:
        for name in MODULES:
            import_module(name)
        return
    import_module(MODULES[COMMANDS[wanted]])
    if wanted != "list" and COMMANDS[wanted] != 0:
        import_module(MODULES[0])  # bare "habit" falls back to the checklist


def _only_version(argv: Sequence[str]) -> bool:
    """``habit [--db X] --version``: the version is all that will be shown."""
    if "--version" not in argv:
        return False
    return not any(arg in COMMANDS for arg in argv[: list(argv).index("--version")])


def _command(argv: Sequence[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _GLOBAL_WITH_VALUE:
            skip = True
            continue
        if arg.startswith("-"):
            if arg.startswith("--db="):
                continue
            return None  # --help, --version, completion: everything
        return arg if arg in COMMANDS else None
    return "list"  # bare "habit": the checklist
