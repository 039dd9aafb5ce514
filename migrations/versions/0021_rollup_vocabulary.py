"""roll-up and vocabulary: an action's weight; a status's IRM completion level and retirement

actions.weight: how much the action counts in its recommendations' percent complete
(empty: 1, so a plan without weights gets a plain mean).
statuses.irm_completion: the OGP IRM completion scale a status maps to in exports
(not_started | limited | substantial | complete); the default vocabulary is mapped here.
statuses.retired: a retired status stays on old records but is no longer offered.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 09:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

# The default vocabulary's place on the IRM scale. Frozen here: a migration must not
# change when the services' defaults do.
IRM = {
    "fully_achieved": "complete",
    "ongoing": "substantial",
    "under_discussion": "limited",
    "pending": "not_started",
}

statuses = sa.table("statuses", sa.column("key", sa.String), sa.column("irm_completion", sa.String))


def upgrade():
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weight', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_actions_weight_range'), 'weight IS NULL OR weight BETWEEN 1 AND 1000')
    with op.batch_alter_table('statuses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('irm_completion', sa.String(length=20), server_default='not_started',
                                      nullable=False))
        batch_op.add_column(sa.Column('retired', sa.Boolean(), server_default=sa.false(), nullable=False))
    for key, level in IRM.items():
        op.execute(statuses.update().where(statuses.c.key == key).values(irm_completion=level))


def downgrade():
    with op.batch_alter_table('statuses', schema=None) as batch_op:
        batch_op.drop_column('retired')
        batch_op.drop_column('irm_completion')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_actions_weight_range'), type_='check')
        batch_op.drop_column('weight')
