"""reports by state: progress reports indexed by state, then action

progress_reports (state, action_id): the reports waiting for review (state 'submitted') are
a few percent of all reports; the secretariat's work dashboard (reports waiting per plan),
its review queue and the weekly digest's count found them by reading every report of every
action (500,000 reports at the benchmark's scale 1: 173 ms on SQLite for the dashboard's
count; 13 ms with the index).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 04:20:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('progress_reports', schema=None, recreate='never') as batch_op:
        batch_op.create_index('ix_progress_reports_state_action_id', ['state', 'action_id'], unique=False)


def downgrade():
    with op.batch_alter_table('progress_reports', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_progress_reports_state_action_id')
