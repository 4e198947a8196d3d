"""Shared fixtures: every test gets its own data dir, and storage tests run on both backends.

PostgreSQL tests use ``HABITCORE_TEST_POSTGRES_URL`` (default: the local server on
127.0.0.1:5432, database ``test``). Each test gets an empty schema. Where no server answers the
tests are skipped, unless ``HABITCORE_REQUIRE_POSTGRES=1`` (CI sets it): then they fail, so a
run that never reached PostgreSQL cannot pass.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

import habitcore
from habitcore.storage.store import Store
from habitcore.testing import FakeClock
from habitcore.tracker import Tracker

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100
)
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=200
)
settings.register_profile("quick", deadline=None, max_examples=20)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the real user's data: point every data dir at tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("HABITCORE_DATABASE_URL", raising=False)


def _postgres_base_url() -> str:
    return os.environ.get("HABITCORE_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A database of our own on the PostgreSQL server, dropped at the end of the session."""
    base = sa.make_url(_postgres_base_url())
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {base.render_as_string()}: {exc.orig}"
        if os.environ.get("HABITCORE_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    name = f"habitcore_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_postgres(url: str) -> str:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL: a SQLite file, or a fresh schema on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'habits.db'}"
    return _empty_postgres(request.getfixturevalue("postgres_server"))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store(db_url)
    yield opened
    opened.close()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The ``habit`` command's database for one test: a SQLite file, in UTC, 120 columns."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("HABITCORE_DATABASE_URL", url)
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("COLUMNS", "120")
    # Made beforehand, as a person's database is: the first command's stderr is then its own.
    habitcore.open(url).store.close()
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 1, 10, 12, 0, tzinfo=UTC))


@pytest.fixture
def tracker(store: Store, clock: FakeClock) -> Tracker:
    """The local user's tracker, in UTC, at 2026-01-10 12:00 UTC, on either backend."""
    made = Tracker(store, clock=clock)
    made.set_timezone("UTC")
    return made


@pytest.fixture
def fake_telegram() -> Iterator[Any]:
    """A fake Telegram Bot API server on 127.0.0.1 (see fake_telegram.py)."""
    from fake_telegram import FakeTelegram

    with FakeTelegram() as fake:
        yield fake
        fake.assert_no_errors()


@pytest.fixture
def telegram(tmp_path: Path, fake_telegram: Any) -> Iterator[Any]:
    """The bot running in this process on a SQLite file, against the fake API."""
    from telegram_harness import start_bot

    run = start_bot(f"sqlite:///{tmp_path / 'bot.db'}", fake_telegram)
    yield run
    run.stop()


@pytest.fixture
def telegram_on(db_url: str, fake_telegram: Any) -> Iterator[Any]:
    """The bot on each backend (SQLite and a real PostgreSQL), against the fake API."""
    from telegram_harness import start_bot

    run = start_bot(db_url, fake_telegram)
    yield run
    run.stop()
