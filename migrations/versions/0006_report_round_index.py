"""progress reports indexed by (action, round), for missing-report reminders

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('progress_reports', schema=None, recreate='never') as batch_op:
        batch_op.create_index('ix_progress_reports_action_id_round_id', ['action_id', 'round_id'], unique=False)
        batch_op.drop_index('ix_progress_reports_action_id')


def downgrade():
    with op.batch_alter_table('progress_reports', schema=None, recreate='never') as batch_op:
        batch_op.create_index('ix_progress_reports_action_id', ['action_id'], unique=False)
        batch_op.drop_index('ix_progress_reports_action_id_round_id')
