"""Where each person is in a multi-step conversation (adding a habit, renaming, an import).

Kept in memory: a dialog is seconds to minutes of someone's attention, and after a restart the
bot simply does not remember a half-typed answer (the person is told to start again). A dialog
left alone for an hour is forgotten.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

TTL = 3600.0


@dataclass
class Dialog:
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    serial: int = 0  # new for every dialog step: a button names the step it was made for


class Dialogs:
    def __init__(self) -> None:
        self._open: dict[int, Dialog] = {}
        self._lock = threading.Lock()
        self._serials = itertools.count(1)

    def begin(self, user_id: int, kind: str, **data: Any) -> Dialog:
        dialog = Dialog(kind, dict(data), serial=next(self._serials))
        with self._lock:
            self._open[user_id] = dialog
        return dialog

    def get(self, user_id: int) -> Dialog | None:
        with self._lock:
            dialog = self._open.get(user_id)
            if dialog is not None and time.monotonic() - dialog.started > TTL:
                del self._open[user_id]
                return None
            return dialog

    def end(self, user_id: int) -> Dialog | None:
        with self._lock:
            return self._open.pop(user_id, None)
