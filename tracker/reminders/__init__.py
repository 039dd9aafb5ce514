"""Reminders and mail: what is due, the messages that say so, and their delivery.

Candidates are found and claimed exactly once in sets (``candidates``), turned into
outbox messages (``compose``) by one pass (``run``), and sent later with retries
(``outbox``) over SMTP (``mail``). Reminder emails carry signed links to one action's
report form (``links``); admins read the log of what was sent and answered (``log``).
"""
