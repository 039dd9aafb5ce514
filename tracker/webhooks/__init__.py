"""Webhooks: telling other systems what happened, signed, queued with the event and retried.

``events`` queues deliveries (in the caller's transaction); ``delivery`` sends them from
the scheduler; ``endpoints`` is what admins do (register, disable, re-send); ``addresses``
decides which URLs may be called at all.
"""
