"""habit-api: habitcore over HTTP, for programs that act for one person (a phone shortcut, a
home automation, a script).

A thin frontend like the CLI and the bot: it reads a request, calls the ``Tracker`` of the
token's owner, and answers with the same JSON shapes as ``habit ... --json``
(``habitcore.shapes``). ``create_app`` builds the ASGI application; ``habit-api`` serves it.
"""

from habitcore_api.app import create_app

__all__ = ["create_app"]
