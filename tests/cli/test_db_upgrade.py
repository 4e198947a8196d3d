"""``habit db current`` and ``habit db upgrade``, and who upgrades, as installed programs in real
processes on both backends: an old database is said to be behind, upgraded once (also by two
upgrades started at once), and refused by habit-telegram and habit-api on PostgreSQL, which
upgrade a SQLite file by themselves as before."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from habit_process import process_env, run
from habitcore.schema import schema_state
from habitcore.storage.store import _MIGRATION_LOCK, SCHEMA_REVISION, upgrade

BIN = Path(sys.executable).parent
OLD = "0003"  # api_tokens: an old revision every later migration has to pass
DEADLINE = 120.0  # seconds, generous for a loaded machine
# Well-formed, so the bot gets as far as the database; nothing ever checks it with Telegram.
BOT_TOKEN = "123456789:AAFakeTokenForTheSchemaTests_0123456"


def old_database(url: str, revision: str = OLD) -> str:
    """``url`` (an empty SQLite file or PostgreSQL schema) made at an old schema revision."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        upgrade(connection, revision)
    engine.dispose()
    return url


def revision_of(url: str) -> str | None:
    return schema_state(url).database


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def env_for(tmp_path: Path, url: str, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in process_env(tmp_path).items() if not k.startswith("HABITCORE_")}
    return {**clean, "HABITCORE_DATABASE_URL": url, **extra}


def until(predicate: Callable[[], bool], what: str, process: subprocess.Popen[str]) -> None:
    ends = time.monotonic() + DEADLINE
    while not predicate():
        if process.poll() is not None:
            raise AssertionError(f"ended early while waiting for {what}: {process.communicate()}")
        if time.monotonic() > ends:
            raise AssertionError(f"no {what} within {DEADLINE:.0f} s")
        time.sleep(0.1)


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()


def test_db_current_says_behind_and_db_upgrade_brings_it_to_head(
    db_url: str, tmp_path: Path
) -> None:
    env = env_for(tmp_path, old_database(db_url))
    behind = run(env, "db", "current")
    assert behind.returncode == 1
    assert behind.stdout.splitlines() == [f"database: {OLD}", f"habitcore: {SCHEMA_REVISION}"]
    assert behind.stderr == (
        f"Error: The database is at schema revision {OLD}, behind this habitcore's "
        f"{SCHEMA_REVISION}; run `habit db upgrade`.\n"
    )

    upgraded = run(env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    lines = upgraded.stdout.splitlines()
    assert lines[0] == f"Upgraded the database from schema revision {OLD} to {SCHEMA_REVISION}."
    assert revision_of(db_url) == SCHEMA_REVISION
    if db_url.startswith("sqlite"):
        (copy,) = tmp_path.glob(f"habits.db.before-{SCHEMA_REVISION}-from-{OLD}-*")
        assert lines[1:] == [f"The file as it was is kept at {copy}."]
        assert revision_of(f"sqlite:///{copy}") == OLD
    else:
        assert lines[1:] == []

    current = run(env, "db", "current")
    assert current.returncode == 0, current.stderr
    assert current.stdout.splitlines() == [
        f"database: {SCHEMA_REVISION}",
        f"habitcore: {SCHEMA_REVISION}",
    ]
    again = run(env, "db", "upgrade")
    assert again.returncode == 0, again.stderr
    assert again.stdout == (
        f"The database is already at schema revision {SCHEMA_REVISION}; nothing to do.\n"
    )


def test_db_current_only_looks_and_db_upgrade_sets_up_a_new_database(
    db_url: str, tmp_path: Path
) -> None:
    env = env_for(tmp_path, db_url)
    empty = run(env, "db", "current")
    assert empty.returncode == 1
    assert empty.stdout.splitlines() == ["database: none", f"habitcore: {SCHEMA_REVISION}"]
    assert "no habitcore schema yet; `habit db upgrade` creates it" in empty.stderr
    assert not (tmp_path / "habits.db").exists()  # a SQLite file was not even created
    made = run(env, "db", "upgrade")
    assert made.returncode == 0, made.stderr
    if db_url.startswith("sqlite"):
        expected = f"Created a new database at {tmp_path / 'habits.db'}, at schema revision"
    else:
        expected = "Created the schema, at schema revision"
    assert made.stdout == f"{expected} {SCHEMA_REVISION}.\n"
    assert revision_of(db_url) == SCHEMA_REVISION


def test_db_current_refuses_a_newer_database_and_changes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    env = env_for(tmp_path, old_database(db_url, "head"))
    engine = sa.create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    for args in (("db", "current"), ("db", "upgrade")):
        refused = run(env, *args)
        assert refused.returncode == 1
        assert "schema revision 9999, which this version of habitcore does not know" in (
            refused.stderr
        )
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        found = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert found == "9999"


def _api(url: str, tmp_path: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(BIN / "habit-api"), "--port", str(port)],
        env=env_for(tmp_path, url, HABITCORE_API_RATE="0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _bot(url: str, tmp_path: Path) -> subprocess.Popen[str]:
    # Telegram is never reached (a closed port): the schema is decided before that.
    env = env_for(
        tmp_path,
        url,
        HABITCORE_TELEGRAM_TOKEN=BOT_TOKEN,
        HABITCORE_TELEGRAM_API_URL=f"http://127.0.0.1:{closed_port()}",
    )
    cwd = tmp_path / "bot-cwd"  # no .env here
    cwd.mkdir(exist_ok=True)
    return subprocess.Popen(
        [str(BIN / "habit-telegram")],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
@pytest.mark.parametrize("program", ["habit-api", "habit-telegram"])
def test_the_services_refuse_an_older_postgres_schema(
    program: str, db_url: str, tmp_path: Path
) -> None:
    url = old_database(db_url)
    started = _api(url, tmp_path, closed_port()) if program == "habit-api" else _bot(url, tmp_path)
    try:
        out, err = started.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        out, err = stop(started)
        pytest.fail(f"{program} did not refuse the old schema: {out}{err}")
    assert started.returncode == 1
    sentence = (
        f"The database's schema is at revision {OLD}, older than the {SCHEMA_REVISION} this "
        f"{program} needs: run `habit db upgrade` on it, then start {program} again."
    )
    assert sentence in err
    assert "Traceback" not in err + out
    assert BOT_TOKEN.partition(":")[2] not in err + out
    assert revision_of(url) == OLD  # refused, not touched
    assert run(env_for(tmp_path, url), "db", "upgrade").returncode == 0
    assert revision_of(url) == SCHEMA_REVISION


def test_the_services_upgrade_an_old_sqlite_file_by_themselves(tmp_path: Path) -> None:
    url = old_database(f"sqlite:///{tmp_path / 'habits.db'}")
    port = closed_port()  # free now; habit-api binds it a moment later
    api = _api(url, tmp_path, port)
    try:

        def healthy() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
            except httpx.TransportError:
                return False

        until(healthy, "answer on /healthz", api)
        assert revision_of(url) == SCHEMA_REVISION
    finally:
        stop(api)
    assert len(list(tmp_path.glob("habits.db.before-*"))) == 1

    bot_url = old_database(f"sqlite:///{tmp_path / 'bot.db'}")
    bot = _bot(bot_url, tmp_path)
    try:
        until(lambda: revision_of(bot_url) == SCHEMA_REVISION, "upgrade by the bot", bot)
    finally:
        stop(bot)
    assert len(list(tmp_path.glob("bot.db.before-*"))) == 1


def _upgrade(tmp_path: Path, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(BIN / "habit"), "db", "upgrade"],
        env=env_for(tmp_path, url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _waiting_for_the_lock(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = "
                    "current_database())"
                )
            ).scalar_one()
        )


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_upgrades_started_at_once_on_postgres_migrate_once(db_url: str, tmp_path: Path) -> None:
    """The test holds the migration lock while both start, so both find the old revision and
    queue for the lock: the first migrates, the second finds the work done."""
    url = old_database(db_url)
    engine = sa.create_engine(url)
    processes: list[subprocess.Popen[str]] = []
    try:
        with engine.connect() as holder, holder.begin():
            holder.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            processes = [_upgrade(tmp_path, url), _upgrade(tmp_path, url)]
            ends = time.monotonic() + DEADLINE
            while _waiting_for_the_lock(engine) < 2:
                assert all(p.poll() is None for p in processes), [
                    p.communicate() for p in processes
                ]
                assert time.monotonic() < ends, "the two upgrades never both waited for the lock"
                time.sleep(0.1)
            assert revision_of(url) == OLD
        outputs = [p.communicate(timeout=DEADLINE) for p in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        engine.dispose()
    assert [p.returncode for p in processes] == [0, 0], outputs
    said = sorted(out for out, _err in outputs)
    assert said == [
        f"The database is already at schema revision {SCHEMA_REVISION}; nothing to do.\n",
        f"Upgraded the database from schema revision {OLD} to {SCHEMA_REVISION}.\n",
    ]
    assert revision_of(url) == SCHEMA_REVISION


def test_two_upgrades_at_once_on_one_sqlite_file_both_succeed(tmp_path: Path) -> None:
    """The write lock is taken before the copy aside, so only the one that upgrades copies, and
    the copy is the file as it was, never one the other process had already upgraded."""
    url = old_database(f"sqlite:///{tmp_path / 'habits.db'}")
    processes = [_upgrade(tmp_path, url), _upgrade(tmp_path, url)]
    outputs = [p.communicate(timeout=DEADLINE) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    upgraded = [out for out, _err in outputs if out.startswith("Upgraded the database")]
    assert len(upgraded) == 1, outputs
    assert revision_of(url) == SCHEMA_REVISION
    (copy,) = tmp_path.glob("habits.db.before-*")
    assert revision_of(f"sqlite:///{copy}") == OLD


def test_habit_upgrades_a_sqlite_file_it_opens_as_before(tmp_path: Path) -> None:
    """The zero-set-up path: any command on an old file upgrades it, copying it aside first."""
    url = old_database(f"sqlite:///{tmp_path / 'habits.db'}")
    listed = run(env_for(tmp_path, url), "list")
    assert listed.returncode == 0, listed.stderr
    assert revision_of(url) == SCHEMA_REVISION
    assert len(list(tmp_path.glob("habits.db.before-*"))) == 1
