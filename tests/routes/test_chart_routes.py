"""Public chart URLs: real seed data in, images and CSVs out, revalidated by ETag."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from flask import render_template_string
from PIL import Image
from sqlalchemy import select

from tests import factories
from tests.charts.conftest import svg_texts
from tests.factories import NOW, SYSTEM
from tests.fixtures.seed import TABLE_2_1
from tracker.charts.render import DPI
from tracker.charts.rows import ROW_HEIGHT_IN
from tracker.models import Action, Status
from tracker.publishing.chart_data import CHART_NAMES, chart_data, chart_table
from tracker.publishing.public_views import editable_report
from tracker.services.actions import find_action
from tracker.services.agencies import find_agency
from tracker.services.plans import get_plan
from tracker.services.recommendations import find_recommendation, set_recommendation_status
from tracker.services.reports import save_report

# Drawing every chart with matplotlib takes seconds per test: the full tier (make test).
pytestmark = [pytest.mark.seeded, pytest.mark.slow]

MONGOLIA = "/plans/mongolia-odra-2018"
MEXICO = "/plans/mexico-2016-review-followup"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def app(seeded_app):
    """Every real seed plan, loaded once per run (tests/fixtures/databases.py)."""
    return seeded_app


@pytest.fixture(autouse=True)
def fresh_chart_cache(app):
    """Each test starts with an empty chart cache (the app outlives the test's data)."""
    app.extensions.pop("tracker_chart_cache", None)
    yield
    app.extensions.pop("tracker_chart_cache", None)


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def action_codes(svg: bytes) -> set[str]:
    return {t.split()[0] for t in svg_texts(svg) if re.match(r"A\d+\s", t)}


def every_url(prefix: str) -> list[str]:
    return [f"{prefix}/{name}.{fmt}" for name in CHART_NAMES for fmt in ("png", "svg", "csv")]


def test_the_mongolian_gantt_shows_a1_to_a15_on_a_24_month_axis(app, client):
    response = client.get(f"{MONGOLIA}/gantt.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert action_codes(response.data) == {f"A{n}" for n in range(1, 16)}
    texts = svg_texts(response.data)
    assert [t for t in texts if re.fullmatch(r"M\d+", t)] == [f"M{n}" for n in range(1, 25)]
    assert "2019" in texts and "2020" in texts
    assert "Mongolia Open Data Readiness Assessment and Action Plan" in texts  # the plan's own title
    assert response.headers["X-Chart-Pages"] == "1"
    png = client.get(f"{MONGOLIA}/gantt.png")
    assert png.mimetype == "image/png" and png.data.startswith(PNG_SIGNATURE)


def test_the_gantt_png_of_a_500_action_plan_is_one_image_holding_all_500_rows(client):
    """Issue 14's "done when": the whole plan in one image, through its public URL."""
    plan = factories.plan(slug="five-hundred", period_start="2024-01-01", period_end="2027-12-31")
    for n in range(500):
        factories.action(plan, code=f"T{n:03d}", title=f"Action {n}", start_date=date(2024, 1 + n % 12, 1),
                         due_date=date(2025 + n % 3, 1 + n % 12, 28))
    svg = client.get("/plans/five-hundred/gantt.svg")
    labels = [t for t in svg_texts(svg.data) if re.fullmatch(r"T\d{3}  Action \d+", t)]
    assert labels == [f"T{n:03d}  Action {n}" for n in range(500)]
    png = client.get("/plans/five-hundred/gantt.png")
    assert png.status_code == 200 and png.data.startswith(PNG_SIGNATURE)
    height = Image.open(io.BytesIO(png.data)).height
    assert height >= 500 * ROW_HEIGHT_IN * DPI  # one image, a row for each action
    first_page = Image.open(io.BytesIO(client.get("/plans/five-hundred/gantt.png?page=1").data))
    assert first_page.height < height / 10  # paging is only when asked for


def test_the_gantt_filters_by_area_and_by_lead_agency(app, client, db_session):
    by_area = client.get(f"{MONGOLIA}/gantt.svg?area=D1")
    assert action_codes(by_area.data) == {"A1", "A2", "A15"}

    plan = get_plan("mongolia-odra-2018")
    odwg = find_agency(plan.country, "ODWG")
    actions = db_session.scalars(select(Action).where(Action.plan_id == plan.id)).all()
    expected = {a.code for a in actions if a.lead_agency_id == odwg.id}
    assert expected and len(expected) < 15
    by_lead = client.get(f"{MONGOLIA}/gantt.svg?lead=odwg")  # acronyms match in any case
    assert action_codes(by_lead.data) == expected
    # ``agency`` is the filter's older name: the same chart, under the same ETag.
    by_agency = client.get(f"{MONGOLIA}/gantt.svg?agency=odwg")
    assert by_agency.headers["ETag"] == by_lead.headers["ETag"] and by_agency.data == by_lead.data
    assert {row[1] for row in read_csv(client.get(f"{MONGOLIA}/gantt.csv?lead=ODWG"))[1:]} == expected
    assert {row[1] for row in read_csv(client.get(f"{MONGOLIA}/gantt.csv?area=D1&agency=ODWG"))[1:]} == (
        expected & {"A1", "A2", "A15"}
    )

    assert client.get(f"{MONGOLIA}/gantt.png?area=NOPE").status_code == 400
    assert client.get(f"{MONGOLIA}/gantt.png?lead=Nobody").status_code == 400
    assert client.get(f"{MONGOLIA}/gantt.png?agency=Nobody").status_code == 400
    assert client.get(f"{MONGOLIA}/gantt.png?page=2").status_code == 404
    assert client.get(f"{MONGOLIA}/gantt.png?page=zero").status_code == 400


def test_revalidation_gets_304_and_a_data_change_a_new_etag(app, client):
    first = client.get(f"{MEXICO}/scorecard.png")
    assert first.status_code == 200 and first.data.startswith(PNG_SIGNATURE)
    etag = first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"] and "no-cache" in first.headers["Cache-Control"]
    assert first.headers["Last-Modified"]

    again = client.get(f"{MEXICO}/scorecard.png", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag

    plan = get_plan("mexico-2016-review-followup")
    pending = next(r for r in plan.recommendations if r.status_key == "pending")
    set_recommendation_status(pending, {"status": "fully_achieved", "reason": "Adopted."}, actor=SYSTEM, now=NOW)

    changed = client.get(f"{MEXICO}/scorecard.png", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.data != first.data
    total = read_csv(client.get(f"{MEXICO}/scorecard.csv"))[-1]
    assert total[2:7] == ["15", "7", "1", "1", "24"]


def test_a_cached_chart_is_served_without_drawing_it_again(app, client, monkeypatch):
    import tracker.charts.scorecard as scorecard_module

    drawn = []
    original = scorecard_module.scorecard_chart

    def counting(data, fmt="png"):
        drawn.append(fmt)
        return original(data, fmt)

    monkeypatch.setattr(scorecard_module, "scorecard_chart", counting)
    one = client.get(f"{MEXICO}/scorecard.svg")
    two = client.get(f"{MEXICO}/scorecard.svg")
    assert drawn == ["svg"] and one.data == two.data and one.headers["ETag"] == two.headers["ETag"]

    rec = find_recommendation(get_plan("mexico-2016-review-followup"), "GOV-1")
    set_recommendation_status(rec, {"status": "ongoing" if rec.status_key != "ongoing" else "pending",
                                    "reason": "Reassessed."}, actor=SYSTEM, now=NOW)
    three = client.get(f"{MEXICO}/scorecard.svg")
    assert drawn == ["svg", "svg"] and three.headers["ETag"] != one.headers["ETag"]


def test_unpublished_and_unknown_plans_are_not_found(client):
    plan = factories.plan(slug="hidden-plan", published=False)
    factories.action(plan)
    for url in every_url("/plans/hidden-plan") + every_url("/plans/no-such-plan"):
        assert client.get(url).status_code == 404, url
    assert client.get("/plans/hidden-plan/pie.png").status_code == 404


def test_the_mexico_scorecard_csv_is_table_2_1_and_matches_the_plan_page(app, client, db_session):
    rows = read_csv(client.get(f"{MEXICO}/scorecard.csv"))
    keys = {s.label: s.key for s in db_session.scalars(select(Status))}
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert header[:2] == ["Area", "Area code"] and header[-2:] == ["Total", "Percent complete"]
    statuses = [keys[label] for label in header[2:-2]]
    by_area = {
        row[1]: {key: int(n) for key, n in zip(statuses, row[2:-2], strict=True) if int(n)} for row in body
    }
    assert by_area == TABLE_2_1
    totals = dict(zip(statuses, map(int, total[2:-2]), strict=True))
    assert totals == {"fully_achieved": 14, "ongoing": 7, "under_discussion": 1, "pending": 2}
    # The follow-up validates recommendations only: no action measures a percent, so none is shown.
    assert total[-2:] == ["24", ""]

    page = client.get(MEXICO).get_data(as_text=True)
    on_page = dict(re.findall(r'<td data-status="(\w+)" data-total>(\d+)</td>', page))
    assert {key: int(n) for key, n in on_page.items()} == totals


def test_the_round_comparison_sets_the_2017_follow_up_beside_today(app, client):
    header, *rows = read_csv(client.get(f"{MEXICO}/rounds.csv"))
    assert header[0] == "Status" and header[-1] == "Change"
    assert "(2017-12-31)" in header[1] and header[2].startswith("Validated status")
    counts = {row[0]: row[1:] for row in rows}
    assert counts["Fully achieved"] == ["14", "14", "0"]
    assert counts["Pending"] == ["2", "2", "0"]
    assert counts["Total"] == ["24", "24", "0"]
    assert client.get(f"{MEXICO}/rounds.png").data.startswith(PNG_SIGNATURE)


def test_other_csvs_carry_the_real_numbers(app, client):
    header, *agencies = read_csv(client.get(f"{MONGOLIA}/agencies.csv"))
    column = {name: i for i, name in enumerate(header)}
    assert sum(int(r[column["Actions led"]]) for r in agencies) == 15
    # The plan ran 2019-2020 and every action is still pending: all are overdue today.
    assert sum(int(r[column["Overdue"]]) for r in agencies) == 15
    assert [r[0] for r in agencies] == [str(n) for n in range(1, len(agencies) + 1)]

    readiness = read_csv(client.get(f"{MONGOLIA}/readiness.csv"))
    assert len(readiness) - 1 == 43  # question areas, as in the assessment
    assert {r[5] for r in readiness[1:]} <= {"GREEN", "YELLOW", "RED", ""}

    timeline = read_csv(client.get("/plans/mexico-2018-way-forward/timeline.csv"))[1:]
    lanes = [r[0] for r in timeline]
    assert (lanes.count("Short term (< 1 year)"), lanes.count("Medium term (1-2 years)"),
            lanes.count("Long term (> 2 years)")) == (9, 18, 1)
    assert {(r[1], r[2]) for r in timeline if r[0].startswith("Long")} == {("2020-01-01", "2021-12-31")}


def test_csv_cells_that_look_like_formulas_are_neutralised(client):
    plan = factories.plan(slug="formula-plan")
    area = factories.area(plan, code="F1", name="=HYPERLINK(\"http://evil\")")
    factories.recommendation(plan, area=area.code)
    factories.action(plan, title="-1+2 @home", area=area.code)
    scorecard = read_csv(client.get("/plans/formula-plan/scorecard.csv"))
    assert scorecard[1][0] == "'=HYPERLINK(\"http://evil\")"
    gantt = read_csv(client.get("/plans/formula-plan/gantt.csv"))
    assert gantt[1][2] == "'-1+2 @home" and gantt[1][0].startswith("F1")


def test_responses_say_what_they_are_and_keep_svgs_inert(app, client):
    svg = client.get(f"{MEXICO}/readiness.svg")
    assert svg.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert svg.headers["X-Content-Type-Options"] == "nosniff"
    data = client.get(f"{MEXICO}/scorecard.csv")
    assert data.mimetype == "text/csv"
    assert data.headers["Content-Disposition"] == 'attachment; filename="mexico-2016-review-followup-scorecard.csv"'


def test_a_draft_progress_report_changes_no_chart_and_no_csv(app, client):
    urls = [url for url in every_url(MONGOLIA) if not url.endswith(".png")]  # PNGs share the version
    before = {url: client.get(url) for url in urls}
    assert all(r.status_code == 200 for r in before.values())

    plan = get_plan("mongolia-odra-2018")
    action = find_action(plan, "A1")
    author = factories.user(role="agency", agency=action.lead_agency.acronym)
    data = {"narrative": "Half done", "percent_complete": 50, "proposed_status": "ongoing"}
    save_report(action, data, author=author, now=NOW, submit=False)

    for url in urls:  # a browser revalidating anything it holds is told nothing changed
        again = client.get(url, headers={"If-None-Match": before[url].headers["ETag"]})
        assert again.status_code == 304, url
    app.extensions.pop("tracker_chart_cache", None)  # and drawn again from the data, nothing differs
    for url in [u for u in urls if u.endswith(".csv")] + [f"{MONGOLIA}/gantt.svg", f"{MONGOLIA}/agencies.svg"]:
        assert client.get(url).data == before[url].data, url

    # Submitting it is public (the agency's report count), so that does change the version.
    save_report(action, data, author=author, now=NOW, submit=True, report=editable_report(action, author))
    url = f"{MONGOLIA}/agencies.csv"
    assert client.get(url, headers={"If-None-Match": before[url].headers["ETag"]}).status_code == 200


def test_the_figure_macro_shows_the_image_caption_csv_link_and_table(app, db_session):
    plan = get_plan("mexico-2016-review-followup")
    table = chart_table("scorecard", chart_data(plan, "scorecard", today=NOW.date()))
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "charts/_figure.html" import figure, data_table %}'
            "{{ figure(url_for('charts.chart', slug=slug, name='scorecard', fmt='png'),"
            " url_for('charts.chart', slug=slug, name='scorecard', fmt='svg'),"
            " url_for('charts.chart', slug=slug, name='scorecard', fmt='csv'),"
            " alt, 'Recommendations by area and status', data_table(table)) }}",
            slug=plan.slug, table=table, alt="24 recommendations: 14 fully achieved <b>",
        )
    assert f'<img src="{MEXICO}/scorecard.png" alt="24 recommendations: 14 fully achieved &lt;b&gt;"' in html
    assert f'srcset="{MEXICO}/scorecard.svg"' in html
    assert f'href="{MEXICO}/scorecard.csv"' in html
    assert "<figcaption>" in html and "Recommendations by area and status" in html
    footer = re.search(r"<tfoot>(.*?)</tfoot>", html, re.DOTALL).group(1)
    assert re.findall(r"<td>(\d+)</td>", footer) == ["14", "7", "1", "2", "24"]


def test_the_plan_page_shows_the_readiness_heat_map_with_letters_links_and_the_evidence(app, client, db_session):
    """Issue 14: the heat map can be read without telling colours apart, on the page itself."""
    from html.parser import HTMLParser

    from tracker.charts.palette import RATING_COLOURS
    from tracker.models import ReadinessDimension, ReadinessQuestion

    page = client.get(MONGOLIA).get_data(as_text=True)
    questions = db_session.scalars(
        select(ReadinessQuestion).join(ReadinessDimension).where(ReadinessDimension.plan_id == get_plan(
            "mongolia-odra-2018").id)
    ).all()
    assert len(questions) == 43

    class Cells(HTMLParser):
        """The heat map's links (href, text) and the ids on the page."""

        def __init__(self):
            super().__init__()
            self.links, self.ids, self._href, self._text = [], set(), None, []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if "id" in attrs:
                self.ids.add(attrs["id"])
            if tag == "a" and "rating" in (attrs.get("class") or "").split():
                self._href, self._text = attrs["href"], []

        def handle_data(self, data):
            if self._href is not None:
                self._text.append(data)

        def handle_endtag(self, tag):
            if tag == "a" and self._href is not None:
                self.links.append((self._href, " ".join("".join(self._text).split())))
                self._href = None

    cells = Cells()
    cells.feed(page)
    assert len(cells.links) == 43
    letters = {"GREEN": "G", "YELLOW": "Y", "RED": "R"}
    for question in questions:
        _href, text = next(link for link in cells.links if link[0] == f"#readiness-{question.id}")
        assert f"readiness-{question.id}" in cells.ids  # the evidence row it links to
        if question.rating:
            assert text.startswith(f"{question.code} {letters[question.rating]}"), text
            assert f"--rating-colour: {RATING_COLOURS[question.rating]}" in page
    evidence = next(q for q in questions if q.evidence)
    assert evidence.evidence[0].text.split("\n")[0][:40] in page.replace("&#39;", "'").replace("&#34;", '"')


def test_the_readiness_chart_writes_each_ratings_letter_in_its_cells(app, client):
    texts = svg_texts(client.get(f"{MONGOLIA}/readiness.svg").data)
    assert {"G", "Y", "R"} <= set(texts)  # the second line of a rated cell's label
