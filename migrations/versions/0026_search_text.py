"""search text: on PostgreSQL, each action's and recommendation's searched words, lower-cased once

actions.search_text and recommendations.search_text, PostgreSQL only: a generated column
(``GENERATED ALWAYS AS ... STORED``) holding ``lower()`` of the columns the tables' word
search reads (actions: code, title, description; recommendations: code, text, actions
taken), joined by a line break. ``ILIKE`` lower-cases every value it reads, every time: for
a word most of a 5,000-action plan holds that was 12-15 ms, most of the page's time. A
``LIKE`` of the lower-cased pattern on the stored column finds the same rows (it is what
PostgreSQL's ``ILIKE`` does) without it. The trigram indexes of migration 0025 move to the
new columns, one per table. SQLite gets nothing: its ``LIKE`` does not lower-case.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 22:45:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

# Frozen here: table -> (the trigram index, the searched columns, those that may be NULL).
WORDS = {
    "actions": ("ix_actions_words", ("code", "title", "description"), ()),
    "recommendations": ("ix_recommendations_words", ("code", "text", "actions_taken"), ("actions_taken",)),
}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, (index, columns, nullable) in WORDS.items():
        joined = " || E'\\n' || ".join(f"coalesce({c}, '')" if c in nullable else c for c in columns)
        op.execute(f"ALTER TABLE {table} ADD COLUMN search_text text GENERATED ALWAYS AS (lower({joined})) STORED")
        op.drop_index(index, table_name=table)
        op.create_index(index, table, ["search_text"], unique=False, postgresql_using="gin",
                        postgresql_ops={"search_text": "gin_trgm_ops"})


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, (index, columns, _nullable) in WORDS.items():
        op.drop_index(index, table_name=table)
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_text")
        op.create_index(index, table, list(columns), unique=False, postgresql_using="gin",
                        postgresql_ops={column: "gin_trgm_ops" for column in columns})
