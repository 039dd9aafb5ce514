"""gunicorn's settings for the tracker: ``gunicorn -c gunicorn.conf.py wsgi:app``.

gunicorn reads this file by itself when started from this folder. It keeps one rule:
which ``X-Forwarded-*`` headers to believe is decided by the application alone, through
``TRACKER_TRUSTED_PROXIES`` (0, the default, believes none; see tracker/web/security.py).
gunicorn's own defaults would believe ``X-Forwarded-Proto`` from any client on
127.0.0.1 and take such a request for HTTPS, whatever that setting says.
"""

# Believe no forwarded header here: the app's ProxyFix applies TRACKER_TRUSTED_PROXIES.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
