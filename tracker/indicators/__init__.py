"""Indicators' pure rules: how progress towards a target is rated (``progress``)."""
