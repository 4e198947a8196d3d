"""Where each person is in a multi-step conversation (adding a habit, renaming, an import), by
their Telegram id.

The dialogs live in the database (``habitcore.dialogs``), not in this process: with several
bot processes behind a webhook, the next message of a dialog may reach another one, and a
restart forgets no half-typed answer. A dialog left alone for an hour is over.
"""

from __future__ import annotations

from typing import Any

from habitcore import Store
from habitcore.clock import Clock
from habitcore.dialogs import Dialog
from habitcore.dialogs import Dialogs as Stored

__all__ = ["Dialog", "Dialogs"]

USER_PREFIX = "telegram:"


def external_id(telegram_user: int) -> str:
    """The habitcore user id of a Telegram user."""
    return f"{USER_PREFIX}{telegram_user}"


class Dialogs:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._stored = Stored(store, clock)

    def begin(self, user_id: int, kind: str, **data: Any) -> Dialog:
        return self._stored.begin(external_id(user_id), kind, **data)

    def get(self, user_id: int) -> Dialog | None:
        return self._stored.get(external_id(user_id))

    def end(self, user_id: int) -> Dialog | None:
        return self._stored.end(external_id(user_id))

    def forget(self, user_id: int) -> None:
        self._stored.forget(external_id(user_id))
