"""assessment round state: open or closed, and the history of its changes

Closes the rounds that were loaded from a source document (the seed's historical
assessments, such as the OECD's December 2017 follow-up of Mexico) and records that
change in each one's history. The criterion is ``source_document IS NOT NULL``: only
``record_assessment_round`` (seed files and plan documents) writes a round's source
fields, and it is the path for historical assessments; the assessor's "open a round"
form sends a name and a date only, so every round an assessor opened has no source
document and stays open.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:00:00.000000

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

MIGRATION_ACTOR = "migration 0007"
MIGRATION_REASON = (
    "Loaded from a source document as a historical record: closed when rounds were given states."
)


def upgrade():
    with op.batch_alter_table('assessment_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=20), server_default='open', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_assessment_rounds_state_known'), "state IN ('open', 'closed')"
        )

    op.create_table('assessment_round_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('old_state', sa.String(length=20), nullable=True),
    sa.Column('new_state', sa.String(length=20), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_by_label', sa.String(length=200), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.CheckConstraint("new_state IN ('open', 'closed')", name=op.f('ck_assessment_round_changes_new_state_known')),
    sa.CheckConstraint("old_state IS NULL OR old_state IN ('open', 'closed')", name=op.f('ck_assessment_round_changes_old_state_known')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_assessment_round_changes_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['assessment_rounds.id'], name=op.f('fk_assessment_round_changes_round_id_assessment_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_round_changes'))
    )
    with op.batch_alter_table('assessment_round_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_round_changes_round_id'), ['round_id'], unique=False)

    _close_loaded_rounds()


def _close_loaded_rounds():
    """Close the rounds loaded from a source, each with a line in its history saying why."""
    rounds = sa.table(
        'assessment_rounds', sa.column('id', sa.Integer()), sa.column('state', sa.String()),
        sa.column('source_document', sa.String()),
    )
    changes = sa.table(
        'assessment_round_changes', sa.column('round_id', sa.Integer()), sa.column('old_state', sa.String()),
        sa.column('new_state', sa.String()), sa.column('changed_by_id', sa.Integer()),
        sa.column('changed_by_label', sa.String()), sa.column('changed_at', sa.DateTime(timezone=True)),
        sa.column('reason', sa.Text()),
    )
    bind = op.get_bind()
    loaded = bind.execute(sa.select(rounds.c.id).where(rounds.c.source_document.is_not(None))).scalars().all()
    if not loaded:
        return
    now = datetime.now(UTC)
    bind.execute(rounds.update().where(rounds.c.id.in_(loaded)).values(state='closed'))
    op.bulk_insert(changes, [
        {"round_id": round_id, "old_state": "open", "new_state": "closed", "changed_by_id": None,
         "changed_by_label": MIGRATION_ACTOR, "changed_at": now, "reason": MIGRATION_REASON}
        for round_id in loaded
    ])


def downgrade():
    with op.batch_alter_table('assessment_round_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_round_changes_round_id'))

    op.drop_table('assessment_round_changes')
    with op.batch_alter_table('assessment_rounds', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_assessment_rounds_state_known'), type_='check')
        batch_op.drop_column('state')
