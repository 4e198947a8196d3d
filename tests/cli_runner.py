"""The ``habit`` command run in-process, for any test that drives it as a person would."""

from __future__ import annotations

from typer.testing import CliRunner

import habitcore
from habitcore_cli.register import app

runner = CliRunner()


def habit(*args: str) -> tuple[int, str, str]:
    """Run ``habit ARGS``: (exit code, stdout, stderr)."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def tracker(db: str) -> habitcore.Tracker:
    return habitcore.open(db)
