"""The SMTP screens of the three levels: one form, the password write-only, bad input refused."""

import pytest

from spysystem.mail.crypto import decrypt
from spysystem.mail.models import SmtpSettings
from tests.web.smtp_data import SECRET, level_page, smtp_form

LEVELS = ["general", "finance", "company"]


@pytest.fixture(params=LEVELS)
def page(request, make_company):
    company = make_company("MATRIZ") if request.param == "company" else None
    return level_page(request.param, company)


def test_each_level_saves_its_settings_and_never_renders_the_password(staff_client, page):
    response = staff_client.post(page.url, smtp_form(password=SECRET), follow=True)

    stored = page.stored()
    assert (stored.host, stored.port, stored.security) == ("smtp.empresa.com.br", 587, "starttls")
    assert decrypt(stored.password_encrypted) == SECRET
    assert "gravada." in response.text
    assert "Há uma senha gravada" in response.text
    assert SECRET not in response.text
    assert SECRET not in staff_client.get(page.url).text
    assert SmtpSettings.objects.count() == 1


def test_each_level_keeps_the_password_when_empty_and_clears_it_with_remover(staff_client, page):
    staff_client.post(page.url, smtp_form(password=SECRET))

    staff_client.post(page.url, smtp_form(host="smtp2.empresa.com.br"))
    kept = page.stored()
    staff_client.post(page.url, smtp_form(remove_password="on"))

    assert kept.host == "smtp2.empresa.com.br"
    assert decrypt(kept.password_encrypted) == SECRET
    assert page.stored().password_encrypted == ""


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"port": "70000"}, "A porta deve estar entre 1 e 65535."),
        (
            {"security": "none", "host": "smtp.example.com"},
            "Sem criptografia só é permitido para servidor local",
        ),
        ({"from_name": "Spy\r\nBcc: todos@exemplo.com"}, "Não pode conter quebras de linha."),
        ({"timeout": "0"}, "O tempo limite deve estar entre 1 e 300 segundos."),
        ({"host": ""}, "Este campo é obrigatório."),
    ],
)
def test_bad_input_is_shown_on_the_field_and_nothing_is_saved(staff_client, page, overrides, error):
    response = staff_client.post(page.url, smtp_form(password=SECRET, **overrides))

    assert response.status_code == 200
    assert error in response.text
    assert 'class="field field--error"' in response.text
    assert SECRET not in response.text
    assert not SmtpSettings.objects.exists()


def test_bad_input_does_not_change_what_was_saved(staff_client, page):
    staff_client.post(page.url, smtp_form())

    staff_client.post(page.url, smtp_form(host="outro.empresa.com.br", port="70000"))

    assert page.stored().host == "smtp.empresa.com.br"


def test_saving_one_level_leaves_the_others_alone(staff_client, make_company):
    company = make_company("FILIAL")
    general, finance, own = (
        level_page("general"),
        level_page("finance"),
        level_page("company", company),
    )

    staff_client.post(general.url, smtp_form(host="geral.empresa.com.br"))
    staff_client.post(finance.url, smtp_form(host="financeiro.empresa.com.br"))
    staff_client.post(own.url, smtp_form(host="filial.empresa.com.br"))

    assert general.stored().host == "geral.empresa.com.br"
    assert finance.stored().host == "financeiro.empresa.com.br"
    assert own.stored().host == "filial.empresa.com.br"
    assert own.stored().company == company


def test_each_page_shows_which_server_every_routine_uses_now(staff_client, page, general_smtp):
    response = staff_client.get(page.url)

    assert "Qual servidor cada rotina usa agora" in response.text
    for routine in ("Spy System", "Envio de boleto", "Envio de cobrança", "Aviso de vencimento"):
        assert routine in response.text
    assert f"127.0.0.1:{general_smtp.port}" in response.text


def test_company_page_of_an_unknown_company_is_404(staff_client, db):
    response = staff_client.get("/email/smtp/empresas/999999/")

    assert response.status_code == 404
