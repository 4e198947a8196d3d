"""The schema's revision on purpose: looking at it without changing anything (``habit db
current``), upgrading it as a step of its own (``habit db upgrade``), and the check a
long-running service makes before it starts.

Who upgrades (docs/deploy.md): opening a store upgrades as it always did, so the ``habit``
command and the library need no set-up and a SQLite file is copied aside first. On a server
database, where several workers share the schema, ``habit-telegram`` and ``habit-api`` refuse an
older schema instead, and ``habit db upgrade`` (compose's one-shot ``migrate`` service) is the one
step that changes it. Both paths run the same code: ``Store`` opening, in one transaction under
PostgreSQL's advisory lock.

A service for the frontends, which never reach into ``habitcore.storage`` themselves; it uses
the store's own helpers to read a revision exactly as opening would, without opening.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from habitcore.errors import StoreError
from habitcore.storage.store import (
    SCHEMA_REVISION,
    Store,
    _create_engine,
    _describe,
    _newer,
    _parsed,
    _refuse_foreign,
    check_database,
    current_revision,
    known_revisions,
)


@dataclass(frozen=True)
class SchemaState:
    """The revision a database is at (None: it holds no habitcore schema yet) and this code's."""

    database: str | None
    code: str = SCHEMA_REVISION

    @property
    def current(self) -> bool:
        return self.database == self.code


@dataclass(frozen=True)
class Upgraded:
    """What ``upgrade_schema`` did: ``changed`` False when the schema already was current."""

    changed: bool
    before: str | None  # the revision upgraded from; None: the schema was created
    after: str = SCHEMA_REVISION
    copy: Path | None = None  # a SQLite file as it was before, kept beside it


def schema_state(url: str) -> SchemaState:
    """The revision ``url`` is at, looked at without creating, upgrading or switching anything:
    a SQLite file is read read-only (a missing or empty file holds no schema), a server gets one
    query. A database written by a newer habitcore, or not habitcore's, is refused as opening it
    would be."""
    path = check_database(url, new_folder=True)
    if path is not None:
        made = path.is_file() and path.stat().st_size > 0
        return SchemaState(_refuse_foreign(path) if made else None)
    engine = _create_engine(url)
    try:
        with engine.connect() as connection:
            found = current_revision(connection)
    except SQLAlchemyError as exc:
        raise StoreError(f"Could not open the database: {_describe(exc)}") from None
    finally:
        engine.dispose()
    if found is not None and found != SCHEMA_REVISION and found not in known_revisions():
        raise _newer(found)
    return SchemaState(found)


def upgrade_schema(url: str) -> Upgraded:
    """Bring ``url`` to this code's revision, as opening a store does (one transaction, under
    the advisory lock on PostgreSQL, a copy of a SQLite file first); safe while workers run and
    while another process upgrades the same database: the second finds nothing to do."""
    store = Store(url)
    store.close()
    if store.upgraded is None:
        return Upgraded(changed=False, before=SCHEMA_REVISION)
    before, copy = store.upgraded
    return Upgraded(changed=True, before=before, copy=copy)


def refuse_older_schema(url: str, program: str) -> None:
    """Before ``program`` (a long-running service) opens ``url``: on a server database, a schema
    older than this code is refused with a sentence naming ``habit db upgrade``.

    Several workers share a server database, so the schema changes in one step of its own rather
    than as a side effect of whichever worker starts first. An empty database is set up as
    before (no older code can be using it), and a SQLite file is upgraded as before: it has one
    machine and no separate migration step.
    """
    if _parsed(url).get_backend_name() == "sqlite":
        return
    state = schema_state(url)
    if state.database is not None and not state.current:
        raise StoreError(
            f"The database's schema is at revision {state.database}, older than the "
            f"{state.code} this {program} needs: run `habit db upgrade` on it, then start "
            f"{program} again."
        )
