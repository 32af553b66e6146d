"""“Testar envio” on the SMTP screens: the settings as typed, step by step, nothing saved."""

import pytest

from spysystem.mail.models import Message, SmtpSettings
from spysystem.mail.services import smtp_settings_save
from spysystem.mail.testsend import CONNECT_FAILED
from tests.smtp_sink import Authenticator, SmtpSink, free_port
from tests.web.smtp_data import SECRET, level_page, loopback_form

TO = "teste@empresa.com.br"


def _test(**fields) -> dict:
    return {"action": "test", "teste-to": TO} | fields


@pytest.fixture
def auth_sink():
    server = SmtpSink(authenticator=Authenticator("spy", SECRET), auth_require_tls=False).start()
    yield server
    server.stop()


def _save_for(sink, level="general", company=None, **fields) -> SmtpSettings:
    values = {
        "host": "127.0.0.1",
        "port": sink.port,
        "security": "none",
        "from_email": "spy@empresa.com.br",
        "timeout": 5,
    } | fields
    return smtp_settings_save(level=level, company=company, **values)


def test_unsaved_settings_against_a_loopback_sink_succeed_and_show_every_step(staff_client, sink):
    page = level_page("general")

    response = staff_client.post(page.url, loopback_form(sink.port) | _test())

    assert response.status_code == 200
    text = response.text
    assert "Envio de teste concluído: o servidor aceitou a mensagem." in text
    for column in ("Etapa", "Resultado", "Resposta do servidor", "Explicação"):
        assert column in text
    for step in ("Conexão", "EHLO", "MAIL FROM", "RCPT TO", "DATA"):
        assert f'<td class="nowrap">{step}</td>' in text
    assert text.count("✓") == 5
    assert "250 2.0.0 Ok: queued" in text
    assert sink.received[0].rcpt_tos == [TO]
    assert not SmtpSettings.objects.exists()
    assert Message.objects.get(routine="test").status == "sent"


def test_closed_port_shows_the_connection_failure_words(staff_client, db):
    page = level_page("finance")

    response = staff_client.post(page.url, loopback_form(free_port()) | _test())

    assert response.status_code == 200
    assert CONNECT_FAILED in response.text
    assert "Falhou na etapa Conexão" in response.text
    assert "✗" in response.text
    assert not SmtpSettings.objects.exists()


def test_typed_settings_are_tested_without_replacing_the_saved_ones(
    staff_client, sink, make_company
):
    company = make_company("MATRIZ")
    page = level_page("company", company)
    saved = _save_for(sink, level="company", company=company, port=free_port(), from_name="Antigo")

    response = staff_client.post(
        page.url, loopback_form(sink.port, from_name="Novo nome") | _test()
    )

    assert "Envio de teste concluído" in response.text
    assert "Novo nome" in sink.received[0].text
    stored = page.stored()
    assert (stored.port, stored.from_name, stored.updated_at) == (
        saved.port,
        "Antigo",
        saved.updated_at,
    )
    assert Message.objects.get(routine="test").smtp_level == "company"


def test_empty_password_tests_with_the_stored_one_and_never_shows_it(staff_client, auth_sink):
    _save_for(auth_sink, username="spy", password=SECRET)
    page = level_page("general")

    response = staff_client.post(page.url, loopback_form(auth_sink.port, username="spy") | _test())

    assert "Envio de teste concluído" in response.text
    assert '<td class="nowrap">AUTH</td>' in response.text
    assert SECRET not in response.text
    assert len(auth_sink.received) == 1


def test_typed_password_is_used_and_not_rendered_back(staff_client, auth_sink):
    _save_for(auth_sink, username="spy", password=SECRET)
    page = level_page("general")

    wrong = staff_client.post(
        page.url, loopback_form(auth_sink.port, username="spy", password="errada!!") | _test()
    )
    right = staff_client.post(
        page.url, loopback_form(auth_sink.port, username="spy", password=SECRET) | _test()
    )

    assert "Usuário ou senha recusados pelo servidor." in wrong.text
    assert "errada!!" not in wrong.text
    assert "Envio de teste concluído" in right.text
    assert SECRET not in right.text
    assert "digite-a de novo antes de Gravar" in right.text


def test_stored_password_is_not_sent_to_another_server(staff_client, auth_sink, sink):
    _save_for(auth_sink, username="spy", password=SECRET)
    page = level_page("general")

    response = staff_client.post(page.url, loopback_form(sink.port, username="spy") | _test())

    assert "Digite a senha para testar" in response.text
    assert not Message.objects.filter(routine="test").exists()
    assert sink.received == []


def test_invalid_typed_settings_show_field_errors_and_send_nothing(staff_client, sink):
    page = level_page("general")

    typed = loopback_form(sink.port) | {"port": "70000", "host": "smtp.example.com"}

    response = staff_client.post(page.url, typed | _test())

    assert "A porta deve estar entre 1 e 65535." in response.text
    assert "Sem criptografia só é permitido para servidor local" in response.text
    assert "corrija-as antes de testar" in response.text
    assert 'class="field field--error"' in response.text
    assert not Message.objects.exists()
    assert not SmtpSettings.objects.exists()


@pytest.mark.parametrize(
    ("to", "error"), [("", "Informe o e-mail para envio."), ("não é e-mail", "E-mail inválido")]
)
def test_missing_or_bad_address_is_shown_next_to_the_address(staff_client, sink, to, error):
    page = level_page("general")

    response = staff_client.post(page.url, loopback_form(sink.port) | _test(**{"teste-to": to}))

    assert error in response.text
    assert 'id="id_teste-to_error"' in response.text
    assert not Message.objects.exists()


def test_too_many_tests_are_refused_in_portuguese(staff_client, db):
    page = level_page("general")
    data = loopback_form(free_port()) | _test()

    for _ in range(5):
        staff_client.post(page.url, data)
    response = staff_client.post(page.url, data)

    assert "Muitos testes em sequência: aguarde um minuto." in response.text
    assert Message.objects.filter(routine="test").count() == 5


def test_script_request_gets_only_the_dialog_content(staff_client, sink):
    page = level_page("general")

    response = staff_client.post(
        page.url,
        loopback_form(sink.port, password=SECRET) | _test(),
        headers={"X-Spy-Partial": "smtp-test"},
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="testar-envio-titulo"' in response.text
    assert "Envio de teste concluído" in response.text
    assert SECRET not in response.text
    assert "digite-a de novo" not in response.text  # the page keeps what was typed


def test_page_has_a_dialog_that_works_without_javascript(staff_client, db):
    text = staff_client.get(level_page("general").url).text

    assert '<script src="/static/spy/spy.js" defer></script>' in text
    assert '<dialog id="testar-envio"' in text
    assert " open data-test-dialog" in text
    assert "Informe o e-mail para envio" in text
    assert 'name="action" value="test"' in text
    assert 'data-dialog-open="testar-envio" data-js-only>Testar envio</button>' in text


def test_script_is_served_without_a_cdn(client, db):
    response = client.get("/static/spy/spy.js")

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert b"showModal" in body
    assert b"X-Spy-Partial" in body


def test_user_without_staff_rights_cannot_test(clerk_client, sink):
    response = clerk_client.post(level_page("general").url, loopback_form(sink.port) | _test())

    assert response.status_code == 403
    assert sink.received == []
