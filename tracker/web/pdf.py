"""Pages as PDF documents, made by WeasyPrint from the same HTML the browser gets.

WeasyPrint lays the page out for print media, so the print stylesheet
(``static/*.css``, ``@media print``) is what shapes the PDF too: one stylesheet for the
paper copy a browser prints and the PDF a reader downloads.

WeasyPrint needs Debian's Pango (and its fonts) at run time; without them its import
fails, and ``PdfUnavailable`` says so, for a 503 page rather than a 500.

The renderer fetches nothing from the network: the page's stylesheets are read from the
application's static folder and its images are ``data:`` URIs; any other address is
refused, so a name typed into a plan cannot make the server fetch a URL.
"""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit


class PdfUnavailable(RuntimeError):
    """This server cannot make PDFs (WeasyPrint or the system libraries it needs are missing)."""


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint is there, Pango is not
        raise PdfUnavailable(str(exc)) from exc
    return weasyprint


def html_to_pdf(html: str, *, base_url: str, static_folder: str, static_path: str = "/static/") -> bytes:
    """``html`` as PDF bytes; stylesheets under ``static_path`` come from ``static_folder``."""
    weasyprint = _weasyprint()
    # The screen-only rules of the stylesheets (scrolling, sticky headers, width queries) are
    # what WeasyPrint warns about, once per rule and page: expected, and no news to a log.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = os.path.realpath(static_folder)

    class StaticOnly(URLFetcher):
        """Data URIs, and the application's own static files read from disk; nothing else."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = urlsplit(url).path
            if path.startswith(static_path):
                target = os.path.realpath(os.path.join(root, path[len(static_path):]))
                if target.startswith(root + os.sep) and os.path.isfile(target):
                    with open(target, "rb") as handle:
                        body = handle.read()
                    kind = "text/css" if target.endswith(".css") else "application/octet-stream"
                    return URLFetcherResponse(url, body=body, headers={"Content-Type": kind})
            raise ValueError(f"The PDF renderer fetches no other address: {url}")

    try:
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=StaticOnly(allowed_protocols=("data",))) \
            .write_pdf()
    except OSError as exc:  # a library found at import but failing on first use (fonts, cairo)
        raise PdfUnavailable(str(exc)) from exc
