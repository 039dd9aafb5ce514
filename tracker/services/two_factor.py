"""Two-factor authentication: TOTP codes (RFC 6238) from an authenticator app, recovery codes,
and devices remembered for a while.

Turning it on takes a code from the app, so nobody locks themselves out with a secret their
app never stored. Each accepted code moves ``User.totp_last_step`` on: a code seen once
(over someone's shoulder, in a proxy's log) is refused the second time. Ten recovery codes
are given when it is turned on; only their hashes are kept, and each works once.

A remembered device holds a signed cookie naming the user, when it was issued, and a
fingerprint of the user's TOTP secret: turning two-factor off or resetting it makes every
remembered device ask again. API tokens are credentials of their own and are not affected.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from datetime import datetime, timedelta

import pyotp
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select, update

from tracker.extensions import db
from tracker.models import RECOVERY_CODE_COUNT, RecoveryCode, User
from tracker.schemas.user import SecondFactorInput
from tracker.services.errors import ValidationFailed
from tracker.services.transaction import atomic
from tracker.services.validation import validated

STEP_SECONDS = 30  # RFC 6238's time step, which every authenticator app uses
# Codes of the step before and after are accepted too: phone clocks drift.
DRIFT_STEPS = 1
_REMEMBER_SALT = "tracker.remembered-device"


def new_secret() -> str:
    """A fresh random TOTP secret (160 bits, base32), not yet stored anywhere."""
    return pyotp.random_base32(32)


def provisioning_uri(email: str, secret: str, issuer: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_code_svg(text: str) -> str:
    """``text`` as a QR code, an SVG document of paths (no raster, scales to any screen)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    out = io.BytesIO()
    image.save(out)
    # Without its XML declaration, so it can sit inside an HTML page.
    svg = out.getvalue().decode("utf-8")
    return svg[svg.index("<svg"):]


def required_for(user: User, roles: tuple[str, ...] | list[str]) -> bool:
    """Whether ``user`` must have two-factor authentication on (``TRACKER_REQUIRE_2FA_ROLES``)."""
    return user.role in roles


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code ``code`` is, within the drift allowed; None if none."""
    totp = pyotp.TOTP(secret)
    here = int(now.timestamp()) // STEP_SECONDS
    for step in range(here - DRIFT_STEPS, here + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _clean(code: str) -> str:
    # People type codes with spaces or dashes, as apps and the recovery list show them.
    return "".join(ch for ch in code if ch.isalnum()).lower()


def _code_hash(code: str) -> str:
    return hashlib.sha256(_clean(code).encode("ascii", "ignore")).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)  # 40 bits, shown as xxxxx-xxxxx
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(raw)))
    return codes


def enable(user: User, secret: str, data: dict, *, now: datetime) -> list[str]:
    """Turn two-factor on with ``secret`` once ``data["code"]`` shows the app has it.

    Returns the ten recovery codes, to be shown once.
    """
    code = _clean(validated(SecondFactorInput(), data)["one_time_code"])
    if user.has_two_factor:
        raise ValidationFailed({"code": [gettext("Two-factor authentication is already on.")]})
    step = _matching_step(secret, code, now) if len(secret) >= 16 else None
    if step is None:
        raise ValidationFailed({"code": [gettext("That code is not right: enter the six digits your app shows now.")]})
    with atomic():
        user.totp_secret = secret
        user.totp_enabled_at = now
        user.totp_last_step = step
        return _new_recovery_codes(user)


def check_code(user: User, data: dict, *, now: datetime) -> str | None:
    """Check a second factor: ``"authenticator"`` or ``"recovery_code"`` if it is right, else None.

    A TOTP code is accepted once; a recovery code is used up. Both in SQL, so two requests
    with the same code cannot both succeed.
    """
    code = _clean(validated(SecondFactorInput(), data)["one_time_code"])
    if not user.has_two_factor:
        return None
    with atomic():
        if code.isdigit() and len(code) == 6:
            step = _matching_step(user.totp_secret, code, now)
            if step is None:
                return None
            taken = db.session.execute(
                update(User).where(User.id == user.id,
                                   (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
                .values(totp_last_step=step)
            )
            db.session.refresh(user, ["totp_last_step"])
            return "authenticator" if taken.rowcount == 1 else None
        used = db.session.execute(
            update(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _code_hash(code),
                   RecoveryCode.used_at.is_(None))
            .values(used_at=now)
        )
        return "recovery_code" if used.rowcount == 1 else None


def regenerate_recovery_codes(user: User, data: dict, *, now: datetime) -> list[str]:
    """New recovery codes (the old ones stop working), given a current code."""
    if check_code(user, data, now=now) is None:
        raise ValidationFailed({"code": [gettext("That code is not right.")]})
    with atomic():
        return _new_recovery_codes(user)


def disable(user: User, data: dict, *, now: datetime) -> None:
    """Turn two-factor off, given a current code or a recovery code."""
    if check_code(user, data, now=now) is None:
        raise ValidationFailed({"code": [gettext("That code is not right.")]})
    reset(user)


def reset(user: User) -> None:
    """Turn two-factor off without a code: for the site's operator when someone lost their phone."""
    with atomic():
        user.totp_secret = None
        user.totp_enabled_at = None
        user.totp_last_step = None
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ) or 0


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.id}:{user.totp_secret}".encode()).hexdigest()[:32]


def remember_device(user: User, *, secret_key: str, now: datetime) -> str:
    """The value of a cookie that spares this device the second factor for a while."""
    return URLSafeSerializer(secret_key, salt=_REMEMBER_SALT).dumps(
        {"u": user.id, "t": int(now.timestamp()), "f": _fingerprint(user)}
    )


def is_remembered(user: User, cookie: str | None, *, secret_key: str, days: int, now: datetime) -> bool:
    """Whether ``cookie`` remembers this device for ``user``, issued less than ``days`` ago."""
    if not cookie or not user.has_two_factor or days <= 0:
        return False
    try:
        data = URLSafeSerializer(secret_key, salt=_REMEMBER_SALT).loads(cookie)
    except BadSignature:
        return False
    if not isinstance(data, dict) or data.get("u") != user.id or not isinstance(data.get("t"), int):
        return False
    issued = datetime.fromtimestamp(data["t"], tz=now.tzinfo)
    return hmac.compare_digest(str(data.get("f")), _fingerprint(user)) and now - issued < timedelta(days=days)
