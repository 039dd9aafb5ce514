"""The command line: users and seed data."""

import shutil

from sqlalchemy import func, select

from tracker.models import Plan, User


def test_users_create(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--email", "Sec@Example.org", "--role", "secretariat",
              "--password", "a long enough password"]
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalars(select(User)).one()
    assert (user.email, user.role) == ("sec@example.org", "secretariat")


def test_users_create_names_the_bad_field(app, db_session):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "x@example.org", "--role", "emperor", "--password", "a long enough password"]
    )
    assert result.exit_code == 1
    assert "error: role: Choose one of: admin, secretariat, agency, assessor." in result.output


def test_seed_load_then_reload_reports_unchanged(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "load", "mexico-2016-review-followup"])
    assert first.exit_code == 0, first.output
    assert "24 recommendations created" in first.output
    second = runner.invoke(args=["seed", "load", "mexico-2016-review-followup"])
    assert "mexico-2016-review-followup: unchanged" in second.output
    assert db_session.scalar(select(func.count()).select_from(Plan)) == 1


def test_seed_check_reports_a_broken_file_without_writing(app, db_session, tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    source = app.config["SEED_DIR"] + "/plans/mexico-2016-review-followup.yaml"
    with open(source, encoding="utf-8") as handle:
        text = handle.read().replace("status: pending", "status: stalled", 1)
    (plans / "mexico-2016-review-followup.yaml").write_text(text, encoding="utf-8")
    shutil.copy(app.config["SEED_DIR"] + "/plans/mongolia-odra-2018.yaml", plans)
    app.config["SEED_DIR"] = str(tmp_path)
    try:
        result = app.test_cli_runner().invoke(args=["seed", "check"])
    finally:
        app.config["SEED_DIR"] = source.rsplit("/plans/", 1)[0]
    assert result.exit_code == 1
    assert "Unknown status 'stalled'" in result.output
    assert "mongolia-odra-2018: would change" in result.output
    assert db_session.scalar(select(func.count()).select_from(Plan)) == 0


def test_agencies_and_user_updates_from_the_cli(app, db_session):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["agencies", "create", "--name", "Ministry of Data", "--acronym", "MOD", "--country", "Testland"])
    assert created.exit_code == 0, created.output
    duplicate = runner.invoke(args=["agencies", "create", "--name", "Ministry of Data", "--country", "Testland"])
    assert duplicate.exit_code == 1 and "name: An agency with this name already exists" in duplicate.output
    runner.invoke(args=["users", "create", "--email", "f@example.org", "--role", "secretariat", "--password", "a long enough password"])
    moved = runner.invoke(args=["users", "update", "--email", "f@example.org", "--role", "agency", "--agency", "MOD", "--inactive"])
    assert moved.exit_code == 0, moved.output
    listing = runner.invoke(args=["users", "list"]).output
    assert "f@example.org\tagency\tMOD\tinactive" in listing
    assert "Testland\tMOD\tMinistry of Data" in runner.invoke(args=["agencies", "list", "--country", "Testland"]).output
    refused = runner.invoke(args=["users", "update", "--email", "f@example.org", "--role", "agency", "--agency", "NOPE"])
    assert refused.exit_code == 1 and "agency: Unknown agency 'NOPE'" in refused.output


def test_demo_accounts_on_any_database_only_when_asked(app, db_session, auth):
    runner = app.test_cli_runner()
    plain = runner.invoke(args=["users", "demo"])
    if db_session.get_bind().dialect.name == "sqlite":
        assert plain.exit_code == 0, plain.output
    else:  # a known password never lands on a real database by accident
        assert plain.exit_code == 1
        assert "run again with --any-database" in plain.output
        assert db_session.scalar(select(func.count()).select_from(User)) == 0
    asked = runner.invoke(args=["users", "demo", "--any-database"])
    assert asked.exit_code == 0, asked.output
    emails = set(db_session.scalars(select(User.email)))
    assert {"admin@example.org", "secretariat@example.org", "assessor@example.org"} <= emails
    signed_in = auth.login("secretariat@example.org", "tracker-demo-password")
    assert signed_in.status_code == 302 and "/sign-in" not in signed_in.headers["Location"]
