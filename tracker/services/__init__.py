"""Business operations: one function per operation, the only place that commits.

Each operation validates its input with a marshmallow schema, changes the data,
records history, and commits once inside ``atomic()``; on any error nothing is stored.
"""
