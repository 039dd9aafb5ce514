"""Users and agencies."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from tracker.models import ROLES, TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, TOKEN_SCOPES
from tracker.schemas.action import AGENCY_KEY
from tracker.schemas.base import N_, InputSchema, Integer, Text, password_field, required_str

EMAIL = 254  # the longest address SMTP carries
NEW_PASSWORD = validate.Length(min=10, error=N_("Use at least {min} characters."))


class AgencyInput(InputSchema):
    name = required_str(max_length=300)
    acronym = Text(load_default=None, max_length=40)
    country = required_str(max_length=100)


class UserInput(InputSchema):
    email = required_str(max_length=EMAIL, validate=validate.Email(error=N_("Not a valid email address.")))
    password = password_field(validate=NEW_PASSWORD)
    role = required_str(max_length=20, validate=validate.OneOf(ROLES, error=N_("Choose one of: {choices}.")))
    agency = Text(load_default=None, max_length=AGENCY_KEY)  # acronym or name, required for agency users

    @validates_schema
    def agency_for_focal_points(self, data, **kwargs):
        if data.get("role") == "agency" and not data.get("agency"):
            raise ValidationError(N_("An agency user must belong to an agency."), "agency")


class SignInInput(InputSchema):
    email = required_str(max_length=EMAIL, error_messages={"required": N_("Enter your email address."),
                                                           "null": N_("Enter your email address.")})
    password = password_field(error_messages={"required": N_("Enter your password."), "null": N_("Enter your password.")})
    next = Text(load_default=None, max_length=2000)


class PasswordChangeInput(InputSchema):
    current_password = password_field()
    new_password = password_field(validate=NEW_PASSWORD)


class UserUpdateInput(InputSchema):
    role = required_str(max_length=20, validate=validate.OneOf(ROLES, error=N_("Choose one of: {choices}.")))
    agency = Text(load_default=None, max_length=AGENCY_KEY)
    active = fields.Boolean(load_default=True)

    @validates_schema
    def agency_for_focal_points(self, data, **kwargs):
        if data.get("role") == "agency" and not data.get("agency"):
            raise ValidationError(N_("An agency user must belong to an agency."), "agency")


class TokenInput(InputSchema):
    """A new personal API token: its name, what it may do, and for how many days it works."""

    name = required_str(max_length=100)
    scope = required_str(max_length=20, validate=validate.OneOf(TOKEN_SCOPES, error=N_("Choose one of: {choices}.")))
    days = Integer(minimum=1, maximum=TOKEN_MAX_DAYS, load_default=TOKEN_DEFAULT_DAYS,
                   message=N_("Enter a whole number of days from 1 to {max}.").format(max=TOKEN_MAX_DAYS))


class SecondFactorInput(InputSchema):
    """A code from an authenticator app (six digits) or a recovery code."""

    # Named apart from "code", which in this project is an item's code (``schemas.base.Code``);
    # the form field is still called "code".
    one_time_code = required_str(max_length=40, data_key="code",
                                 error_messages={"required": N_("Enter the code."), "null": N_("Enter the code.")})


class SingleSignOnDomainInput(InputSchema):
    """An email domain whose people get an account at their first single sign-on."""

    domain = required_str(max_length=253, validate=validate.Regexp(
        r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        error=N_("Enter a domain such as ministry.example.gov, without @."),
    ))
    role = required_str(max_length=20, validate=validate.OneOf(ROLES, error=N_("Choose one of: {choices}.")))
    agency = Text(load_default=None, max_length=AGENCY_KEY)

    @validates_schema
    def agency_for_focal_points(self, data, **kwargs):
        if data.get("role") == "agency" and not data.get("agency"):
            raise ValidationError(N_("Agency accounts must belong to an agency."), "agency")
