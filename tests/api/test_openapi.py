"""The OpenAPI document describes every endpoint, its parameters, bodies, answers and security."""

import json

import pytest

PATHS = {
    "/api/v1/plans": {"get", "post"},
    "/api/v1/plans/{slug}": {"get", "patch"},
    "/api/v1/plans/{slug}/areas": {"get", "post"},
    "/api/v1/plans/{slug}/areas/{code}": {"get", "patch"},
    "/api/v1/plans/{slug}/recommendations": {"get", "post"},
    "/api/v1/plans/{slug}/actions": {"get", "post"},
    "/api/v1/plans/{slug}/assign": {"post"},
    "/api/v1/plans/{slug}/scorecard": {"get"},
    "/api/v1/plans/{slug}/rounds": {"get", "post"},
    "/api/v1/plans/{slug}/assessment-rounds": {"get", "post"},
    "/api/v1/recommendations/{recommendation_id}": {"get", "patch"},
    "/api/v1/recommendations/{recommendation_id}/status": {"post"},
    "/api/v1/recommendations/{recommendation_id}/indicators": {"post"},
    "/api/v1/actions/{action_id}": {"get", "patch"},
    "/api/v1/actions/{action_id}/pause": {"post"},
    "/api/v1/actions/{action_id}/resume": {"post"},
    "/api/v1/actions/{action_id}/indicators": {"post"},
    "/api/v1/actions/{action_id}/reports": {"get", "post"},
    "/api/v1/indicators/{indicator_id}": {"get", "patch"},
    "/api/v1/assessment-rounds/{round_id}": {"get"},
    "/api/v1/assessment-rounds/{round_id}/close": {"post"},
    "/api/v1/assessment-rounds/{round_id}/reopen": {"post"},
    "/api/v1/assessment-rounds/{round_id}/recommendations/{recommendation_id}": {"put"},
    "/api/v1/reports/{report_id}": {"get", "patch"},
    "/api/v1/reports/{report_id}/accept": {"post"},
    "/api/v1/reports/{report_id}/return": {"post"},
    "/api/v1/reports/{report_id}/submit": {"post"},
    "/api/v1/reports/{report_id}/evidence": {"post"},
    "/api/v1/reports/{report_id}/evidence/{evidence_id}": {"delete"},
    "/api/v1/agencies": {"get", "post"},
    "/api/v1/agencies/{agency_id}": {"get"},
    "/api/v1/users": {"get", "post"},
    "/api/v1/users/{user_id}": {"get", "patch"},
    "/api/v1/statuses": {"get", "post"},
    "/api/v1/statuses/{key}": {"patch", "delete"},
    "/api/v1/statuses/{key}/move": {"post"},
    "/api/v1/plans/import": {"post"},
    "/api/v1/webhooks": {"get", "post"},
    "/api/v1/webhooks/{endpoint_id}": {"get"},
    "/api/v1/webhooks/{endpoint_id}/active": {"post"},
    "/api/v1/webhooks/{endpoint_id}/deliveries": {"get"},
    "/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend": {"post"},
}
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def test_every_endpoint_is_described(spec, app):
    assert spec["openapi"] == "3.0.3" and spec["info"]["title"] == "Action-plan tracker API"
    described = {path: set(ops) & METHODS for path, ops in spec["paths"].items()}
    assert described == PATHS
    # ...and every API route the application serves is among them.
    routes = {rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")}
    assert routes == set(PATHS)
    for path, operations in spec["paths"].items():
        for method in PATHS[path]:
            operation = operations[method]
            assert operation["summary"] and operation["responses"], (path, method)
            assert "401" in operation["responses"], (path, method)


def test_lists_document_paging_and_filters_and_writes_their_bodies(spec):
    actions = spec["paths"]["/api/v1/plans/{slug}/actions"]["get"]
    names = {p["name"] for p in actions["parameters"]}
    assert {"page", "per_page", "agency", "status", "overdue", "area"} <= names
    per_page = next(p for p in actions["parameters"] if p["name"] == "per_page")
    assert (per_page["schema"]["default"], per_page["schema"]["maximum"]) == (50, 200)
    assert "X-Pagination" in actions["responses"]["200"]["headers"]

    post = spec["paths"]["/api/v1/actions/{action_id}/reports"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    properties = spec["components"]["schemas"][body]["properties"]
    assert {"percent_complete", "proposed_status", "narrative", "submit"} <= set(properties)
    assert {"201", "403", "422"} <= set(post["responses"])
    assert post["security"] == [{"bearerAuth": []}]


def test_bearer_security_scheme_and_error_shape(spec):
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer") and "Bearer" in scheme["description"]
    assert {"bearerAuth": []} in spec["security"] and {} in spec["security"]
    error = spec["components"]["schemas"]["ErrorOutput"]["properties"]
    assert {"code", "status", "message", "errors"} <= set(error)


def test_the_document_is_valid_openapi(spec):
    import openapi_spec_validator as validator
    validator.validate(spec)


def test_every_write_has_an_example_body_and_names_its_refusals(spec):
    """Each operation that takes a JSON body shows an example of it, and documents the
    answers a caller must handle: 401 without a token, 403 for the wrong role, and 422
    naming refused fields."""
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in {"post", "put", "patch"}:
                continue
            assert {"401", "403"} <= set(operation["responses"]), (path, method)
            body = operation.get("requestBody")
            if body is None:  # submitting a report as it stands takes no body
                continue
            (media, content), = body["content"].items()
            if media == "application/json":
                assert "example" in content, (path, method)
                assert "422" in operation["responses"], (path, method)


def test_action_changes_document_the_etag_and_if_match(spec):
    read = spec["paths"]["/api/v1/actions/{action_id}"]["get"]
    assert "ETag" in read["responses"]["200"]["headers"]
    patch = spec["paths"]["/api/v1/actions/{action_id}"]["patch"]
    assert "If-Match" in {p["name"] for p in patch["parameters"] if p["in"] == "header"}
    assert {"409", "412", "428"} <= set(patch["responses"])
    upload = spec["paths"]["/api/v1/reports/{report_id}/evidence"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"
