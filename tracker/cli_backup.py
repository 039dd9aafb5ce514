"""Command-line interface: ``flask --app wsgi backup create`` and ``backup restore``.

Thin: the work (and every check) is in ``tracker.exchange.backups``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.cli_help import option
from tracker.exchange.backups import BackupError, create_backup, head_revision, restore_backup

backup = AppGroup("backup", help=_l("Back up the whole tracker into one archive, and restore it."))


@backup.command("create", help=_l(
    "Write every table's rows and every uploaded evidence file into one archive."
))
@option(
    "-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
    help=_l("Archive to write: .tar.gz, or .zip if the name ends so; '-' writes a .tar.gz to "
            "standard output. Default: tracker-backup-<UTC time>.tar.gz here."),
)
def create_command(output: str | None) -> None:
    """``flask backup create``: what it does for users is its ``help``, the one text translated."""
    now = datetime.now(UTC)
    output = output or f"tracker-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    upload_dir = current_app.config["UPLOAD_DIR"]
    try:
        if output == "-":
            manifest = create_backup(click.get_binary_stream("stdout"), upload_dir=upload_dir, now=now)
        else:
            manifest = create_backup(output, upload_dir=upload_dir, now=now)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    for name in manifest.missing_files:
        click.echo(_("warning: evidence file %(name)s is missing from %(folder)s; not in the backup.",
                     name=name, folder=upload_dir), err=True)
    click.echo(
        _("Wrote %(file)s: revision %(revision)s, %(rows)s rows in %(tables)s tables, %(files)s evidence files.",
          file=_("standard output") if output == "-" else output, revision=manifest.revision,
          rows=manifest.total_rows, tables=len(manifest.tables), files=len(manifest.files)),
        err=output == "-",
    )


@backup.command("restore", help=_l(
    "Restore ARCHIVE into an empty database (all or nothing), with its evidence files.\n\nA "
    "database without tables is first migrated to the archive's revision."
))
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@option("--force", is_flag=True, help=_l("Replace everything in a database that already holds data."))
def restore_command(archive: str, force: bool) -> None:
    """``flask backup restore``: what it does for users is its ``help``, the one text translated."""
    try:
        manifest = restore_backup(
            archive, upload_dir=current_app.config["UPLOAD_DIR"], migrations=_migrations(), force=force
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        _("Restored %(file)s (made %(when)s UTC by tracker %(version)s on %(database)s): %(rows)s rows "
          "in %(tables)s tables, %(files)s evidence files, at revision %(revision)s.",
          file=archive, when=f"{manifest.created_at:%Y-%m-%d %H:%M}", version=manifest.app_version,
          database=manifest.database, rows=manifest.total_rows, tables=len(manifest.tables),
          files=len(manifest.files), revision=manifest.revision)
    )
    head = head_revision(_migrations())
    if head and head != manifest.revision:
        click.echo(_("Run 'flask --app wsgi db upgrade' to bring the database to revision %(revision)s.",
                     revision=head))


def _migrations():
    """This app's Alembic configuration, as ``flask db`` uses it."""
    return current_app.extensions["migrate"].migrate.get_config()
