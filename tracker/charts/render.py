"""Turning a matplotlib ``Figure`` into PNG or SVG bytes, and small drawing helpers.

Figures are built with the object API (``Figure`` + ``FigureCanvasAgg``), never pyplot:
pyplot keeps global figure state and picks a GUI backend, neither of which belongs in a
web process.
"""

from __future__ import annotations

import io
import re
import struct
import textwrap
import threading
import warnings
import zlib
from collections.abc import Callable

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import is_color_like, to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text

from tracker.charts.palette import FALLBACK_COLOUR

FORMATS = ("png", "svg")
DPI = 100
# zlib's level for PNGs: 3 is ~2x faster than Pillow's default 6 on a chart (mostly flat
# colour) for a file ~4% larger; see _png.
PNG_COMPRESSION = 3
PNG_BLOCK_BYTES = 4 * 1024 * 1024  # of RGB rows handed to zlib at a time
MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml"}

# matplotlib's text layout caches and rcParams are process-wide and not thread-safe;
# a threaded server renders one chart at a time.
_lock = threading.Lock()

# Text from the data is text: "$" must not start TeX-like mathtext (a name such as
# "$\foo$" would otherwise fail to parse, or print as a formula).
# In SVGs, text as <text> elements, not glyph outlines: the SVG stays searchable,
# accessible and small, and the codes and names in it can be tested. A fixed hash
# salt makes the same chart render to the same bytes.
_RC = {
    "text.parse_math": False,
    "text.usetex": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "tracker-charts",
}
# Characters XML 1.0 forbids; matplotlib copies text into the SVG as it is, so a control
# character typed into a name would make the whole SVG unreadable.
_XML_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def render(build: Callable[[], Figure], fmt: str, *, title: str = "") -> bytes:
    """Build a figure with ``build()`` and return it as ``fmt`` ("png" or "svg") bytes.

    Text in the SVG is escaped by matplotlib's XML writer, so names taken from the data
    (which anyone with edit rights can type) cannot become markup.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown chart format {fmt!r}; use one of {', '.join(FORMATS)}.")
    buffer = io.BytesIO()
    with _lock, matplotlib.rc_context(_RC), warnings.catch_warnings():
        # A name in a script the bundled font lacks draws as boxes; that must not turn a
        # public chart into an error page.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        warnings.filterwarnings("ignore", message=r"Matplotlib currently does not support")
        figure = build()
        canvas = FigureCanvasAgg(figure)
        if fmt == "png":
            figure.set_dpi(DPI)
            canvas.draw()
            try:
                return _png(np.asarray(canvas.buffer_rgba()), title)
            finally:
                # The renderer's pixels (80 MB for a 500-row Gantt) would otherwise live until
                # the garbage collector's next full pass (~0.1 s) breaks the figure's reference
                # cycles, and a worker drawing the next chart would hold two images: so drop the
                # canvas's reference, and the one each text keeps of the last renderer it used.
                canvas.renderer = None
                canvas._lastKey = None  # so a later draw of the figure makes a renderer anew
                for text in figure.findobj(Text):
                    text._renderer = None
        # No creation date: identical data gives identical bytes.
        figure.savefig(buffer, format=fmt, dpi=DPI, metadata={"Date": None, "Title": title or None})
    return _XML_FORBIDDEN.sub(b"", buffer.getvalue())


def _png(rgba: np.ndarray, title: str) -> bytes:
    """The drawn canvas (height x width x 4 bytes, opaque) as an RGB PNG, titled ``title``.

    Written here rather than by ``savefig`` (Pillow): Pillow keeps the alpha channel and
    tries five filters on every row at zlib level 6, which took 0.55 s of the 1.2 s a
    500-row Gantt (20 million pixels) cost. A chart is opaque and mostly flat colour, so
    unfiltered RGB rows at level 3 compress to about the same size in a third of the time.
    """
    height, width, _ = rgba.shape
    # A block of rows at a time: a copy of the whole image in RGB would be 46 MB more per worker.
    block = max(1, PNG_BLOCK_BYTES // (1 + 3 * width))
    rows = np.zeros((block, 1 + 3 * width), np.uint8)  # the first byte of a row is its filter: none
    pixels = rows[:, 1:].reshape(block, width, 3)
    deflate = zlib.compressobj(PNG_COMPRESSION)
    parts = []
    for first in range(0, height, block):
        n = min(block, height - first)
        for channel in range(3):  # a channel at a time: numpy copies long runs, not 3-byte pixels
            pixels[:n, :, channel] = rgba[first:first + n, :, channel]
        parts.append(deflate.compress(rows[:n]))
    parts.append(deflate.flush())
    chunks = [
        (b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),  # 8-bit RGB
        (b"pHYs", struct.pack(">IIB", round(DPI / 0.0254), round(DPI / 0.0254), 1)),  # DPI, per metre
    ]
    # A PNG's text may hold line feeds but no other control character (nor NUL, which ends
    # the keyword).
    title = "".join(c for c in title if c == "\n" or not (c < " " or "\x7f" <= c <= "\x9f"))
    if title:
        try:
            chunks.append((b"tEXt", b"Title\0" + title.encode("latin-1")))
        except UnicodeEncodeError:  # international text: iTXt, UTF-8, uncompressed
            chunks.append((b"iTXt", b"Title\0\0\0\0\0" + title.encode("utf-8")))
    chunks += [(b"IDAT", b"".join(parts)), (b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
        for tag, data in chunks
    )


def colour(value: str | None, fallback: str = FALLBACK_COLOUR) -> str:
    """``value`` if matplotlib understands it as a colour, else ``fallback``.

    Status colours are data an administrator edits; a typo must not break the chart.
    """
    return value if value and is_color_like(value) else fallback


def text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG's relative luminance)."""
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(background))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # Contrast with white is 1.05 / (L + 0.05); with near-black (L ~ 0.015) (L + 0.05) / 0.065.
    return "#1f2328" if (luminance + 0.05) / 0.065 >= 1.05 / (luminance + 0.05) else "#ffffff"


def shorten(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def wrap(text: str, width: int, max_lines: int = 2) -> str:
    """``text`` wrapped to ``width`` characters on at most ``max_lines`` lines."""
    lines = textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = shorten(lines[-1] + " …", width)
    return "\n".join(lines)


def message_figure(title: str, message: str, subtitle: str = "") -> Figure:
    """A small figure that says there is nothing to draw, titled like the chart it replaces."""
    figure = Figure(figsize=(8, 2.2), layout="constrained")
    figure.suptitle(title, fontsize=12, fontweight="bold")
    ax = figure.add_subplot()
    ax.set_axis_off()
    if subtitle:
        ax.set_title(subtitle, fontsize=9, color="#57606a")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11, color="#57606a")
    return figure


def page_bounds(total: int, page: int, per_page: int) -> tuple[int, int, int]:
    """(first index, last index + 1, number of pages) of ``page`` (1-based).

    Raises ``ValueError`` for a page that does not exist; an empty list has one page.
    """
    pages = max(1, -(-total // per_page))
    if page < 1 or page > pages:
        raise ValueError(f"Page {page} does not exist; there are {pages}.")
    first = (page - 1) * per_page
    return first, min(total, first + per_page), pages
