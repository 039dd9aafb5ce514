"""The OpenAPI document describes every endpoint, its parameters, bodies, answers and security."""

import json

import pytest

PATHS = {
    "/api/v1/plans": {"get"},
    "/api/v1/plans/{slug}": {"get", "patch"},
    "/api/v1/plans/{slug}/areas": {"get"},
    "/api/v1/plans/{slug}/recommendations": {"get"},
    "/api/v1/plans/{slug}/actions": {"get"},
    "/api/v1/plans/{slug}/scorecard": {"get"},
    "/api/v1/actions/{action_id}": {"get", "patch"},
    "/api/v1/actions/{action_id}/reports": {"get", "post"},
    "/api/v1/reports/{report_id}": {"get"},
    "/api/v1/reports/{report_id}/accept": {"post"},
    "/api/v1/reports/{report_id}/return": {"post"},
    "/api/v1/agencies": {"get"},
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
