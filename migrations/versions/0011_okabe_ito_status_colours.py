"""status colours people can tell apart: Okabe and Ito's palette; "pending" a neutral grey

The default vocabulary's colours (migration 0001: GitHub-like green, blue, yellow and an
alarm red for "pending") become Okabe and Ito's colour-blind-safe ones
(tracker/charts/palette.py): not started is grey, not red. Only colours still at their
old default change; one an administrator chose is kept, both ways.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 05:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# key: (0001's colour, the new colour). Frozen here: a migration must not change when
# the palette module does.
COLOURS = {
    "fully_achieved": ("#1a7f37", "#009e73"),
    "ongoing": ("#2f81f7", "#0072b2"),
    "under_discussion": ("#d4a72c", "#e69f00"),
    "pending": ("#cf222e", "#bbbbbb"),
}

statuses = sa.table("statuses", sa.column("key", sa.String), sa.column("colour", sa.String))


def _recolour(old_index: int, new_index: int) -> None:
    for key, colours in COLOURS.items():
        op.execute(
            statuses.update()
            .where(statuses.c.key == key, sa.func.lower(statuses.c.colour) == colours[old_index])
            .values(colour=colours[new_index])
        )


def upgrade():
    _recolour(0, 1)


def downgrade():
    _recolour(1, 0)
