"""Notes on check-ins, and where imported habits came from.

``checkins.note`` holds a check-in's free text (Loop keeps notes on repetitions, harsh a comment
per log line). ``habit_origins`` remembers each source a habit was imported from (a Loop uuid,
or a source's own habit id with the identity of its file), so importing the same file again
matches the habit even after it was renamed here.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.String(length=2000), nullable=True))

    op.create_table(
        "habit_origins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("habit_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["habit_id"], ["habits.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "key", name="uq_habit_origins_user_key"),
    )
    with op.batch_alter_table("habit_origins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_habit_origins_habit_id"), ["habit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("habit_origins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_habit_origins_habit_id"))
    op.drop_table("habit_origins")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_column("note")
