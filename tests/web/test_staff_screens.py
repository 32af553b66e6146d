"""The new settings screens: staff only, in the grouped menu; the SMTP health banner."""

import sys
import types

import pytest
from django.urls import reverse

from spysystem.mail.models import MailSwitches, SmtpSettings
from tests.web.smtp_data import smtp_form

COMPANY_PAGES = ["mail:smtp_company", "mail:smtp_company_delete"]
PAGES = [
    "mail:smtp_general",
    "mail:smtp_finance",
    "mail:smtp_company_list",
    "mail:switch_cobranca",
    "mail:switch_aviso",
    "mail:route_explain",
]


@pytest.fixture
def company(make_company):
    return make_company("MATRIZ")


def _url(name, company):
    return reverse(name, args=[company.pk]) if name in COMPANY_PAGES else reverse(name)


@pytest.mark.parametrize("name", PAGES + COMPANY_PAGES)
def test_user_without_staff_rights_gets_403_and_changes_nothing(clerk_client, company, name):
    url = _url(name, company)
    data = smtp_form(use_spy_smtp="on", cobranca_por_empresa="on", aviso_por_empresa="on")

    assert clerk_client.get(url).status_code == 403
    assert clerk_client.post(url, data).status_code == 403
    assert not SmtpSettings.objects.exists()
    assert MailSwitches.objects.filter(use_spy_smtp=True).exists() is False


@pytest.mark.parametrize("name", PAGES + COMPANY_PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, company, name):
    response = client.get(_url(name, company))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("name", [*PAGES, "mail:smtp_company"])
def test_each_screen_is_in_the_configurador_group_and_marked_current(staff_client, company, name):
    menu_entry = "mail:smtp_company_list" if name == "mail:smtp_company" else name

    response = staff_client.get(_url(name, company))

    assert response.status_code == 200
    assert '<summary class="is-current">Configurador</summary>' in response.text
    assert response.text.count('aria-current="page"') == 1
    assert f'href="{reverse(menu_entry)}" aria-current="page"' in response.text


def test_staff_menu_groups_the_settings_screens_by_the_manual_paths(staff_client, db):
    text = staff_client.get(reverse("finance:title_list")).text

    assert text.count("<details>") == 1
    for label in (
        "Geral / Spy System",
        "Financeiro / Spy System",
        "Financeiro / Spy System / Empresas",
        "CRM / Telecobrança",
        "Financeiro / Boleto bancário / Emissão de boleto / Outras configurações",
        "Quem recebe e por qual servidor",
    ):
        assert f">{label}</a>" in text


def test_clerk_menu_has_no_settings_group(clerk_client):
    text = clerk_client.get(reverse("finance:title_list")).text

    assert "Configurador" not in text
    for name in PAGES:
        assert f'href="{reverse(name)}"' not in text


def _health(monkeypatch, module):
    monkeypatch.setitem(sys.modules, "spysystem.mail.selectors", module)


def _warnings_module(function):
    module = types.ModuleType("spysystem.mail.selectors")
    module.smtp_health_warnings = function
    return module


WARNING = "Servidor SMTP MATRIZ (smtp.matriz.com.br:587): 3 falha(s) seguida(s) de conexão."


def test_staff_see_the_smtp_health_banner_on_every_page(staff_client, clerk_client, monkeypatch):
    _health(monkeypatch, _warnings_module(lambda: [WARNING]))

    staff = [staff_client.get(reverse(name)).text for name in ("finance:title_list", *PAGES)]
    clerk = clerk_client.get(reverse("finance:title_list")).text

    assert all(WARNING in text and 'class="health-banner"' in text for text in staff)
    assert WARNING not in clerk


def test_no_banner_when_there_is_nothing_to_say(staff_client, monkeypatch):
    _health(monkeypatch, _warnings_module(lambda: []))

    assert 'class="health-banner"' not in staff_client.get(reverse("finance:title_list")).text


def test_pages_render_while_the_health_function_does_not_exist_yet(staff_client, monkeypatch):
    _health(monkeypatch, None)  # import raises ImportError

    response = staff_client.get(reverse("finance:title_list"))

    assert response.status_code == 200
    assert 'class="health-banner"' not in response.text


def test_pages_render_when_the_health_function_fails(staff_client, monkeypatch, caplog):
    def broken():
        raise RuntimeError("boom")

    _health(monkeypatch, _warnings_module(broken))

    response = staff_client.get(reverse("mail:smtp_general"))

    assert response.status_code == 200
    assert 'class="health-banner"' not in response.text
    assert "smtp_health_warnings() falhou" in caplog.text
