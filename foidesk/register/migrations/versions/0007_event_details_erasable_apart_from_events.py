"""event details: erasable apart from the append-only events

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

The detail text and before/after states of each event move to `event_details`, so
retention can erase personal data while `events` stays append-only. This migration is
the one place that ever rewrites `events`: it lifts the append-only trigger, empties
the three moved columns, and puts the trigger back, in one transaction.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_OFF = ["DROP TRIGGER IF EXISTS events_no_update"]
SQLITE_ON = ["""CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"""]
POSTGRES_OFF = ["ALTER TABLE events DISABLE TRIGGER events_append_only"]
POSTGRES_ON = ["ALTER TABLE events ENABLE TRIGGER events_append_only"]


def upgrade() -> None:
    op.create_table(
        'event_details',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_event_details_event_id_events')),
        sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event_details')),
    )
    op.execute("INSERT INTO event_details (event_id, before, after, detail) "
               "SELECT id, before, after, COALESCE(detail, '') FROM events "
               "WHERE COALESCE(detail, '') <> '' OR before IS NOT NULL OR after IS NOT NULL")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_OFF if sqlite else POSTGRES_OFF:
        op.execute(statement)
    op.execute("UPDATE events SET before = NULL, after = NULL, detail = '' "
               "WHERE COALESCE(detail, '') <> '' OR before IS NOT NULL OR after IS NOT NULL")
    for statement in SQLITE_ON if sqlite else POSTGRES_ON:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_OFF if sqlite else POSTGRES_OFF:
        op.execute(statement)
    op.execute("UPDATE events SET detail = COALESCE((SELECT d.detail FROM event_details d "
               "WHERE d.event_id = events.id), ''), before = (SELECT d.before FROM "
               "event_details d WHERE d.event_id = events.id), after = (SELECT d.after FROM "
               "event_details d WHERE d.event_id = events.id)")
    for statement in SQLITE_ON if sqlite else POSTGRES_ON:
        op.execute(statement)
    op.drop_table('event_details')
