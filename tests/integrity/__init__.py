"""Tests of the hostile review's findings (issue 12): each item proven through the real routes."""
