"""The colours of every chart and page: Okabe and Ito's palette, which people with the
common forms of colour blindness can still tell apart.

Masataka Okabe and Kei Ito, *Color Universal Design* (2002), https://jfly.uni-koeln.de/color/.
The status vocabulary's colours are data (``Status.colour``, set to ``STATUS_COLOURS`` by
migration 0011; administrators may change them), and every chart and page takes a
status's colour from there. "Pending" (not started) is a neutral grey, never an alarm
red: not having started is not a failure. Red-like vermillion is kept for what is
overdue, which is also hatched and named, so no meaning rests on colour alone.
"""

from __future__ import annotations

BLACK = "#000000"
ORANGE = "#e69f00"
SKY_BLUE = "#56b4e9"
BLUISH_GREEN = "#009e73"
YELLOW = "#f0e442"
BLUE = "#0072b2"
VERMILLION = "#d55e00"
REDDISH_PURPLE = "#cc79a7"
NEUTRAL = "#bbbbbb"  # not started, unrated: a grey, not a warning
LIGHT_NEUTRAL = "#dddddd"

# The default status vocabulary (migration 0001's keys).
STATUS_COLOURS = {
    "fully_achieved": BLUISH_GREEN,
    "ongoing": BLUE,
    "under_discussion": ORANGE,
    "pending": NEUTRAL,
}
# The World Bank readiness method's ratings; cells also carry the rating's letter.
RATING_COLOURS = {"GREEN": BLUISH_GREEN, "YELLOW": YELLOW, "RED": VERMILLION}
RATING_LETTERS = {"GREEN": "G", "YELLOW": "Y", "RED": "R"}
UNRATED_COLOUR = LIGHT_NEUTRAL
OVERDUE_COLOUR = VERMILLION
FALLBACK_COLOUR = "#8c959f"  # a status whose colour is missing or not a colour
# What a page needs to show a rating: its letter and colour, by the method's names.
RATINGS = {key: (RATING_LETTERS[key], RATING_COLOURS[key]) for key in RATING_COLOURS}

# The palette as an administrator picks from it for a new status (``/admin/statuses``).
NAMED_COLOURS = (
    ("Bluish green", BLUISH_GREEN), ("Blue", BLUE), ("Orange", ORANGE), ("Sky blue", SKY_BLUE),
    ("Reddish purple", REDDISH_PURPLE), ("Vermillion", VERMILLION), ("Black", BLACK), ("Grey", NEUTRAL),
)
# A status's colour marks dots, borders and bars on the white page: it must stand out from
# white at least as much as the palette's grey (1.9:1) does. Yellow (1.2:1) does not.
MIN_CONTRAST_ON_WHITE = 1.8
# Two statuses closer than this (in RGB, 0-441) read as one, to anyone.
MIN_DISTANCE = 60


def _channels(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of a ``#rrggbb`` colour (0 black to 1 white)."""
    def linear(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1's contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def distance(first: str, second: str) -> float:
    """How far apart two ``#rrggbb`` colours are (Euclidean, in RGB)."""
    return sum((x - y) ** 2 for x, y in zip(_channels(first), _channels(second), strict=True)) ** 0.5
