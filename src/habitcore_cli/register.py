"""Importing this module registers every ``habit`` command on the app, in help order."""

# isort: off
from habitcore_cli import view_commands  # noqa: F401
from habitcore_cli import day_commands  # noqa: F401
from habitcore_cli import habit_commands  # noqa: F401
from habitcore_cli import config_commands  # noqa: F401
from habitcore_cli import data_commands  # noqa: F401
from habitcore_cli import remind  # noqa: F401
from habitcore_cli.app import app

# isort: on

__all__ = ["app"]
