"""Users and agencies."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from tracker.models import ROLES, TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, TOKEN_SCOPES
from tracker.schemas.base import InputSchema, password_field, required_str

NEW_PASSWORD = validate.Length(min=10, error="Use at least {min} characters.")


class AgencyInput(InputSchema):
    name = required_str(validate=validate.Length(max=300))
    acronym = fields.String(load_default=None, validate=validate.Length(max=40))
    country = required_str(validate=validate.Length(max=100))


class UserInput(InputSchema):
    email = fields.Email(required=True, error_messages={"required": "This field is required."})
    password = password_field(validate=NEW_PASSWORD)
    role = required_str(validate=validate.OneOf(ROLES, error="Choose one of: {choices}."))
    agency = fields.String(load_default=None)  # acronym or name, required for agency users

    @validates_schema
    def agency_for_focal_points(self, data, **kwargs):
        if data.get("role") == "agency" and not data.get("agency"):
            raise ValidationError("An agency user must belong to an agency.", "agency")


class SignInInput(InputSchema):
    email = required_str(error_messages={"required": "Enter your email address.",
                                         "null": "Enter your email address."})
    password = password_field(error_messages={"required": "Enter your password.", "null": "Enter your password."})


class PasswordChangeInput(InputSchema):
    current_password = password_field()
    new_password = password_field(validate=NEW_PASSWORD)


class UserUpdateInput(InputSchema):
    role = required_str(validate=validate.OneOf(ROLES, error="Choose one of: {choices}."))
    agency = fields.String(load_default=None)
    active = fields.Boolean(load_default=True)

    @validates_schema
    def agency_for_focal_points(self, data, **kwargs):
        if data.get("role") == "agency" and not data.get("agency"):
            raise ValidationError("An agency user must belong to an agency.", "agency")


class TokenInput(InputSchema):
    """A new personal API token: its name, what it may do, and for how many days it works."""

    name = required_str(validate=validate.Length(max=100))
    scope = required_str(validate=validate.OneOf(TOKEN_SCOPES, error="Choose one of: {choices}."))
    days = fields.Integer(
        load_default=TOKEN_DEFAULT_DAYS,
        strict=False,
        validate=validate.Range(min=1, max=TOKEN_MAX_DAYS, error="Choose from {min} to {max} days."),
        error_messages={"invalid": "Enter a whole number of days.", "null": "Enter a whole number of days."},
    )
