"""Atom feeds of the latest status changes, for all published plans or one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from xml.etree import ElementTree

from tracker.exchange.csv_files import iso
from tracker.indicators.numbers import number_text
from tracker.publishing.open_data.tables import (
    IndicatorValueRecord,
    Scope,
    StatusChangeRecord,
    indicator_url,
    indicator_value_records,
    status_changes,
    subject_url,
)

FEED_SIZE = 100
ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry at all, escaped or not: dropped from feed text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def tag_uri(authority: str, day: date, specific: str) -> str:
    """A tag: URI (RFC 4151): stable as long as the authority and the thing's date are."""
    return f"tag:{authority},{day.isoformat()}:{specific}"


def entry_title(record: StatusChangeRecord) -> str:
    """``GOV-1: Pending → Ongoing``, with the percent when it moved too."""
    if record.old_status is None:
        title = f"{record.subject_code}: set to {record.new_label}"
    elif record.old_status != record.new_status:
        title = f"{record.subject_code}: {record.old_label} → {record.new_label}"
    else:
        title = f"{record.subject_code}: {record.new_label}"
    if record.new_percent is not None and record.old_percent != record.new_percent:
        title += (f", {record.new_percent}%" if record.old_percent is None
                  else f", {record.old_percent}% → {record.new_percent}%")
    return title


@dataclass(frozen=True)
class Feed:
    """What an Atom feed says about itself."""

    title: str
    id: str
    self_url: str
    page_url: str
    tag_authority: str
    updated_when_empty: datetime
    name_plans: bool  # the all-plans feed names each entry's plan in its title


def value_title(record: IndicatorValueRecord) -> str:
    """``A1 · DATASETS: 180 datasets on 2025-06-30``."""
    if record.text is not None:
        shown = record.text
    elif record.kind == "yes_no":
        shown = "yes" if record.value else "no"
    else:
        shown = number_text(record.value) + ("%" if record.kind == "percent" else
                                             (f" {record.unit}" if record.unit else ""))
    where = f"{record.subject_code} · " if record.subject_code else ""
    return f"{where}{record.indicator_code}: {shown} on {record.period_date.isoformat()}"


def status_change_feed(scope: Scope, feed: Feed, *, limit: int = FEED_SIZE) -> bytes:
    """An Atom feed of the latest status changes and indicator values of the plans in scope, newest first.

    An indicator value is announced when it starts to count (its report's acceptance, or
    when a value from a source document was recorded). Built with ElementTree, which
    escapes every text and attribute, so a reason containing markup stays text.
    """
    changes = status_changes(scope, newest_first=True, limit=limit)
    values = indicator_value_records(scope, limit=limit)
    records = sorted([*changes, *values], key=_moment, reverse=True)[:limit]

    def sub(parent, tag: str, text: str | None = None, **attributes: str):
        element = ElementTree.SubElement(parent, tag, {k: _xml_text(v) for k, v in attributes.items()})
        if text is not None:
            element.text = _xml_text(text)
        return element

    root = ElementTree.Element("feed", {"xmlns": ATOM})
    sub(root, "title", feed.title)
    sub(root, "id", feed.id)
    sub(root, "updated", iso(_moment(records[0]) if records else feed.updated_when_empty))
    sub(root, "link", rel="self", type="application/atom+xml", href=feed.self_url)
    sub(root, "link", rel="alternate", type="text/html", href=feed.page_url)
    author = sub(root, "author")
    sub(author, "name", "Action-plan tracker")
    for record in records:
        if isinstance(record, IndicatorValueRecord):
            _value_entry(sub, root, record, scope, feed)
            continue
        entry = sub(root, "entry")
        title = entry_title(record)
        if feed.name_plans:
            title = f"{title} ({record.plan_title})"
        sub(entry, "id", tag_uri(feed.tag_authority, record.changed_at.date(), f"status-change:{record.id}"))
        sub(entry, "title", title)
        sub(entry, "updated", iso(record.changed_at))
        sub(entry, "published", iso(record.changed_at))
        sub(entry, "link", rel="alternate", type="text/html", href=subject_url(scope.links, record))
        entry_author = sub(entry, "author")
        sub(entry_author, "name", record.role)
        sub(entry, "category", term=record.plan_slug, label=record.plan_title)
        sub(entry, "summary", record.reason, type="text")
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _moment(record) -> datetime:
    return record.counted_at if isinstance(record, IndicatorValueRecord) else record.changed_at


def _value_entry(sub, root, record: IndicatorValueRecord, scope: Scope, feed: Feed) -> None:
    entry = sub(root, "entry")
    title = value_title(record)
    if feed.name_plans:
        title = f"{title} ({record.plan_title})"
    sub(entry, "id", tag_uri(feed.tag_authority, record.counted_at.date(), f"indicator-value:{record.id}"))
    sub(entry, "title", title)
    sub(entry, "updated", iso(record.counted_at))
    sub(entry, "published", iso(record.counted_at))
    sub(entry, "link", rel="alternate", type="text/html", href=indicator_url(scope.links, record))
    entry_author = sub(entry, "author")
    sub(entry_author, "name", "Action-plan tracker")
    sub(entry, "category", term=record.plan_slug, label=record.plan_title)
    sub(entry, "summary", f"{record.indicator_name}: a new value that counts.", type="text")
