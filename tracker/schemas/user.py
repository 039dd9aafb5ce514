"""Users and agencies."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from tracker.models import ROLES
from tracker.schemas.base import InputSchema, required_str


class AgencyInput(InputSchema):
    name = required_str(validate=validate.Length(max=300))
    acronym = fields.String(load_default=None, validate=validate.Length(max=40))
    country = required_str(validate=validate.Length(max=100))


class UserInput(InputSchema):
    email = fields.Email(required=True, error_messages={"required": "This field is required."})
    password = required_str(
        load_only=True,
        validate=validate.Length(min=10, error="Use at least {min} characters."),
    )
    role = required_str(validate=validate.OneOf(ROLES, error="Choose one of: {choices}."))
    agency = fields.String(load_default=None)  # acronym or name, required for agency users

    @validates_schema
    def agency_for_focal_points(self, data, **kwargs):
        if data.get("role") == "agency" and not data.get("agency"):
            raise ValidationError("An agency user must belong to an agency.", "agency")


class SignInInput(InputSchema):
    email = required_str()
    password = required_str(load_only=True)
    next = fields.String(load_default=None)


class PasswordChangeInput(InputSchema):
    current_password = required_str(load_only=True)
    new_password = required_str(
        load_only=True, validate=validate.Length(min=10, error="Use at least {min} characters.")
    )


class UserUpdateInput(InputSchema):
    role = required_str(validate=validate.OneOf(ROLES, error="Choose one of: {choices}."))
    agency = fields.String(load_default=None)
    active = fields.Boolean(load_default=True)

    @validates_schema
    def agency_for_focal_points(self, data, **kwargs):
        if data.get("role") == "agency" and not data.get("agency"):
            raise ValidationError("An agency user must belong to an agency.", "agency")


class TokenInput(InputSchema):
    name = required_str(validate=validate.Length(max=100))
