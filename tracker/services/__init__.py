"""Business operations: one function per operation, the only place that commits.

Each operation validates its input with a marshmallow schema, changes the data,
records history, and commits once inside ``atomic()``; on any error nothing is stored.
The rules every caller asks (``permissions``, ``actors``) and the reads that apply them
for one consumer (``workspace``, ``obligations``, ``api_queries``) live here too; what the
public sees is in ``tracker.publishing``, files in and out in ``tracker.exchange``,
reminders and mail in ``tracker.reminders`` (see ``docs/architecture.md``).
"""
