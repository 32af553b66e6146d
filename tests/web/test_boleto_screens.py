"""Boletos on the titles screens: print, emit, re-send, the boleto and notas on a title, and the
e-mail history of the title; access per role and company scope."""

import pytest
from django.urls import reverse

from spysystem.finance.models import TitleDocument
from spysystem.mail.models import Message, MessageAttachment
from spysystem.routines.models import Boleto

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _bulk(client, action, titles):
    data = {"acao": action, "titulos": [t.pk for t in titles]}
    return client.post(reverse("finance:title_boletos"), data)


def test_list_offers_the_manuals_boleto_actions_to_finance_staff_only(
    clerk_client, login, make_user, receivable
):
    title = receivable()
    reader = login(make_user("leitora", role="readonly"))

    staff_page = clerk_client.get(reverse("finance:title_list")).text
    reader_page = reader.get(reverse("finance:title_list")).text

    for label in (
        "Imprimir boletos",
        "Emitir boletos",
        "Reenvio de boletos/notas dos títulos selecionados",
    ):
        assert label in staff_page
        assert label not in reader_page
    assert f'name="titulos" value="{title.pk}"' in staff_page
    assert 'name="titulos"' not in reader_page
    assert _bulk(reader, "imprimir", [title]).status_code == 403


def test_print_selected_downloads_one_pdf_with_every_boleto(clerk_client, receivable, make_company):
    company = make_company()
    first, second = receivable(company), receivable(company)

    response = _bulk(clerk_client, "imprimir", [first, second])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="boletos.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    assert Boleto.objects.filter(title__in=[first, second]).count() == 2


def test_print_refused_for_a_title_without_bank_account(clerk_client, make_title):
    title = make_title(ledger="receivable")

    response = _bulk(clerk_client, "imprimir", [title])

    assert response.status_code == 302
    page = clerk_client.get(response.url).text
    assert "não tem conta bancária para boleto" in page


def test_emit_queues_one_message_per_title_with_the_pdf_and_lists_errors(
    clerk_client, receivable, make_company, make_title
):
    company = make_company()
    good = receivable(company)
    payable = make_title(company=company)

    response = _bulk(clerk_client, "emitir", [good, payable])

    assert response.status_code == 200
    assert "1 e-mail colocado na fila de envio." in response.text
    assert str(payable) in response.text
    assert "Boleto só existe para títulos a receber." in response.text
    message = Message.objects.get(routine="boleto")
    assert message.to_email == good.party.email_list[0]
    attachment = MessageAttachment.objects.get(message=message)
    assert attachment.filename.endswith(".pdf")
    assert bytes(attachment.content).startswith(b"%PDF")


def test_resend_sends_boleto_and_notas_again(clerk_client, receivable):
    title = receivable()
    TitleDocument.objects.create(title=title, filename="nota.pdf", content=PDF)
    _bulk(clerk_client, "emitir", [title])

    response = _bulk(clerk_client, "reenviar", [title])

    assert "1 e-mail colocado na fila de envio." in response.text
    resent = Message.objects.filter(routine="boleto").order_by("-id").first()
    names = sorted(a.filename for a in resent.attachments.all())
    assert "nota.pdf" in names and len(names) == 2


def test_bulk_ignores_titles_of_companies_the_user_cannot_see(
    login, make_user, make_company, receivable
):
    mine, other = make_company(), make_company()
    user = make_user("restrita", role="finance", company_ids=[mine.pk])
    hidden = receivable(other)

    response = _bulk(login(user), "emitir", [hidden])

    assert response.status_code == 302
    assert not Message.objects.exists()
    assert not Boleto.objects.exists()


def test_title_detail_prints_sends_and_shows_the_digitable_line(clerk_client, receivable):
    title = receivable()
    page = clerk_client.get(reverse("finance:title_detail", args=[title.pk])).text
    assert "Imprimir boleto" in page and "Enviar boleto por e-mail" in page

    pdf = clerk_client.post(reverse("finance:title_boleto_pdf", args=[title.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    sent = clerk_client.post(reverse("finance:title_boleto_email", args=[title.pk]), follow=True)
    assert "Boleto enviado para a fila de e-mails" in sent.text
    again = clerk_client.post(reverse("finance:title_boleto_email", args=[title.pk]), follow=True)
    assert "já tinha sido enviado" in again.text

    page = clerk_client.get(reverse("finance:title_detail", args=[title.pk])).text
    boleto = Boleto.objects.get(title=title)
    assert boleto.digitable_line in page
    assert "Envio de boleto" in page  # the e-mail history of the title
    assert title.party.email_list[0] in page


def test_title_history_shows_the_collection_level(clerk_client, receivable, make_message):
    title = receivable()
    message = make_message(routine="cobranca", to_email="c@x.com.br")
    Message.objects.filter(pk=message.pk).update(dedupe_key="cobranca:1:grupo:15:2027-01-01:x")
    message.titles.add(title)

    page = clerk_client.get(reverse("finance:title_detail", args=[title.pk])).text

    assert "nível 15 dias" in page
    assert "c@x.com.br" in page


def test_readonly_sees_no_boleto_actions_and_cannot_post(login, make_user, receivable):
    title = receivable()
    reader = login(make_user("leitor", role="readonly"))

    page = reader.get(reverse("finance:title_detail", args=[title.pk])).text

    assert "Imprimir boleto" not in page
    assert "Anexar nota" not in page
    for name in ("title_boleto_pdf", "title_boleto_email", "title_document_add"):
        assert reader.post(reverse(f"finance:{name}", args=[title.pk])).status_code == 403


def test_other_companys_title_is_404_for_every_boleto_url(
    login, make_user, make_company, receivable
):
    mine, other = make_company(), make_company()
    client = login(make_user("restrito", role="finance", company_ids=[mine.pk]))
    title = receivable(other)

    for name in ("title_detail",):
        assert client.get(reverse(f"finance:{name}", args=[title.pk])).status_code == 404
    for name in ("title_boleto_pdf", "title_boleto_email", "title_document_add"):
        assert client.post(reverse(f"finance:{name}", args=[title.pk])).status_code == 404


def test_upload_nota_accepts_pdf_and_refuses_other_files(clerk_client, receivable):
    from django.core.files.uploadedfile import SimpleUploadedFile

    title = receivable()
    url = reverse("finance:title_document_add", args=[title.pk])

    bad = clerk_client.post(
        url, {"file": SimpleUploadedFile("nota.txt", b"hello", "text/plain")}, follow=True
    )
    assert "Envie um arquivo PDF." in bad.text
    big = SimpleUploadedFile("grande.pdf", PDF + b"0" * (5 * 1024 * 1024), "application/pdf")
    assert "passa de 5 MB" in clerk_client.post(url, {"file": big}, follow=True).text
    assert not TitleDocument.objects.exists()

    ok = clerk_client.post(
        url, {"file": SimpleUploadedFile("nota-1.pdf", PDF, "application/pdf")}, follow=True
    )
    assert "Documento nota-1.pdf anexado." in ok.text
    document = TitleDocument.objects.get(title=title)
    download = clerk_client.get(reverse("finance:title_document", args=[title.pk, document.pk]))
    assert download.content == PDF


@pytest.mark.parametrize("action", ["", "apagar"])
def test_bulk_without_a_known_action_or_selection_says_so(clerk_client, receivable, action):
    title = receivable()
    url = reverse("finance:title_boletos")
    response = clerk_client.post(url, {"acao": action, "titulos": [title.pk]}, follow=True)
    assert "Escolha uma ação." in response.text
    response = clerk_client.post(url, {"acao": "emitir"}, follow=True)
    assert "Selecione ao menos um título." in response.text
