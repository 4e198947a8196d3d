"""Leases on claimed reminder firings, so a worker that dies after claiming loses its claim.

``reminders.claimed_by`` names the worker holding the firing at ``next_fire`` and
``lease_until`` says until when; both NULL when nobody holds it. Neither is indexed: claiming
a batch then writes only its rows (an index on ``claimed_by`` cost a quarter of a claim's time
on PostgreSQL), and a worker renews its leases by the ids it holds.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claimed_by")
