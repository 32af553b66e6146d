"""Roles and company scope in every screen.

Administrators (staff) everything; finance staff titles and routines, no settings; read-only reads
titles, changes and the e-mail log but every write is 403 and its button hidden; a user limited to
some companies sees only those companies everywhere (another company's row is 404).
"""

import pytest
from django.urls import reverse

from spysystem.finance.models import Title
from spysystem.mail.models import MailSwitches, MessageStatus, SmtpSettings
from spysystem.watch.models import Change, SpyRecipient
from tests.web.smtp_data import smtp_form

SETTINGS_PAGES = [
    "watch:spy_settings",
    "mail:smtp_general",
    "mail:smtp_finance",
    "mail:smtp_company_list",
    "mail:switch_cobranca",
    "mail:switch_aviso",
    "mail:route_explain",
    "user_list",
    "user_create",
    "settings_audit",
]
COMPANY_SETTINGS_PAGES = ["mail:smtp_company", "mail:smtp_company_delete"]


@pytest.fixture
def companies(make_company):
    return make_company("A"), make_company("B")


@pytest.fixture
def finance_user(make_user):
    return make_user("financeiro", role="finance")


@pytest.fixture
def reader(make_user):
    return make_user("leitor", role="readonly")


@pytest.fixture
def user_of_a(make_user, companies):
    return make_user("usuario_a", role="finance", company_ids=[companies[0].pk])


@pytest.fixture
def titles(make_title, companies):
    a, b = companies
    return make_title(company=a, document="NF-A"), make_title(company=b, document="NF-B")


def _settings_urls(company):
    urls = [reverse(name) for name in SETTINGS_PAGES]
    urls += [reverse(name, args=[company.pk]) for name in COMPANY_SETTINGS_PAGES]
    urls.append(reverse("user_edit", args=[1]))
    return urls


@pytest.mark.parametrize("persona", ["finance_user", "reader", "user_of_a"])
def test_only_administrators_open_or_post_to_the_settings_screens(
    request, login, companies, persona
):
    client = login(request.getfixturevalue(persona))
    post = smtp_form(use_spy_smtp="on", cobranca_por_empresa="on", aviso_por_empresa="on")
    post |= {"payable-users": ["1"], "username": "intruso", "role": "admin"}

    for url in _settings_urls(companies[0]):
        assert client.get(url).status_code == 403, url
        assert client.post(url, post).status_code == 403, url

    assert not SmtpSettings.objects.exists()
    assert not MailSwitches.objects.filter(use_spy_smtp=True).exists()
    assert not SpyRecipient.objects.exists()


def test_finance_staff_work_with_titles_and_see_no_configurador_menu(login, finance_user, titles):
    client = login(finance_user)
    title = titles[0]

    page = client.get(reverse("finance:title_list")).text
    deleted = client.post(reverse("finance:title_delete", args=[title.pk]))

    assert "Configurador" not in page and "Novo título" in page
    assert deleted.status_code == 302 and not Title.objects.filter(pk=title.pk).exists()


READ_PAGES = ["finance:title_list", "watch:change_list", "mail:outbox_list"]


@pytest.mark.parametrize("name", READ_PAGES)
def test_read_only_user_reads_the_lists(login, reader, titles, name):
    assert login(reader).get(reverse(name)).status_code == 200


def test_read_only_user_cannot_create_edit_or_delete_titles(login, reader, titles):
    client = login(reader)
    title = titles[0]
    writes = [
        reverse("finance:title_create"),
        reverse("finance:title_edit", args=[title.pk]),
        reverse("finance:title_delete", args=[title.pk]),
    ]

    for url in writes:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"amount": "1,00"}).status_code == 403, url

    assert Title.objects.filter(pk=title.pk, amount=title.amount).exists()
    assert not Change.objects.exists()


def test_read_only_user_sees_no_write_buttons(login, reader, titles):
    client = login(reader)
    title = titles[0]

    listing = client.get(reverse("finance:title_list")).text
    detail = client.get(reverse("finance:title_detail", args=[title.pk])).text

    assert reverse("finance:title_create") not in listing
    assert "NF-A" in listing
    assert reverse("finance:title_edit", args=[title.pk]) not in detail
    assert reverse("finance:title_delete", args=[title.pk]) not in detail


def test_read_only_user_cannot_retry_or_cancel_and_sees_no_buttons(login, reader, make_message):
    client = login(reader)
    message = make_message(status=MessageStatus.FAILED)

    detail = client.get(reverse("mail:outbox_detail", args=[message.pk])).text
    retry = client.post(reverse("mail:outbox_retry", args=[message.pk]))
    cancel = client.post(reverse("mail:outbox_cancel", args=[message.pk]))

    assert "Reenviar" not in detail and ">Cancelar<" not in detail
    assert retry.status_code == 403 and cancel.status_code == 403
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED


def test_finance_staff_see_retry_and_cancel(login, finance_user, make_message):
    message = make_message(status=MessageStatus.FAILED)

    detail = login(finance_user).get(reverse("mail:outbox_detail", args=[message.pk])).text

    assert "Reenviar" in detail and ">Cancelar<" in detail


def test_user_of_company_a_does_not_see_company_b_titles(login, user_of_a, titles):
    client = login(user_of_a)
    mine, theirs = titles

    listing = client.get(reverse("finance:title_list")).text
    filtered = client.get(reverse("finance:title_list"), {"company": theirs.company_id}).text

    assert "NF-A" in listing and "NF-B" not in listing
    assert "NF-B" not in filtered
    assert f'<option value="{theirs.company_id}"' not in listing
    for name in ("finance:title_detail", "finance:title_edit", "finance:title_delete"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404, name
        assert client.get(reverse(name, args=[mine.pk])).status_code == 200, name
    assert client.post(reverse("finance:title_delete", args=[theirs.pk])).status_code == 404
    assert Title.objects.filter(pk=theirs.pk).exists()


def test_user_of_company_a_cannot_create_or_move_a_title_to_company_b(
    login, user_of_a, titles, companies
):
    client = login(user_of_a)
    mine = titles[0]
    data = {
        "company": companies[1].pk,
        "ledger": "payable",
        "party": mine.party_id,
        "document": "NF-X",
        "installment": "1",
        "issue_date": "01/11/2026",
        "due_date": "10/12/2026",
        "amount": "10,00",
        "status": "open",
    }

    created = client.post(reverse("finance:title_create"), data)
    moved = client.post(reverse("finance:title_edit", args=[mine.pk]), data)

    assert created.status_code == 200 and "Empresa desconhecida" in created.text
    assert moved.status_code == 200
    assert not Title.objects.filter(document="NF-X").exists()
    mine.refresh_from_db()
    assert mine.company_id == companies[0].pk


def test_change_history_is_limited_to_the_users_companies(login, user_of_a, titles):
    from decimal import Decimal

    from spysystem.finance.services import title_update

    mine, theirs = titles
    for title in titles:
        title_update(title=title, user=None, origin="system", amount=Decimal("5.00"))
    client = login(user_of_a)
    theirs_change = Change.objects.get(title_id=theirs.pk)

    listing = client.get(reverse("watch:change_list")).text

    assert "NF-A" in listing and "NF-B" not in listing
    assert client.get(reverse("watch:change_detail", args=[theirs_change.pk])).status_code == 404
    mine_change = Change.objects.get(title_id=mine.pk)
    assert client.get(reverse("watch:change_detail", args=[mine_change.pk])).status_code == 200


def test_e_mail_log_is_limited_to_the_users_companies(login, user_of_a, companies, make_message):
    a, b = companies
    mine = make_message(company_id=a.pk, subject="Assunto da A", status=MessageStatus.FAILED)
    theirs = make_message(company_id=b.pk, subject="Assunto da B", status=MessageStatus.FAILED)
    no_company = make_message(subject="Teste do servidor")
    client = login(user_of_a)

    listing = client.get(reverse("mail:outbox_list")).text

    assert "Assunto da A" in listing
    assert "Assunto da B" not in listing and "Teste do servidor" not in listing
    for message in (theirs, no_company):
        assert client.get(reverse("mail:outbox_detail", args=[message.pk])).status_code == 404
        assert client.post(reverse("mail:outbox_retry", args=[message.pk])).status_code == 404
    assert client.get(reverse("mail:outbox_detail", args=[mine.pk])).status_code == 200


def test_users_who_see_every_company_see_the_whole_log(clerk_client, make_message):
    make_message(subject="Teste do servidor")

    assert "Teste do servidor" in clerk_client.get(reverse("mail:outbox_list")).text


def test_inactive_user_is_logged_out(login, finance_user):
    client = login(finance_user)
    finance_user.is_active = False
    finance_user.save()

    response = client.get(reverse("finance:title_list"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
