"""Rendered responses kept in memory, keyed so that a stale one can never be served.

Per process, made on first use and bounded by entries and bytes: the drawn charts
(``routes.charts``), keyed by the plan's fingerprint, so a chart is drawn again only
when the data it shows changed; and the public's responses (``tracker.web.public_cache``),
keyed by the data version. Plan fingerprints (a dozen aggregate queries) and what a plan's
pages show of the whole plan whatever the page (``remembered_for_plan``: its filters'
choices, its counts, its scorecard, its readiness assessment), and the site's own such
facts (``remembered``: the agencies index's figures) are remembered per data version too,
so while nothing is written none is computed twice.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar

from flask import Flask, current_app

from tracker.publishing.versions import PlanFingerprint, plan_fingerprint

T = TypeVar("T")
CHARTS, PUBLIC, FINGERPRINTS = "tracker_chart_cache", "tracker_public_cache", "tracker_fingerprints"
PLAN_FACTS = "tracker_plan_facts"


@dataclass(frozen=True)
class Rendered:
    """What a cache keeps: the bytes and the headers that go with them."""

    body: bytes
    mimetype: str
    headers: dict[str, str] = field(default_factory=dict)


class ResponseCache:
    """A small thread-safe LRU of rendered responses (anything with ``body`` bytes),
    bounded by entries and by bytes."""

    def __init__(self, max_entries: int = 64, max_bytes: int = 32 * 1024 * 1024):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._items: OrderedDict[str, Rendered] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Rendered | None:
        """The entry for ``key``, now the most recently used, or None."""
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: str, item: Rendered) -> None:
        """Keep ``item``, dropping the least recently used entries beyond the bounds."""
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._items[key] = item
            self._bytes += len(item.body)
            while self._items and (len(self._items) > self.max_entries or self._bytes > self.max_bytes):
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped.body)

    def clear(self) -> None:
        """Forget everything (it is rendered again on demand)."""
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


def chart_cache() -> ResponseCache:
    """The application's chart cache (size: ``CHART_CACHE_ENTRIES``, default 64)."""
    return _cache(CHARTS, int(current_app.config.get("CHART_CACHE_ENTRIES", 64)))


def _cache(name: str, entries: int) -> ResponseCache:
    cache = current_app.extensions.get(name)
    if cache is None:
        cache = current_app.extensions.setdefault(name, ResponseCache(max_entries=entries))
    return cache


def clear_caches(app: Flask) -> None:
    """Forget every cached chart, page and fingerprint of ``app``.

    Never needed in service: the data version only grows. Tests need it, because
    rolling back a test's transaction takes the counter back too.
    """
    for name in (CHARTS, FINGERPRINTS, PLAN_FACTS):
        app.extensions.pop(name, None)
    if PUBLIC in app.extensions:
        app.extensions[PUBLIC].clear()


def remembered_fingerprint(plan, version: int) -> PlanFingerprint:
    """``plan_fingerprint(plan)``, computed again only when the data version moved.

    ``version`` must have been read before ``plan`` was loaded.
    """
    memo = current_app.extensions.setdefault(FINGERPRINTS, {})
    hit = memo.get(plan.id)
    if hit is not None and hit[0] == version:
        return hit[1]
    fingerprint = plan_fingerprint(plan)
    memo[plan.id] = (version, fingerprint)
    return fingerprint


def remembered_for_plan(plan, what: str, version: int, compute: Callable[[], T]) -> T:
    """``compute()``, a fact about the whole of ``plan`` named ``what``, computed again only
    when the data version moved (``remembered``)."""
    return remembered((plan.id, what), version, compute)


def remembered(key: Hashable, version: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, a fact named ``key`` about the data (a plan's, or the whole site's),
    computed again only when ``version`` moved: the data version, or the data version and
    whatever else the fact depends on (today's date).

    The data version must have been read before what ``compute`` reads. What it returns is
    kept across requests and threads, so it must be plain values, never ORM objects (they
    belong to one request's session). One entry per key: a new version replaces the old.
    """
    memo = current_app.extensions.setdefault(PLAN_FACTS, {})
    hit = memo.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = compute()
    memo[key] = (version, value)
    return value
