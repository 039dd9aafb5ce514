"""One transaction per business operation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.services.errors import ValidationFailed


@dataclass(frozen=True)
class Actor:
    """Who performs an operation: a signed-in user, or the system (seed, scheduler)."""

    user_id: int | None
    label: str

    @classmethod
    def of(cls, user) -> Actor:
        return cls(user_id=user.id, label=user.email)

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(user_id=None, label=label)


@contextmanager
def atomic() -> Iterator[None]:
    """Run the body as one transaction: commit once at the end, or roll everything back.

    Operations compose: an operation called inside another joins the outer
    transaction, so a seed load or a spreadsheet import is all-or-nothing.
    A constraint violation that validation did not catch becomes ``ValidationFailed``
    rather than a server error.
    """
    info = db.session.info
    if info.get("atomic_depth"):
        info["atomic_depth"] += 1
        try:
            yield
        finally:
            info["atomic_depth"] -= 1
        return
    info["atomic_depth"] = 1
    try:
        yield
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ValidationFailed({"_schema": [_describe_integrity_error(exc)]}) from exc
    except BaseException:
        db.session.rollback()
        raise
    finally:
        info["atomic_depth"] = 0


def inside_operation() -> bool:
    """Whether an operation's transaction is open: ``atomic()`` would join it, not commit."""
    return bool(db.session.info.get("atomic_depth"))


def _describe_integrity_error(exc: IntegrityError) -> str:
    text = str(exc.orig).lower()
    if "unique" in text or "duplicate" in text:
        return "This conflicts with an existing record (a value that must be unique is already used)."
    if "foreign key" in text:
        return "This refers to a record that does not exist."
    return "The data breaks a rule of the database and was not saved."


def keep_loaded_after_commit() -> Callable[[], None]:
    """Let what the session commits stay loaded after the commit, until the returned
    function is called (at the latest when the request's answer is made).

    For a request that answers with what it has just written (the API's 201 with the new
    report): SQLAlchemy's default is to forget every loaded value at a commit, so the
    answer would be read back in a second transaction (on SQLite, a second wait for the
    write lock under load) although this process wrote those values itself.
    """
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False

    def restore() -> None:
        session.expire_on_commit = before

    return restore


def write_transaction() -> None:
    """Declare, before its first query, that the current transaction will write.

    On SQLite this takes the write lock at BEGIN, so concurrent writers queue up
    instead of failing; other databases need nothing and ignore it.
    """
    session = db.session()
    if session.in_transaction() or session.get_bind().dialect.name != "sqlite":
        return  # too late to choose (joined an open transaction), or nothing to choose
    session.connection(execution_options={"write_transaction": True})
