"""The plan page's paged, sorted, filtered tables and the shared helper behind them
(``tracker.services.item_tables``), read from query parameters anyone can type."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import event

from tests import factories

ROWS = re.compile(r'<tr(?: class="is-overdue")?>\s*<th scope="row"><a href="/plans/[^/]+/actions/([^"]+)">')


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def action_codes(page: str) -> list[str]:
    return ROWS.findall(page)


@pytest.fixture
def big(db_session):
    """A published plan of 120 actions in two areas led by two agencies; every 7th is overdue
    (due in 2020, pending), every 2nd ongoing; 3 recommendations."""
    plan = factories.plan(slug="big", title="Big plan")
    factories.area(plan, code="GOV", name="Governance")
    factories.area(plan, code="DEM", name="Demand")
    factories.agency(name="Ministry of Finance", acronym="MOF")
    health = factories.agency(name="Health Institute", acronym="HEI")
    factories.recommendation(plan, code="R1", area="GOV", text="Publish the budget")
    factories.recommendation(plan, code="R2", area="DEM", text="Train the users", status="ongoing")
    factories.recommendation(plan, code="R3", area="DEM", text="Open the registry")
    for n in range(120):
        factories.action(
            plan, code=f"X{n:03d}", title=f"Step number {n}" + (" about budgets" if n % 10 == 0 else ""),
            area=("GOV", "DEM")[n % 2], lead_agency=("MOF", "HEI")[n % 2],
            status="ongoing" if n % 2 else "pending", percent_complete=n % 101,
            start_date=date(2020, 1, 1), due_date=date(2020, 6, 30) if n % 7 == 0 else date(2030, 1, 1 + n % 28),
            recommendations=["R1"] if n == 7 else [],
        )
    return plan, health


def test_a_plan_page_shows_50_actions_and_says_which(client, big):
    page = text(client.get("/plans/big"))
    assert action_codes(page) == [f"X{n:03d}" for n in range(50)]
    assert "Showing 1–50 of 120 actions" in page
    second = text(client.get("/plans/big?act_page=2"))
    assert action_codes(second) == [f"X{n:03d}" for n in range(50, 100)]
    assert "Showing 51–100 of 120 actions" in second
    last = text(client.get("/plans/big?act_page=3"))
    assert "Showing 101–120 of 120 actions" in last and len(action_codes(last)) == 20


def test_the_contents_list_links_every_part_of_the_page(client, big):
    page = text(client.get("/plans/big"))
    contents = page.split('<nav class="contents"', 1)[1].split("</nav>", 1)[0]
    for anchor in ("scorecard", "gantt", "recommendations", "actions", "agencies", "data"):
        assert f'href="#{anchor}"' in contents
        assert f'id="{anchor}"' in page
    # 120 actions: the page links the Gantt instead of embedding a bar per action
    assert "Open the Gantt of all 120 actions" in page and "hchart-embed" not in page


def test_filters_narrow_both_tables(client, big):
    _plan, health = big
    overdue = action_codes(text(client.get("/plans/big?overdue=1")))
    assert overdue == [f"X{n:03d}" for n in range(120) if n % 7 == 0]
    page = text(client.get("/plans/big?overdue=1"))
    assert "Showing 1–1 of 1 recommendations" in page and 'id="rec-R1"' in page  # R1 is served by overdue X007
    assert len(re.findall(r'<tr class="is-overdue">', page)) == len(overdue)
    assert page.count("⚠ </span>overdue") == len(overdue)

    assert set(action_codes(text(client.get(f"/plans/big?agency={health.id}&act_page=2")))) <= {
        f"X{n:03d}" for n in range(1, 120, 2)}
    assert "Showing 1–50 of 60 actions" in text(client.get("/plans/big?status=ongoing"))
    assert "Showing 1–50 of 60 actions" in text(client.get("/plans/big?area=GOV"))
    words = text(client.get("/plans/big?q=budget"))
    assert action_codes(words) == [f"X{n:03d}" for n in range(0, 120, 10)]
    assert re.findall(r'<tr id="rec-(\w+)"', words) == ["R1"]
    combined = text(client.get(f"/plans/big?q=budget&area=GOV&agency={health.id}"))
    assert action_codes(combined) == []  # budgets are in GOV, led by MOF
    assert "Nothing matches these filters." in combined and "Clear every filter" in combined


def test_words_are_found_in_any_one_column_whatever_the_case_of_their_letters(client, db_session):
    """A word is found in an action's code, title or description (a recommendation's code, text
    or what was done) in any case, as typed (``%`` and ``_`` are characters, not wildcards), the
    same rows on SQLite and PostgreSQL; never in the end of one column and the start of the next."""
    plan = factories.plan(slug="words", title="Words")
    factories.action(plan, code="W1", title="Review the BUDGET", description="")
    factories.action(plan, code="W2", title="Audit", description="Budget lines")
    factories.action(plan, code="BUDGET-3", title="Other", description="")
    factories.action(plan, code="W4", title="Ends in budg", description="et begins here")
    factories.action(plan, code="W5", title="A 100% match", description="")
    factories.action(plan, code="W6", title="A 1000 match", description="")
    factories.action(plan, code="W7", title="Two lines", description="first budg\net second")
    factories.recommendation(plan, code="R1", text="Publish the budget")
    factories.recommendation(plan, code="R2", text="Train", actions_taken="A budget was drafted")
    factories.recommendation(plan, code="R3", text="Open the registry")

    def found(words: str) -> tuple[list[str], list[str]]:
        page = text(client.get(f"/plans/words?q={words}"))
        return action_codes(page), re.findall(r'<tr id="rec-(\w+)"', page)

    assert found("budget") == (["W1", "W2", "BUDGET-3"], ["R1", "R2"])
    assert found("bUdGeT") == found("budget")
    assert found("100%25") == (["W5"], [])
    assert found("1_0") == ([], [])
    assert found("budg%0Aet") == (["W7"], [])  # a line break typed in: found where it is
    assert found("budget+begins") == ([], [])
    assert found("registry") == ([], ["R3"])


def test_sorting_and_links_that_keep_the_other_parameters(client, big):
    page = text(client.get("/plans/big?status=pending&act_sort=-complete"))
    codes = action_codes(page)
    percents = [int(n[1:]) % 101 for n in codes]
    assert percents == sorted(percents, reverse=True) and len(codes) == 50
    assert '<th scope="col" aria-sort="descending">' in page
    # Page 2's link keeps the filter and the sort; the sort link goes back to page 1.
    assert 'href="/plans/big?status=pending&act_sort=-complete&act_page=2#actions"' in page
    second = text(client.get("/plans/big?status=pending&act_sort=-complete&act_page=2"))
    assert 'href="/plans/big?status=pending&act_sort=complete#actions"' in second
    due = action_codes(text(client.get("/plans/big?act_sort=due")))
    assert due[:18] == [f"X{n:03d}" for n in range(0, 120, 7)]  # the 2020 ones first


def test_a_filtered_table_pages_in_its_order_and_brings_a_page_past_the_last_into_range(client, big):
    """Filtered, the rows are found once and paged in order: each page holds the next rows of
    the sort, the count is of every match, and a page past the last shows the last."""
    pending = [n for n in range(120) if n % 2 == 0]  # percents n % 101, descending
    expected = [f"X{n:03d}" for n in sorted(pending, key=lambda n: (-(n % 101), n))]
    first = text(client.get("/plans/big?status=pending&act_sort=-complete&per_page=25"))
    second = text(client.get("/plans/big?status=pending&act_sort=-complete&per_page=25&act_page=2"))
    assert action_codes(first) + action_codes(second) == expected[:50]
    assert "Showing 26–50 of 60 actions" in second
    late = text(client.get("/plans/big?status=pending&act_sort=-complete&per_page=25&act_page=9"))
    assert "There is no page 9; the last is 3" in late
    assert action_codes(late) == expected[50:] and "Showing 51–60 of 60 actions" in late


def test_the_word_search_can_read_the_trigram_index_on_postgresql(big, db_session):
    """PostgreSQL: the tables' word search (a LIKE of the lower-cased words on the lower-cased
    code, title and description, as ``item_tables`` writes it) is one the trigram indexes
    serve, so a word few rows hold need not read the whole table. (A table this small the
    planner reads whole anyway; told not to, it shows it can use the index.)"""
    from sqlalchemy import select

    from tracker.models import Action, Recommendation
    from tracker.services.item_tables import _any_contains

    connection = db_session.connection()
    if connection.dialect.name != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    for model, columns, index in (
        (Action, (Action.code, Action.title, Action.description), "ix_actions_words"),
        (Recommendation, (Recommendation.code, Recommendation.text, Recommendation.actions_taken),
         "ix_recommendations_words"),
    ):
        compiled = select(model.id).where(_any_contains("Budg_100%", model, *columns)).compile(
            dialect=connection.dialect)
        explained = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params))
        assert f"Bitmap Index Scan on {index}" in explained, explained


@pytest.mark.parametrize("query, message", [
    ("act_page=abc", "page: 'abc' is not a whole number"),
    ("act_page=99999999999999999999", "is not a whole number"),
    ("act_page=²", "is not a whole number"),
    ("act_page=9", "There is no page 9; the last is 3"),
    ("rec_sort=nonsense", "A table cannot be sorted by 'nonsense'"),
    ("act_sort=--due", "A table cannot be sorted by '-due'"),
    ("status=lost", "There is no status 'lost'"),
    ("area=NOPE", "This plan has no area 'NOPE'"),
    ("agency=x1", "agency: 'x1' is not a whole number"),
    ("per_page=0", "Show between 1 and 200 rows per page"),
    ("per_page=100000", "Show between 1 and 200 rows per page"),
])
def test_bad_parameters_fall_back_and_say_so(client, big, query, message):
    response = client.get(f"/plans/big?{query}")
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert len(action_codes(page)) in (50, 20)  # every action, page 1 (or the last page)


def test_the_public_cache_keeps_each_query_apart(client, big):
    first = text(client.get("/plans/big?act_page=2"))
    again = text(client.get("/plans/big?act_page=2"))  # from the cache
    other = text(client.get("/plans/big?act_page=3"))
    assert action_codes(first) == action_codes(again) != action_codes(other)


def test_a_plan_without_ratings_says_so_instead_of_a_grey_heat_map(client, db_session):
    from tracker.services.readiness import save_dimension

    plan = factories.plan(slug="unrated")
    save_dimension(plan, {"code": "D1", "name": "Leadership", "questions": [
        {"code": "Q1", "title": "Is there a lead?", "evidence": []}], "recommendations": []}, position=1)
    page = text(client.get("/plans/unrated"))
    assert "has no ratings yet" in page
    assert "heat-map" not in page and "/plans/unrated/readiness.png" not in page


def test_a_search_with_no_result_suggests_what_to_try(client, big):
    page = text(client.get("/search?q=zebra+crossings&overdue=1"))
    assert "Nothing matched: 0 recommendations and 0 actions" in page
    assert "try fewer or shorter words" in page and "Remove a filter" in page
    assert 'href="/search?q=zebra+crossings"' in page


def test_the_agencies_part_links_only_agencies_with_a_public_page(client, db_session):
    plan = factories.plan(slug="named")
    lead = factories.agency(name="Lead Office", acronym="LEO")
    named = factories.agency(name="Named Council", acronym="NAC")
    factories.recommendation(plan, code="R1", institutions=["NAC"])
    factories.action(plan, code="A1", lead_agency="LEO", recommendations=["R1"])
    page = text(client.get("/plans/named"))
    part = page.split('id="agencies"', 1)[1].split("</section>", 1)[0]
    assert f'href="/agencies/{lead.id}"' in part and client.get(f"/agencies/{lead.id}").status_code == 200
    assert "Named Council (NAC) <span" in part and f"/agencies/{named.id}" not in part


def test_a_new_agency_on_the_plan_shows_in_its_filters_and_list_at_once(client, big):
    """The filters' choices and the plan's counts are remembered between writes, never after."""
    plan, _health = big
    assert "New Office" not in text(client.get("/plans/big"))
    factories.agency(name="New Office", acronym="NEO")
    factories.action(plan, code="Y001", title="A new step", lead_agency="NEO")
    page = text(client.get("/plans/big"))
    assert "Showing 1–50 of 121 actions" in page
    assert "New Office (NEO)</option>" in page  # the agency filter offers it
    part = page.split('id="agencies"', 1)[1].split("</section>", 1)[0]
    assert "New Office (NEO)</a>" in part


def _statements(engine, fetch) -> list[str]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        fetch()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


def test_a_page_of_50_cited_recommendations_reads_no_more_than_a_page_of_2(client, db_session):
    """Speed guard (counts statements, never time): each row's source, institutions, area and
    status come with the page, not one look-up per row, whether or not its report is described."""
    few, many = factories.plan(slug="few"), factories.plan(slug="many")
    for plan, count in ((few, 2), (many, 50)):
        for n in range(count):
            factories.recommendation(plan, code=f"R{n}", source_document=f"memo-{n % 3}.txt",
                                     source_section=f"Part {n}")
    engine = db_session.get_bind().engine
    small = _statements(engine, lambda: client.get("/plans/few"))
    large = _statements(engine, lambda: client.get("/plans/many"))
    assert "Showing 1–50 of 50 recommendations" in text(client.get("/plans/many"))
    assert len(large) <= len(small), large
