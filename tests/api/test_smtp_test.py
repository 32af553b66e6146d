"""``POST /api/v1/smtp/test``: “Testar envio” through the API, against real loopback servers."""

from __future__ import annotations

import pytest

from spysystem.mail.models import Message, SmtpSettings
from spysystem.mail.services import smtp_settings_save
from tests.api.conftest import API
from tests.smtp_sink import Authenticator, SmtpSink, free_port

URL = f"{API}smtp/test"
SECRET = "s3nha-do-teste-xyz"


@pytest.fixture
def auth_sink():
    """A loopback server that accepts only ``spy`` / ``SECRET``."""
    server = SmtpSink(authenticator=Authenticator("spy", SECRET), auth_require_tls=False).start()
    yield server
    server.stop()


def payload(sink_port: int, **changes) -> dict:
    body = {
        "host": "127.0.0.1",
        "port": sink_port,
        "security": "none",
        "from_email": "spy@empresa.com.br",
        "from_name": "Spy System",
        "timeout": 5,
        "to": "teste@empresa.com.br",
    }
    body.update(changes)
    return body


def step_names(response) -> list[tuple[str, bool]]:
    return [(step["name"], step["ok"]) for step in response.json()["steps"]]


def test_successful_test_reports_every_step_and_delivers_saving_nothing(api, sink):
    response = api.post(URL, payload(sink.port), format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["ok"] is True
    assert body["summary"] == "Envio de teste concluído: o servidor aceitou a mensagem."
    assert step_names(response) == [
        ("Conexão", True),
        ("EHLO", True),
        ("MAIL FROM", True),
        ("RCPT TO", True),
        ("DATA", True),
    ]
    assert set(body["steps"][0]) == {"name", "ok", "reply", "explanation"}
    assert body["steps"][-1]["reply"].startswith("250")
    assert sink.received[0].rcpt_tos == ["teste@empresa.com.br"]
    assert not SmtpSettings.objects.exists()


def test_closed_port_answers_200_with_the_connection_failure(api, db):
    response = api.post(URL, payload(free_port()), format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert step_names(response) == [("Conexão", False)]
    assert "Não foi possível conectar" in body["steps"][0]["explanation"]
    assert body["summary"].startswith("Falhou na etapa Conexão")


def test_wrong_password_fails_at_auth_and_the_password_never_comes_back(api, auth_sink):
    response = api.post(
        URL, payload(auth_sink.port, username="spy", password="errada-123"), format="json"
    )
    assert response.status_code == 200
    assert step_names(response)[-1] == ("AUTH", False)
    assert "errada-123" not in response.content.decode()


def test_given_password_is_used_and_never_answered(api, auth_sink):
    response = api.post(
        URL, payload(auth_sink.port, username="spy", password=SECRET), format="json"
    )
    assert response.json()["ok"] is True
    assert ("AUTH", True) in step_names(response)
    assert SECRET not in response.content.decode()


def test_omitted_password_uses_the_stored_password_of_the_level(api, auth_sink, make_company):
    company = make_company()
    smtp_settings_save(
        level="company",
        company=company,
        host="127.0.0.1",
        port=auth_sink.port,
        security="none",
        username="spy",
        from_email="spy@empresa.com.br",
        password=SECRET,
    )
    body = payload(auth_sink.port, username="spy", level="company", company=company.pk)
    response = api.post(URL, body, format="json")
    assert response.json()["ok"] is True, response.json()
    assert SECRET not in response.content.decode()
    assert len(auth_sink.received) == 1


def test_stored_password_is_never_sent_to_another_server(api, auth_sink, sink):
    smtp_settings_save(
        level="general",
        host="127.0.0.1",
        port=auth_sink.port,
        security="none",
        username="spy",
        from_email="spy@empresa.com.br",
        password=SECRET,
    )
    response = api.post(URL, payload(sink.port, username="spy", level="general"), format="json")
    assert response.status_code == 400
    assert "senha gravada só é usada" in response.json()["password"][0]
    assert not Message.objects.exists()


def test_omitted_password_of_an_unconfigured_level_is_400(api, sink):
    response = api.post(URL, payload(sink.port, username="spy", level="finance"), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "level": ["Nenhum servidor SMTP configurado neste nível: informe a senha."]
    }


def test_stored_password_that_cannot_be_decrypted_is_400(api, auth_sink, settings):
    from spysystem.mail.crypto import generate_key

    smtp_settings_save(
        level="general",
        host="127.0.0.1",
        port=auth_sink.port,
        security="none",
        username="spy",
        from_email="spy@empresa.com.br",
        password=SECRET,
    )
    settings.SPY_ENCRYPTION_KEYS = [generate_key()]
    body = payload(auth_sink.port, username="spy", level="general")
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert "não pode ser decifrada" in response.json()["password"][0]


def test_without_username_no_password_is_needed(api, sink):
    response = api.post(URL, payload(sink.port, level="finance"), format="json")
    assert response.json()["ok"] is True


def test_company_level_needs_a_company(api, sink):
    response = api.post(URL, payload(sink.port, level="company"), format="json")
    assert response.status_code == 400
    assert "empresa" in response.json()["company"][0]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"host": "smtp.example.com"},
            "security",
            "Sem criptografia só é permitido para servidor local (localhost/127.0.0.1).",
        ),
        ({"port": 0}, "port", "A porta deve estar entre 1 e 65535."),
        ({"from_name": "Spy\r\nBcc: vitima@example.com"}, "from_name", None),
        ({"to": "não é e-mail"}, "to", None),
        ({"to": "a@b.com\r\nBcc: x@y.com"}, "to", None),
        ({"password": "abc\r\nRCPT TO:<x@y>"}, "password", None),
    ],
)
def test_bad_settings_or_address_are_400_in_portuguese_and_nothing_is_sent(
    api, sink, changes, field, message
):
    response = api.post(URL, payload(sink.port, **changes), format="json")
    assert response.status_code == 400
    assert field in response.json()
    if message:
        assert response.json()[field] == [message]
    assert sink.received == []
    assert not Message.objects.exists()


def test_missing_fields_are_400(api, db):
    response = api.post(URL, {}, format="json")
    assert response.status_code == 400
    assert {"host", "from_email", "to"} <= set(response.json())


def test_too_many_tests_answer_429_in_portuguese(api, sink):
    for _ in range(5):
        assert api.post(URL, payload(sink.port), format="json").status_code == 200
    response = api.post(URL, payload(sink.port), format="json")
    assert response.status_code == 429
    assert response.json() == {"detail": "Muitos testes em sequência: aguarde um minuto."}
    assert len(sink.received) == 5


def test_only_administrators_may_test(clerk_api, anon, sink):
    assert clerk_api.post(URL, payload(sink.port), format="json").status_code == 403
    assert anon.post(URL, payload(sink.port), format="json").status_code == 401
    assert sink.received == []


def test_openapi_documents_the_test_endpoint(api):
    document = api.get(f"{API}openapi.json").json()
    operation = document["paths"]["/api/v1/smtp/test/"]["post"]
    assert {"200", "400", "429"} <= set(operation["responses"])
    request = document["components"]["schemas"]["SmtpTest"]
    assert {"to", "level", "company", "password", "host"} <= set(request["properties"])
    report = document["components"]["schemas"]["SmtpTestReport"]["properties"]
    assert {"ok", "summary", "steps"} <= set(report)
