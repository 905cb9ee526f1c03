"""messages: the mailbox each came from

Provider ids (IMAP UIDVALIDITY:UID, Graph ids, Maildir keys) are unique only within one
mailbox, and two Dovecot users' INBOXes created in the same second share UIDVALIDITY and
their first UIDs; a register that several mailboxes feed must move each message in its
own mailbox. Rows from before this migration name no mailbox: the register had one.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailbox', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('mailbox')
