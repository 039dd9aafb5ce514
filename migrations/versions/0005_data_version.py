"""data version: one counter moved on by every committed write, for caches

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 11:30:00.000000

"""
import time

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('counter', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    # Microseconds since 1970, not 0: a database built again from nothing must not repeat
    # a value that app processes still running have cached other data under.
    op.bulk_insert(table, [{"id": 1, "counter": time.time_ns() // 1000}])


def downgrade():
    op.drop_table('data_version')
