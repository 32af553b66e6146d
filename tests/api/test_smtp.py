"""``/api/v1/smtp/*``: the three SMTP levels, the switches and the route explanation."""

from __future__ import annotations

import pytest

from spysystem.mail.models import MailSwitches, SmtpSettings
from tests.api.conftest import API

SECRET = "s3nha-muito-secreta"


@pytest.fixture
def smtp_payload():
    return {
        "host": "smtp.example.com",
        "port": 587,
        "security": "starttls",
        "username": "spy@example.com",
        "password": SECRET,
        "from_email": "spy@example.com",
        "from_name": "Spy System",
        "reply_to": "financeiro@example.com",
        "timeout": 20,
        "max_connections": 3,
        "max_per_minute": 60,
    }


def test_put_with_password_then_get_never_shows_the_password(api, smtp_payload):
    put = api.put(f"{API}smtp/general", smtp_payload, format="json")
    assert put.status_code == 200, put.json()
    get = api.get(f"{API}smtp/general")
    stored = SmtpSettings.objects.get(level="general")
    for response in (put, get):
        assert SECRET not in response.content.decode()
        assert stored.password_encrypted not in response.content.decode()
        assert "password" not in response.json()
        assert response.json()["has_password"] is True
    assert get.json()["host"] == "smtp.example.com"
    assert get.json()["max_per_minute"] == 60


def test_put_without_password_keeps_it_and_empty_password_clears_it(api, smtp_payload):
    api.put(f"{API}smtp/finance", smtp_payload, format="json")
    smtp_payload.pop("password")
    assert api.put(f"{API}smtp/finance", smtp_payload, format="json").json()["has_password"]
    smtp_payload["password"] = ""
    assert not api.put(f"{API}smtp/finance", smtp_payload, format="json").json()["has_password"]


def test_put_replaces_the_whole_level_with_defaults_for_omitted_fields(api, smtp_payload):
    api.put(f"{API}smtp/general", smtp_payload, format="json")
    minimal = {"host": "mail.example.com", "from_email": "x@example.com"}
    body = api.put(f"{API}smtp/general", minimal, format="json").json()
    assert (body["port"], body["security"], body["username"], body["from_name"]) == (
        587,
        "starttls",
        "",
        "",
    )
    assert SmtpSettings.objects.count() == 1


def test_unconfigured_level_is_404_in_portuguese(api):
    response = api.get(f"{API}smtp/finance")
    assert response.status_code == 404
    assert response.json() == {"detail": "Nenhum servidor SMTP configurado neste nível."}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"port": 70000}, "port", "A porta deve estar entre 1 e 65535."),
        (
            {"security": "none"},
            "security",
            "Sem criptografia só é permitido para servidor local (localhost/127.0.0.1).",
        ),
        ({"from_name": "Spy\r\nBcc: vitima@example.com"}, "from_name", None),
        ({"security": "tls"}, "security", None),
        ({"from_email": "não-é-email"}, "from_email", None),
        ({"password": "abc\r\nRCPT TO:<x@y>"}, "password", None),
    ],
)
def test_bad_settings_are_400_and_nothing_is_saved(api, smtp_payload, changes, field, message):
    smtp_payload.update(changes)
    response = api.put(f"{API}smtp/general", smtp_payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    if message:
        assert response.json()[field] == [message]
    assert not SmtpSettings.objects.exists()
    assert SECRET not in response.content.decode()


def test_bad_put_leaves_the_previous_settings_intact(api, smtp_payload):
    api.put(f"{API}smtp/general", smtp_payload, format="json")
    smtp_payload.update(port=0, from_name="X\nY")
    assert api.put(f"{API}smtp/general", smtp_payload, format="json").status_code == 400
    stored = SmtpSettings.objects.get()
    assert (stored.port, stored.from_name) == (587, "Spy System")


def test_company_level_is_saved_read_and_deleted(api, make_company, smtp_payload):
    company = make_company()
    url = f"{API}smtp/companies/{company.pk}"
    assert api.get(url).status_code == 404
    body = api.put(url, smtp_payload, format="json").json()
    assert (body["level"], body["company"]) == ("company", company.pk)
    assert api.get(url).json()["company"] == company.pk
    assert api.delete(url).status_code == 204
    assert api.delete(url).status_code == 404
    assert not SmtpSettings.objects.exists()


def test_unknown_company_level_is_404(api, smtp_payload):
    response = api.put(f"{API}smtp/companies/999999", smtp_payload, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Empresa não encontrada."}


def test_switches_round_trip_and_partial_put(api):
    assert api.get(f"{API}smtp/switches").json() == {
        "use_spy_smtp": False,
        "cobranca_por_empresa": False,
        "aviso_por_empresa": False,
    }
    api.put(f"{API}smtp/switches", {"use_spy_smtp": True, "aviso_por_empresa": True}, format="json")
    api.put(f"{API}smtp/switches", {"aviso_por_empresa": False}, format="json")
    switches = MailSwitches.current()
    assert (switches.use_spy_smtp, switches.aviso_por_empresa) == (True, False)


def test_switches_reject_non_booleans(api):
    response = api.put(f"{API}smtp/switches", {"use_spy_smtp": "talvez"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"use_spy_smtp": ["Deve ser um valor booleano válido."]}


def test_explain_follows_the_hierarchy(api, make_company, smtp_payload):
    company = make_company()
    url = f"{API}smtp/explain"
    assert api.get(url, {"company": company.pk, "routine": "spy"}).json()["level"] is None
    api.put(f"{API}smtp/general", smtp_payload, format="json")
    api.put(f"{API}smtp/companies/{company.pk}", smtp_payload, format="json")
    spy = api.get(url, {"company": company.pk, "routine": "spy"}).json()
    assert spy["level"] == "company"
    assert "servidor SMTP próprio" in spy["reason"]
    cobranca = api.get(url, {"company": company.pk, "routine": "cobranca"}).json()
    assert cobranca["level"] == "general"
    assert "está desmarcada" in cobranca["reason"]


def test_explain_validates_its_query(api):
    response = api.get(f"{API}smtp/explain", {"company": 999999, "routine": "fax"})
    assert response.status_code == 400
    assert response.json() == {
        "company": ["Empresa 999999 não encontrada."],
        "routine": ['"fax" não é uma escolha válida.'],
    }
