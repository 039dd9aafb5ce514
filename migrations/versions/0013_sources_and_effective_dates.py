"""source documents' bibliographic data; status changes dated by when they took effect

source_documents: author, year, title, publisher and issue date of each source report,
keyed by the file name items cite, so pages show "OECD (2018), Title, Chapter 2" instead
of a file name and line numbers. Filled by ``flask seed load`` from seed/sources.yaml.

status_changes.effective_on: the day a change took effect in the world when its source
dates it (a seeded status holds from its report's assessment date). History is never
rewritten: ``changed_at`` (when the row was recorded) stays as it is. Rows the seed load
recorded for a plan with an assessment round take effect on the latest round's date,
which is what the round's statuses are the record of (the Mexico follow-up: 2017-12-31).
Other rows keep an empty effective date: they took effect when recorded.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'source_documents',
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('author', sa.String(length=300), nullable=True),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=500), nullable=False),
        sa.Column('publisher', sa.String(length=300), nullable=True),
        sa.Column('issued_on', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_source_documents')),
    )
    # recreate='never': a plain ADD COLUMN; no table copy on SQLite.
    with op.batch_alter_table('status_changes', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('effective_on', sa.Date(), nullable=True))
    # Only rows the seed load recorded (label "seed", no user), only recommendations (what
    # a round assesses), only where a round dates them; nothing else is touched.
    op.execute(
        """
        UPDATE status_changes SET effective_on = (
            SELECT MAX(r.assessed_on) FROM assessment_rounds r WHERE r.plan_id = status_changes.plan_id
        )
        WHERE changed_by_label = 'seed' AND changed_by_id IS NULL AND effective_on IS NULL
          AND subject_type = 'recommendation'
          AND EXISTS (SELECT 1 FROM assessment_rounds r WHERE r.plan_id = status_changes.plan_id)
        """
    )


def downgrade():
    with op.batch_alter_table('status_changes', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('effective_on')
    op.drop_table('source_documents')
