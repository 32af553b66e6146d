"""Geral / Spy System: the general-level SMTP server, password write-only."""

import pytest
from django.urls import reverse

from spysystem.mail.crypto import decrypt
from spysystem.mail.models import SmtpSettings
from tests.web.smtp_data import SECRET, smtp_form

URL = reverse("mail:smtp_general")
_data = smtp_form


def _stored() -> SmtpSettings:
    return SmtpSettings.objects.get(level="general")


def test_empty_page_explains_that_no_server_is_configured(staff_client):
    response = staff_client.get(URL)

    assert response.status_code == 200
    assert "Nenhum servidor SMTP configurado" in response.text
    assert 'value="587"' in response.text


def test_save_stores_the_settings_and_never_renders_the_password(staff_client):
    response = staff_client.post(URL, _data(password=SECRET), follow=True)

    stored = _stored()
    assert (stored.host, stored.port, stored.security) == ("smtp.empresa.com.br", 587, "starttls")
    assert decrypt(stored.password_encrypted) == SECRET
    assert SECRET not in stored.password_encrypted
    assert "Configuração Geral / Spy System gravada." in response.text
    assert "Há uma senha gravada" in response.text
    assert "não está preenchido; usando Geral / Spy System." in response.text
    assert SECRET not in response.text
    assert SECRET not in staff_client.get(URL).text


def test_empty_password_keeps_the_stored_one_and_remover_clears_it(staff_client):
    staff_client.post(URL, _data(password=SECRET))

    staff_client.post(URL, _data(host="smtp2.empresa.com.br"))
    kept = _stored()
    staff_client.post(URL, _data(remove_password="on"))

    assert kept.host == "smtp2.empresa.com.br"
    assert decrypt(kept.password_encrypted) == SECRET
    assert _stored().password_encrypted == ""


def test_new_password_and_remover_together_are_refused(staff_client):
    response = staff_client.post(URL, _data(password=SECRET, remove_password="on"))

    assert response.status_code == 200
    assert "não os dois" in response.text
    assert SECRET not in response.text
    assert not SmtpSettings.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"port": "70000"}, "A porta deve estar entre 1 e 65535."),
        ({"port": "porta"}, "Informe um número inteiro."),
        (
            {"security": "none", "host": "smtp.gmail.com"},
            "Sem criptografia só é permitido para servidor local",
        ),
        ({"from_email": "não é e-mail"}, "E-mail inválido"),
        ({"host": "smtp empresa"}, "Informe o nome ou IP do servidor SMTP"),
    ],
)
def test_bad_settings_show_the_error_on_the_field_and_save_nothing(staff_client, overrides, error):
    response = staff_client.post(URL, _data(password=SECRET, **overrides))

    assert response.status_code == 200
    assert error in response.text
    assert 'class="field field--error"' in response.text
    assert SECRET not in response.text
    assert not SmtpSettings.objects.exists()


def test_plain_text_is_accepted_for_a_loopback_server(staff_client):
    response = staff_client.post(URL, _data(host="127.0.0.1", port="1025", security="none"))

    assert response.status_code == 302
    assert _stored().security == "none"
