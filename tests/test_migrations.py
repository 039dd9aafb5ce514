"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tracker.extensions import db
from tracker.models import Status
from tracker.models.types import belongs_to_dialect


def test_models_and_migrations_agree(db_session):
    connection = db_session.connection()
    context = MigrationContext.configure(connection, opts={
        "compare_type": True, "include_object": belongs_to_dialect(connection.dialect.name)})
    differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models differ from migrations; run 'flask db migrate': {differences}"


def test_default_status_vocabulary_has_the_oecd_definitions(db_session):
    statuses = db_session.query(Status).order_by(Status.position).all()
    assert [s.key for s in statuses] == ["fully_achieved", "ongoing", "under_discussion", "pending"]
    assert statuses[0].is_final and not any(s.is_final for s in statuses[1:])
    assert "no further action is expected" in statuses[0].description.lower()
    assert "neither ongoing discussions" in statuses[3].description.lower()


def test_the_default_statuses_wear_the_colour_blind_safe_palette(db_session):
    from tracker.charts.palette import STATUS_COLOURS

    colours = {s.key: s.colour for s in db_session.query(Status)}
    assert colours == STATUS_COLOURS
    assert colours["pending"] == "#bbbbbb"  # not started is neutral, never alarm red
