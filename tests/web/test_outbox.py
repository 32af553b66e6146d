"""Log de e-mails: list, filters, detail with bodies, Reenviar and Cancelar."""

import pytest
from django.urls import reverse

from spysystem.mail.models import Message, MessageStatus, Routine


def test_list_shows_the_delivery_columns(clerk_client, make_message, make_company):
    company = make_company("MATRIZ")
    make_message(
        status=MessageStatus.FAILED,
        company_id=company.pk,
        attempts=3,
        last_error="550 5.1.1 Caixa postal inexistente",
        subject="Aviso de alteração NF-9",
    )

    response = clerk_client.get(reverse("mail:outbox_list"))

    assert response.status_code == 200
    for text in ("MATRIZ", "Spy System", "ana@example.com", "Aviso de alteração NF-9", "falhou"):
        assert text in response.text
    assert "550 5.1.1 Caixa postal inexistente" in response.text


def test_list_filters_by_status_routine_and_company(clerk_client, make_message, make_company):
    company = make_company()
    wanted = make_message(status=MessageStatus.FAILED, company_id=company.pk)
    make_message(status=MessageStatus.SENT, company_id=company.pk)
    make_message(status=MessageStatus.FAILED, routine=Routine.BOLETO, company_id=company.pk)
    make_message(status=MessageStatus.FAILED)

    response = clerk_client.get(
        reverse("mail:outbox_list"), {"status": "failed", "routine": "spy", "company": company.pk}
    )

    assert [m.pk for m in response.context["page_obj"]] == [wanted.pk]


def test_list_query_count_does_not_grow_with_rows(
    clerk_client, make_message, make_company, django_assert_max_num_queries
):
    companies = [make_company() for _ in range(3)]
    for index in range(40):
        make_message(company_id=companies[index % 3].pk)

    with django_assert_max_num_queries(7):
        response = clerk_client.get(reverse("mail:outbox_list"))

    assert len(response.context["page_obj"]) == 40


def test_detail_shows_text_in_pre_and_html_only_in_a_sandboxed_frame(clerk_client, make_message):
    message = make_message(body_html="<p>Olá</p><script>alert('x')</script>")

    response = clerk_client.get(reverse("mail:outbox_detail", args=[message.pk]))

    assert '<pre class="body">Valor: R$ 1.000,00 → R$ 1.500,00</pre>' in response.text
    assert 'sandbox=""' in response.text
    assert 'srcdoc="&lt;p&gt;Olá&lt;/p&gt;&lt;script&gt;' in response.text
    assert "<script>alert" not in response.text
    assert "Nenhum servidor SMTP configurado" in response.text


def test_retry_puts_a_failed_message_back_in_the_queue(clerk_client, make_message):
    message = make_message(status=MessageStatus.FAILED, last_error="550 recusado")

    response = clerk_client.post(reverse("mail:outbox_retry", args=[message.pk]), follow=True)

    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.last_error == ""
    assert "Mensagem colocada na fila para reenvio." in response.text


def test_a_failed_test_message_offers_no_retry_and_is_not_retried(clerk_client, make_message):
    message = make_message(status=MessageStatus.FAILED, routine=Routine.TEST)
    detail = clerk_client.get(reverse("mail:outbox_detail", args=[message.pk]))
    assert detail.status_code == 200 and "Reenviar" not in detail.text

    response = clerk_client.post(reverse("mail:outbox_retry", args=[message.pk]), follow=True)

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "Mensagens de teste não são reenviadas" in response.text


def test_cancel_stops_a_pending_message(clerk_client, make_message):
    message = make_message()

    response = clerk_client.post(reverse("mail:outbox_cancel", args=[message.pk]), follow=True)

    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    assert "Envio cancelado." in response.text


def test_a_sent_message_cannot_be_cancelled_and_has_no_buttons(clerk_client, make_message):
    message = make_message(status=MessageStatus.SENT, smtp_reply="250 OK id=abc")

    page = clerk_client.get(reverse("mail:outbox_detail", args=[message.pk]))
    response = clerk_client.post(reverse("mail:outbox_cancel", args=[message.pk]), follow=True)

    message.refresh_from_db()
    assert "250 OK id=abc" in page.text
    assert reverse("mail:outbox_cancel", args=[message.pk]) not in page.text
    assert message.status == MessageStatus.SENT
    assert "não pode ser cancelada" in response.text


@pytest.mark.parametrize("name", ["mail:outbox_retry", "mail:outbox_cancel"])
def test_retry_and_cancel_need_post(clerk_client, make_message, name):
    message = make_message(status=MessageStatus.FAILED)

    assert clerk_client.get(reverse(name, args=[message.pk])).status_code == 405
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED


def _created(message, when):

    Message.objects.filter(pk=message.pk).update(created_at=when)


def test_list_filters_by_creation_day_in_sao_paulo_time(clerk_client, make_message):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    sp = ZoneInfo("America/Sao_Paulo")
    early, inside, late = make_message(), make_message(), make_message()
    _created(early, datetime(2026, 11, 30, 23, 59, tzinfo=sp))
    _created(inside, datetime(2026, 12, 1, 0, 0, tzinfo=sp))
    _created(late, datetime(2026, 12, 3, 0, 0, tzinfo=sp))
    # 02/12 23:30 in São Paulo is already 03/12 in UTC: still “até 02/12”.
    evening = make_message()
    _created(evening, datetime(2026, 12, 2, 23, 30, tzinfo=sp))

    response = clerk_client.get(
        reverse("mail:outbox_list"), {"de": "01/12/2026", "ate": "02/12/2026"}
    )

    assert {m.pk for m in response.context["page_obj"]} == {inside.pk, evening.pk}
    assert 'value="01/12/2026"' in response.text


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"de": "31/02/2026"}, "Data inválida: use dd/mm/aaaa"),
        ({"de": "05/12/2026", "ate": "01/12/2026"}, "A data final deve ser igual ou posterior"),
    ],
)
def test_bad_dates_are_explained_and_ignored(clerk_client, make_message, params, error):
    make_message()

    response = clerk_client.get(reverse("mail:outbox_list"), params)

    assert error in response.text
    assert response.status_code == 200


def test_list_shows_the_smtp_level_used(clerk_client, make_message):
    make_message(status=MessageStatus.SENT, smtp_level="finance")

    response = clerk_client.get(reverse("mail:outbox_list"))

    assert "Servidor e resposta" in response.text
    assert '<div class="muted small">Financeiro / Spy System</div>' in response.text
