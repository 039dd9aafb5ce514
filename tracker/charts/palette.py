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
