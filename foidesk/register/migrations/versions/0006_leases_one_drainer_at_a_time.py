"""leases: one drainer at a time

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from foidesk.register.models import UTCDateTime

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'leases',
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('holder', sa.String(length=64), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_leases')),
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_recipients_created_at', ['recipients', 'created_at'])


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_recipients_created_at')
    op.drop_table('leases')
