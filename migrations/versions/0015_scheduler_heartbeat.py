"""scheduler heartbeat: when the scheduler process last said it was alive (for /healthz)

scheduler_heartbeat: one row (id 1), beat_at and worker, written by ``flask scheduler run``.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-03 08:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'scheduler_heartbeat',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('beat_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('worker', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_heartbeat')),
    )
    op.bulk_insert(table, [{"id": 1, "beat_at": None, "worker": None}])


def downgrade():
    op.drop_table('scheduler_heartbeat')
