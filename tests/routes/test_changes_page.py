"""The changes page: paged with its total, summarised by plan and by transition, and as CSV."""

import csv
import io
import re
from datetime import timedelta

import pytest

from tests import factories
from tests.factories import NOW, SYSTEM
from tests.fixtures.seed import load
from tracker.services.recommendations import set_recommendation_status

SINCE = (NOW - timedelta(days=3)).date().isoformat()


def lines(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)


def busy_plan(slug="busy", moves=60, published=True):
    """A plan whose 3 recommendations moved ``moves`` times between pending and ongoing, a
    minute apart, in the last two days (plus their 3 first records)."""
    plan = factories.plan(slug=slug, published=published)
    recs = [factories.recommendation(plan, code=f"R{i}") for i in range(3)]
    for n in range(moves):
        rec = recs[n % 3]
        status = "ongoing" if rec.status_key == "pending" else "pending"
        set_recommendation_status(rec, {"status": status, "reason": f"Move {n}"}, actor=SYSTEM,
                                  now=NOW - timedelta(days=1) + timedelta(minutes=n))
    return plan


def test_the_page_gives_the_total_and_pages_through_every_change(client, db_session):
    busy_plan(moves=117)  # 117 moves + 3 first records = 120 changes
    first = client.get(f"/changes?since={SINCE}").get_data(as_text=True)
    assert "120 changes since" in first
    assert len(lines(first)) == 50
    assert "Lines 1 to 50 of 120." in first
    assert "Move 116" in first and "Move 66" not in first  # newest first
    assert "Page 1 of 3" in first and 'rel="next"' in first and 'rel="prev"' not in first
    last = client.get(f"/changes?since={SINCE}&page=3").get_data(as_text=True)
    assert len(lines(last)) == 20 and "Lines 101 to 120 of 120." in last
    assert "Move 0" in last and 'rel="prev"' in last and 'rel="next"' not in last
    seen = set()
    for page in (1, 2, 3):
        seen |= set(re.findall(r"Move \d+", client.get(f"/changes?since={SINCE}&page={page}").get_data(as_text=True)))
    assert len(seen) == 117  # nothing capped, nothing shown twice


def test_a_page_past_the_last_shows_the_last_and_a_bad_page_is_named(client, db_session):
    busy_plan(moves=57)
    past = client.get(f"/changes?since={SINCE}&page=99")
    assert past.status_code == 200 and "Page 2 of 2" in past.get_data(as_text=True)
    bad = client.get(f"/changes?since={SINCE}&page=two")
    assert bad.status_code == 400 and "page: use a whole number from 1" in bad.get_data(as_text=True)


def test_the_summary_counts_by_plan_and_by_transition(client, db_session):
    busy_plan(moves=6)  # each recommendation: pending → ongoing → pending
    factories.plan(slug="quiet")
    page = client.get(f"/changes?since={SINCE}").get_data(as_text=True)
    summary = page.split('id="summary-heading"')[1].split("</section>")[0]
    assert "Pending → Ongoing: 3" in summary
    assert "Ongoing → Pending: 3" in summary
    assert "Recorded as Pending: 3" in summary
    assert re.search(r">Plan \d+</a>: 9<", summary) or "busy" in summary
    assert "quiet" not in summary  # a plan with no change is not listed
    one_plan = client.get(f"/plans/busy/changes?since={SINCE}").get_data(as_text=True)
    assert "9 changes since" in one_plan and "By plan" not in one_plan


def test_the_csv_holds_every_change_of_published_plans(client, db_session):
    busy_plan(moves=117)
    busy_plan(slug="hidden", moves=5, published=False)
    response = client.get(f"/changes.csv?since={SINCE}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 120
    assert {r["plan"] for r in rows} == {"busy"}
    moves = [r for r in rows if r["reason"] != "Recorded."]  # the first records are the newest rows
    assert moves[0]["reason"] == "Move 116" and moves[-1]["reason"] == "Move 0"
    assert moves[0]["item_type"] == "recommendation"
    assert {(r["from_status"], r["to_status"]) for r in rows if r["from_status"]} == {
        ("Pending", "Ongoing"), ("Ongoing", "Pending")}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rows[0]["recorded_at"])
    assert client.get(f"/plans/hidden/changes.csv?since={SINCE}").status_code == 404
    assert client.get("/changes.csv?since=yesterday").status_code == 400


@pytest.mark.seeded
def test_a_seed_load_is_one_line_but_every_row_is_counted_and_in_the_csv(app, client):
    load(app, "mexico-2016-review-followup")
    page = client.get("/changes?since=2026-11-01").get_data(as_text=True)
    shown = lines(page)
    assert len(shown) == 1
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", shown[0]))
    assert "Imported from the OECD (2018) report: 24 statuses, as of 2017-12-31" in words
    assert "24 changes since 2026-11-01" in page and "Each load of a source report is one line." in page
    assert "Recorded as Fully achieved: 14" in page
    rows = list(csv.DictReader(io.StringIO(
        client.get("/changes.csv?since=2026-11-01").get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 24 and {r["effective_on"] for r in rows} == {"2017-12-31"}
