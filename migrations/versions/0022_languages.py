"""languages: the language a person reads the tracker and its emails in

users.locale: the account's language (en, es, fr, ru, ...), chosen on the account page;
empty: the browser's choice on the web, English in emails.
subscriptions.locale: the language the public subscribed in; its confirmation and
digests are written in it (empty for older subscriptions: English).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=16), nullable=True))
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_column('locale')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locale')
