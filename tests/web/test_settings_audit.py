"""Auditoria de configurações: every settings screen records who changed what; the audit screen
shows it in Portuguese, filtered by area, with secrets masked."""

from django.urls import reverse

from spysystem.audit.models import SettingsChange
from spysystem.formats import datetime_br
from spysystem.mail.services import smtp_settings_save
from spysystem.watch.services import recipients_set
from tests.web.smtp_data import SECRET, smtp_form

AUDIT = reverse("settings_audit")


def test_each_settings_screen_records_the_logged_in_user_with_origin_screen(
    staff_client, staff_user, make_company
):
    company = make_company("MATRIZ")
    staff_client.post(reverse("mail:smtp_general"), smtp_form(password=SECRET))
    staff_client.post(reverse("mail:smtp_finance"), smtp_form(use_spy_smtp="on"))
    staff_client.post(reverse("mail:smtp_company", args=[company.pk]), smtp_form())
    staff_client.post(reverse("mail:smtp_company_delete", args=[company.pk]))
    staff_client.post(reverse("mail:switch_cobranca"), {"cobranca_por_empresa": "on"})
    staff_client.post(
        reverse("watch:spy_settings"),
        {
            "payable-users": [str(staff_user.pk)],
            "payable-companies-TOTAL_FORMS": "0",
            "payable-companies-INITIAL_FORMS": "0",
            "receivable-companies-TOTAL_FORMS": "0",
            "receivable-companies-INITIAL_FORMS": "0",
        },
    )

    changes = SettingsChange.objects.order_by("id")
    assert [c.area for c in changes] == [
        "smtp:general",
        "smtp:finance",
        "switches",
        "smtp:company:MATRIZ",
        "smtp:company:MATRIZ",
        "switches",
        "spy:recipients",
    ]
    assert {(c.actor_id, c.actor_label, c.origin) for c in changes} == {
        (staff_user.pk, "controladora", "screen")
    }


def test_audit_screen_shows_who_when_area_and_old_to_new(staff_client, staff_user):
    smtp_settings_save(
        level="general", host="smtp.antigo.com.br", from_email="spy@empresa.com.br", timeout=30
    )
    staff_client.post(
        reverse("mail:smtp_general"), smtp_form(host="smtp.novo.com.br", password=SECRET)
    )

    text = staff_client.get(AUDIT).text

    assert "Auditoria de configurações" in text
    assert "Geral / Spy System (servidor SMTP)" in text
    assert "controladora" in text and "sistema" in text
    assert "Servidor SMTP: " in text
    assert "smtp.antigo.com.br" in text and "smtp.novo.com.br" in text
    assert "Senha alterada" in text and "tela" in text
    assert SECRET not in text and "password_encrypted" not in text
    change = SettingsChange.objects.filter(actor=staff_user).get()
    assert datetime_br(change.created_at) in text  # dd/mm/aaaa hh:mm, São Paulo time


def test_recipients_are_shown_by_username_and_company_code(staff_client, make_user, make_company):
    ana, company = make_user("ana"), make_company("FILIAL")
    recipients_set(
        config={"payable": {"default": [ana.pk], "companies": {str(company.pk): [ana.pk]}}}
    )

    text = staff_client.get(AUDIT).text

    assert "Financeiro / Opções / Spy System (usuários que recebem)" in text
    assert "Contas a pagar" in text and "padrão: ana; FILIAL: ana" in text


def test_filter_by_area(staff_client, make_user):
    smtp_settings_save(level="general", host="smtp.geral.com.br", from_email="a@b.com.br")
    recipients_set(config={"payable": {"default": [make_user("ana").pk], "companies": {}}})

    smtp_only = staff_client.get(AUDIT, {"area": "smtp"}).text
    spy_only = staff_client.get(AUDIT, {"area": "spy:recipients"}).text

    assert "smtp.geral.com.br" in smtp_only and "padrão: ana" not in smtp_only
    assert "padrão: ana" in spy_only and "smtp.geral.com.br" not in spy_only


def test_query_count_does_not_grow_with_changes(
    staff_client, make_user, django_assert_max_num_queries
):
    users = [make_user() for _ in range(10)]
    for user in users:
        recipients_set(config={"payable": {"default": [user.pk], "companies": {}}})

    with django_assert_max_num_queries(8):
        response = staff_client.get(AUDIT)

    assert len(response.context["rows"]) == 10
