"""Handled events and dialogs, so several worker processes can share the work of one bot.

``handled_events`` records each outside event (a Telegram update) in the transaction of its
change, so a repeated delivery takes effect once; ``dialogs`` holds each person's conversation
of several steps, so its next step may reach any worker.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handled_events",
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source", "event_id"),
    )
    op.create_index("ix_handled_events_handled_at", "handled_events", ["handled_at"])
    op.create_table(
        "dialogs",
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("owner"),
    )


def downgrade() -> None:
    op.drop_table("dialogs")
    op.drop_index("ix_handled_events_handled_at", table_name="handled_events")
    op.drop_table("handled_events")
