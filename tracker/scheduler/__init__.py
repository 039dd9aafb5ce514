"""Scheduled jobs, declared as data. Each job is a plain function of ``now``.

``flask --app wsgi scheduler run`` runs them in their own process (APScheduler 3);
``flask --app wsgi scheduler run-once --now 2027-01-15T08:00`` runs every job as of
a given time, for operators and tests.
"""
