"""``routine-settings/{company}``, ``templates`` (save, delete, preview) and ``settings-changes``:
administrators only; errors in Portuguese, nothing half-saved, every change audited."""

from __future__ import annotations

from spysystem.audit.models import SettingsChange
from spysystem.routines.models import CompanyRoutineSettings, EmailTemplate
from tests.api.conftest import API


def test_routine_settings_default_then_saved_and_audited(api, make_company):
    company = make_company("RS1")
    url = f"{API}routine-settings/{company.pk}"
    assert api.get(url).json() == {
        "company": company.pk,
        "aviso_offsets": [5, 1, 0],
        "cobranca_levels": [1, 7, 15, 30],
        "reply_to": "",
    }
    response = api.put(
        url, {"aviso_offsets": [3, "10"], "reply_to": "cobranca@rs1.com.br"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["aviso_offsets"] == [3, 10]
    assert response.json()["cobranca_levels"] == [1, 7, 15, 30]
    assert api.get(url).json()["reply_to"] == "cobranca@rs1.com.br"
    change = SettingsChange.objects.get(area="rotinas:RS1")
    assert (change.actor_label, change.origin) == ("controller", "api")


def test_bad_offsets_are_refused_and_nothing_is_saved(api, make_company):
    company = make_company()
    url = f"{API}routine-settings/{company.pk}"
    response = api.put(url, {"aviso_offsets": ["cinco"], "reply_to": "a@b.com"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "aviso_offsets": ["Informe apenas números de dias, separados por vírgula."]
    }
    response = api.put(url, {"cobranca_levels": [0, 400]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"cobranca_levels": ["Os dias devem estar entre 1 e 365."]}
    assert not CompanyRoutineSettings.objects.exists()
    assert api.get(f"{API}routine-settings/99999").status_code == 404


def test_templates_save_list_get_and_delete(api, make_company):
    company = make_company("TP1")
    body = {"subject": "Vence {{ due_date }}", "body_text": "Olá {{ party.name }}"}
    response = api.put(f"{API}templates/aviso", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["company"] is None
    response = api.put(f"{API}templates/aviso/{company.pk}", body, format="json")
    assert response.status_code == 200
    assert response.json()["company"] == company.pk
    listed = api.get(f"{API}templates").json()
    assert listed["count"] == 2
    assert api.get(f"{API}templates", {"company": company.pk}).json()["count"] == 1
    assert api.get(f"{API}templates/aviso/{company.pk}").json()["subject"] == body["subject"]
    assert api.get(f"{API}templates/cobranca").status_code == 404
    assert api.delete(f"{API}templates/aviso/{company.pk}").status_code == 204
    assert api.delete(f"{API}templates/aviso/{company.pk}").status_code == 404
    areas = set(SettingsChange.objects.values_list("area", flat=True))
    assert {"modelo:aviso", "modelo:aviso:TP1"} <= areas
    assert api.put(f"{API}templates/nada", body, format="json").status_code == 404


def test_template_with_a_syntax_error_is_refused_and_not_saved(api):
    body = {"subject": "ok", "body_text": "{% if %}"}
    response = api.put(f"{API}templates/cobranca", body, format="json")
    assert response.status_code == 400
    assert response.json()["body_text"][0].startswith("Erro de sintaxe no modelo:")
    assert not EmailTemplate.objects.exists()


def test_preview_renders_from_a_real_title(api, make_title):
    title = make_title(document="NF900")
    body = {
        "routine": "aviso",
        "title": title.pk,
        "subject": "Título {{ title.document }} vence {{ due_date }}",
        "body_text": "Valor {{ amount }}",
        "body_html": "<p>{{ party.name }}</p>",
    }
    response = api.post(f"{API}templates/preview", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "subject": "Título NF900 vence 10/12/2026",
        "text": "Valor R$ 1.000,00",
        "html": f"<p>{title.party.name}</p>",
    }
    assert not EmailTemplate.objects.exists()


def test_preview_errors(api, make_title):
    title = make_title()
    base = {"routine": "aviso", "title": title.pk, "subject": "x", "body_text": "y"}
    response = api.post(f"{API}templates/preview", {**base, "subject": "{% for %}"}, format="json")
    assert response.status_code == 400
    assert "subject" in response.json()
    response = api.post(f"{API}templates/preview", {**base, "title": 99999}, format="json")
    assert response.json() == {"title": ["Título 99999 não encontrado."]}
    response = api.post(f"{API}templates/preview", {**base, "routine": "x"}, format="json")
    assert "routine" in response.json()


def test_settings_changes_list_filters_by_area_and_masks_passwords(api, sink):
    smtp = {
        "host": "127.0.0.1",
        "port": sink.port,
        "security": "none",
        "username": "u",
        "password": "segredo-123",
        "from_email": "spy@empresa.com.br",
    }
    assert api.put(f"{API}smtp/general", smtp, format="json").status_code == 200
    assert (
        api.put(f"{API}smtp/switches", {"aviso_por_empresa": True}, format="json").status_code
        == 200
    )
    response = api.get(f"{API}settings-changes", {"area": "smtp"})
    assert response.status_code == 200
    assert "segredo-123" not in response.content.decode()
    rows = response.json()["results"]
    assert [r["area"] for r in rows] == ["smtp:general"]
    assert rows[0]["actor"] == "controller" and rows[0]["origin"] == "api"
    assert rows[0]["after"]["password"] == "••••••"
    assert "host" in rows[0]["changed_fields"]
    assert api.get(f"{API}settings-changes").json()["count"] == 2
    detail = api.get(f"{API}settings-changes/{rows[0]['id']}").json()
    assert detail["area"] == "smtp:general"
