"""``flask --app wsgi ... --help`` in the operator's language, as the commands' own messages are.

The help of a group, a command or an option is a lazy string (``_l``): it is translated
when click formats the help, not when the module is imported. That happens inside the app
context ``flask`` pushes to find the app's commands, so Flask-Babel's locale selector gives
the command line's one rule (``web.languages.environment_language``: ``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES``, ``LANG``), the same that translates what the commands print.

Groups and commands keep a lazy ``help`` as it is. An option does not: click tidies an
option's help with ``inspect.cleandoc`` when the option is made, which would translate it
at import, outside any app context, into English. ``option`` keeps it lazy instead.

A command's help is its ``help=_l(...)``, the one text users read and translators see; the
function's docstring is for developers and does not repeat it (click shows a docstring
only when no ``help`` is given).

click's own words ("Usage:", "Options", "Show this message and exit.", its error lines)
come through Python's ``gettext`` module, in its default domain, ``messages``: our
catalogues are files of that domain, so ``speak_the_operators_language`` points the domain
at them, and click reads them for the language the same variables name (``gettext`` looks
at ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` and ``LANG``, in that order, as we do).
"""

from __future__ import annotations

import gettext
from pathlib import Path

import click

from tracker.models.translations import N_

TRANSLATIONS = Path(__file__).resolve().parent / "translations"

# The words click writes itself on ``--help`` and on a usage error, marked so that the
# catalogues hold them (click's {placeholders} kept as they are).
CLICK_WORDS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("required"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing command."),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} does not exist."),
    N_("Choose from:\n\t{choices}"),
    N_("Aborted!"),
    N_("Repeat for confirmation"),
    N_("Error: The two entered values do not match."),
    N_("Do you want to continue?"),
)


def speak_the_operators_language() -> None:
    """Let click translate its own words through our catalogues (see the module docstring)."""
    gettext.bindtextdomain("messages", str(TRANSLATIONS))


class Option(click.Option):
    """A click option whose help is translated when the help is shown."""

    def __init__(self, *args, help=None, **kwargs):
        super().__init__(*args, help=help, **kwargs)
        self.help = help  # lazy: see the module docstring

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        return None if record is None else (record[0], str(record[1]))


def option(*param_decls: str, **attrs):
    """``click.option`` with a help translated at ``--help`` time (``help=_l("...")``)."""
    return click.option(*param_decls, cls=Option, **attrs)
