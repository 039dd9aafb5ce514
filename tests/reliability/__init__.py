"""Reliability: faults injected into real processes (gunicorn, the scheduler, PostgreSQL)."""
