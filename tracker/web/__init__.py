"""HTTP plumbing that is not a route: what wraps every request and response.

Request bodies refused before any work (``input``), security headers and proxies
(``security``), the public's responses replayed from memory (``public_cache``, over the
caches of ``response_cache``), and a clear 503 while the database is unreachable
(``outage``). Routes and ``create_app`` use these; nothing here imports a route.
"""
