"""sessions that can be ended; API tokens with an expiry, a scope, and their owner's role and agency

users.session_generation: every session cookie names the generation it was issued in;
signing out and changing one's password move it on, which ends every session.

api_tokens: expires_at, scope ('read' or 'read_write'), owner_role and owner_agency_id.
Tokens that exist already keep working as they did (read-write, for their owner's current
role and agency) for 90 days from this upgrade, so nobody's integration breaks the day
it runs; after that their owners create new ones.

sign_in_failures: indexed by address, since sign-ins are throttled per address too.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 21:00:00.000000

"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

EXISTING_TOKENS_VALID_FOR = timedelta(days=90)


def upgrade():
    # recreate='never': users is referred to by many tables, and on SQLite a recreated
    # table's DROP would cascade to them (see 0004). ADD COLUMN with a default needs none.
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('sign_in_failures', schema=None, recreate='never') as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_failures_remote_addr'), ['remote_addr'], unique=False)

    with op.batch_alter_table('api_tokens', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('scope', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('owner_role', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('owner_agency_id', sa.Integer(), nullable=True))

    tokens = sa.table(
        'api_tokens', sa.column('user_id', sa.Integer()), sa.column('expires_at', sa.DateTime(timezone=True)),
        sa.column('scope', sa.String()), sa.column('owner_role', sa.String()), sa.column('owner_agency_id', sa.Integer()),
    )
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('role', sa.String()),
                     sa.column('agency_id', sa.Integer()))
    owner = users.c.id == tokens.c.user_id
    op.execute(tokens.update().values(
        expires_at=datetime.now(UTC) + EXISTING_TOKENS_VALID_FOR,
        scope='read_write',
        owner_role=sa.select(users.c.role).where(owner).scalar_subquery(),
        owner_agency_id=sa.select(users.c.agency_id).where(owner).scalar_subquery(),
    ))

    # api_tokens is referred to by no other table, so SQLite may copy it to add the constraints.
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('scope', existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column('owner_role', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_api_tokens_owner_agency_id_agencies'), 'agencies',
                                    ['owner_agency_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(batch_op.f('ck_api_tokens_scope_known'), "scope IN ('read', 'read_write')")


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_api_tokens_scope_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_owner_agency_id_agencies'), type_='foreignkey')
        batch_op.drop_column('owner_agency_id')
        batch_op.drop_column('owner_role')
        batch_op.drop_column('scope')
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('sign_in_failures', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_failures_remote_addr'))

    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('session_generation')
