"""The JSON API against its own OpenAPI document, with generated requests (Schemathesis).

Every operation of /api/openapi.json is called through the WSGI app with requests
Schemathesis generates from the document (valid ones, and invalid ones the API must
refuse), as an anonymous caller, an agency focal point, the secretariat and an admin. Every
answer must be no server error and must match the document: a documented status
code, the documented content type, a body of the documented shape, the documented
headers. Half of the cases aim at records that exist (the world's plan, actions and
reports), so the 200 answers are checked too, not only the 404s.

Failures are collected rather than raised at the first one, so a run lists them all;
the summary line says how many cases each role ran.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.factories import NOW
from tracker.services.assessments import open_assessment_round
from tracker.services.reports import save_report
from tracker.webhooks.endpoints import register_endpoint

# Hundreds of generated or hostile requests: the full suite's tier (make test), not make test-fast.
pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Per operation, role and mode (valid, invalid). At 20 the four roles' ~8,000 cases were the
# suite's longest test (7 minutes of one worker); at 10 every operation still gets ten valid
# and ten invalid requests per role (anonymous, agency, secretariat: ~1,240 cases each on
# ~62 operations; admin: 480 on its 24), which reach every read's 200 (asserted below), and
# each role is a test of its own, so the pytest-xdist workers share them.
MAX_EXAMPLES = 10
ROLES = ("anonymous", "agency", "secretariat", "admin")
# Admins are the secretariat and more: they are exercised on what only they (or assessors) do,
# which the secretariat's cases reach only as far as a 403.
ADMIN_ONLY = ("/api/v1/users", "/api/v1/statuses", "/api/v1/webhooks", "/api/v1/agencies",
              "/api/v1/plans/{slug}/assessment-rounds", "/api/v1/assessment-rounds")
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


@dataclass
class Run:
    cases: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    failures: dict[tuple, str] = field(default_factory=dict)  # (role, operation, kind) -> first report
    unsatisfiable: set[str] = field(default_factory=set)




def _strategy(operation, mode, existing: dict):
    wanted = {name: value for name, value in existing.items()
              if name in {p.name for p in operation.path_parameters}}
    generated = operation.as_strategy(generation_mode=mode)
    if not wanted or mode is schemathesis.GenerationMode.NEGATIVE:
        return generated
    return st.one_of(generated, operation.as_strategy(generation_mode=mode, path_parameters=wanted))


def _exercise(operation, mode, role: str, headers: dict, existing: dict, run: Run) -> None:
    label = operation.label

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,  # no .hypothesis folder in the tree; the seed is fixed instead
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # failures are collected, not shrunk
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(case=_strategy(operation, mode, existing))
    def exercise(case):
        run.cases[role] += 1
        try:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
        except (Failure, FailureGroup) as exc:
            found = list(exc.exceptions) if isinstance(exc, FailureGroup) else [exc]
            for failure in found:
                run.failures.setdefault((role, label, failure.title), str(exc)[:3000])
            return
        # Schemathesis re-raises an exception the app did not handle (its 500), whatever it is.
        except Exception as exc:  # noqa: BLE001
            run.failures.setdefault((role, label, f"server error: {type(exc).__name__}"),
                                    f"{case.as_curl_command()}\n{exc!r}")
            return
        run.statuses[(role, label, response.status_code)] += 1

    try:
        exercise()
    except Unsatisfiable:
        # Nothing in the operation can be made invalid (no parameters, no body): no negative cases.
        if mode is not schemathesis.GenerationMode.NEGATIVE:
            raise
        run.unsatisfiable.add(label)


@pytest.fixture
def world(db_session):
    """A published plan with areas, recommendations and actions of two agencies, a submitted
    report on the focal point's action, an indicator, an assessment round, and a personal API
    token per role."""
    plan = factories.plan(slug="fuzzed-plan", title="Fuzzed plan", period_start="2026-01-01")
    factories.area(plan, code="GOV", name="Governance", position=1)
    factories.agency(acronym="MIN", name="Ministry of Information")
    factories.agency(acronym="OTH", name="Office of Other Things")
    factories.recommendation(plan, code="R1", area="GOV", status="pending")
    factories.recommendation(plan, code="R2", status="ongoing")
    mine = factories.action(plan, code="A1", area="GOV", lead_agency="MIN", recommendations=["R1"],
                            start_date="2019-01-01", due_date="2020-01-31")
    factories.action(plan, code="A2", lead_agency="OTH", supporting_agencies=["MIN"], recommendations=["R2"],
                     status="ongoing", due_date="2199-12-31")
    focal = factories.user("agency", agency="MIN")
    secretariat = factories.user("secretariat")
    admin = factories.user("admin")
    report = save_report(mine, {"narrative": "Portal opened", "percent_complete": 50, "proposed_status": "ongoing"},
                         author=focal, now=NOW, submit=True)
    tokens = {
        "anonymous": {},
        "agency": {"Authorization": "Bearer " + factories.api_token(focal, name="fuzz")},
        "secretariat": {"Authorization": "Bearer " + factories.api_token(secretariat, name="fuzz")},
        "admin": {"Authorization": "Bearer " + factories.api_token(admin, name="fuzz")},
    }
    rec = plan.recommendations[0]
    indicator = factories.indicator(mine)
    round_ = open_assessment_round(plan, {"name": "Fuzzed round", "assessed_on": "2026-11-01"}, user=admin, now=NOW)
    webhook, _secret = register_endpoint({"url": "https://93.184.216.34/hook", "events": ["report.submitted"]},
                                         acting_admin=admin, now=NOW, allow_private=False)
    existing = {"slug": plan.slug, "action_id": mine.id, "report_id": report.id, "recommendation_id": rec.id,
                "code": "GOV", "indicator_id": indicator.id, "round_id": round_.id, "agency_id": mine.lead_agency_id,
                "user_id": focal.id, "key": "ongoing", "endpoint_id": webhook.id}
    return existing, tokens


# Each role is a test of its own, so that pytest-xdist workers fuzz the roles side by side.
@pytest.mark.parametrize("role", ROLES)
def test_the_api_answers_every_generated_request_as_its_openapi_document_says(app, world, role, capsys):
    existing, tokens = world
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60, [op.label for op in operations]
    if role == "admin":
        operations = [op for op in operations if op.path.startswith(ADMIN_ONLY)]
    run = Run()
    for operation in operations:
        for mode in MODES:
            _exercise(operation, mode, role, tokens[role], existing, run)

    answered = {label for (_role, label, status) in run.statuses if status < 400}
    summary = (f"schemathesis: {role} {run.cases[role]} cases on {len(operations)} operations, "
               f"failures {len(run.failures)}")
    with capsys.disabled():
        print("\n" + summary)
    assert not run.failures, summary + "\n\n" + "\n\n".join(
        f"[{role}] {label}: {kind}\n{report}" for (role, label, kind), report in sorted(run.failures.items()))
    # The cases reached real records: each read operation answered 200 for the secretariat
    # (for admins, those only admins may read).
    reads = {op.label for op in operations if op.method.upper() == "GET"}
    admins = {op.label for op in operations if op.method.upper() == "GET" and op.path.startswith(
        ("/api/v1/users", "/api/v1/webhooks"))}
    if role == "secretariat":
        assert answered >= reads - admins
    if role == "admin":
        assert answered >= admins
