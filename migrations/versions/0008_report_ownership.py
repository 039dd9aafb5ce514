"""progress reports belong to their agency, are filed once per action and round, and carry a
public-or-private acceptance comment

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00.000000

- ``agency_id``: the agency that wrote the report, from its author's agency (or, failing
  that, the action's lead agency when the report was written);
- ``state`` may be ``withdrawn`` (with ``withdrawn_at`` and ``withdrawn_reason``): a
  report taken out of play without a review, shown read-only to its agency;
- ``comment_public``: whether the acceptance comment is public. Comments of reports
  already accepted were published (pages, open data, feeds), so they stay public;
- ``link_id``: the reminder link that filed the report, unique (a link files once);
- ``uq_progress_reports_open_per_round`` and ``_open_outside_rounds``: at most one open
  report (draft, submitted, returned) per action and round, or outside any round. Open duplicates filed before this revision are kept
  as one: the furthest along (submitted, then returned, then draft), the latest of
  equals; the others are withdrawn, with an event on the action's timeline.
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OPEN = "('draft', 'submitted', 'returned')"
RANK = "CASE {t}.state WHEN 'submitted' THEN 3 WHEN 'returned' THEN 2 ELSE 1 END"
DUPLICATE_REASON = (
    "Another open report on this action for the same reporting round was kept; this one "
    "was withdrawn when the tracker began keeping one open report per action and round."
)


def upgrade():
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('comment_public', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('link_id', sa.String(length=64), nullable=True))

    op.execute(
        "UPDATE progress_reports SET agency_id = COALESCE("
        "(SELECT users.agency_id FROM users WHERE users.id = progress_reports.author_id "
        "AND users.role = 'agency'), "
        "(SELECT actions.lead_agency_id FROM actions WHERE actions.id = progress_reports.action_id))"
    )
    unattributed = op.get_bind().execute(
        sa.text("SELECT id FROM progress_reports WHERE agency_id IS NULL ORDER BY id")
    ).scalars().all()
    if unattributed:
        raise RuntimeError(
            "These progress reports have no author agency and their action no lead agency, so "
            f"the agency that wrote them is unknown: {unattributed}. Set their action's lead "
            "agency (or their author) and upgrade again."
        )
    op.execute(
        "UPDATE progress_reports SET comment_public = true "
        "WHERE state = 'accepted' AND reviewer_comment IS NOT NULL"
    )

    # On SQLite this batch rebuilds the table (NOT NULL, a foreign key and a CHECK cannot be
    # changed in place); env.py migrates with foreign keys off, so the evidence rows that
    # refer to reports are not cascade-deleted by the rebuild.
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.alter_column('agency_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_progress_reports_agency_id_agencies'), 'agencies', ['agency_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_progress_reports_agency_id'), ['agency_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_progress_reports_link_id'), ['link_id'])
        batch_op.drop_constraint(op.f('ck_progress_reports_state_known'), type_='check')
        batch_op.create_check_constraint(
            'state_known', "state IN ('draft', 'submitted', 'accepted', 'returned', 'withdrawn')")

    _withdraw_open_duplicates()  # now that the state may be 'withdrawn', before the indexes

    # Two partial indexes: NULLs never collide in a unique index, so reports outside any
    # round (no round_id) need their own.
    with op.batch_alter_table('progress_reports', schema=None, recreate='never') as batch_op:
        batch_op.create_index(
            'uq_progress_reports_open_per_round', ['action_id', 'round_id'], unique=True,
            sqlite_where=sa.text(f"state IN {OPEN}"), postgresql_where=sa.text(f"state IN {OPEN}"),
        )
        batch_op.create_index(
            'uq_progress_reports_open_outside_rounds', ['action_id'], unique=True,
            sqlite_where=sa.text(f"state IN {OPEN} AND round_id IS NULL"),
            postgresql_where=sa.text(f"state IN {OPEN} AND round_id IS NULL"),
        )


def _withdraw_open_duplicates():
    bind = op.get_bind()
    now = datetime.now(UTC)
    duplicates = bind.execute(sa.text(
        "SELECT p.id, a.id, a.plan_id FROM progress_reports p JOIN actions a ON a.id = p.action_id "
        f"WHERE p.state IN {OPEN} AND EXISTS (SELECT 1 FROM progress_reports o "
        "WHERE o.action_id = p.action_id AND coalesce(o.round_id, 0) = coalesce(p.round_id, 0) "
        f"AND o.state IN {OPEN} AND ({RANK.format(t='o')} > {RANK.format(t='p')} "
        f"OR ({RANK.format(t='o')} = {RANK.format(t='p')} AND o.id > p.id)))"
    )).all()
    if not duplicates:
        return
    reports = sa.table('progress_reports', sa.column('id'), sa.column('state'),
                       sa.column('withdrawn_at', sa.DateTime(timezone=True)), sa.column('withdrawn_reason'))
    events = sa.table(
        'events', sa.column('plan_id'), sa.column('subject_type'), sa.column('subject_id'), sa.column('kind'),
        sa.column('summary'), sa.column('details', sa.JSON()), sa.column('reason'), sa.column('actor_id'),
        sa.column('actor_label'), sa.column('occurred_at', sa.DateTime(timezone=True)),
    )
    for report_id, action_id, plan_id in duplicates:
        bind.execute(reports.update().where(reports.c.id == report_id).values(
            state='withdrawn', withdrawn_at=now, withdrawn_reason=DUPLICATE_REASON))
        bind.execute(events.insert().values(
            plan_id=plan_id, subject_type='action', subject_id=action_id, kind='report_withdrawn',
            summary='Progress report withdrawn: another report was open for the same round',
            details={"report_id": report_id}, reason=DUPLICATE_REASON,
            actor_id=None, actor_label='migration 0008', occurred_at=now,
        ))


def downgrade():
    with op.batch_alter_table('progress_reports', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('uq_progress_reports_open_outside_rounds')
        batch_op.drop_index('uq_progress_reports_open_per_round')
    # Before this revision a report could not be withdrawn: it goes back to being a draft
    # (the only state that may stay unsubmitted), and its timeline event stays as history.
    op.execute("UPDATE progress_reports SET state = 'draft' WHERE state = 'withdrawn'")
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_progress_reports_state_known'), type_='check')
        batch_op.create_check_constraint('state_known', "state IN ('draft', 'submitted', 'accepted', 'returned')")
        batch_op.drop_constraint(batch_op.f('uq_progress_reports_link_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_progress_reports_agency_id'))
        batch_op.drop_constraint(batch_op.f('fk_progress_reports_agency_id_agencies'), type_='foreignkey')
        batch_op.drop_column('link_id')
        batch_op.drop_column('withdrawn_reason')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('comment_public')
        batch_op.drop_column('agency_id')
