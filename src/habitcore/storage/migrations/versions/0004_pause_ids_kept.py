"""Pause ids are never handed out twice on SQLite (habit-api and `habit unpause` name a pause by
its id): the pauses table is rebuilt with AUTOINCREMENT, every row and id kept. Nothing refers
to a pause, so the rebuild cascades nowhere. PostgreSQL's sequences never reuse an id already.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "pauses", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "pauses", recreate="always", table_kwargs={"sqlite_autoincrement": False}
    ):
        pass
