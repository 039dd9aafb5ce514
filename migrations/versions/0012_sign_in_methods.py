"""sign-in methods: a sign-in log, two-factor authentication, single sign-on domains

sign_in_events: every sign-in attempt (who, when, from where, how, whether it worked).
users.totp_secret, totp_enabled_at, totp_last_step: TOTP two-factor authentication.
recovery_codes: one-time two-factor recovery codes, hashed.
single_sign_on_domains: email domains whose people get an account at their first single
sign-on, with the role (and agency) an admin chose.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 05:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

METHODS = "'password', 'single_sign_on', 'authenticator', 'recovery_code', 'remembered_device'"


def upgrade():
    # recreate='never': users is referred to by many tables, and on SQLite a recreated
    # table's DROP would cascade to them (see 0004). Plain ADD COLUMNs need none.
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))

    op.create_table(
        'sign_in_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('remote_addr', sa.String(length=64), nullable=True),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('succeeded', sa.Boolean(), nullable=False),
        sa.Column('detail', sa.String(length=200), nullable=True),
        sa.CheckConstraint(f"method IN ({METHODS})", name=op.f('ck_sign_in_events_method_known')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_events_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_events')),
    )
    with op.batch_alter_table('sign_in_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_events_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_events_at'), ['at'], unique=False)

    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    op.create_table(
        'single_sign_on_domains',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('domain', sa.String(length=253), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'],
                                name=op.f('fk_single_sign_on_domains_agency_id_agencies'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_single_sign_on_domains')),
        sa.UniqueConstraint('domain', name=op.f('uq_single_sign_on_domains_domain')),
    )


def downgrade():
    op.drop_table('single_sign_on_domains')
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))
    op.drop_table('recovery_codes')
    with op.batch_alter_table('sign_in_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_events_at'))
        batch_op.drop_index(batch_op.f('ix_sign_in_events_user_id'))
    op.drop_table('sign_in_events')
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')
