"""Role guards for blueprints: sign-in required, then a role check, in ``before_request``."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app
from flask_login import current_user


def require_roles(*roles: str) -> Callable[[], object]:
    """A ``before_request`` hook admitting signed-in users with one of ``roles`` (403 otherwise)."""

    def guard():
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403)
        return None

    return guard
