"""Bringing a whole plan in (or up to date) from one document: seed files and spreadsheets.

A plan document is a dict shaped like the seed files (see ``seed/README.md``):
``sources`` (the cited reports' bibliographic data), ``plan``, ``agencies``, ``areas``, ``recommendations`` (optionally with ``related``
links), ``actions``, ``readiness`` (dimensions), ``assessment_rounds``, ``figures``, ``indicators``. Items are
matched by their stable codes, so importing the same document again changes
nothing and an edited document updates in place instead of duplicating.

Two things an import decides only for what it creates, never for what exists:

- publication: a plan the import creates is published when the document's plan says
  ``published: true`` or the caller asks (``publish``); an existing plan keeps its state,
  since publishing and unpublishing is the secretariat's decision on the plan's page;
- agencies: a body the document names that does not exist is created only when the
  caller allows it (``create_agencies``: seed files, which list their agencies, and an
  import the user ticked); otherwise it is refused with the closest known agencies, so a
  typo (``DRO`` for ``DOR``) never becomes a new agency.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Plan, ReadinessDimension, SourceDocument
from tracker.services.actions import find_action, save_action
from tracker.services.agencies import (
    agency_reference,
    closest_agencies,
    described_agency,
    ensure_agency,
)
from tracker.services.assessments import record_assessment_round
from tracker.services.errors import NotFound, ValidationFailed
from tracker.services.indicators import find_indicator, save_indicator
from tracker.services.plans import (
    create_plan,
    find_area,
    get_plan,
    save_area,
    save_figures,
    update_plan,
)
from tracker.services.readiness import save_dimension
from tracker.services.recommendations import find_recommendation, link_related, save_recommendation
from tracker.services.sources import save_source_document
from tracker.services.transaction import Actor, atomic


@dataclass
class ImportSummary:
    """What an import did (or, on a dry run, would do)."""

    slug: str
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    # Whether the plan is published once the import is done (None until the plan is read).
    published: bool | None = None
    # The agencies the import creates (or would), as "Name [ACRONYM]".
    agencies_created: list[str] = field(default_factory=list)

    @property
    def plan_created(self) -> bool:
        return bool(self.created["plans"])

    @property
    def becomes_public(self) -> bool:
        """The import creates the plan, published: the public sees it at once."""
        return self.plan_created and bool(self.published)

    def count(self, kind: str, *, created: bool, changed: bool) -> None:
        bucket = self.created if created else self.updated if changed else self.unchanged
        bucket[kind] += 1

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)


class _DryRun(Exception):
    """Raised to roll back a dry run after everything has been validated."""


def import_plan_document(
    document: dict,
    *,
    actor: Actor,
    now: datetime,
    reason: str,
    dry_run: bool = False,
    publish: bool = False,
    create_agencies: bool = False,
    effective_on: date | None = None,
) -> ImportSummary:
    """Create or update a plan and everything in it, all or nothing.

    Every problem in the document is collected (as ``section[index].field``) and
    raised together in one ``ValidationFailed``; nothing is stored then. A dry run
    validates and counts, then rolls back. ``publish`` publishes the plan if this
    import creates it; ``create_agencies`` lets it create the agencies it names that do
    not exist (see the module docstring). ``effective_on`` dates the statuses it records
    by their source (the report's assessment date) rather than by ``now``; the document's
    ``sources`` section gives the bibliographic data of the reports it cites.
    """
    summary = ImportSummary(slug=str((document.get("plan") or {}).get("slug")))
    try:
        with atomic():
            _import(document, summary, actor=actor, now=now, reason=reason, publish=publish,
                    create_agencies=create_agencies, effective_on=effective_on)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return summary


def _import(document: dict, summary: ImportSummary, *, actor, now, reason, publish, create_agencies,
            effective_on=None) -> None:
    """Save every section of ``document`` in order, collecting problems; raise them all at the end."""
    run = _Import(summary, actor=actor, now=now, reason=reason, effective_on=effective_on)
    run.sources(document.get("sources") or [])
    plan = run.attempt("plan", lambda: _save_plan(document.get("plan") or {}, summary, now=now, publish=publish))
    if plan is None:
        raise ValidationFailed(run.errors)
    aliases, refused = run.agencies(plan, document.get("agencies") or [], create=create_agencies)
    run.areas(plan, document.get("areas") or [])
    related = run.recommendations_and_actions(plan, document, aliases, refused)
    run.related(plan, related)
    run.readiness(plan, document.get("readiness") or [])
    run.assessment_rounds(plan, document.get("assessment_rounds") or [])
    if document.get("figures") and run.attempt("figures", lambda: save_figures(plan, document["figures"])):
        summary.count("figure lists", created=False, changed=True)
    run.indicators(plan, document.get("indicators") or [])
    if run.errors:
        raise ValidationFailed(run.errors)


class _Import:
    """One import under way: who and when, what it did so far, and the problems found.

    Each section's items are saved one by one through the services; a refused item adds
    its problems under its path (``actions[3].due_date``) and the import goes on, so a
    document's problems are all reported at once.
    """

    def __init__(self, summary: ImportSummary, *, actor: Actor, now: datetime, reason: str,
                 effective_on: date | None = None):
        self.summary = summary
        self.actor, self.now, self.reason, self.effective_on = actor, now, reason, effective_on
        self.errors: dict[str, list[str]] = {}

    def attempt(self, path: str, operation):
        """The operation's result, or None with its problems recorded under ``path``."""
        try:
            return operation()
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                key = path if name == "_schema" else f"{path}.{name}"
                self.errors.setdefault(key, []).extend(_as_list(messages))
            return None

    def counted(self, kind: str, path: str, operation, *, existed: bool) -> None:
        """Attempt a save that returns (item, changed), and count what it did."""
        result = self.attempt(path, operation)
        if result:
            self.summary.count(kind, created=not existed, changed=result[1])

    def agencies(self, plan: Plan, items: list, *, create: bool) -> tuple[dict[str, str], set[str]]:
        """The agencies the document names: ({its key: how services find it}, refused keys)."""
        # Documents may name bodies by a local key; services find them by acronym or name.
        aliases: dict[str, str] = {}
        refused: set[str] = set()
        for index, item in enumerate(items):
            key = item.get("key") or item.get("acronym") or item.get("name")
            fields = {"name": item.get("name"), "acronym": item.get("acronym"), "country": plan.country}
            agency = self.attempt(f"agencies[{index}]", lambda f=fields: _agency(f, self.summary, create=create))
            if agency is not None:
                aliases[key] = agency.acronym or agency.name
            else:
                refused.add(key)
        return aliases, refused

    def sources(self, items: list) -> None:
        for index, item in enumerate(items):
            existed = isinstance(item, dict) and db.session.get(SourceDocument, str(item.get("document"))) is not None
            self.counted("source documents", f"sources[{index}]", lambda i=item: save_source_document(i),
                         existed=existed)

    def areas(self, plan: Plan, areas: list) -> None:
        for index, area in enumerate(areas):
            existed = find_area(plan, str(area.get("code"))) is not None
            self.counted("areas", f"areas[{index}]", lambda a=area, i=index: save_area(plan, {"position": i, **a}),
                         existed=existed)

    def recommendations_and_actions(self, plan: Plan, document: dict, aliases: dict[str, str],
                                    refused: set[str]) -> list[tuple[int, str, list]]:
        """Save both kinds in order; returns the recommendations' related links, saved once all exist."""
        related: list[tuple[int, str, list]] = []
        for kind, save in (("recommendations", save_recommendation), ("actions", save_action)):
            for index, item in enumerate(document.get(kind) or []):
                if kind == "recommendations" and isinstance(item, dict) and "related" in item:
                    item = dict(item)
                    related.append((index, str(item.get("code")), item.pop("related") or []))
                self.counted(
                    kind, f"{kind}[{index}]",
                    lambda i=item, n=index, s=save: s(
                        plan, {"position": n, **_resolve(i, aliases, refused)},
                        actor=self.actor, now=self.now, reason=self.reason, effective_on=self.effective_on,
                    ),
                    existed=_exists(plan, kind, item),
                )
        return related

    def related(self, plan: Plan, related: list[tuple[int, str, list]]) -> None:
        for index, code, references in related:
            rec = find_recommendation(plan, code)
            if rec is not None and self.attempt(
                f"recommendations[{index}].related", lambda r=rec, refs=references: link_related(r, refs)
            ):
                self.summary.count("links", created=False, changed=True)

    def readiness(self, plan: Plan, dimensions: list) -> None:
        for index, dimension in enumerate(dimensions):
            self.counted(
                "readiness dimensions", f"readiness[{index}]",
                lambda d=dimension, i=index: save_dimension(plan, d, position=i),
                existed=_dimension_exists(plan, dimension),
            )

    def indicators(self, plan: Plan, indicators: list) -> None:
        """Indicators with the values their source documents give (after the items they measure)."""
        for index, item in enumerate(indicators):
            self.counted(
                "indicators", f"indicators[{index}]",
                lambda i=item, n=index: save_indicator(plan, {"position": n, **i}, actor=self.actor, now=self.now),
                existed=_indicator_exists(plan, item),
            )

    def assessment_rounds(self, plan: Plan, rounds: list) -> None:
        for index, round_ in enumerate(rounds):
            # The service matches rounds by name and says only whether it changed one, so a
            # round is counted as updated or unchanged, never as created.
            self.counted(
                "assessment rounds", f"assessment_rounds[{index}]",
                lambda r=round_: record_assessment_round(plan, r, actor=self.actor, now=self.now),
                existed=True,
            )


def _indicator_exists(plan: Plan, item) -> bool:
    return isinstance(item, dict) and find_indicator(plan, str(item.get("code"))) is not None


def _resolve(item: dict, aliases: dict[str, str], refused: set[str]) -> dict:
    """The item with its agency references translated through ``aliases``.

    References to refused agencies are dropped: their problem is already reported once,
    with the closest known agencies, and must not come back as "unknown agency" per item.
    """
    if not isinstance(item, dict):
        return item
    resolved = dict(item)
    for name in ("institutions", "supporting_agencies"):
        if isinstance(item.get(name), list):
            resolved[name] = [aliases.get(k, k) for k in item[name] if k not in refused]
    if isinstance(item.get("lead_agency"), str):
        lead = item["lead_agency"]
        resolved["lead_agency"] = None if lead in refused else aliases.get(lead, lead)
    return resolved


def _agency(fields: dict, summary: ImportSummary, *, create: bool):
    """The existing agency ``fields`` describe; a new one only if ``create`` allows it."""
    agency = described_agency(fields)
    if agency is not None:
        return agency
    named = agency_reference(fields["name"], fields.get("acronym"))
    if create:
        agency = ensure_agency(fields)
        summary.agencies_created.append(named)
        summary.count("agencies", created=True, changed=True)
        return agency
    country = fields["country"]
    closest = closest_agencies(country, fields.get("acronym") or fields["name"])
    if fields.get("acronym"):
        closest += [a for a in closest_agencies(country, fields["name"]) if a not in closest]
    hint = (
        "The closest known: " + "; ".join(agency_reference(a.name, a.acronym) for a in closest[:3])
        if closest
        else f"No agency of {country} has a similar acronym or name"
    )
    message = (
        f"Unknown agency {named!r} in {country}. {hint}. Correct the name, "
        "or import again allowing new agencies to create it."
    )
    raise ValidationFailed({"name": [message]})


def _save_plan(fields: dict, summary: ImportSummary, *, now, publish: bool) -> Plan:
    try:
        plan = get_plan(str(fields.get("slug")))
    except NotFound:
        # A new plan is private unless the document or the caller publishes it.
        wanted = {**fields, "published": True} if publish else {"published": False, **fields}
        plan = create_plan(wanted, now=now)
        summary.count("plans", created=True, changed=True)
        summary.published = plan.published
        return plan
    # Whether an existing plan is public is decided on its page, never by an import.
    changed = update_plan(plan, {k: v for k, v in fields.items() if k != "published"})
    summary.count("plans", created=False, changed=changed)
    summary.published = plan.published
    return plan


def _dimension_exists(plan: Plan, dimension) -> bool:
    code = dimension.get("code") if isinstance(dimension, dict) else None
    return bool(code) and db.session.scalars(
        select(ReadinessDimension.id).where(
            ReadinessDimension.plan_id == plan.id, ReadinessDimension.code == str(code)
        )
    ).first() is not None


def _exists(plan: Plan, kind: str, item: dict) -> bool:
    code = item.get("code") if isinstance(item, dict) else None
    if not code:
        return False
    finder = find_recommendation if kind == "recommendations" else find_action
    return finder(plan, str(code)) is not None


def _as_list(messages) -> list[str]:
    if isinstance(messages, dict):
        return [f"{k}: {' '.join(_as_list(v))}" for k, v in messages.items()]
    return [str(m) for m in messages] if isinstance(messages, list | tuple) else [str(messages)]

