"""How a page cites an item's source (``models.source.Cited``): the report as people cite it,
with the file and lines in small print for checkers; the line reference alone when the
report has no bibliographic data. A Jinja global (``citation(item)``) and, for a table's
rows, a function of the page's ``ContentMarking`` taken once.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from markupsafe import Markup, escape

from tracker.web.content_language import ContentMarking, page_marking


def citation_html(item, marking: ContentMarking) -> Markup:
    """``item``'s source as HTML, in a page marked by ``marking`` (the citation is the
    report's own words: ``lang="en"`` on a page in another language)."""
    parts = item.citation_parts
    if not parts:
        return marking.original(item.source_reference)
    author, title, passage = parts
    html = f'<span class="citation"{marking.original_lang}>{escape(author)}'
    if title:
        html += f", <cite>{escape(title)}</cite>"
    if passage:
        html += f", {escape(passage)}"
    html += "</span>"
    if item.line_reference:
        # Translations are markup (as in templates); the values in them are escaped.
        reference = (Markup(_("%(document)s, lines %(lines)s")) % {"document": item.source_document,
                                                                   "lines": item.source_lines}
                     if item.source_lines else item.line_reference)
        text_file = Markup(_("text file %(reference)s")) % {"reference": reference}
        html += f' <small class="line-reference">({text_file})</small>'
    return Markup(html)


def citation(item) -> Markup:
    """``citation_html`` in the request's language: the templates' ``citation(item)``."""
    return citation_html(item, page_marking())


def init_app(app: Flask) -> None:
    """Make ``citation`` a Jinja global."""
    app.jinja_env.globals["citation"] = citation
