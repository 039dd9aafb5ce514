"""Calendars: iCalendar (RFC 5545) feeds of due dates, milestones and report deadlines.

``feeds`` gathers the dates and writes the ``.ics``; ``addresses`` gives each signed-in
user a secret, revocable address for the feeds that are not public.
"""
