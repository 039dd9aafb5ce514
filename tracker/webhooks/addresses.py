"""Which URLs a webhook may call: the guard against server-side request forgery.

Only admins register endpoints, but an admin account can be stolen, and the scheduler
runs inside the network: a webhook must not become a way to reach the database, the
cloud's metadata service or an intranet page. So, unless ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``
is set (tests, or a receiver deliberately on the internal network):

- the URL is ``https`` (``http`` only with the setting), with no user name or password in it;
- every address its host name resolves to is a public (global) one: loopback, private,
  link-local (169.254.x, the metadata service), multicast and reserved ranges are refused;
- the connection goes to the address that was checked, not to a second lookup (DNS rebinding);
- redirects are not followed (a public URL could redirect to an internal one).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask_babel import gettext as _


class UnsafeAddress(ValueError):
    """The URL may not be called; the message says why."""


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL, stripped, if it may be registered; else ``UnsafeAddress``.

    Host names are not resolved here (that happens at each delivery, since names move);
    an address written as an IP is checked at once.
    """
    url = (url or "").strip()
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise UnsafeAddress(_("Give a full URL starting with https://."))
    if parts.username or parts.password:
        raise UnsafeAddress(_("Leave the user name and password out of the URL."))
    if len(url) > 2000:
        raise UnsafeAddress(_("The URL is too long (at most 2000 characters)."))
    try:
        port = parts.port
    except ValueError:
        raise UnsafeAddress(_("The URL's port is not a number from 1 to 65535.")) from None
    del port
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return url  # a name: checked when it is resolved
    if not allow_private and not address.is_global:
        raise UnsafeAddress(_("Webhooks may only call public internet addresses."))
    return url


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """One address to connect to for ``host``, after checking every address it resolves to."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeAddress(f"cannot resolve {host}: {exc}") from None
    addresses = [info[4][0] for info in found]
    if not allow_private:
        private = [a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_global]
        if private:
            raise UnsafeAddress(f"{host} resolves to a non-public address ({private[0]}); not called")
    return addresses[0]
