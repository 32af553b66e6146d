"""``/api/v1/outbox``: the e-mail log, with retry and cancel."""

from __future__ import annotations

import pytest

from spysystem.mail.models import Message
from spysystem.mail.services import MessageDraft, message_enqueue_many
from tests.api.conftest import API


@pytest.fixture
def make_message(db):
    def factory(status: str = "pending", **fields):
        draft = MessageDraft(
            routine=fields.pop("routine", "spy"),
            dedupe_key=f"test:{Message.objects.count()}",
            to_email=fields.pop("to_email", "ana@example.com"),
            subject="Assunto",
            body_text="corpo em texto",
            body_html="<p>corpo</p>",
            **fields,
        )
        message_enqueue_many([draft])
        message = Message.objects.get(dedupe_key=draft.dedupe_key)
        Message.objects.filter(pk=message.pk).update(status=status)
        return Message.objects.get(pk=message.pk)

    return factory


def test_list_shows_the_log_without_bodies(api, make_message):
    make_message()
    body = api.get(f"{API}outbox").json()
    row = body["results"][0]
    assert body["count"] == 1
    assert {"id", "routine", "company", "to_email", "subject", "status", "attempts"} <= set(row)
    assert {"next_attempt_at", "last_error", "smtp_level", "smtp_reply", "sent_at"} <= set(row)
    assert "body_text" not in row and "body_html" not in row


def test_detail_has_the_bodies(api, make_message):
    message = make_message()
    body = api.get(f"{API}outbox/{message.pk}").json()
    assert (body["body_text"], body["body_html"]) == ("corpo em texto", "<p>corpo</p>")


def test_list_is_filtered_by_status_routine_and_company(api, make_message, make_company):
    company = make_company()
    wanted = make_message(status="failed", routine="boleto", company_id=company.pk)
    make_message(status="failed", routine="boleto")
    make_message(status="sent", routine="boleto", company_id=company.pk)
    make_message(status="failed", routine="spy", company_id=company.pk)
    query = {"status": "failed", "routine": "boleto", "company": company.pk}
    results = api.get(f"{API}outbox", query).json()["results"]
    assert [m["id"] for m in results] == [wanted.pk]


def test_failed_message_is_retried_now_with_its_attempts_counted_afresh(
    api, make_message, settings
):
    message = make_message(status="failed")
    Message.objects.filter(pk=message.pk).update(
        last_error="550 caixa inexistente", attempts=settings.SPY_MAX_ATTEMPTS
    )
    response = api.post(f"{API}outbox/{message.pk}/retry")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["last_error"], body["attempts"]) == ("pending", "", 0)


def test_a_failed_test_message_is_not_retried(api, make_message):
    message = make_message(status="failed", routine="test", to_email="alguem@fora.example")
    response = api.post(f"{API}outbox/{message.pk}/retry")
    assert response.status_code == 409
    assert "Testar envio" in response.json()["detail"]
    assert Message.objects.get().status == "failed"


def test_sent_message_cannot_be_retried_or_cancelled(api, make_message):
    message = make_message(status="sent")
    retry = api.post(f"{API}outbox/{message.pk}/retry")
    cancel = api.post(f"{API}outbox/{message.pk}/cancel")
    assert (retry.status_code, cancel.status_code) == (409, 409)
    assert retry.json() == {
        "detail": "A mensagem não pode ser reenviada: está com situação “enviado”."
    }
    assert cancel.json() == {
        "detail": "A mensagem não pode ser cancelada: está com situação “enviado”."
    }
    assert Message.objects.get().status == "sent"


def test_pending_message_is_cancelled(api, make_message):
    message = make_message()
    response = api.post(f"{API}outbox/{message.pk}/cancel")
    assert response.status_code == 200
    assert Message.objects.get().status == "cancelled"


def test_outbox_is_read_only(api, make_message):
    message = make_message()
    assert api.delete(f"{API}outbox/{message.pk}").status_code == 405
    assert api.post(f"{API}outbox", {}, format="json").status_code == 405


def test_outbox_filters_by_creation_day_in_sao_paulo(api):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from spysystem.mail.models import Message

    sp = ZoneInfo("America/Sao_Paulo")
    for n, moment in enumerate(
        [datetime(2026, 12, 1, 23, 30, tzinfo=sp), datetime(2026, 12, 2, 0, 30, tzinfo=sp)]
    ):
        Message.objects.create(
            routine="spy",
            dedupe_key=f"d{n}",
            to_email="a@b.com.br",
            subject="s",
            body_text="b",
            created_at=moment,
        )
    response = api.get(f"{API}outbox/", {"created_from": "2026-12-02", "created_to": "2026-12-02"})
    assert response.status_code == 200
    assert [m["id"] for m in response.json()["results"]] == [
        Message.objects.get(dedupe_key="d1").pk
    ]
    assert api.get(f"{API}outbox/", {"created_from": "02/12/2026"}).status_code == 400
