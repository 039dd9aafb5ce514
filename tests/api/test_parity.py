"""Everything a page can do, the API can do: every page route that changes data has an API twin.

The test reads the application's URL map: every view outside /api that takes POST, PUT,
PATCH or DELETE must be named in ``TWINS`` (with the API operations that do the same,
through the same service) or in ``EXCEPTIONS`` (with the reason it has none). A new
form page without either fails here, and so does a twin that no longer exists or no
longer writes.
"""

from __future__ import annotations

WRITES = {"POST", "PUT", "PATCH", "DELETE"}

# Page endpoint -> the API endpoints that do the same, through the same service.
TWINS: dict[str, tuple[str, ...]] = {
    # The secretariat's pages
    "secretariat.new_plan": ("api_plans.new_plan",),
    "secretariat.edit_plan": ("api_plans.change_plan",),
    "secretariat.areas": ("api_plans.new_area",),
    "secretariat.edit_area": ("api_plans.change_area",),
    "secretariat.new_recommendation": ("api_plans.new_recommendation",),
    "secretariat.edit_recommendation": ("api_recommendations.change_recommendation",),
    "secretariat.recommendation_status": ("api_recommendations.set_status",),
    "secretariat.new_recommendation_indicator": ("api_recommendations.add_recommendation_indicator",),
    "secretariat.new_action": ("api_plans.new_action",),
    "secretariat.edit_action": ("api_actions.change_action",),
    "secretariat.new_action_indicator": ("api_actions.add_action_indicator",),
    "secretariat.edit_indicator": ("api_indicators.change_indicator",),
    "secretariat.assign": ("api_plans.assign",),
    "secretariat.rounds": ("api_rounds.open_round",),
    "secretariat.close_assessment": ("api_rounds.close_assessment",),
    "secretariat.reopen_assessment": ("api_rounds.reopen_assessment",),
    "secretariat.accept_review": ("api_reports.accept",),
    "secretariat.return_review": ("api_reports.return_report",),
    "secretariat.import_plan": ("api_plans.import_plan",),
    # Agencies' pages: a new report, editing a draft or returned one (files included), submitting it
    "agency.report_new": ("api_reports.create_report", "api_reports.upload_evidence"),
    "agency.report": ("api_reports.change_report", "api_reports.submit_report", "api_reports.upload_evidence"),
    "agency.evidence_remove": ("api_reports.delete_evidence",),
    # A reminder's link files a report (or "nothing changed": a report with the action's own
    # percent and status) without signing in; with a token, the same report is written here.
    "links.report": ("api_reports.create_report",),
    "links.no_change": ("api_reports.create_report",),
    # Assessors
    "assessor.rounds": ("api_rounds.open_assessment",),
    "assessor.assess": ("api_rounds.assess",),
    "assessor.close_round": ("api_rounds.close_assessment",),
    # Admins
    "admin.users": ("api_admin.new_user",),
    "admin.edit_user": ("api_admin.change_user",),
    "admin.agencies": ("api_agencies.new_agency",),
    "admin.statuses": ("api_admin.new_status",),
    "admin.edit_status": ("api_admin.change_status",),
    "admin.move_status_in_order": ("api_admin.move",),
    "admin.remove_status": ("api_admin.remove_status",),
    "webhooks_admin.index": ("api_webhooks.register",),
    "webhooks_admin.set_active": ("api_webhooks.set_active",),
    "webhooks_admin.resend": ("api_webhooks.resend",),
}

# Page endpoints deliberately without an API twin, and why.
SIGN_IN = "signing in is how a browser session starts; API callers send a personal token instead"
OWN_CREDENTIALS = ("a person's own credentials change only in their signed-in browser session: a bearer token "
                   "must not mint or revoke tokens, change the password or the second factor, lest a stolen "
                   "token lock its owner out")
EXCEPTIONS: dict[str, str] = {
    "auth.login": SIGN_IN,
    "auth.two_factor_step": SIGN_IN,
    "auth.logout": "ends a browser session; a token is revoked on the account page",
    "account.password": OWN_CREDENTIALS,
    "account.tokens": OWN_CREDENTIALS,
    "account.revoke": OWN_CREDENTIALS,
    "account.two_factor": OWN_CREDENTIALS,
    "account.disable_two_factor": OWN_CREDENTIALS,
    "account.recovery_codes": OWN_CREDENTIALS,
    "account.language": ("the language of one's own pages and mails, chosen where they are read; an API "
                         "caller asks for a language per request with ?lang="),
    "calendar_account.rotate": "a calendar feed's secret address is a credential of its owner, like a token",
    "calendar_account.revoke": "a calendar feed's secret address is a credential of its owner, like a token",
    "admin.single_sign_on": ("who may sign in through the identity provider is sign-in security, kept to an "
                             "admin's browser session with its second factor, never a token"),
    "admin.remove_single_sign_on_domain": "as admin.single_sign_on",
    "subscriptions.new": ("the public follows a plan by email with double opt-in; API callers are signed-in "
                          "users and read changes from the API, feeds and webhooks"),
    "subscriptions.confirm_page": "confirms a subscription from the link mailed to its address (the link is the proof)",
    "subscriptions.unsubscribe_page": "one-click unsubscribe from the link in every mail (the link is the proof)",
}


def _page_writes(app) -> set[str]:
    return {
        rule.endpoint for rule in app.url_map.iter_rules()
        if rule.methods & WRITES and not rule.rule.startswith("/api")
    }


def _api_writes(app) -> set[str]:
    return {
        rule.endpoint for rule in app.url_map.iter_rules()
        if rule.methods & WRITES and rule.rule.startswith("/api/v1/")
    }


def test_every_page_that_changes_data_has_an_api_twin_or_a_named_exception(app):
    pages = _page_writes(app)
    missing = sorted(pages - set(TWINS) - set(EXCEPTIONS))
    assert not missing, f"page routes that change data without an API twin or a named exception: {missing}"
    assert not set(TWINS) & set(EXCEPTIONS)
    # Neither list names a page that no longer exists (or no longer writes).
    assert not (set(TWINS) | set(EXCEPTIONS)) - pages, sorted((set(TWINS) | set(EXCEPTIONS)) - pages)
    for reason in EXCEPTIONS.values():
        assert len(reason) > 10


def test_every_twin_is_an_api_operation_that_writes(app):
    api = _api_writes(app)
    named = {endpoint for twins in TWINS.values() for endpoint in twins}
    assert not named - api, f"twins that are not API operations taking a write method: {sorted(named - api)}"


def test_every_api_write_is_in_the_openapi_document(app, client):
    spec = client.get("/api/openapi.json").get_json()
    documented = {(path, method.upper()) for path, operations in spec["paths"].items() for method in operations}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
        for method in rule.methods & WRITES:
            assert (path, method) in documented, (path, method)
