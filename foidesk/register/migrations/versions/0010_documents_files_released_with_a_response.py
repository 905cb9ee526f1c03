"""documents: the files that may be released with a response, and their checks

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import foidesk.register.models

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=400), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=255), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('added_at', foidesk.register.models.UTCDateTime(), nullable=False),
        sa.Column('findings', sa.JSON(), nullable=False),
        sa.Column('decision', sa.String(length=20), nullable=True),
        sa.Column('exemption', sa.String(length=40), nullable=True),
        sa.Column('redact_terms', sa.JSON(), nullable=False),
        sa.Column('override', sa.Text(), nullable=True),
        sa.Column('released_sha256', sa.String(length=64), nullable=True),
        sa.Column('released_findings', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_documents_case_id_cases')),
        sa.ForeignKeyConstraint(['sha256'], ['blobs.sha256'],
                                name=op.f('fk_documents_sha256_blobs')),
        sa.ForeignKeyConstraint(['released_sha256'], ['blobs.sha256'],
                                name=op.f('fk_documents_released_sha256_blobs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
        sa.UniqueConstraint('case_id', 'number', name=op.f('uq_documents_case_id_number')),
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_case_id'))
    op.drop_table('documents')
