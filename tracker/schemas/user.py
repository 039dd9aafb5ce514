"""Users and agencies."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from tracker.models import ROLES
from tracker.schemas.action import AGENCY_KEY
from tracker.schemas.base import InputSchema, Text, required_str

EMAIL = 254  # the longest address SMTP carries
# Passwords are never altered, only refused when they are too long to be a password: hashing
# megabytes of "password" on every sign-in would be work anyone could make the server do.
PASSWORD = 1024


class AgencyInput(InputSchema):
    name = required_str(max_length=300)
    acronym = Text(load_default=None, max_length=40)
    country = required_str(max_length=100)


class UserInput(InputSchema):
    email = required_str(max_length=EMAIL, validate=validate.Email(error="Not a valid email address."))
    password = required_str(
        load_only=True, min_length=10, max_length=PASSWORD,
    )
    role = required_str(max_length=20, validate=validate.OneOf(ROLES, error="Choose one of: {choices}."))
    agency = Text(load_default=None, max_length=AGENCY_KEY)  # acronym or name, required for agency users

    @validates_schema
    def agency_for_focal_points(self, data, **kwargs):
        if data.get("role") == "agency" and not data.get("agency"):
            raise ValidationError("An agency user must belong to an agency.", "agency")


class SignInInput(InputSchema):
    email = required_str(max_length=EMAIL)
    password = required_str(load_only=True, max_length=PASSWORD)
    next = Text(load_default=None, max_length=2000)


class PasswordChangeInput(InputSchema):
    current_password = required_str(load_only=True, max_length=PASSWORD)
    new_password = required_str(load_only=True, min_length=10, max_length=PASSWORD)


class UserUpdateInput(InputSchema):
    role = required_str(max_length=20, validate=validate.OneOf(ROLES, error="Choose one of: {choices}."))
    agency = Text(load_default=None, max_length=AGENCY_KEY)
    active = fields.Boolean(load_default=True)

    @validates_schema
    def agency_for_focal_points(self, data, **kwargs):
        if data.get("role") == "agency" and not data.get("agency"):
            raise ValidationError("An agency user must belong to an agency.", "agency")


class TokenInput(InputSchema):
    name = required_str(max_length=100)
