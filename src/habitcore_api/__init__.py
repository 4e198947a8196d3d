"""habit-api: habitcore over HTTP, for programs that act for one person (a phone shortcut, a
home automation, a script).

A thin frontend like the CLI and the bot: it reads a request, calls the ``Tracker`` of the
token's owner, and answers with the same JSON shapes as ``habit ... --json``
(``habitcore.shapes``). ``create_app`` builds the ASGI application; ``habit-api`` serves it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from habitcore_api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """``create_app`` on first use, so ``habit-api`` without FastAPI can still say what to do."""
    if name == "create_app":
        from habitcore_api.app import create_app

        return create_app
    raise AttributeError(f"module 'habitcore_api' has no attribute {name!r}")
