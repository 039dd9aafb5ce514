"""Indicators: the secretariat defines them; agencies report their values in progress reports.

A value counts (on public pages, in ratings, charts and exports) once the report carrying
it is accepted; a value recorded from a source document, with no report, counts as it is.
Values are never overwritten: each report carries its own, so an accepted value stays in
the indicator's history whatever later reports say. Changing an indicator's baseline or
target is recorded on its subject's timeline with the values before and after.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import or_, select

from tracker.extensions import db
from tracker.models import (
    Action,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    Plan,
    ProgressReport,
    Recommendation,
)
from tracker.models.indicator import counting_values
from tracker.schemas.base import NUMBER_LIMIT, unstorable_character
from tracker.schemas.indicator import (
    MAX_VALUES_PER_REPORT,
    TEXT_VALUE,
    IndicatorInput,
    IndicatorValueInput,
)
from tracker.services.errors import NotFound, ValidationFailed
from tracker.services.history import record_event
from tracker.services.plans import assign
from tracker.services.transaction import Actor, atomic
from tracker.services.validation import validated

# The definition's fields whose change is recorded on the subject's timeline.
TRACKED = ("name", "unit", "kind", "direction", "baseline_value", "baseline_date", "target_value", "target_date")
YES_WORDS = {"yes": 1.0, "true": 1.0, "1": 1.0, "no": 0.0, "false": 0.0, "0": 0.0}


def find_indicator(plan: Plan, code: str) -> Indicator | None:
    return db.session.scalars(select(Indicator).where(Indicator.plan_id == plan.id, Indicator.code == code)).first()


def create_indicator(subject: Action | Recommendation, data: dict, *, actor: Actor, now: datetime) -> Indicator:
    """Add an indicator to an action or a recommendation; its code must be new in the plan."""
    fields = validated(IndicatorInput(), data)
    with atomic():
        plan = subject.plan
        if find_indicator(plan, fields["code"]):
            raise ValidationFailed({"code": [gettext("This code is already used by another indicator of this plan.")]})
        indicator = Indicator(plan_id=plan.id, created_at=now, updated_at=now, **fields)
        if isinstance(subject, Action):
            indicator.action = subject
        else:
            indicator.recommendation = subject
        db.session.add(indicator)
        db.session.flush()
        record_event(subject, "edited", f"Indicator {indicator.code} added: {indicator.name}",
                     actor=actor, now=now, details={"indicator_id": indicator.id})
        return indicator


def update_indicator(indicator: Indicator, data: dict, *, actor: Actor, now: datetime) -> Indicator:
    """Change an indicator's definition; what changed is recorded on its subject's timeline."""
    fields = validated(IndicatorInput(), data)
    with atomic():
        if fields["code"] != indicator.code:
            other = find_indicator(indicator.subject.plan, fields["code"])
            if other is not None and other.id != indicator.id:
                raise ValidationFailed({"code": [gettext("This code is already used by another indicator of this plan.")]})
        before = {name: getattr(indicator, name) for name in TRACKED}
        if indicator.values and fields["kind"] != indicator.kind:
            raise ValidationFailed({"kind": [gettext("This indicator has values already: its kind can no longer change.")]})
        assign(indicator, fields)
        changes = {name: [_plain(before[name]), _plain(getattr(indicator, name))]
                   for name in TRACKED if before[name] != getattr(indicator, name)}
        if changes or db.session.is_modified(indicator):
            indicator.updated_at = now
            db.session.flush()
            # Timelines are a recommendation's or an action's; a plan-wide indicator has none.
            if not isinstance(indicator.subject, Plan):
                record_event(indicator.subject, "edited", f"Indicator {indicator.code} changed",
                             actor=actor, now=now, details={"indicator_id": indicator.id, "changes": changes})
        return indicator


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def reportable_indicators(action: Action) -> list[Indicator]:
    """The indicators an action's report may carry values for: the action's, then its recommendations'."""
    recommendation_ids = [r.id for r in action.recommendations]
    return list(db.session.scalars(
        select(Indicator)
        .where(or_(Indicator.action_id == action.id, Indicator.recommendation_id.in_(recommendation_ids)))
        .order_by(Indicator.recommendation_id.is_not(None), Indicator.position, Indicator.id)
    ))


@dataclass(frozen=True)
class ReportedValue:
    """One checked value of a report, ready to store."""

    indicator: Indicator
    period_date: date
    value: float | None
    text: str | None


def checked_values(action: Action, raw: object, *, default_date: date, errors: dict) -> list[ReportedValue] | None:
    """A report's ``indicator_values`` checked against the indicators the action may report on.

    None (nothing given) leaves a report's values as they are; a list replaces them. Problems
    are added to ``errors`` under ``indicator_values``, by position and field, so a form can
    put each message by its box and the API names the item.
    """
    if raw is None:
        return None
    if not isinstance(raw, list):
        errors["indicator_values"] = [gettext("Give a list of values, each with an indicator and a value.")]
        return None
    if len(raw) > MAX_VALUES_PER_REPORT:
        errors["indicator_values"] = [gettext("Give at most %(MAX_VALUES_PER_REPORT)s values.", MAX_VALUES_PER_REPORT=MAX_VALUES_PER_REPORT)]
        return None
    allowed = {indicator.id: indicator for indicator in reportable_indicators(action)}
    problems: dict[int, dict[str, list[str]]] = {}
    checked: list[ReportedValue] = []
    seen: set[int] = set()
    for index, item in enumerate(raw):
        try:
            fields = validated(IndicatorValueInput(), item)
        except ValidationFailed as exc:
            problems[index] = exc.errors
            continue
        indicator = allowed.get(fields["indicator"])
        if indicator is None:
            problems[index] = {"indicator": ["Not an indicator of this action or of its recommendations."]}
            continue
        if indicator.id in seen:
            problems[index] = {"indicator": ["This indicator has a value already in this report."]}
            continue
        seen.add(indicator.id)
        try:
            number, text = value_for(indicator, fields["value"])
        except ValueError as exc:
            problems[index] = {"value": [str(exc)]}
            continue
        checked.append(ReportedValue(indicator, fields["period_date"] or default_date, number, text))
    if problems:
        errors["indicator_values"] = problems
    return checked


def value_for(indicator: Indicator, raw: object) -> tuple[float | None, str | None]:
    """``raw`` as ``indicator`` stores it, (number, text); ValueError says what is wrong."""
    if indicator.kind == IndicatorKind.TEXT:
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError("Enter the value as text.")
        text = raw.strip()
        if len(text) > TEXT_VALUE:
            raise ValueError(f"Use at most {TEXT_VALUE:,} characters.")
        problem = unstorable_character(text)
        if problem:
            raise ValueError(problem)
        return None, text
    if indicator.kind == IndicatorKind.YES_NO:
        if isinstance(raw, bool):
            return (1.0 if raw else 0.0), None
        key = str(raw).strip().lower() if isinstance(raw, str | int | float) else None
        if key not in YES_WORDS:
            raise ValueError("Answer yes or no.")
        return YES_WORDS[key], None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        # ValueError, not TypeError: it is how value_for names any bad value to its callers.
        raise ValueError("Enter a number (e.g. 42 or 3.5).")  # noqa: TRY004
    try:
        number = float(raw.strip().replace(",", "")) if isinstance(raw, str) else float(raw)
    except ValueError:
        raise ValueError("Enter a number (e.g. 42 or 3.5).") from None
    if math.isnan(number) or abs(number) > NUMBER_LIMIT:
        raise ValueError("Enter a number (e.g. 42 or 3.5).")
    if indicator.kind == IndicatorKind.PERCENT and not 0 <= number <= 100:
        raise ValueError("Enter a percent from 0 to 100.")
    return number, None


def replace_report_values(report: ProgressReport, values: list[ReportedValue], now: datetime) -> None:
    """Give an editable report exactly ``values`` (in the caller's transaction).

    A value already there for the same indicator is changed in place: the unit of work
    inserts before it deletes, so a new row would collide with the old one (one value per
    indicator and report). Only drafts and returned reports get here: accepted values are
    never changed.
    """
    kept = {item.indicator_id: item for item in report.indicator_values}
    wanted = {item.indicator.id for item in values}
    for indicator_id, item in list(kept.items()):
        if indicator_id not in wanted:
            report.indicator_values.remove(item)
    for item in values:
        stored = kept.get(item.indicator.id)
        if stored is None:
            report.indicator_values.append(IndicatorValue(
                indicator=item.indicator, period_date=item.period_date, value=item.value, text=item.text,
                created_at=now))
        else:
            stored.period_date, stored.value, stored.text = item.period_date, item.value, item.text


def counted_values(indicator: Indicator) -> list[IndicatorValue]:
    """The values that count, oldest first: from accepted reports, or from a source document."""
    return list(db.session.scalars(
        select(IndicatorValue)
        .outerjoin(ProgressReport, IndicatorValue.report_id == ProgressReport.id)
        .where(IndicatorValue.indicator_id == indicator.id, counting_values())
        .order_by(IndicatorValue.period_date, IndicatorValue.id)
    ))


def indicators_of(subject: Action | Recommendation) -> list[Indicator]:
    """The indicators that measure ``subject`` itself, in order."""
    return list(subject.indicators)


def record_source_value(indicator: Indicator, data: dict, *, source: dict, now: datetime) -> IndicatorValue:
    """A value taken from a source document (a seed report): it counts at once, with its reference."""
    fields = validated(IndicatorValueInput(), {**data, "indicator": indicator.id})
    try:
        number, text = value_for(indicator, fields["value"])
    except ValueError as exc:
        raise ValidationFailed({"value": [str(exc)]}) from None
    if fields["period_date"] is None:
        raise ValidationFailed({"period_date": [gettext("Say which day the value describes.")]})
    with atomic():
        value = IndicatorValue(indicator=indicator, period_date=fields["period_date"], value=number, text=text,
                               created_at=now, **source)
        db.session.add(value)
        db.session.flush()
        return value


def plan_indicator(plan: Plan, indicator_id: int) -> Indicator:
    """The plan's indicator with this id, or ``NotFound``."""
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None or indicator.plan_id != plan.id:
        raise NotFound(gettext("No such indicator in this plan."))
    return indicator


def next_indicator_code(plan: Plan) -> str:
    """A free code to suggest for a new indicator: I1, I2, ..."""
    used = set(db.session.scalars(select(Indicator.code).where(Indicator.plan_id == plan.id)))
    number = len(used) + 1
    while f"I{number}" in used:
        number += 1
    return f"I{number}"


def save_indicator(plan: Plan, data: dict, *, actor: Actor, now: datetime) -> tuple[Indicator, bool]:
    """Create or update the indicator with this code from an imported document; (indicator, changed).

    ``data`` is an indicator's definition, with ``recommendation`` or ``action`` (a code
    in the plan; neither for a plan-wide indicator) and ``values``: the values taken from
    the source document, each with its date and source reference. They replace the
    indicator's values from documents if they differ (values from progress reports are
    never touched), so loading the same document again changes nothing.
    """
    data = dict(data)
    subject_codes = {name: data.pop(name, None) for name in ("recommendation", "action")}
    raw_values = data.pop("values", None) or []
    fields = validated(IndicatorInput(), data)
    errors: dict[str, list[str]] = {}
    subject = _import_subject(plan, subject_codes, errors)
    if not isinstance(raw_values, list):
        errors["values"] = [gettext("Give a list of values, each with a value and a date.")]
        raw_values = []
    with atomic():
        indicator = find_indicator(plan, fields["code"])
        created = indicator is None
        if created:
            indicator = Indicator(plan_id=plan.id, created_at=now, updated_at=now)
            db.session.add(indicator)
        changed = assign(indicator, fields)
        changed |= _assign_subject(indicator, subject)
        if not errors:
            db.session.flush()  # its id, for the values' checks
        wanted = sorted(_source_values(indicator, raw_values, errors), key=lambda v: v.period_date)
        if errors:
            raise ValidationFailed(errors)
        current = [item for item in indicator.values if item.report_id is None] if not created else []
        if [_value_key(v) for v in current] != [_value_key(v) for v in wanted]:
            for item in current:
                db.session.delete(item)
            db.session.flush()
            for item in wanted:
                item.indicator, item.created_at = indicator, now
                db.session.add(item)
            changed = True
        if changed:
            indicator.updated_at = now
        db.session.flush()
        if created and subject is not None:
            record_event(subject, "edited", f"Indicator {indicator.code} added: {indicator.name}",
                         actor=actor, now=now, details={"indicator_id": indicator.id})
        db.session.expire(indicator, ["values"])
        return indicator, created or changed


SOURCE_KEYS = ("source_document", "source_section", "source_lines")


def _import_subject(plan: Plan, codes: dict, errors: dict):
    from tracker.services.actions import find_action
    from tracker.services.recommendations import find_recommendation

    if codes["recommendation"] and codes["action"]:
        errors["action"] = [gettext("Give a recommendation or an action, not both.")]
        return None
    if codes["recommendation"]:
        found = find_recommendation(plan, str(codes["recommendation"]))
        if found is None:
            errors["recommendation"] = [gettext("Unknown recommendation %(recommendation)r in this plan.", recommendation=codes['recommendation'])]
        return found
    if codes["action"]:
        found = find_action(plan, str(codes["action"]))
        if found is None:
            errors["action"] = [gettext("Unknown action %(action)r in this plan.", action=codes['action'])]
        return found
    return None


def _assign_subject(indicator: Indicator, subject) -> bool:
    action_id = subject.id if isinstance(subject, Action) else None
    recommendation_id = subject.id if isinstance(subject, Recommendation) else None
    if (indicator.action_id, indicator.recommendation_id) == (action_id, recommendation_id):
        return False
    indicator.action_id, indicator.recommendation_id = action_id, recommendation_id
    return True


def _source_values(indicator: Indicator, raw_values: list, errors: dict) -> list[IndicatorValue]:
    values = []
    for index, raw in enumerate(raw_values):
        if not isinstance(raw, dict):
            errors[f"values.{index}"] = [gettext("Give a value and a date.")]
            continue
        source = {key: raw.get(key) for key in SOURCE_KEYS}
        item = {key: value for key, value in raw.items() if key not in SOURCE_KEYS}
        try:
            fields = validated(IndicatorValueInput(), {**item, "indicator": indicator.id})
            number, text = value_for(indicator, fields["value"])
            if fields["period_date"] is None:
                raise ValueError("Say which day the value describes.")
        except ValidationFailed as exc:
            errors.update({f"values.{index}.{name}": msgs for name, msgs in exc.errors.items()})
            continue
        except ValueError as exc:
            errors[f"values.{index}.value"] = [str(exc)]
            continue
        values.append(IndicatorValue(period_date=fields["period_date"], value=number, text=text, **source))
    return values


def _value_key(value: IndicatorValue) -> tuple:
    return (value.period_date, value.value, value.text, *(getattr(value, key) for key in SOURCE_KEYS))
