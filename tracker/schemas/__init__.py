"""Marshmallow schemas: the single contract for input (API and forms) and output."""
