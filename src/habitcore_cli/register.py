"""Importing this module registers every ``habit`` command on the app, in help order."""

from habitcore_cli.app import app
from habitcore_cli.commands import register

register()

__all__ = ["app"]
