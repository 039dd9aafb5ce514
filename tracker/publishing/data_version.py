"""The data version: moved on by every transaction that writes, read by the caches.

Every session transaction that writes (an ORM flush, or a statement executed through
the session that changed a row) adds one to ``DataVersion.counter`` as it commits, in
the same transaction. So a reader that sees the new data sees the new counter, and a
cache entry made under an older counter can never be served once the data changed.
Writes to tables no page shows to the public (failed sign-ins, API tokens' last use)
leave it alone, so password guessing, API traffic and the scheduler's heartbeat do not
empty the public caches.

Writes made outside a session (a Core connection of its own: backup restore,
migrations, the benchmark generator) must move it themselves. The counter starts at
the migration's time in microseconds, not at 0, so a database built afresh never
repeats a value that processes still running may have cached other data under.
"""

from __future__ import annotations

from itertools import chain

from sqlalchemy import event, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from tracker.extensions import db
from tracker.models import DataVersion

PRIVATE_TABLES = frozenset({"sign_in_failures", "api_tokens", "scheduler_heartbeat"})
_WROTE = "tracker_wrote_public_data"
_READ = "SELECT counter FROM data_version WHERE id = 1"
_TABLE = DataVersion.__table__
# A Core statement, run on the session's connection: every write pays for it, and the
# ORM's UPDATE (which looks for loaded objects to synchronise) costs several times the SQL.
_BUMP = update(_TABLE).where(_TABLE.c.id == 1).values(counter=_TABLE.c.counter + 1)


def current_data_version() -> int:
    """The counter as this transaction sees it."""
    # Plain SQL on the session's connection: asked on every cached request, and the ORM
    # would cost several times the query itself.
    return db.session.connection().exec_driver_sql(_READ).scalar_one()


def _public(table_name: str | None) -> bool:
    return table_name not in PRIVATE_TABLES


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context) -> None:
    # new/dirty/deleted still hold what this flush wrote (the pre-flush state), and the
    # attributes their history. "dirty" also holds objects an attribute was set on to the
    # value it had (an import re-saving an unchanged plan): no row changed, so no move.
    written = chain(session.new, session.deleted, (o for o in session.dirty if session.is_modified(o)))
    if any(_public(getattr(type(obj), "__tablename__", None)) for obj in written):
        session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState):
    if state.is_select:
        return None
    # Anything else may write (text() too). Run it here to see whether it changed a row:
    # the scheduler releases stale claims every minute, usually none, and a no-op
    # must not empty every public cache.
    table = getattr(state.statement, "table", None)
    if not _public(getattr(table, "name", None)) or state.session.info.get(_WROTE):
        return None
    result = state.invoke_statement()
    if getattr(result, "rowcount", -1) != 0:  # unknown (-1, or none at all) counts as written
        state.session.info[_WROTE] = True
    return result


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outermost commit moves the counter, once
    session.flush()  # commit flushes after this event; what it would write must count
    if session.info.pop(_WROTE, False):
        session.connection().execute(_BUMP)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost one: committed or rolled back
        session.info.pop(_WROTE, None)
