"""``/api/v1/openapi.json``: the published contract."""

from __future__ import annotations

import json

from tests.api.conftest import API

CONTRACT_PATHS = [
    "companies/",
    "companies/{id}/",
    "users/",
    "users/{id}/",
    "parties/",
    "parties/{id}/",
    "titles/",
    "titles/{id}/",
    "spy/recipients/",
    "smtp/general/",
    "smtp/finance/",
    "smtp/companies/{company_id}/",
    "smtp/switches/",
    "smtp/explain/",
    "smtp/test/",
    "outbox/",
    "outbox/{id}/",
    "outbox/{id}/retry/",
    "outbox/{id}/cancel/",
    "changes/",
    "tasks/",
    "tasks/{name}/",
    "tasks/{name}/run/",
    "tasks/{name}/runs/",
    "routine-settings/{company_id}/",
    "templates/",
    "templates/preview/",
    "templates/{routine}/",
    "templates/{routine}/{company_id}/",
    "settings-changes/",
    "settings-changes/{id}/",
]


def test_openapi_document_is_json_with_every_contract_path(api, capsys):
    response = api.get(f"{API}openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert set(f"/api/v1/{path}" for path in CONTRACT_PATHS) <= set(document["paths"])
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "Warning" not in capsys.readouterr().err


def test_openapi_documents_filters_and_write_only_password(api):
    document = api.get(f"{API}openapi.json").json()
    params = document["paths"]["/api/v1/titles/"]["get"]["parameters"]
    assert {"company", "ledger", "status", "due_from", "due_to", "party", "limit"} <= {
        p["name"] for p in params
    }
    smtp = document["components"]["schemas"]["SmtpSettings"]["properties"]
    assert smtp["password"]["writeOnly"] is True
    assert smtp["has_password"]["readOnly"] is True


def test_openapi_document_needs_a_token(anon, db):
    assert anon.get(f"{API}openapi.json").status_code == 401


def test_openapi_documents_the_task_and_template_operations_in_portuguese(api):
    document = api.get(f"{API}openapi.json").json()
    paths = document["paths"]
    run = paths["/api/v1/tasks/{name}/run/"]["post"]
    assert "as_of" in run["description"]
    assert "TaskRunRequest" in json.dumps(run["requestBody"])
    assert "Somente administradores" in paths["/api/v1/tasks/{name}/"]["patch"]["description"]
    assert paths["/api/v1/templates/preview/"]["post"]["description"].startswith("Gera o e-mail")
    assert "area" in {p["name"] for p in paths["/api/v1/settings-changes/"]["get"]["parameters"]}
    party = document["components"]["schemas"]["Party"]["properties"]
    assert {"aviso_opt_out", "cobranca_opt_out"} <= set(party)
    user = document["components"]["schemas"]["User"]["properties"]
    assert {"role", "companies"} <= set(user)
