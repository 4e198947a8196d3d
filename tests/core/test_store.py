"""Storage: migrations, transactions that leave nothing half-done, and sharing one database."""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import habitcore
from habitcore.storage.store import (
    SCHEMA_REVISION,
    Store,
    alembic_config,
    copy_aside,
    current_revision,
)
from habitcore.storage.tables import metadata
from habitcore.testing import FakeClock
from habitcore.tracker import Tracker

DATA = Path(__file__).resolve().parents[1] / "data"
NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def test_models_and_migrations_agree(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_schema_revision_constant_is_the_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_current_head() == SCHEMA_REVISION


def test_opening_stamps_the_current_revision(store: Store) -> None:
    with store.engine.connect() as connection:
        assert current_revision(connection) == SCHEMA_REVISION


def test_a_current_store_opens_without_importing_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'habits.db'}"
    Store(url).close()
    code = (
        f"import sys, habitcore; t = habitcore.open({url!r}); t.habits(); "
        "print('alembic' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def _rows_of(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every habitcore table in a SQLite file, columns in their stored order."""
    with closing(sqlite3.connect(path)) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name != 'alembic_version' ORDER BY name"
            )
        ]
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in tables
        }


def test_database_from_the_first_revision_upgrades_with_nothing_lost(tmp_path: Path) -> None:
    """tests/data holds a database made at revision 0001 by the release that wrote it
    (tests/data/make_databases.py); every row it holds must come through an upgrade as it was."""
    copy = tmp_path / "old.db"
    shutil.copy(DATA / "habitcore-0001.db", copy)
    before = _rows_of(copy)
    tracker = habitcore.open(f"sqlite:///{copy}", clock=FakeClock(NOW))
    after = _rows_of(copy)
    kept = list(tmp_path.glob(f"old.db.before-{SCHEMA_REVISION}-from-0001-*"))
    assert len(kept) == 1
    assert _rows_of(kept[0]) == before  # the untouched copy aside
    assert set(before) <= set(after)
    for table, rows in before.items():
        width = len(rows[0]) if rows else 0
        assert [row[:width] for row in after[table]] == rows, table
    assert all(rows for rows in before.values()), "the kept database has a row in every table"
    assert [h.name for h in tracker.habits(archived=True)] == ["Read", "Pages", "Run", "Coffee"]
    assert tracker.settings().day_start == "04:00"
    assert tracker.settings().week_start == "sunday"
    assert len(tracker.checkins("Read")) == 20
    assert tracker.habit("Read").reminders == ("21:00",)
    assert tracker.habit("Coffee").reminders == ("08:00 mon,wed,fri",)
    assert tracker.pauses() == [habitcore.Pause(date(2025, 12, 24), date(2025, 12, 26))]
    assert tracker.pauses("Pages") == [habitcore.Pause(date(2025, 12, 10), date(2025, 12, 12))]
    assert tracker.checkins("Pages")[-1].amount == 12.5
    other = habitcore.open(f"sqlite:///{copy}", user="telegram:42", clock=FakeClock(NOW))
    assert other.settings().language == "ru"
    assert [c.day for c in other.checkins("Зарядка")] == [date(2025, 12, 15)]


def test_an_upgraded_database_never_hands_out_a_pause_id_twice(tmp_path: Path) -> None:
    """Revision 0004 rebuilt the pauses table so SQLite keeps its ids (every row kept, above)."""
    copy = tmp_path / "old.db"
    shutil.copy(DATA / "habitcore-0001.db", copy)
    tracker = habitcore.open(f"sqlite:///{copy}", clock=FakeClock(NOW))
    newest = max(p.id for p in tracker.pause_list())
    tracker.unpause(newest)
    tracker.pause("Pages", start=date(2026, 1, 2), end=date(2026, 1, 3))
    assert newest not in {p.id for p in tracker.pause_list()}


def test_sqlite_is_copied_aside_before_an_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "habits.db"
    tracker = habitcore.open(f"sqlite:///{path}", clock=FakeClock(NOW))
    tracker.add_habit("Read")
    tracker.check("Read")
    copy = copy_aside(tracker.store.engine, "0000")
    assert copy is not None
    assert copy.name.startswith(f"habits.db.before-{SCHEMA_REVISION}-from-0000-")
    copied = habitcore.open(f"sqlite:///{copy}", clock=FakeClock(NOW))
    assert [c.day for c in copied.checkins("Read")] == [NOW.date()]


def _files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_database_from_a_newer_habitcore_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "habits.db"
    Store(f"sqlite:///{path}").close()
    with closing(sqlite3.connect(path)) as raw:
        raw.execute("PRAGMA journal_mode=DELETE")  # as another tool might leave it
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
        raw.commit()
    before = _files_of(tmp_path)
    with pytest.raises(habitcore.StoreError, match="schema revision 9999, which this version"):
        Store(f"sqlite:///{path}")
    assert _files_of(tmp_path) == before  # same bytes (still not WAL), no -wal, -shm or copy


def _loop_like(path: Path) -> None:
    with closing(sqlite3.connect(path)) as raw:
        raw.execute("CREATE TABLE Habits (id INTEGER PRIMARY KEY, name TEXT)")
        raw.execute("CREATE TABLE Repetitions (id INTEGER PRIMARY KEY, habit INTEGER)")
        raw.execute("INSERT INTO Habits (name) VALUES ('Meditate')")
        raw.execute("PRAGMA user_version = 25")
        raw.commit()


def _other_program(path: Path) -> None:
    with closing(sqlite3.connect(path)) as raw:
        raw.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        raw.commit()


def _not_sqlite(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_loop_like, "is a Loop Habit Tracker backup, not a habitcore database; import it"),
        (_other_program, "is another program's SQLite database"),
        (_not_sqlite, "is not a database habitcore can open"),
    ],
)
def test_a_file_that_is_not_habitcores_is_refused_and_left_as_it_was(
    tmp_path: Path, make: Any, message: str
) -> None:
    path = tmp_path / "some.db"
    make(path)
    before = _files_of(tmp_path)
    with pytest.raises(habitcore.StoreError, match=message):
        habitcore.open(f"sqlite:///{path}", clock=FakeClock(NOW))
    assert _files_of(tmp_path) == before


def test_an_empty_file_becomes_a_habitcore_database(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    path.touch()
    tracker = habitcore.open(f"sqlite:///{path}", clock=FakeClock(NOW))
    tracker.add_habit("Read")
    assert [h.name for h in tracker.habits()] == ["Read"]


def test_unreachable_database_is_a_clear_error() -> None:
    with pytest.raises(habitcore.StoreError) as caught:
        Store("postgresql+psycopg://nobody@127.0.0.1:1/none")
    message = str(caught.value)
    assert message.startswith("Could not open the database: ")
    assert "SELECT" not in message


def test_an_error_inside_a_write_leaves_the_database_as_it_was(tracker: Tracker) -> None:
    tracker.add_habit("Read")

    def half_done_write() -> None:
        with tracker.store.write() as session:
            session.execute(sa.text("DELETE FROM checkins"))
            session.execute(sa.text("UPDATE habits SET name = 'Broken'"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        half_done_write()
    assert tracker.habit("Read").name == "Read"


def test_a_failed_import_changes_nothing(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    tracker.check("Read")
    document = tracker.export()
    document["habits"].append({"name": "Bad", "start": "2026-01-01", "schedule": "often"})
    with pytest.raises(habitcore.InvalidImport, match=r"habits\[1\]: 'often' is not a schedule"):
        tracker.import_data(document)
    assert [h.name for h in tracker.habits()] == ["Read"]


def _write_checkins(url: str, habit: str, days: int) -> None:
    tracker = habitcore.open(url, clock=FakeClock(NOW))
    for offset in range(days):
        tracker.check(
            habit, day=date(2025, 1, 1).fromordinal(date(2025, 1, 1).toordinal() + offset)
        )


@pytest.mark.parametrize("processes", [2, 4])
def test_concurrent_processes_lose_nothing(db_url: str, processes: int) -> None:
    """Several processes writing to one database at once: every write lands."""
    tracker = habitcore.open(db_url, clock=FakeClock(NOW))
    names = [f"Habit {n}" for n in range(processes)]
    for name in names:
        tracker.add_habit(name, start=date(2025, 1, 1))
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_checkins, args=(db_url, name, 60)) for name in names]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    for name in names:
        assert len(tracker.checkins(name)) == 60


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'habits.db'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_backup_copies_a_sqlite_store_whole_and_refuses_what_it_cannot(store: Store) -> None:
    tracker = Tracker(store, clock=FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)))
    tracker.add_habit("Read")
    tracker.check("Read")
    target = Path(str(store.engine.url.database or "x")).with_name("copy.db")
    if store.dialect != "sqlite":
        with pytest.raises(
            habitcore.StoreError, match="Only a SQLite database file can be backed up"
        ):
            store.backup(Path("/nonexistent/copy.db"))
        return
    source = store.backup(target)
    assert source == Path(str(store.engine.url.database))
    copy = habitcore.open(f"sqlite:///{target}", clock=tracker.clock)
    assert [c.day for c in copy.checkins("Read")] == [date(2026, 3, 2)]
    with pytest.raises(habitcore.StoreError, match="is the database itself"):
        store.backup(source)
    blocker = target.with_name(".other.db.partial")
    blocker.mkdir()  # the place for the partial copy is taken: the copy fails cleanly
    with pytest.raises(habitcore.StoreError, match="Could not write"):
        store.backup(target.with_name("other.db"))
    assert blocker.is_dir()
    assert not target.with_name("other.db").exists()


def test_the_same_name_added_at_once_by_many_is_one_habit_and_duplicates(store: Store) -> None:
    """Writers racing to add one name (two bot workers, the API and the CLI): one habit is
    made, and every other writer hears DuplicateHabit, never a database error."""
    habitcore.Tracker(store, clock=FakeClock(NOW)).settings()  # the user exists before the race
    writers = 6
    for round_ in range(3):
        name = f"Read {round_}"
        gate = threading.Barrier(writers)
        outcomes: list[str] = []

        def add(
            name: str = name, gate: threading.Barrier = gate, outcomes: list[str] = outcomes
        ) -> None:
            tracker = habitcore.Tracker(store, clock=FakeClock(NOW))
            gate.wait(timeout=60)
            try:
                tracker.add_habit(name)
                outcomes.append("made")
            except habitcore.DuplicateHabit:
                outcomes.append("duplicate")
            except habitcore.HabitcoreError as error:
                outcomes.append(f"{type(error).__name__}: {error}")

        threads = [threading.Thread(target=add) for _ in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sorted(outcomes) == ["duplicate"] * (writers - 1) + ["made"]
    names = [h.name for h in habitcore.Tracker(store, clock=FakeClock(NOW)).habits()]
    assert names == ["Read 0", "Read 1", "Read 2"]


# The schema on purpose (habitcore.schema): what `habit db current` reads, what `habit
# db upgrade` does, and the check habit-telegram and habit-api make before they start.


def _at_revision(url: str, revision: str) -> str:
    """An empty database (SQLite file or PostgreSQL schema) made at an old revision."""
    from habitcore.storage.store import upgrade

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        upgrade(connection, revision)
    engine.dispose()
    return url


def test_schema_state_only_looks(db_url: str, tmp_path: Path) -> None:
    from habitcore.schema import SchemaState, schema_state

    assert schema_state(db_url) == SchemaState(None)
    assert not (tmp_path / "habits.db").exists()  # not created by looking
    _at_revision(db_url, "0003")
    files = _files_of(tmp_path)
    found = schema_state(db_url)
    assert (found.database, found.code, found.current) == ("0003", SCHEMA_REVISION, False)
    assert _files_of(tmp_path) == files  # a SQLite file untouched: no WAL, no side files
    Store(db_url).close()
    assert schema_state(db_url).current


def test_upgrade_schema_says_what_it_did(db_url: str, tmp_path: Path) -> None:
    from habitcore.schema import Upgraded, schema_state, upgrade_schema

    done = upgrade_schema(_at_revision(db_url, "0003"))
    assert (done.changed, done.before, done.after) == (True, "0003", SCHEMA_REVISION)
    if db_url.startswith("sqlite"):
        assert done.copy is not None
        assert done.copy.parent == tmp_path
        assert schema_state(f"sqlite:///{done.copy}").database == "0003"
    else:
        assert done.copy is None
    assert schema_state(db_url).current
    assert upgrade_schema(db_url) == Upgraded(changed=False, before=SCHEMA_REVISION)


def test_an_upgrade_that_fails_leaves_the_old_schema_whole(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every migration runs in the one transaction: a failure after the last leaves none."""
    import habitcore.storage.store as store_module
    from habitcore.schema import schema_state

    _at_revision(db_url, "0003")
    migrate = store_module.upgrade

    def then_fail(connection: sa.Connection, revision: str = "head") -> None:
        migrate(connection, revision)
        raise RuntimeError("the power went out")

    monkeypatch.setattr(store_module, "upgrade", then_fail)
    with pytest.raises(RuntimeError, match="power"):
        Store(db_url)
    monkeypatch.undo()
    assert schema_state(db_url).database == "0003"
    Store(db_url).close()
    assert schema_state(db_url).current


def test_services_refuse_only_an_older_schema_on_a_server(db_url: str) -> None:
    from habitcore.schema import refuse_older_schema, schema_state

    refuse_older_schema(db_url, "habit-api")  # nothing there yet: set up as before
    _at_revision(db_url, "0003")
    if db_url.startswith("sqlite"):
        refuse_older_schema(db_url, "habit-api")  # a SQLite file is upgraded as before
    else:
        with pytest.raises(habitcore.StoreError) as refused:
            refuse_older_schema(db_url, "habit-api")
        assert str(refused.value) == (
            f"The database's schema is at revision 0003, older than the {SCHEMA_REVISION} this "
            "habit-api needs: run `habit db upgrade` on it, then start habit-api again."
        )
        assert schema_state(db_url).database == "0003"
    Store(db_url).close()
    refuse_older_schema(db_url, "habit-api")
