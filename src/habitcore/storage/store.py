"""The database: opening it, keeping its schema current, and one transaction per operation.

Opening a store brings the schema to the current revision. When it already is (every run but the
first after an upgrade), that costs one small query and Alembic is not even imported, so a
command-line call stays fast. An existing SQLite file is copied aside before it is upgraded.

SQLite runs in WAL mode with a busy timeout, and write transactions start with ``BEGIN
IMMEDIATE``, so the CLI and the bot can share one file: a writer waits for the other instead of
failing half-way. PostgreSQL is the backend for many processes and many users.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlmodel import Session

from habitcore.errors import StoreError, shown
from habitcore.storage.units import Unit, Units

# The newest migration's revision id; a test checks it against the migrations themselves.
SCHEMA_REVISION = "0006"
BUSY_TIMEOUT_MS = 30_000
_WRITE = "habitcore_write"
_MIGRATION_LOCK = 7_210_914_411  # any constant: the PostgreSQL advisory lock taken to migrate


def database_url(chosen: str | None = None) -> str:
    """The database a frontend opens: ``chosen`` (a ``--db`` option) wins, then
    ``HABITCORE_DATABASE_URL``, then ``default_url()``; a plain path is a SQLite file, made
    absolute so that a worker or a timer started elsewhere opens the same one."""
    picked = chosen or os.environ.get("HABITCORE_DATABASE_URL")
    if not picked:
        return default_url()
    if "://" in picked:
        return picked
    return f"sqlite:///{Path(picked).expanduser().resolve()}"


def default_url() -> str:
    """``sqlite:///`` under the platform's user data dir (created on first use)."""
    import platformdirs

    folder = platformdirs.user_data_path("habitcore", appauthor=False)
    return f"sqlite:///{folder / 'habits.db'}"


class Store:
    """An open database at the current schema revision."""

    def __init__(self, url: str | Engine) -> None:
        try:
            self.engine = url if isinstance(url, Engine) else _create_engine(url)
            self.upgraded = _bring_up_to_date(self.engine)  # (from, SQLite copy) or None
        except SQLAlchemyError as exc:
            raise StoreError(f"Could not open the database: {_describe(exc)}") from None
        self._units = Units(self._open_write, self._refusal, split=self.dialect == "sqlite")

    def unit(self, source: str, event_id: int, at: datetime) -> AbstractContextManager[Unit]:
        """Everything this thread writes in the block, and the record that the event
        ``(source, event_id)`` was handled, in one transaction (``habitcore.storage.units``)."""
        return self._units.unit(source, event_id, at)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        unit = self._units.current()
        if unit is not None and unit.session is not None:  # see the unit's own changes
            try:
                yield unit.session
            except SQLAlchemyError as exc:
                unit.broken = True  # the unit's transaction is aborted: it must not report success
                raise StoreError(f"The database could not be read: {_describe(exc)}") from exc
            return
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise StoreError(f"The database could not be read: {_describe(exc)}") from exc

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: everything in the block is committed together or not at all.

        Inside a unit of work the block joins the unit's transaction instead."""
        unit = self._units.current()
        if unit is not None:
            with self._units.write(unit) as joined:
                yield joined
            return
        with self._open_write() as session:
            try:
                yield session
                session.commit()
            except SQLAlchemyError as exc:
                session.rollback()
                raise StoreError(self._refusal(exc)) from exc
            except BaseException:
                session.rollback()
                raise

    def _open_write(self) -> Session:
        session = Session(self.engine, expire_on_commit=False)
        session.connection(execution_options={_WRITE: True})
        return session

    def ping(self) -> None:
        """Ask the database a trivial question: a ``StoreError`` when it does not answer."""
        with self.read() as session:
            session.execute(sa.text("SELECT 1"))

    def close(self) -> None:
        self.engine.dispose()

    def _refusal(self, exc: SQLAlchemyError) -> str:
        said = _describe(exc)
        if "readonly database" in said or "read-only" in said:
            where = sqlite_file(self.engine) or "the database"
            return (
                f"{where} is read-only: it can be read (list, show, export, db backup), but "
                "this change cannot be saved."
            )
        return f"The database refused the change: {said}"

    def backup(self, target: Path) -> Path:
        """Copy the SQLite database to ``target`` while it stays in use; returns the source.

        Replaces a file at ``target``; asking first is the caller's part. A consistent snapshot,
        whatever other processes are writing, and never a half-written or leftover file.
        """
        source = sqlite_file(self.engine)
        if source is None:
            raise StoreError(
                "Only a SQLite database file can be backed up this way; for PostgreSQL use "
                "pg_dump, or export the habits for a portable copy."
            )
        if target.is_dir():
            raise StoreError(
                f"{target} is a folder; give the copy a file name, such as "
                f"{target / 'habits-backup.db'}."
            )
        if not target.parent.is_dir():
            raise StoreError(f"The folder {str(target.parent)!r} does not exist; create it first.")
        if target.resolve() == source.resolve():
            raise StoreError(f"{target} is the database itself; choose another file.")
        try:
            _snapshot(self.engine, target)
        except (OSError, sqlite3.Error, SQLAlchemyError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise StoreError(f"Could not write {target}: {str(reason).rstrip('.')}.") from None
        return source


def check_database(url: str, *, new_folder: bool = False) -> Path | None:
    """Refuse a database URL that would lose data or put it where nobody looks; the SQLite file
    it names (None for another backend).

    An in-memory SQLite database forgets everything when the process ends, and a file in a
    folder that does not exist is more often a typo than a wish, so only ``new_folder`` (the
    default location) creates one.
    """
    parsed = _parsed(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    path = _file_of(parsed.database or "")
    if path is None:
        raise StoreError(
            f"{shown(url)} is an in-memory database: everything would be lost when the program "
            "exits. Give a file instead, such as sqlite:///habits.db."
        )
    if not new_folder and not path.parent.is_dir():
        raise StoreError(
            f"The folder {str(path.parent)!r} does not exist; create it first, or leave the "
            "database setting out to use the default location."
        )
    return path


def _parsed(url: str) -> sa.URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        # Not repeated: a URL that does not parse may still hold a password.
        raise StoreError(
            "The database URL does not parse; give a file path, or a URL such as "
            "sqlite:///path/habits.db or postgresql+psycopg://user@host/habits."
        ) from None


def _create_engine(url: str) -> Engine:
    parsed = _parsed(url)
    if parsed.get_backend_name() != "sqlite":
        return _server_engine(parsed)
    database = parsed.database
    read_only = False
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        if path.is_file() and path.stat().st_size > 0:
            _refuse_foreign(path)
            if not _writable(path):
                url, read_only = _read_only_url(path), True
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    )
    event.listen(engine, "connect", _sqlite_connect_read_only if read_only else _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _writable(path: Path) -> bool:
    """Whether habitcore could change this file: the file and (for WAL's side files) its folder."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _read_only_url(path: Path) -> str:
    """Open a file nothing here may change as it is: SQLite reads it without creating the WAL's
    side files, which a read-only folder could not hold; any change is refused as read-only."""
    return f"sqlite:///{path.resolve().as_uri()}?mode=ro&immutable=1&uri=true"


def _refuse_foreign(path: Path) -> str | None:
    """Look at an existing SQLite file read-only before habitcore changes anything; its revision.

    Opening switches a file to WAL and creates tables, so a file that is not habitcore's (a Loop
    backup, another program's database) or that a newer habitcore wrote is refused here, while it
    is still exactly as it was.
    """
    try:
        flags = "mode=ro" if _writable(path) else "mode=ro&immutable=1"
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True)) as raw:
            tables = {
                str(name).lower()
                for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            revision = None
            if "alembic_version" in tables:
                found = raw.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = found[0] if found else None
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path} is not a database habitcore can open ({str(exc).rstrip('.')}); it was left "
            "as it was."
        ) from None
    if not tables - {"sqlite_sequence"}:
        return None  # an empty database: habitcore's to set up
    if "alembic_version" not in tables:
        if {"habits", "repetitions"} <= tables:
            raise StoreError(
                f"{path} is a Loop Habit Tracker backup, not a habitcore database; import it "
                "into habitcore rather than open it as habitcore's database. It was left as it was."
            )
        raise StoreError(
            f"{path} is another program's SQLite database (its tables are not habitcore's); "
            "habitcore adds nothing to it. Choose another file."
        )
    if revision != SCHEMA_REVISION and revision not in known_revisions():
        raise _newer(revision)
    return str(revision) if revision is not None else None


def _newer(revision: object) -> StoreError:
    return StoreError(
        f"This database is at schema revision {revision}, which this version of habitcore "
        "does not know; it was probably written by a newer habitcore. Upgrade habitcore "
        "to open it."
    )


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, say when transactions begin (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_connect_read_only(dbapi_connection: Any, _record: Any) -> None:
    """As ``_sqlite_connect`` for a file nothing here may change: it keeps its journal mode."""
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _sqlite_begin(connection: sa.Connection) -> None:
    # A write takes the write lock up front, so it waits its turn (busy_timeout) rather than
    # failing when it first writes after another process has written since it began reading.
    writes = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def changed_rows(result: sa.Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched: the verdict of a compare-and-set."""
    return int(getattr(result, "rowcount", 0))


def current_revision(connection: sa.Connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _bring_up_to_date(engine: Engine) -> tuple[str | None, Path | None] | None:
    """Migrate in one transaction (PostgreSQL: under an advisory lock); None if nothing to do,
    else the revision it was at (None: empty) and the SQLite file's copy made first."""
    with engine.connect() as connection:
        revision = current_revision(connection)
        connection.rollback()
    if revision == SCHEMA_REVISION:
        return None
    if revision is not None and revision not in known_revisions():
        raise _newer(revision)
    with engine.connect() as connection:
        connection = connection.execution_options(**{_WRITE: True})
        with connection.begin():  # on SQLite BEGIN IMMEDIATE: the write lock, as the lock below
            if engine.dialect.name == "postgresql":
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            revision = current_revision(connection)  # another process may have upgraded it
            if revision == SCHEMA_REVISION:
                return None
            copy = copy_aside(engine, revision) if revision is not None else None  # SQLite only
            upgrade(connection)
    return revision, copy


def upgrade(connection: sa.Connection, revision: str = "head") -> None:
    """Run the shipped Alembic migrations on ``connection`` (imported only when needed)."""
    from alembic import command

    command.upgrade(alembic_config(connection), revision)


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def alembic_config(connection: sa.Connection | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("habitcore.storage") / "migrations")
    )
    config.attributes["connection"] = connection
    return config


def copy_aside(engine: Engine, revision: str) -> Path | None:
    """Copy a SQLite file next to itself before a migration touches it; returns the copy."""
    source = sqlite_file(engine)
    if source is None or not source.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = source.with_name(f"{source.name}.before-{SCHEMA_REVISION}-from-{revision}-{stamp}")
    _snapshot(engine, target)
    return target


def sqlite_file(engine: Engine) -> Path | None:
    """The file behind a SQLite engine; None for another backend or an in-memory database."""
    if engine.url.get_backend_name() != "sqlite":
        return None
    return _file_of(engine.url.database or "")


def _file_of(database: str) -> Path | None:
    """The file a SQLite database name means (a path, or a ``file:`` URI); None in memory."""
    if not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(database)
        if "mode=memory" in parts.query or parts.path in ("", ":memory:"):
            return None
        return Path(unquote(parts.path)).expanduser()
    return Path(database).expanduser()


def _snapshot(engine: Engine, target: Path) -> None:
    """Copy a consistent snapshot (WAL contents included) to ``target``, all or nothing.

    The copy is written to a hidden file beside the target and renamed over it, so a reader of
    ``target`` sees the old file or the whole new one, and a failure leaves no part behind.
    """
    partial = target.with_name(f".{target.name}.partial")
    try:
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            with closing(sqlite3.connect(partial)) as destination:
                raw.backup(destination)  # type: ignore[union-attr]
        partial.replace(target)
    except BaseException:
        if partial.is_file():
            partial.unlink()
        raise


def _server_engine(parsed: sa.URL) -> Engine:
    """Any backend but SQLite. ``postgresql://`` (and Heroku's ``postgres://``) without a
    driver means psycopg, the one the ``postgres`` extra installs; a missing driver is a
    sentence, not a traceback."""
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        return sa.create_engine(parsed, pool_pre_ping=True)
    except NoSuchModuleError:
        raise StoreError(
            f"{parsed.drivername!r} is not a kind of database habitcore knows; use a SQLite file "
            "(sqlite:///path/habits.db) or PostgreSQL (postgresql+psycopg://user@host/habits)."
        ) from None
    except ImportError as exc:
        extra = "habitcore is made for SQLite and PostgreSQL"
        if "postgres" in parsed.drivername:
            extra = "pip install 'habitcore[postgres]'"
        raise StoreError(
            f"The database driver {exc.name or parsed.drivername!r} is not installed; {extra}."
        ) from None


def _describe(exc: SQLAlchemyError) -> str:
    """The driver's own words, without the SQL statement or parameters behind them."""
    original = exc.orig if isinstance(exc, DBAPIError) else None
    text = str(original if original is not None else exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first.rstrip(".") + "."
