"""cases and outbox: indexes for what intake looks up for every message

Three lookups read a whole table, so each message cost more than the one before (a
backlog of n messages cost n squared):

- whether a new request's requester has an open case it repeats: the join from the
  requester's address to their cases (an index on cases.requester_id; without it 7.4 ms
  a request at 10,000 cases on SQLite, against 0.12 ms with it);
- a case by its reference with letter case ignored, `upper(reference)` (an index on that
  expression; the unique index on the reference itself cannot answer it);
- which of our messages a reply answers, by its Message-ID (an index on
  outbox.message_id).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_cases_requester_id', 'cases', ['requester_id'], unique=False)
    op.create_index('ix_cases_upper_reference', 'cases', [sa.text('upper(reference)')],
                    unique=False)
    op.create_index('ix_outbox_message_id', 'outbox', ['message_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_message_id', table_name='outbox')
    op.drop_index('ix_cases_upper_reference', table_name='cases')
    op.drop_index('ix_cases_requester_id', table_name='cases')
