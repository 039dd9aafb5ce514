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
"""

from __future__ import annotations

import click


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
