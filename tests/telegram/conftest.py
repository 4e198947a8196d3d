"""Fixtures the bot's tests share beyond tests/conftest.py."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from habitcore import Store


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """An empty schema on the PostgreSQL server, at habitcore's current revision: for bot
    processes sharing one server database, and where a handler held mid-update must keep no
    other chat waiting (SQLite has one writer at a time)."""
    engine = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    Store(postgres_server).close()
    return postgres_server
