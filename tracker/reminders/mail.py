"""Sending email over SMTP, with the settings passed in (never read at import)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime


@dataclass(frozen=True)
class MailSettings:
    """Where mail goes. With no ``server`` mail is kept in the app's outbox instead."""

    server: str | None
    port: int
    use_tls: bool
    use_ssl: bool
    username: str | None
    password: str | None
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config) -> MailSettings:
        return cls(
            server=config.get("MAIL_SERVER") or None,
            port=int(config.get("MAIL_PORT") or 25),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            sender=config.get("MAIL_FROM") or "tracker@localhost",
            timeout=float(config.get("MAIL_TIMEOUT") or 10),
        )


# The longest subject kept (the outbox column's size).
SUBJECT_LENGTH = 300


def one_line(text: str, limit: int = SUBJECT_LENGTH) -> str:
    """``text`` as one header-safe line: every run of white space (CR and LF included) becomes
    one space, and it is cut to ``limit`` characters with an ellipsis.

    Mail headers cannot hold line breaks, and titles typed by people sometimes do.
    """
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def build_email(settings: MailSettings, message) -> EmailMessage:
    """An email with a text and an HTML part from an ``OutboxMessage``."""
    email = EmailMessage()
    email["From"] = settings.sender
    email["To"] = message.recipient
    # One line even for a message composed before subjects were made so.
    email["Subject"] = one_line(message.subject)
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at)
    # e.g. List-Unsubscribe on a follower's mail; one line each, like the subject.
    for name, value in (getattr(message, "headers", None) or {}).items():
        email[name] = one_line(value, limit=2000)
    email.set_content(message.body_text or "")
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


class SmtpConnection:
    """One SMTP session for a batch of messages, opened on first use."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def send(self, email: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(email)
        except (OSError, smtplib.SMTPException):
            self.close()
            raise

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        if s.use_ssl:
            smtp = smtplib.SMTP_SSL(s.server, s.port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
            if s.use_tls:
                smtp.starttls(context=context)
        if s.username:
            smtp.login(s.username, s.password or "")
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None
