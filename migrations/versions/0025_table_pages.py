"""table pages: a plan's actions indexed in plan order; word search by trigrams on PostgreSQL

actions (plan_id, position, id) replaces actions (plan_id): a page of a plan's actions in
plan order reads its 50 entries instead of sorting the whole plan.
On PostgreSQL, the extension pg_trgm (a trusted extension: the database's owner may create
it) and a GIN trigram index of the columns the tables' word search reads (actions: code,
title, description; recommendations: code, text, actions taken), so a search for a word
few rows hold no longer reads every row. SQLite gets no such index.

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-03 12:20:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0023'
branch_labels = None
depends_on = None

WORDS = {
    "ix_actions_words": ("actions", ("code", "title", "description")),
    "ix_recommendations_words": ("recommendations", ("code", "text", "actions_taken")),
}


def upgrade():
    with op.batch_alter_table('actions', schema=None, recreate='never') as batch_op:
        batch_op.create_index('ix_actions_plan_id_position', ['plan_id', 'position', 'id'], unique=False)
        batch_op.drop_index('ix_actions_plan_id')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, (table, columns) in WORDS.items():
            op.create_index(name, table, list(columns), unique=False, postgresql_using="gin",
                            postgresql_ops={column: "gin_trgm_ops" for column in columns})


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, _columns) in WORDS.items():
            op.drop_index(name, table_name=table)
        # The extension stays: something else in the database may have come to use it.
    with op.batch_alter_table('actions', schema=None, recreate='never') as batch_op:
        batch_op.create_index('ix_actions_plan_id', ['plan_id'], unique=False)
        batch_op.drop_index('ix_actions_plan_id_position')
