"""In the browser: finance staff cannot open or post to the settings screens; a user of company A
does not see company B's titles."""

import pytest

from spysystem.mail.models import MailSwitches
from spysystem.watch.models import SpyRecipient
from tests.browser.chromium import PASSWORD, missing_reason

if reason := missing_reason():
    pytest.skip(reason, allow_module_level=True)

SETTINGS_URLS = [
    "/spy/",
    "/email/smtp/geral/",
    "/email/smtp/financeiro/",
    "/email/crm/telecobranca/",
    "/configurador/usuarios/",
    "/configurador/auditoria/",
]

# Posts the way a hand-made form would: the session's CSRF token, so only the role can refuse it.
POST_WITH_CSRF = """async (url) => {
  const token = document.cookie.split("; ").find((c) => c.startsWith("csrftoken=")).split("=")[1];
  const body = new FormData();
  body.set("use_spy_smtp", "on");
  body.set("cobranca_por_empresa", "on");
  body.set("payable-users", "1");
  const response = await fetch(url, {method: "POST", body, headers: {"X-CSRFToken": token}});
  return [response.status, await response.text()];
}"""


def test_finance_staff_cannot_open_or_post_to_the_settings_screens(page, log_in, make_user):
    make_user("financeiro", password=PASSWORD, role="finance")
    log_in("financeiro")

    assert page.locator("nav.menu").get_by_text("Configurador").count() == 0
    for url in SETTINGS_URLS:
        response = page.goto(url)
        assert response.status == 403, url
        assert page.get_by_role("heading", name="Acesso negado").is_visible()
    page.goto("/titulos/")
    for url in SETTINGS_URLS:
        status, text = page.evaluate(POST_WITH_CSRF, url)
        assert status == 403 and "Acesso negado" in text, url
    assert not MailSwitches.objects.filter(use_spy_smtp=True).exists()
    assert not SpyRecipient.objects.exists()


def test_user_of_company_a_does_not_see_company_b_titles(
    page, log_in, make_user, make_company, make_title
):
    a, b = make_company("A"), make_company("B")
    make_title(company=a, document="NF-DA-A")
    theirs = make_title(company=b, document="NF-DA-B")
    make_user("usuario_a", password=PASSWORD, role="finance", company_ids=[a.pk])
    log_in("usuario_a")

    table = page.locator("table")
    assert table.get_by_text("NF-DA-A").is_visible()
    assert table.get_by_text("NF-DA-B").count() == 0
    assert page.get_by_label("Empresa").locator("option").all_inner_texts() == ["Todas", str(a)]
    response = page.goto(f"/titulos/{theirs.pk}/")
    assert response.status == 404
    assert page.get_by_role("heading", name="Página não encontrada").is_visible()
