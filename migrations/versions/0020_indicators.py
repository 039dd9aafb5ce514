"""indicators: measures of actions and recommendations, and their values

indicators: name, unit, kind, direction, baseline and target (value and date), the data's
source and the seed reference; attached to an action or a recommendation, or to neither (a plan-wide figure).
indicator_values: one value per indicator and progress report (it counts once the report is
accepted), or from a source document (no report).

Revision ID: 0020
Revises: 0016
Create Date: 2026-12-03 08:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0016'
branch_labels = None
depends_on = None


def _source_columns():
    return [
        sa.Column('source_document', sa.String(length=200), nullable=True),
        sa.Column('source_section', sa.String(length=300), nullable=True),
        sa.Column('source_lines', sa.String(length=40), nullable=True),
    ]


def upgrade():
    op.create_table(
        'indicators',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=True),
        sa.Column('recommendation_id', sa.Integer(), nullable=True),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('unit', sa.String(length=60), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('direction', sa.String(length=10), nullable=False),
        sa.Column('baseline_value', sa.Float(), nullable=True),
        sa.Column('baseline_date', sa.Date(), nullable=True),
        sa.Column('target_value', sa.Float(), nullable=True),
        sa.Column('target_date', sa.Date(), nullable=True),
        sa.Column('data_source', sa.String(length=500), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        *_source_columns(),
        sa.CheckConstraint('action_id IS NULL OR recommendation_id IS NULL',
                           name=op.f('ck_indicators_one_subject')),
        sa.CheckConstraint("kind IN ('number', 'percent', 'yes_no', 'text')", name=op.f('ck_indicators_kind_known')),
        sa.CheckConstraint("direction IN ('up', 'down')", name=op.f('ck_indicators_direction_known')),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_indicators_plan_id_plans'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_indicators_action_id_actions'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'],
                                name=op.f('fk_indicators_recommendation_id_recommendations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
        sa.UniqueConstraint('plan_id', 'code', name=op.f('uq_indicators_plan_id_code')),
    )
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicators_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicators_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicators_recommendation_id'), ['recommendation_id'], unique=False)

    op.create_table(
        'indicator_values',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=True),
        sa.Column('period_date', sa.Date(), nullable=False),
        sa.Column('value', sa.Float(), nullable=True),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        *_source_columns(),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'],
                                name=op.f('fk_indicator_values_indicator_id_indicators'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['report_id'], ['progress_reports.id'],
                                name=op.f('fk_indicator_values_report_id_progress_reports'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_values')),
        sa.UniqueConstraint('report_id', 'indicator_id', name=op.f('uq_indicator_values_report_id_indicator_id')),
    )
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_values_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_values_report_id'), ['report_id'], unique=False)


def downgrade():
    op.drop_table('indicator_values')
    op.drop_table('indicators')
