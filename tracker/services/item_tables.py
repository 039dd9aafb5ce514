"""Paged, sorted and filtered tables of a plan's recommendations and actions, read from query
parameters: the public plan page and the secretariat's workspace both list through here.

``read_table_request(args, ...)`` turns what anyone can type into a URL into a checked
``TableRequest``: a value that makes no sense (an unknown status, ``page=abc``, a page past
the last) is dropped or brought into range, and a message saying so is kept for the page
to show; it never fails. ``action_page`` and ``recommendation_page`` (the workspace's: ORM
objects with their relations) and ``action_rows_page`` and ``recommendation_rows_page``
(the public plan page's: the shown columns as plain rows) then count and find the page's
ids (unfiltered: a count, or the plan's count when the caller has it, and
``LIMIT``/``OFFSET`` on the ids; filtered: the same, with a window count of every match, so
the filter runs once) and read those rows by id, so a page of a plan's actions costs much
the same for a plan of 50 actions as for one of 5,000; a filter, words above all, still reads the plan's rows it
cannot find by an index.

Parameters (the same names on both pages):

- filters, shared by both tables: ``q`` (words), ``status`` (a status key), ``area`` (an
  area code of the plan), ``agency`` (an agency id), ``overdue=1``;
- per table: ``rec_sort``/``act_sort`` (a sort name, ``-`` in front for descending) and
  ``rec_page``/``act_page``; ``per_page`` for both (default 50).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Generic, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, Text, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    Action,
    Agency,
    Area,
    Plan,
    Recommendation,
    SourceDocument,
    Status,
    action_supporting_agencies,
    recommendation_actions,
    recommendation_agencies,
)
from tracker.models.action import is_overdue
from tracker.models.agency import display_name
from tracker.models.source import Cited
from tracker.models.types import SEARCH_TEXT

PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_WORDS = 200  # characters of ``q`` kept: a search box, not a document

T = TypeVar("T")


# --- the request ------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFilter:
    """What both tables are narrowed to; empty values mean "any"."""

    q: str | None = None
    status: str | None = None  # a status key
    area: str | None = None  # an area code of the plan
    agency: int | None = None  # an agency id: lead or supporting agency, or named institution
    overdue: bool = False

    @property
    def active(self) -> bool:
        return bool(self.q or self.status or self.area or self.agency or self.overdue)

    def params(self) -> dict[str, str]:
        """The filters as query parameters (only those set)."""
        values = {"q": self.q, "status": self.status, "area": self.area,
                  "agency": str(self.agency) if self.agency else None, "overdue": "1" if self.overdue else None}
        return {name: value for name, value in values.items() if value}


@dataclass(frozen=True)
class TableOrder:
    """One table's sort and page."""

    sort: str
    descending: bool = False
    page: int = 1

    @property
    def sort_param(self) -> str:
        return ("-" if self.descending else "") + self.sort


@dataclass(frozen=True)
class TableRequest:
    """Checked query parameters for a plan's two tables, and what was wrong with the rest."""

    filters: ItemFilter = ItemFilter()
    recommendations: TableOrder = TableOrder("order")
    actions: TableOrder = TableOrder("order")
    per_page: int = PER_PAGE
    problems: tuple[str, ...] = ()

    def params(self, table: str | None = None, **changes) -> dict[str, str]:
        """The query parameters that give this view, with ``changes`` (``sort``, ``page``) made
        to ``table`` ("rec" or "act"); defaults are left out, so links stay short."""
        orders = {"rec": self.recommendations, "act": self.actions}
        if table is not None:
            orders[table] = replace(orders[table], **changes)
        values = dict(self.filters.params())
        for prefix, order in orders.items():
            if order.sort_param != "order":
                values[f"{prefix}_sort"] = order.sort_param
            if order.page != 1:
                values[f"{prefix}_page"] = str(order.page)
        if self.per_page != PER_PAGE:
            values["per_page"] = str(self.per_page)
        return values

    def sorted_by(self, table: str, sort: str) -> dict[str, str]:
        """Parameters for sorting ``table`` by ``sort``: ascending first, then the other way;
        back to its first page."""
        order = self.recommendations if table == "rec" else self.actions
        descending = order.sort == sort and not order.descending
        return self.params(table, sort=sort, descending=descending, page=1)


# The sorts each table offers: name -> the columns, in order (ties broken by plan order).
ACTION_SORTS = ("order", "code", "due", "start", "status", "agency", "complete")
RECOMMENDATION_SORTS = ("order", "code", "status", "timeframe")


def read_table_request(
    args: Mapping[str, str], *, statuses: Sequence[str], areas: Sequence[str],
) -> TableRequest:
    """The tables' parameters from ``args`` (a request's query), checked against the status keys
    and the plan's area codes; anything unusable is left out and named in ``problems``."""
    problems: list[str] = []

    def text(name: str) -> str:
        return (args.get(name) or "").strip()

    q = text("q")[:MAX_WORDS] or None
    status = text("status") or None
    if status and status not in statuses:
        problems.append(_l("There is no status %(value)r; showing every status.", value=status))
        status = None
    area = text("area") or None
    if area and area not in areas:
        problems.append(_l("This plan has no area %(value)r; showing every area.", value=area))
        area = None
    agency = _whole_number(args, "agency", problems, _l("agency"))
    overdue = text("overdue") not in ("", "0")

    per_page = _whole_number(args, "per_page", problems, _l("rows per page"))
    if per_page is None:
        per_page = PER_PAGE
    elif not 1 <= per_page <= MAX_PER_PAGE:
        problems.append(_l("Show between 1 and %(most)d rows per page; showing %(default)d.",
                           most=MAX_PER_PAGE, default=PER_PAGE))
        per_page = PER_PAGE

    def order(prefix: str, sorts: Sequence[str]) -> TableOrder:
        sort = text(f"{prefix}_sort") or "order"
        descending = sort.startswith("-")
        sort = sort[1:] if descending else sort
        if sort not in sorts:
            problems.append(_l("A table cannot be sorted by %(value)r; use one of: %(sorts)s.",
                               value=sort, sorts=", ".join(sorts)))
            sort, descending = "order", False
        page = _whole_number(args, f"{prefix}_page", problems, _l("page")) or 1
        return TableOrder(sort, descending, max(page, 1))

    return TableRequest(
        filters=ItemFilter(q=q, status=status, area=area, agency=agency, overdue=overdue),
        recommendations=order("rec", RECOMMENDATION_SORTS),
        actions=order("act", ACTION_SORTS),
        per_page=per_page,
        problems=tuple(str(p) for p in problems),
    )


def read_page_number(args: Mapping[str, str], name: str = "page") -> tuple[int, list[str]]:
    """A page number from ``args`` for a table with one pager, and what was wrong with it."""
    problems: list = []
    number = _whole_number(args, name, problems, _l("page")) or 1
    return max(number, 1), [str(p) for p in problems]


def _whole_number(args: Mapping[str, str], name: str, problems: list, label) -> int | None:
    """A positive whole number from ``args[name]``, or None (and a problem if it was not one)."""
    value = (args.get(name) or "").strip()
    if not value:
        return None
    # Only ASCII digits of a size a database integer holds: "²" is a digit to str.isdigit()
    # but not to int(), and a 30-digit number overflows the database's integers.
    if value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    problems.append(_l("%(label)s: %(value)r is not a whole number; it was left out.", label=label, value=value))
    return None


# --- the pages of rows ----------------------------------------------------------------------


@dataclass
class Page(Generic[T]):
    """One page of a table's rows, and where it sits in all that matched."""

    items: list[T]
    total: int
    number: int
    per_page: int
    problems: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row (0 when nothing matched)."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and those near this one; None for a gap."""
        shown = sorted({1, self.pages, *range(max(1, self.number - around), min(self.pages, self.number + around) + 1)})
        out: list[int | None] = []
        for n in shown:
            if out and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out


def page_of(query: Select, number: int, per_page: int, *, scalars: bool = True) -> Page:
    """The ``number``th page of ``query``'s rows (brought into range), with the count of all."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    problems = []
    if number > pages:
        problems.append(str(_l("There is no page %(number)d; the last is %(last)d, shown here.",
                               number=number, last=pages)))
        number = pages
    rows = query.limit(per_page).offset((number - 1) * per_page)
    items = list(db.session.scalars(rows) if scalars else db.session.execute(rows))
    return Page(items, total, number, per_page, problems)


def _page_of_items(query: Select, model, read: Callable[[list[int]], dict[int, T]], number: int, per_page: int,
                   *, filtered: bool, total: int | None = None) -> Page[T]:
    """The ``number``th page of ``query``'s ``model`` rows, as ``read`` (ids -> row by id) reads them.

    The order is found on the ids alone, then the page's rows are read by id: a page deep in
    a large plan skips ids in an index rather than whole rows. Unfiltered, the rows are
    counted without reading them, unless the caller knows their number (``total``: all the
    plan's rows, e.g. remembered per data version). Filtered, the filter runs once, not
    twice: the page's ids come with the count of every match (a window count). Words are a
    scan of every row of the plan's table that no index serves, and the recommendations'
    overdue and agency filters a pass over the link table.
    """
    ids_query = query.with_only_columns(model.id, maintain_column_froms=True)
    chosen = None
    if filtered:
        # The page's ids with the number of all matches (a window count, taken before the
        # LIMIT): the filter runs once, and only a page of ids comes back, not every match's
        # (3,700 of them for a word in most of 5,000 actions). A page past the last returns
        # none, and so no count: then the count alone, and the last page.
        found = db.session.execute(ids_query.add_columns(func.count().over())
                                   .limit(per_page).offset((number - 1) * per_page)).all()
        if found or number == 1:
            chosen, total = [row[0] for row in found], found[0][1] if found else 0
        else:
            total = db.session.scalar(select(func.count()).select_from(ids_query.order_by(None).subquery())) or 0
    elif total is None:
        total = db.session.scalar(
            query.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)) or 0
    pages = max(1, -(-total // per_page))
    problems = []
    if number > pages:
        problems.append(str(_l("There is no page %(number)d; the last is %(last)d, shown here.",
                               number=number, last=pages)))
        number = pages
    if chosen is None:
        offset = (number - 1) * per_page
        chosen = list(db.session.scalars(ids_query.limit(per_page).offset(offset))) if total else []
    rows = read(chosen) if chosen else {}
    return Page([rows[i] for i in chosen], total, number, per_page, problems)


def _models_by_id(model, loads: list) -> Callable[[list[int]], dict]:
    """A page's reader of ``model`` objects by id, their relations loaded by ``loads``."""
    def read(ids: list[int]) -> dict:
        return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)).options(*loads))}
    return read


def _overdue(today: date):
    """Action.is_overdue as SQL: past its due date, in a status that is not final.

    The open statuses are named by key (a subquery of the small statuses table, not
    correlated with any join of statuses the query makes)."""
    open_keys = select(Status.key).where(Status.is_final.is_(False)).scalar_subquery().correlate(None)
    return and_(Action.due_date < today, Action.status_key.in_(open_keys))


def _words(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _any_contains(q: str, model, *columns):
    """Any of ``model``'s ``columns`` holds ``q``, whatever the case: on SQLite a plain LIKE,
    on PostgreSQL a LIKE of the lower-cased words on ``search_text``, the same columns
    lower-cased once when written (``models.types.SEARCH_TEXT``).

    SQLite's LIKE already ignores the case of ASCII letters, as its ``lower()`` (which
    ILIKE becomes there) does: the same rows, without a ``lower()`` per row and column,
    a third of the time of the scan that words make. PostgreSQL's ILIKE is ``lower()`` of the
    value ``LIKE lower()`` of the pattern, value by value (12-15 ms for a word in most of a
    5,000-action plan); the stored column spares the ``lower()`` and finds the same rows, as
    long as the words hold no line break (what joins the columns there): ILIKE for those.
    ``columns`` must be the ones migration 0026 joins into ``search_text``: searching another
    means a migration that joins it in too.
    """
    pattern = _words(q)
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        return or_(*(column.like(pattern, escape="\\") for column in columns))
    if "\n" not in q:
        search_text = literal_column(f"{model.__tablename__}.{SEARCH_TEXT}", Text)
        return search_text.like(func.lower(pattern), escape="\\")
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def _action_of_agency(agency_id: int):
    supported = select(action_supporting_agencies.c.action_id).where(action_supporting_agencies.c.agency_id == agency_id)
    return or_(Action.lead_agency_id == agency_id, Action.id.in_(supported))


def action_query(plan: Plan, filters: ItemFilter, today: date) -> Select:
    """The plan's actions ``filters`` keep (unordered): own area, lead or supporting agency,
    status, overdue, and words in the code, title or description."""
    query = select(Action).where(Action.plan_id == plan.id)
    if filters.q:
        query = query.where(_any_contains(filters.q, Action, Action.code, Action.title, Action.description))
    if filters.status:
        query = query.where(Action.status_key == filters.status)
    if filters.area:
        query = query.where(Action.area_id.in_(select(Area.id).where(Area.plan_id == plan.id, Area.code == filters.area)))
    if filters.agency:
        query = query.where(_action_of_agency(filters.agency))
    if filters.overdue:
        query = query.where(_overdue(today))
    return query


def _ordered_actions(plan: Plan, request: TableRequest, today: date) -> Select:
    """The plan's actions ``request`` keeps, in the order it asks."""
    order = request.actions
    query = action_query(plan, request.filters, today)
    direction = (lambda c: c.desc()) if order.descending else (lambda c: c)
    # "Is empty" goes first and is never reversed, so rows without a value stay last either way.
    keys = {
        "order": [direction(Action.position)],
        "code": [direction(Action.code)],
        "due": [Action.due_date.is_(None), direction(Action.due_date)],
        "start": [Action.start_date.is_(None), direction(Action.start_date)],
        "status": [direction(Status.position)],
        "agency": [Agency.name.is_(None), direction(Agency.name)],
        "complete": [direction(Action.percent_complete)],
    }[order.sort]
    if order.sort == "agency":
        query = query.outerjoin(Agency, Action.lead_agency_id == Agency.id)
    elif order.sort == "status":
        query = query.join(Status, Action.status_key == Status.key)
    # Ties in plan order. (Position once: named twice, SQLite sorts again what the index
    # of a plan's actions already gives in order.)
    ties = [Action.id] if order.sort == "order" else [Action.position, Action.id]
    return query.order_by(*keys, *ties)


def action_page(plan: Plan, request: TableRequest, today: date) -> Page[Action]:
    """One page of the plan's actions as ``request`` asks, with their area, agencies and
    recommendations loaded (the workspace shows them and acts on them)."""
    loads = [selectinload(Action.lead_agency), selectinload(Action.area), selectinload(Action.supporting_agencies),
             selectinload(Action.recommendations)]
    return _page_of_items(_ordered_actions(plan, request, today), Action, _models_by_id(Action, loads),
                          request.actions.page, request.per_page, filtered=request.filters.active)


@dataclass(frozen=True, slots=True)
class ActionRow:
    """An action as a plan page's table shows it: only those columns, read as plain values
    (no ORM objects to build, no relation to load). Reads like an ``Action`` in the table's
    template and under ``publishing.as_of.ActionThen``."""

    id: int
    code: str
    title: str
    title_translations: dict
    lead_agency_id: int | None
    lead_agency_name: str | None  # its display name
    start_date: date | None
    due_date: date | None
    percent_complete: int
    status_key: str
    final: bool  # its status is a final one

    def is_overdue(self, today: date) -> bool:
        """Past its due date and not in a final status."""
        return is_overdue(self.due_date, self.final, today)


def _action_rows(ids: list[int]) -> dict[int, ActionRow]:
    query = (
        select(Action.id, Action.code, Action.title, Action.title_translations, Action.lead_agency_id, Agency.name,
               Agency.acronym, Action.start_date, Action.due_date, Action.percent_complete, Action.status_key,
               Status.is_final)
        .join(Status, Action.status_key == Status.key)
        .outerjoin(Agency, Action.lead_agency_id == Agency.id)
        .where(Action.id.in_(ids))
    )
    return {
        row.id: ActionRow(
            row.id, row.code, row.title, row.title_translations, row.lead_agency_id,
            display_name(row.name, row.acronym) if row.lead_agency_id is not None else None,
            row.start_date, row.due_date, row.percent_complete, row.status_key, bool(row.is_final))
        for row in db.session.execute(query)
    }


def action_rows_page(plan: Plan, request: TableRequest, today: date, *, total: int | None = None
                     ) -> Page[ActionRow]:
    """One page of the plan's actions as ``request`` asks, as the public plan page's table
    shows them (``ActionRow``): three statements whatever the page, two when ``total`` (how
    many actions the plan has: ``item_counts``) spares an unfiltered page its count."""
    return _page_of_items(_ordered_actions(plan, request, today), Action, _action_rows,
                          request.actions.page, request.per_page, filtered=request.filters.active, total=total)


def matching_action_ids(plan: Plan, filters: ItemFilter, today: date) -> list[int]:
    """Every action of the plan ``filters`` keep, on any page: what "select all" selects."""
    query = action_query(plan, filters, today).with_only_columns(Action.id).order_by(Action.position, Action.id)
    return list(db.session.scalars(query))


def recommendation_query(plan: Plan, filters: ItemFilter, today: date) -> Select:
    """The plan's recommendations ``filters`` keep (unordered).

    Area and status are their own; the agency matches when they name it or when one of their
    actions is its; "overdue" keeps those with an overdue action; words match the code, the
    text or what was done.
    """
    query = select(Recommendation).outerjoin(Area, Recommendation.area_id == Area.id).where(Recommendation.plan_id == plan.id)
    if filters.q:
        query = query.where(_any_contains(filters.q, Recommendation, Recommendation.code, Recommendation.text,
                                          Recommendation.actions_taken))
    if filters.status:
        query = query.where(Recommendation.status_key == filters.status)
    if filters.area:
        query = query.where(Area.code == filters.area)
    # Sets of ids computed once (not a correlated EXISTS per recommendation), driven from the
    # link table by action id: its key starts with the recommendation, so a join from actions
    # would scan it once per action. A plan of 1,000 recommendations and 5,000 actions
    # filters in milliseconds.
    def served_by(*conditions) -> Select:
        actions = select(Action.id).where(Action.plan_id == plan.id, *conditions)
        return select(recommendation_actions.c.recommendation_id).where(recommendation_actions.c.action_id.in_(actions))

    if filters.agency:
        named = select(recommendation_agencies.c.recommendation_id).where(
            recommendation_agencies.c.agency_id == filters.agency)
        query = query.where(or_(Recommendation.id.in_(named),
                                Recommendation.id.in_(served_by(_action_of_agency(filters.agency)))))
    if filters.overdue:
        query = query.where(Recommendation.id.in_(served_by(_overdue(today))))
    return query


def _ordered_recommendations(plan: Plan, request: TableRequest, today: date) -> Select:
    """The plan's recommendations ``request`` keeps, in the order it asks (by default plan
    order: by area, then as the report lists them)."""
    order = request.recommendations
    direction = (lambda c: c.desc()) if order.descending else (lambda c: c)
    keys = {
        "order": [Area.position.is_(None), direction(Area.position), direction(Recommendation.position)],
        "code": [direction(Recommendation.code)],
        "status": [direction(Status.position)],
        # short, medium, long: the lanes' own order, then none
        "timeframe": [Recommendation.timeframe.is_(None), direction(case(
            {"short": 1, "medium": 2, "long": 3}, value=Recommendation.timeframe, else_=4))],
    }[order.sort]
    query = recommendation_query(plan, request.filters, today)
    if order.sort == "status":
        query = query.join(Status, Recommendation.status_key == Status.key)
    return query.order_by(*keys, Recommendation.position, Recommendation.id)


def recommendation_page(plan: Plan, request: TableRequest, today: date) -> Page[Recommendation]:
    """One page of the plan's recommendations as ``request`` asks, with their area,
    institutions, source and actions loaded (the workspace shows them)."""
    # The citation's document too: lazily it would be one query per row (and again for every
    # row whose document nobody has described, as none is in the session to find).
    loads = [selectinload(Recommendation.area),
             selectinload(Recommendation.institutions),
             selectinload(Recommendation.source_details),
             selectinload(Recommendation.actions).selectinload(Action.status)]
    return _page_of_items(_ordered_recommendations(plan, request, today), Recommendation,
                          _models_by_id(Recommendation, loads), request.recommendations.page, request.per_page,
                          filtered=request.filters.active)


@dataclass(frozen=True, slots=True)
class AreaName:
    """An area's name and its translations: what a recommendation's row shows of its area."""

    name: str
    name_translations: dict


@dataclass(frozen=True)
class RecommendationRow(Cited):
    """A recommendation as a plan page's table shows it: only those columns, read as plain
    values. Reads like a ``Recommendation`` in the table's template (its source is cited by
    ``models.source.Cited``, as the model's is); ``institutions`` are display names."""

    id: int
    code: str
    text: str
    text_translations: dict
    actions_taken: str | None
    status_key: str
    timeframe: str | None
    area: AreaName | None
    source_document: str | None
    source_section: str | None
    source_lines: str | None
    source_details: SourceDocument | None
    institutions: tuple[str, ...]


def _recommendation_rows(ids: list[int]) -> dict[int, RecommendationRow]:
    rows = db.session.execute(
        select(Recommendation.id, Recommendation.code, Recommendation.text, Recommendation.text_translations,
               Recommendation.actions_taken, Recommendation.status_key, Recommendation.timeframe,
               Recommendation.area_id, Area.name, Area.name_translations, Recommendation.source_document,
               Recommendation.source_section, Recommendation.source_lines, SourceDocument)
        .outerjoin(Area, Recommendation.area_id == Area.id)
        .outerjoin(SourceDocument, Recommendation.source_document == SourceDocument.name)
        .where(Recommendation.id.in_(ids))
    ).all()
    institutions = defaultdict(list)
    for rec_id, name, acronym in db.session.execute(
        select(recommendation_agencies.c.recommendation_id, Agency.name, Agency.acronym)
        .join(Agency, Agency.id == recommendation_agencies.c.agency_id)
        .where(recommendation_agencies.c.recommendation_id.in_(ids))
        .order_by(Agency.name, Agency.id)
    ):
        institutions[rec_id].append(display_name(name, acronym))
    return {
        row.id: RecommendationRow(
            row.id, row.code, row.text, row.text_translations, row.actions_taken, row.status_key, row.timeframe,
            AreaName(row.name, row.name_translations) if row.area_id is not None else None,
            row.source_document, row.source_section, row.source_lines, row.SourceDocument,
            tuple(institutions[row.id]))
        for row in rows
    }


def recommendation_rows_page(plan: Plan, request: TableRequest, today: date, *, total: int | None = None
                             ) -> Page[RecommendationRow]:
    """One page of the plan's recommendations as ``request`` asks, as the public plan page's
    table shows them (``RecommendationRow``): four statements whatever the page, three when
    ``total`` (how many recommendations the plan has: ``item_counts``) spares an unfiltered
    page its count."""
    return _page_of_items(_ordered_recommendations(plan, request, today), Recommendation, _recommendation_rows,
                          request.recommendations.page, request.per_page, filtered=request.filters.active,
                          total=total)


def item_counts(plan: Plan) -> tuple[int, int]:
    """How many recommendations and actions the plan has, whatever the filters (one statement)."""
    def count(model) -> Select:
        return select(func.count()).select_from(model).where(model.plan_id == plan.id).scalar_subquery()

    recommendations, actions = db.session.execute(select(count(Recommendation), count(Action))).one()
    return recommendations or 0, actions or 0


@dataclass(frozen=True)
class AgencyChoice:
    """An agency as the filters and the plan page's list show it (plain values, so the
    choices can be remembered across requests)."""

    id: int
    name: str
    display_name: str


def filter_options(plan: Plan) -> dict:
    """The values the tables' filters offer for ``plan``: its areas, and the agencies named on
    its actions or recommendations (and which of them lead or support an action). Plain
    values only: the public plan page remembers them per data version."""
    # One indexed look-up per agency (there are far fewer agencies than actions).
    owns = or_(
        select(Action.id).where(Action.lead_agency_id == Agency.id, Action.plan_id == plan.id).exists(),
        select(Action.id).join(action_supporting_agencies, action_supporting_agencies.c.action_id == Action.id)
        .where(action_supporting_agencies.c.agency_id == Agency.id, Action.plan_id == plan.id).exists(),
    )
    involved = or_(
        owns,
        select(Recommendation.id)
        .join(recommendation_agencies, recommendation_agencies.c.recommendation_id == Recommendation.id)
        .where(recommendation_agencies.c.agency_id == Agency.id, Recommendation.plan_id == plan.id).exists(),
    )
    rows = db.session.execute(select(Agency, owns).where(involved).order_by(Agency.name)).all()
    return {
        "areas": [tuple(row) for row in db.session.execute(
            select(Area.code, Area.name).where(Area.plan_id == plan.id).order_by(Area.position, Area.id))],
        "agencies": [AgencyChoice(agency.id, agency.name, agency.display_name) for agency, _ in rows],
        # Those with an action: only they have a public page (an institution a recommendation
        # merely names does not).
        "with_actions": {agency.id for agency, has_actions in rows if has_actions},
    }
