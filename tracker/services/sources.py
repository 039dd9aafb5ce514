"""Source reports' bibliographic data: recording it, and finding it for a citation."""

from __future__ import annotations

from datetime import date

from tracker.extensions import db
from tracker.models import SourceDocument
from tracker.schemas.plan import SourceDocumentInput
from tracker.services.transaction import atomic
from tracker.services.validation import validated


def save_source_document(data: dict) -> tuple[SourceDocument, bool]:
    """Create or update the bibliographic data of the document ``data["document"]``.

    Returns (document, changed). Citations on every page that cites the document follow.
    """
    values = validated(SourceDocumentInput(), _as_text_dates(data))
    name = values.pop("document")
    with atomic():
        document = db.session.get(SourceDocument, name)
        if document is None:
            document = SourceDocument(name=name, **values)
            db.session.add(document)
            db.session.flush()
            return document, True
        changed = any(getattr(document, key) != value for key, value in values.items())
        for key, value in values.items():
            setattr(document, key, value)
        db.session.flush()
        return document, changed


def _as_text_dates(data: dict) -> dict:
    # YAML reads 2023-02-20 as a date; the schema takes the ISO text forms and the API does too.
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()} if isinstance(data, dict) else data
