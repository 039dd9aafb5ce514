"""Open data: a valid Data Package, CSV/JSON per plan and Atom feeds, of published, validated data only."""

import csv
import io
import re
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree

import frictionless
import pytest

from tests import factories
from tests.factories import NOW, SYSTEM
from tests.fixtures.seed import load
from tracker.services.actions import assign_actions
from tracker.services.recommendations import set_recommendation_status
from tracker.services.reports import accept_report, add_evidence_file, return_report, save_report
from tracker.services.transaction import Actor

# Every test here loads the real seed plans through the import service: seconds each.
pytestmark = [pytest.mark.seeded, pytest.mark.slow]

ATOM = "{http://www.w3.org/2005/Atom}"
MEXICO = "mexico-2016-review-followup"
MONGOLIA = "mongolia-odra-2018"
TABLES = ("plans", "statuses", "areas", "recommendations", "actions", "indicators", "indicator_values", "agencies",
          "status_changes", "assessments", "translations")


def csv_rows(client, path: str) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def feed_entries(client, path: str) -> list[ElementTree.Element]:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "application/atom+xml"
    return ElementTree.fromstring(response.data).findall(f"{ATOM}entry")


def local(url: str) -> str:
    """The path of an absolute URL, to GET it through the test client."""
    return urlsplit(url).path


def save_package(client, package_path: str, folder) -> str:
    """Download a Data Package and every file it points to into ``folder``, as a harvester would."""
    response = client.get(package_path)
    assert response.status_code == 200 and response.mimetype == "application/json"
    descriptor = response.get_json()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "datapackage.json").write_bytes(response.data)
    base = package_path.rsplit("/", 1)[0]
    for resource in descriptor["resources"]:
        data = client.get(f"{base}/{resource['path']}")
        assert data.status_code == 200, resource["path"]
        (folder / resource["path"]).write_bytes(data.data)
    return str(folder / "datapackage.json")


def every_download(client, slugs) -> dict[str, bytes]:
    """Every public open data file and feed, by path."""
    paths = ["/open-data/", "/open-data/datapackage.json", "/feeds/status-changes.atom"]
    paths += [f"/open-data/{name}.csv" for name in TABLES]
    for slug in slugs:
        paths += [f"/open-data/plans/{slug}.json", f"/open-data/plans/{slug}/datapackage.json",
                  f"/plans/{slug}/status-changes.atom"]
        paths += [f"/open-data/plans/{slug}/{name}.csv" for name in TABLES]
    downloads = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        downloads[path] = response.data
    return downloads


@pytest.fixture
def uploads(app, tmp_path):
    before = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = before


@pytest.fixture
def workflow(db_session):
    """A published plan with one recommendation and one action its agency reports on."""
    plan = factories.plan(slug="open-plan", title="Open plan")
    factories.agency(acronym="MIN", name="Ministry of Openness")
    rec = factories.recommendation(plan, code="GOV-1", text="Publish the budget.")
    action = factories.action(plan, code="A1", title="Open the budget portal", recommendations=["GOV-1"])
    secretariat = factories.user("secretariat")
    focal = factories.user("agency", agency="MIN")
    assign_actions([action], {"lead_agency": "MIN", "reason": "Owns the portal"},
                   actor=Actor.of(secretariat), now=NOW)
    return plan, rec, action, secretariat, focal


# --- the Data Package -------------------------------------------------------


def test_the_data_package_of_the_seeded_plans_is_valid_frictionless(app, client, workflow, tmp_path):
    load(app, MEXICO)
    load(app, MONGOLIA)
    _, _, action, secretariat, focal = workflow
    report = save_report(action, {"narrative": "Portal live", "percent_complete": 40, "proposed_status": "ongoing"},
                         author=focal, now=NOW, submit=True)
    accept_report(report, {"comment": "Checked the portal"}, reviewer=secretariat, now=NOW + timedelta(hours=1))

    for package_path, folder in (
        ("/open-data/datapackage.json", tmp_path / "all"),
        (f"/open-data/plans/{MONGOLIA}/datapackage.json", tmp_path / "mongolia"),
    ):
        validation = frictionless.validate(save_package(client, package_path, folder))
        assert validation.valid, validation.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])

    package = frictionless.Package(str(tmp_path / "all" / "datapackage.json"))
    assert [r.name for r in package.resources] == list(TABLES)
    assert package.licenses[0]["name"] == "CC-BY-4.0"
    assert "OECD (2018), Open Government Data in Mexico: The Way Forward, Chapter 2" in [
        s["title"] for s in package.sources
    ]
    assert package.created == "2026-11-23T10:00:00Z"  # the accepted report, the latest public change
    recommendations = package.get_resource("recommendations").read_rows()
    assert Counter(row["plan_slug"] for row in recommendations) == {MEXICO: 24, MONGOLIA: 23, "open-plan": 1}
    assert package.get_resource("recommendations").schema.primary_key == ["plan_slug", "code"]
    changes = package.get_resource("status_changes").read_rows()
    accepted = [c for c in changes if c["plan_slug"] == "open-plan" and c["subject_type"] == "action"][-1]
    assert (accepted["old_status"], accepted["new_status"], accepted["new_percent"]) == ("pending", "ongoing", 40)
    assert accepted["changed_by_role"] == "Secretariat"
    assert {c["changed_by_role"] for c in changes if c["plan_slug"] == MEXICO} == {"seed"}


def test_the_mexico_2016_recommendations_csv_reproduces_table_2_1(app, client, db_session):
    load(app, MEXICO)
    for path in (f"/open-data/plans/{MEXICO}/recommendations.csv", "/open-data/recommendations.csv"):
        rows = [row for row in csv_rows(client, path) if row["plan_slug"] == MEXICO]
        assert len(rows) == 24
        assert Counter(row["status"] for row in rows) == {
            "fully_achieved": 14, "ongoing": 7, "under_discussion": 1, "pending": 2,
        }
    assessments = csv_rows(client, f"/open-data/plans/{MEXICO}/assessments.csv")
    assert len(assessments) == 24 and {a["assessed_on"] for a in assessments} == {"2017-12-31"}


def test_the_licence_can_be_configured(app, client, workflow, monkeypatch):
    licence = {"name": "ODC-BY-1.0", "path": "https://opendatacommons.org/licenses/by/1-0/",
               "title": "Open Data Commons Attribution License v1.0"}
    monkeypatch.setitem(app.config, "OPEN_DATA_LICENSE", licence)
    assert client.get("/open-data/datapackage.json").get_json()["licenses"] == [licence]
    assert client.get("/open-data/plans/open-plan.json").get_json()["license"] == licence
    assert "Open Data Commons Attribution License v1.0" in client.get("/open-data/").get_data(as_text=True)


# --- what is public and what is not ----------------------------------------


def test_an_unpublished_plan_appears_nowhere(client, workflow):
    hidden = factories.plan(slug="hidden-plan", title="Hidden plan", published=False)
    factories.agency(acronym="HID", name="Agency of hidden things")
    rec = factories.recommendation(hidden, code="HID-1", text="Hidden recommendation", institutions=["HID"])
    factories.action(hidden, code="HA-1", title="Hidden action", recommendations=["HID-1"], lead_agency="HID")
    set_recommendation_status(rec, {"status": "ongoing", "reason": "Hidden reason"}, actor=SYSTEM,
                              now=NOW + timedelta(days=1))

    for path, body in every_download(client, ["open-plan"]).items():
        text = body.decode("utf-8")
        for secret in ("hidden-plan", "Hidden plan", "HID-1", "Hidden action", "Hidden reason",
                       "Agency of hidden things"):
            assert secret not in text, (path, secret)
    for path in ["/open-data/plans/hidden-plan.json", "/open-data/plans/hidden-plan/datapackage.json",
                 "/plans/hidden-plan/status-changes.atom"] + [
                     f"/open-data/plans/hidden-plan/{name}.csv" for name in TABLES]:
        assert client.get(path).status_code == 404, path
    # The published plan is still all there.
    assert [row["code"] for row in csv_rows(client, "/open-data/recommendations.csv")] == ["GOV-1"]


def test_drafts_and_unaccepted_reports_change_nothing_until_accepted(client, workflow, uploads):
    plan, _rec, action, secretariat, focal = workflow
    before = every_download(client, [plan.slug])

    report = save_report(action, {"narrative": "Draft narrative", "percent_complete": 60,
                                  "proposed_status": "ongoing", "links": ["https://example.net/draft"]},
                         author=focal, now=NOW + timedelta(hours=1), submit=False)
    add_evidence_file(report, "draft-minutes.pdf", io.BytesIO(b"%PDF-1.7 minutes"), user=focal,
                      upload_dir=uploads, max_bytes=1_000_000, now=NOW + timedelta(hours=1))
    assert every_download(client, [plan.slug]) == before

    save_report(action, {"narrative": "Portal launched", "percent_complete": 60, "proposed_status": "ongoing",
                         "links": ["https://example.net/draft"]},
                author=focal, now=NOW + timedelta(hours=2), submit=True, report=report)
    assert every_download(client, [plan.slug]) == before

    return_report(report, {"comment": "Add the launch date"}, reviewer=secretariat, now=NOW + timedelta(hours=3))
    assert every_download(client, [plan.slug]) == before

    save_report(action, {"narrative": "Portal launched on 1 Nov", "percent_complete": 60,
                         "proposed_status": "ongoing"},
                author=focal, now=NOW + timedelta(hours=4), submit=True, report=report)
    assert every_download(client, [plan.slug]) == before

    # Published with the comment: the reviewer made it public (a private one stays off).
    accept_report(report, {"comment": "Launch confirmed", "comment_public": True}, reviewer=secretariat,
                  now=NOW + timedelta(hours=5))
    after = every_download(client, [plan.slug])
    assert after != before

    change = csv_rows(client, "/open-data/plans/open-plan/status_changes.csv")[-1]
    assert change["subject_type"] == "action" and change["subject_code"] == "A1"
    assert (change["old_status"], change["new_status"], change["old_percent"], change["new_percent"]) == (
        "pending", "ongoing", "0", "60")
    assert change["changed_at"] == "2026-11-23T14:00:00Z"
    assert change["changed_by_role"] == "Secretariat" and "Launch confirmed" in change["reason"]
    assert csv_rows(client, "/open-data/actions.csv")[0]["percent_complete"] == "60"

    (entry, *_) = feed_entries(client, "/plans/open-plan/status-changes.atom")
    assert entry.findtext(f"{ATOM}title") == "A1: Pending → Ongoing, 0% → 60%"
    assert "Launch confirmed" in entry.findtext(f"{ATOM}summary")

    (reported,) = client.get("/open-data/plans/open-plan.json").get_json()["actions"][0]["progress_reports"]
    assert reported["narrative"] == "Portal launched on 1 Nov" and reported["percent_complete"] == 60
    evidence = {item["kind"]: item for item in reported["evidence"]}
    assert evidence["link"]["url"] == "https://example.net/draft"
    assert evidence["file"]["filename"] == "draft-minutes.pdf"
    with client.get(local(evidence["file"]["url"])) as download:  # accepted evidence is public
        assert download.status_code == 200 and download.data == b"%PDF-1.7 minutes"

    # Nobody's email, anywhere.
    for path, body in after.items():
        assert b"@example.org" not in body, path


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(client, db_session):
    plan = factories.plan(slug="formula-plan", title="=cmd|' /C calc'!A0")
    factories.area(plan, code="GOV", name="@SUM(1+1)")
    rec = factories.recommendation(plan, code="R1", area="GOV", text='=HYPERLINK("http://evil.example","x")')
    factories.action(plan, code="A1", title="+1+1", recommendations=["R1"])
    set_recommendation_status(rec, {"status": "ongoing", "reason": "-2+3"}, actor=SYSTEM, now=NOW)

    (plan_row,) = csv_rows(client, "/open-data/plans/formula-plan/plans.csv")
    assert plan_row["title"] == "'=cmd|' /C calc'!A0"
    assert csv_rows(client, "/open-data/plans/formula-plan/areas.csv")[0]["name"] == "'@SUM(1+1)"
    assert csv_rows(client, "/open-data/recommendations.csv")[0]["text"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert csv_rows(client, "/open-data/actions.csv")[0]["title"] == "'+1+1"
    assert csv_rows(client, "/open-data/status_changes.csv")[-1]["reason"] == "'-2+3"
    # JSON is not a spreadsheet: it keeps the text as entered.
    document = client.get("/open-data/plans/formula-plan.json").get_json()
    assert document["recommendations"][0]["text"] == '=HYPERLINK("http://evil.example","x")'


# --- feeds ------------------------------------------------------------------


def test_feeds_escape_markup_and_stay_well_formed(client, workflow):
    _, rec, _, secretariat, _ = workflow
    reason = "<script>alert('x')</script> & \"quotes\" \x0b<b>bold</b>"
    set_recommendation_status(rec, {"status": "ongoing", "reason": reason}, actor=Actor.of(secretariat),
                              now=NOW + timedelta(days=1))
    for path in ("/feeds/status-changes.atom", "/plans/open-plan/status-changes.atom"):
        response = client.get(path)
        assert response.content_type == "application/atom+xml; charset=utf-8"
        body = response.get_data(as_text=True)
        assert "<script>" not in body and "<b>" not in body
        assert "&lt;script&gt;" in body and "&amp;" in body
        (entry, *_) = ElementTree.fromstring(response.data).findall(f"{ATOM}entry")  # well-formed
        assert entry.findtext(f"{ATOM}summary") == reason.replace("\x0b", "")
        assert entry.findtext(f"{ATOM}title").startswith("GOV-1: Pending → Ongoing")
        assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Secretariat"


def test_feed_entries_are_newest_first_with_stable_ids_and_link_to_public_pages(app, client, workflow):
    load(app, MONGOLIA)
    _, rec, _, secretariat, _ = workflow
    set_recommendation_status(rec, {"status": "ongoing", "reason": "Budget published"},
                              actor=Actor.of(secretariat), now=NOW + timedelta(days=2))

    entries = feed_entries(client, "/feeds/status-changes.atom")
    assert 0 < len(entries) <= 100
    assert entries[0].findtext(f"{ATOM}title") == "GOV-1: Pending → Ongoing (Open plan)"
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert all(i.startswith("tag:") for i in ids) and len(set(ids)) == len(ids)
    assert [e.findtext(f"{ATOM}id") for e in feed_entries(client, "/feeds/status-changes.atom")] == ids

    links = {local(e.find(f"{ATOM}link").get("href")) for e in entries}
    assert "/plans/open-plan/recommendations/GOV-1" in links
    assert any(link.startswith(f"/plans/{MONGOLIA}/actions/") for link in links)
    for link in links:
        assert client.get(link).status_code == 200, link

    plan_entries = feed_entries(client, f"/plans/{MONGOLIA}/status-changes.atom")
    assert plan_entries and all(
        local(e.find(f"{ATOM}link").get("href")).startswith(f"/plans/{MONGOLIA}/") for e in plan_entries
    )


# --- JSON and the page ------------------------------------------------------


def test_a_plan_as_json_holds_everything_public_about_it(app, client, db_session):
    load(app, MEXICO)
    load(app, "kazakhstan-odra")
    load(app, MONGOLIA)
    load(app, "kazakhstan-2023-analysis")

    mexico = client.get(f"/open-data/plans/{MEXICO}.json").get_json()
    assert mexico["plan"]["slug"] == MEXICO and mexico["plan"]["period_start"] == "2016-01-01"
    assert len(mexico["recommendations"]) == 24 and len(mexico["areas"]) == 6
    (round_,) = mexico["assessment_rounds"]
    assert round_["assessed_on"] == "2017-12-31" and len(round_["assessments"]) == 24
    assert len(mexico["status_changes"]) == 24

    kazakhstan = client.get("/open-data/plans/kazakhstan-odra.json").get_json()
    assert len(kazakhstan["readiness"]) == 7
    assert all(d["questions"] for d in kazakhstan["readiness"])
    figures = client.get("/open-data/plans/kazakhstan-2023-analysis.json").get_json()["figures"]
    assert len(figures) == 24 and all(isinstance(f["value"], float) for f in figures)

    mongolia = client.get(f"/open-data/plans/{MONGOLIA}.json").get_json()
    agency_ids = {a["id"] for a in mongolia["agencies"]}
    assert len(mongolia["actions"]) == 15
    assert all(a["lead_agency_id"] in agency_ids for a in mongolia["actions"] if a["lead_agency_id"])
    assert client.get(local(mongolia["downloads"]["csv"]["actions"])).status_code == 200


def test_the_open_data_page_lists_every_download_with_its_licence(app, client, workflow):
    load(app, MEXICO)
    page = client.get("/open-data/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Creative Commons Attribution 4.0" in html and "CC-BY-4.0" in html
    assert f'href="/open-data/plans/{MEXICO}.json"' in html
    assert 'rel="alternate" type="application/atom+xml"' in html
    base = app.config["BASE_URL"]  # absolute URLs come from the setting, never from the request
    assert f"{base}/plans/{MEXICO}/status-changes.atom" in html

    hrefs = set(re.findall(r'href="([^"]+)"', html))
    downloads = {h for h in hrefs if h.startswith(("/open-data/", f"{base}/feeds/", "/feeds/"))
                 or h.endswith(".atom")}
    assert len(downloads) >= 2 * (3 + len(TABLES))
    for href in downloads:
        assert client.get(local(href)).status_code == 200, href
