"""Command-line interface: ``flask --app wsgi users ...`` and ``flask --app wsgi seed ...``."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from tracker.cli_help import option
from tracker.exchange.seed_files import iter_documents, load_seed_document, seed_paths
from tracker.services.errors import ValidationFailed
from tracker.services.transaction import Actor
from tracker.services.users import create_user

users = AppGroup("users", help=_l("Manage user accounts."))
seed = AppGroup("seed", help=_l("Load the seed reports as real data."))
plans = AppGroup("plans", help=_l("Import and export plans as spreadsheets."))
agencies = AppGroup("agencies", help=_l("Manage agencies."))
groups = [users, seed, plans, agencies]


def _now() -> datetime:
    return datetime.now(UTC)


def _fail(exc: ValidationFailed) -> None:
    for field, messages in exc.errors.items():
        for message in messages if isinstance(messages, list) else [messages]:
            click.echo(_("error: %(field)s: %(message)s", field=field, message=message), err=True)
    raise SystemExit(1)


@users.command("create", help=_l("Create a user account."))
@click.option("--email", required=True)
@option("--role", required=True, help=_l("admin, secretariat, agency or assessor"))
@option("--agency", default=None, help=_l("Acronym or name of the user's agency (agency role)."))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(email: str, role: str, agency: str | None, password: str) -> None:
    """``flask users create``: what it does for users is its ``help``, the one text translated."""
    try:
        user = create_user(
            {"email": email, "role": role, "agency": agency, "password": password}, now=_now()
        )
    except ValidationFailed as exc:
        _fail(exc)
    click.echo(_("Created %(role)s user %(email)s.", role=user.role, email=user.email))


@users.command("list", help=_l("List user accounts: email, role, agency, active."))
def list_users_command() -> None:
    """``flask users list``: what it does for users is its ``help``, the one text translated."""
    from tracker.services.users import list_users

    for user in list_users():
        agency = user.agency.acronym or user.agency.name if user.agency else "-"
        state = _("active") if user.active else _("inactive")
        click.echo(f"{user.email}\t{user.role}\t{agency}\t{state}")


@users.command("update", help=_l("Change a user's role, agency or whether they may sign in."))
@click.option("--email", required=True)
@option("--role", default=None, help=_l("admin, secretariat, agency or assessor"))
@option("--agency", default=None, help=_l("Acronym or name of the user's agency (agency role)."))
@option("--active/--inactive", default=None, help=_l("Allow or stop signing in."))
def update_user_command(email: str, role: str | None, agency: str | None, active: bool | None) -> None:
    """``flask users update``: what it does for users is its ``help``, the one text translated."""
    from tracker.services.users import find_user_by_email, update_user

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(_("No user %(email)r.", email=email))
    data = {
        "role": role or user.role,
        "agency": agency if agency is not None else (user.agency.acronym or user.agency.name if user.agency else None),
        "active": user.active if active is None else active,
    }
    try:
        update_user(user, data, acting_admin=None)  # the site's operator
    except ValidationFailed as exc:
        _fail(exc)
    click.echo(_("Updated %(email)s: %(role)s, %(state)s.", email=user.email, role=user.role,
                 state=_("active") if user.active else _("inactive")))


@users.command("reset-two-factor", help=_l(
    "Turn a user's two-factor authentication off (a lost phone and no recovery "
    "codes).\n\nTheir recovery codes and remembered devices stop working; they set it up again "
    "at the next sign-in if their role requires it."
))
@click.option("--email", required=True)
def reset_two_factor_command(email: str) -> None:
    """``flask users reset-two-factor``: what it does for users is its ``help``, the one text translated."""
    from tracker.services.two_factor import reset
    from tracker.services.users import find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(_("No user %(email)r.", email=email))
    reset(user)
    click.echo(_("Two-factor authentication is off for %(email)s.", email=user.email))


@users.command("sign-in-log", help=_l("The latest sign-in attempts: when, account, address, method, result."))
@option("--email", default=None, help=_l("Only this account's attempts."))
@click.option("--limit", default=50, show_default=True)
def sign_in_log_command(email: str | None, limit: int) -> None:
    """``flask users sign-in-log``: what it does for users is its ``help``, the one text translated."""
    from tracker.services.sign_in_log import recent_events

    for event in recent_events(email=email, limit=limit):
        result = "ok" if event.succeeded else "FAILED"
        click.echo(f"{event.at:%Y-%m-%d %H:%M:%S}\t{event.email}\t{event.remote_addr or '-'}\t{event.method}"
                   f"\t{result}\t{event.detail or ''}")


@agencies.command("create", help=_l("Create an agency."))
@click.option("--name", required=True)
@click.option("--acronym", default=None)
@click.option("--country", required=True)
def create_agency_command(name: str, acronym: str | None, country: str) -> None:
    """``flask agencies create``: what it does for users is its ``help``, the one text translated."""
    from tracker.services.agencies import create_agency

    try:
        agency = create_agency({"name": name, "acronym": acronym, "country": country})
    except ValidationFailed as exc:
        _fail(exc)
    click.echo(_("Created agency %(name)s (%(country)s).", name=agency.display_name, country=agency.country))


@agencies.command("list", help=_l("List agencies: country, acronym, name."))
@click.option("--country", default=None)
def list_agencies_command(country: str | None) -> None:
    """``flask agencies list``: what it does for users is its ``help``, the one text translated."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Agency

    query = select(Agency).order_by(Agency.country, Agency.name)
    if country:
        query = query.where(Agency.country == country)
    for agency in db.session.scalars(query):
        click.echo(f"{agency.country}\t{agency.acronym or '-'}\t{agency.name}")


DEMO_PASSWORD = "tracker-demo-password"
# (email, role, agency): one of each role, the agency user being the lead of most of
# Mongolia's action plan, so "what we owe" has real content on a fresh install.
DEMO_USERS = (
    ("admin@example.org", "admin", None),
    ("secretariat@example.org", "secretariat", None),
    ("agency@example.org", "agency", "CabSec"),
    ("assessor@example.org", "assessor", None),
)


@users.command("demo", help=_l(
    "Create the documented demo accounts (known passwords, for trying the service).\n\nThey "
    "exist so a newcomer can sign in after 'make run'. On any database but the embedded "
    "SQLite one they are refused unless asked for with --any-database, so a production "
    "deployment never gets a known password by accident."
))
@option(
    "--any-database",
    is_flag=True,
    help=_l("Also on a database other than the embedded SQLite one (a PostgreSQL trial)."),
)
def demo_users_command(any_database: bool) -> None:
    """``flask users demo``: what it does for users is its ``help``, the one text translated."""
    from tracker.extensions import db
    from tracker.services.users import find_user_by_email

    if db.engine.dialect.name != "sqlite" and not any_database:
        raise click.ClickException(_(
            "Demo accounts have known passwords, so they are only made on the embedded SQLite "
            "database; for a trial on this database, run again with --any-database."
        ))
    for email, role, agency in DEMO_USERS:
        if find_user_by_email(email) is None:
            try:
                create_user({"email": email, "role": role, "agency": agency, "password": DEMO_PASSWORD}, now=_now())
            except ValidationFailed as exc:  # e.g. the Mongolian plan was not loaded
                click.echo(_("Skipped demo %(role)s %(email)s: %(reason)s", role=role, email=email, reason=exc),
                           err=True)
                continue
            click.echo(_("Created demo %(role)s %(email)s (password: %(password)s).", role=role, email=email,
                         password=DEMO_PASSWORD))


@seed.command("load", help=_l(
    "Load every seed plan (or the one named SLUG) through the services.\n\nLoading again "
    "changes nothing; an edited seed file updates its plan in place."
))
@click.argument("slug", required=False)
def load_command(slug: str | None) -> None:
    """``flask seed load``: what it does for users is its ``help``, the one text translated."""
    _run_seed(slug, dry_run=False)


@seed.command("check", help=_l("Validate the seed files as a load would, without writing anything."))
@click.argument("slug", required=False)
def check_command(slug: str | None) -> None:
    """``flask seed check``: what it does for users is its ``help``, the one text translated."""
    _run_seed(slug, dry_run=True)


def _run_seed(slug: str | None, *, dry_run: bool) -> None:
    seed_dir = current_app.config["SEED_DIR"]
    try:
        paths = seed_paths(seed_dir, slug)
    except ValidationFailed as exc:
        _fail(exc)
    failures = 0
    report: list[str] = []
    with click.progressbar(length=len(paths), label=_("Seed plans"), file=sys.stderr) as bar:
        for path, document in iter_documents(seed_dir, slug):
            try:
                summary = load_seed_document(path, document, now=_now(), dry_run=dry_run)
            except ValidationFailed as exc:
                failures += 1
                report.append(_("%(file)s: invalid", file=path.name))
                report += [f"  {f}: {m}" for f, msgs in exc.errors.items() for m in msgs]
            else:
                report.append(_outcome(summary, dry_run=dry_run))
            bar.update(1)
    for line in report:
        click.echo(line, err=line.startswith(" ") or line.endswith(_("invalid")))
    if failures:
        raise SystemExit(1)


def _describe(summary) -> str:
    parts = [_("%(num)s %(kind)s created", num=n, kind=kind) for kind, n in sorted(summary.created.items())]
    parts += [_("%(num)s %(kind)s updated", num=n, kind=kind) for kind, n in sorted(summary.updated.items())]
    return ", ".join(parts)


def _outcome(summary, *, dry_run: bool) -> str:
    """What loading or importing did to a plan (or would do, in a dry run), in one line."""
    detail = _describe(summary)
    if not detail:
        return _("%(slug)s: unchanged", slug=summary.slug)
    if dry_run:
        return _("%(slug)s: would change %(detail)s", slug=summary.slug, detail=detail)
    return _("%(slug)s: changed %(detail)s", slug=summary.slug, detail=detail)


@plans.command("import", help=_l(
    "Import a plan from a CSV or XLSX file in the spreadsheet format (all or nothing)."
))
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@option("--dry-run", is_flag=True, help=_l("List every problem and what would change; write nothing."))
@option("--publish", is_flag=True,
        help=_l("Publish the plan if this import creates it (an existing plan keeps its state)."))
@option("--create-agencies", is_flag=True,
        help=_l("Create the agencies the file names that do not exist yet (otherwise they are refused)."))
def import_command(path: str, dry_run: bool, publish: bool, create_agencies: bool) -> None:
    """``flask plans import``: what it does for users is its ``help``, the one text translated."""
    from pathlib import Path

    from tracker.exchange.spreadsheets.importing import import_spreadsheet
    from tracker.exchange.spreadsheets.reading import SpreadsheetLimits

    result = import_spreadsheet(
        Path(path).name,
        Path(path).read_bytes(),
        actor=Actor.system("import"),
        now=_now(),
        limits=SpreadsheetLimits.from_config(current_app.config),
        dry_run=dry_run,
        publish=publish,
        create_agencies=create_agencies,
    )
    if not result.ok:
        for problem in result.problems:
            click.echo(_("error: %(problem)s", problem=problem), err=True)
        click.echo(ngettext("%(num)d problem; nothing was imported.", "%(num)d problems; nothing was imported.",
                            len(result.problems)), err=True)
        raise SystemExit(1)
    summary = result.summary
    click.echo(_outcome(summary, dry_run=dry_run))
    if summary.agencies_created:
        label = _("agencies to create") if dry_run else _("agencies created")
        click.echo(f"{summary.slug}: {label}: {'; '.join(summary.agencies_created)}")
    click.echo(_publication(summary, dry_run=dry_run))


def _publication(summary, *, dry_run: bool) -> str:
    """Whether the import makes the plan public, in one line (the dry run says it first)."""
    slug = summary.slug
    if summary.becomes_public:
        return _("%(slug)s would become public.", slug=slug) if dry_run else _("%(slug)s is now public.", slug=slug)
    if summary.plan_created:
        return (_("%(slug)s would be created private (--publish publishes it).", slug=slug) if dry_run
                else _("%(slug)s was created private: publish it on its page when ready.", slug=slug))
    if summary.published:
        return _("%(slug)s stays public: an import never publishes or unpublishes an existing plan.", slug=slug)
    return _("%(slug)s stays private: an import never publishes or unpublishes an existing plan.", slug=slug)


@plans.command("export", help=_l("Export a plan in the spreadsheet format, ready to edit and import again."))
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@option("-o", "--output", type=click.Path(dir_okay=False), help=_l("File to write (default: standard output)."))
def export_command(slug: str, fmt: str, output: str | None) -> None:
    """``flask plans export``: what it does for users is its ``help``, the one text translated."""
    from tracker.exchange.spreadsheets.writing import export_rows, to_csv, to_xlsx
    from tracker.services.errors import NotFound
    from tracker.services.plans import get_plan

    try:
        plan = get_plan(slug)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    data = (to_csv if fmt == "csv" else to_xlsx)(export_rows(plan))
    if output:
        with open(output, "wb") as handle:
            handle.write(data)
        click.echo(_("Wrote %(file)s.", file=output), err=True)
    else:
        click.get_binary_stream("stdout").write(data)


scheduler = AppGroup("scheduler", help=_l("Run the reminder jobs."))
groups.append(scheduler)


@scheduler.command("run", help=_l(
    "Run the scheduled jobs in this process until stopped (deploy one per site).\n\nSIGTERM or "
    "Ctrl+C stops it cleanly: the message being sent is recorded, the rest wait for the next "
    "run. A second signal stops it at once."
))
def scheduler_run_command() -> None:
    """``flask scheduler run``: what it does for users is its ``help``, the one text translated."""
    from tracker.scheduler.runner import run_until_stopped

    run_until_stopped(current_app._get_current_object(),
                      ready=lambda: click.echo(_("Scheduler running; Ctrl+C stops it."), err=True))
    click.echo(_("Scheduler stopped."), err=True)


@scheduler.command("run-once", help=_l(
    "Run every job once, as of --now (default: the current time).\n\nSIGTERM or Ctrl+C stops "
    "it cleanly after the message being sent (see 'scheduler run')."
))
@option("--now", "now_text", default=None, help=_l("ISO date and time, e.g. 2027-01-15T08:00 (UTC)."))
def scheduler_run_once_command(now_text: str | None) -> None:
    """``flask scheduler run-once``: what it does for users is its ``help``, the one text translated."""
    from tracker.scheduler.jobs import stop_requested
    from tracker.scheduler.runner import run_once, stopping_on_signals

    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter(_("use an ISO date and time such as 2027-01-15T08:00"),
                                     param_hint="--now") from None
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
    else:
        now = _now()
    with stopping_on_signals():
        results = run_once(current_app._get_current_object(), now)
    for job, result in results.items():
        click.echo(f"{job}: {result}")
    if stop_requested.is_set():
        click.echo(_("Stopped on request; messages not yet sent stay pending for the next run."), err=True)

from tracker.cli_backup import backup as backup_group

groups.append(backup_group)
