"""Every ``habit`` command has help with an example and is documented in docs/cli.md."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer.main

from habitcore_cli.register import app

CLI_DOC = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")


def commands(group: Any, prefix: str = "habit") -> Iterator[tuple[str, Any]]:
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            yield from commands(command, path)
        else:
            yield path, command


ALL = list(commands(typer.main.get_command(app)))


def test_there_are_the_commands_the_issue_names() -> None:
    names = {path for path, _ in ALL}
    assert names >= {
        "habit list",
        "habit add",
        "habit done",
        "habit undo",
        "habit skip",
        "habit show",
        "habit stats",
        "habit edit",
        "habit archive",
        "habit unarchive",
        "habit rm",
        "habit pause",
        "habit resume",
        "habit config",
        "habit export",
        "habit import",
        "habit remind",
        "habit db path",
        "habit db backup",
    }


def test_every_command_has_help_with_an_example() -> None:
    for path, command in ALL:
        assert command.help, path
        assert "Example: habit " in command.help, path


def test_every_command_is_in_docs_cli_md() -> None:
    for path, _command in ALL:
        assert f"`{path}" in CLI_DOC, f"{path} is not documented in docs/cli.md"


def test_every_option_has_help() -> None:
    for path, command in ALL:
        for parameter in command.params:
            if parameter.param_type_name == "option" and parameter.name != "help":
                assert parameter.help, (path, parameter.name)


def test_lazy_registration_knows_every_command() -> None:
    """``habit X`` registers only X's module; the map must name every top-level command."""
    from habitcore_cli.commands import COMMANDS, _command

    top = {path.split()[1] for path, _ in ALL}
    assert set(COMMANDS) == top
    assert _command([]) == "list"
    assert _command(["--db", "x.db", "done", "read"]) == "done"
    assert _command(["--help"]) is None
    assert _command(["bogus"]) is None


def test_every_option_is_in_docs_cli_md() -> None:
    """Each option of each command, by its long name, in the line that documents it."""
    lines = CLI_DOC.splitlines()
    for path, command in ALL:
        documented = "\n".join(line for line in lines if f"`{path}" in line)
        for parameter in command.params:
            if parameter.param_type_name != "option" or parameter.name == "help":
                continue
            names = [o for o in (*parameter.opts, *parameter.secondary_opts) if o.startswith("--")]
            assert any(name in documented for name in names), (path, names)
