"""Public subscriptions: anyone follows a plan, an area or a recommendation by email.

``follow`` is the sign-up with double opt-in and the one-click unsubscribe; ``digests``
writes, from the scheduler, one message per subscription listing the status changes
since the last one. Both go through the reminders' outbox (``reminders.outbox``), which
delivers each message once.
"""
