"""outbox: a "failed" state and a count of the message's own failures

A message that cannot be built, or that the mail server refuses, five times is marked
failed with its reason instead of being retried for ever (reminders.outbox).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

STATES = "'pending', 'sending', 'sent', 'kept', 'cancelled'"


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint(op.f('ck_outbox_messages_state_known'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_outbox_messages_state_known'), f"state IN ({STATES}, 'failed')"
        )


def downgrade():
    # A failed message goes back to the queue: the older code retries it with back-off.
    op.execute("UPDATE outbox_messages SET state = 'pending' WHERE state = 'failed'")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_messages_state_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_outbox_messages_state_known'), f"state IN ({STATES})")
        batch_op.drop_column('failures')
