"""content translations: a JSON column beside each translatable field

plans.title_translations, plans.description_translations, areas.name_translations,
recommendations.text_translations, actions.title_translations,
actions.description_translations, milestones.title_translations,
statuses.label_translations: language code -> text (``models.translations`` says why
a JSON column per field). Empty objects for every existing row: the content stays in
its original language, English, until someone adds a translation.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 12:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

# Frozen here: a migration must not change when the models' list does.
COLUMNS = {
    "plans": ("title", "description"),
    "areas": ("name",),
    "recommendations": ("text",),
    "actions": ("title", "description"),
    "milestones": ("title",),
    "statuses": ("label",),
}


def upgrade():
    for table, fields in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for field in fields:
                batch_op.add_column(sa.Column(f"{field}_translations", sa.JSON(), nullable=False,
                                              server_default=sa.text("'{}'")))


def downgrade():
    for table, fields in reversed(COLUMNS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for field in reversed(fields):
                batch_op.drop_column(f"{field}_translations")
