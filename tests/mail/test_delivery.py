"""The outbox state machine and the delivery engine against real (fault-injecting) SMTP sinks."""

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.db import transaction
from django.utils import timezone

from spysystem.mail import services
from spysystem.mail.delivery import process_one_batch
from spysystem.mail.models import Message
from spysystem.mail.services import MessageDraft, message_enqueue_many
from tests.conftest import drain


def enqueue(n: int = 1, *, routine: str = "spy", prefix: str = "t") -> list[Message]:
    drafts = [
        MessageDraft(
            routine=routine,
            dedupe_key=f"{prefix}:{i}",
            to_email=f"dest{i}@example.com",
            to_name=f"Destinatário {i}",
            subject=f"Assunto {i} — ação",
            body_text="Olá, corpo em texto.",
            body_html="<p>Olá</p>",
        )
        for i in range(n)
    ]
    message_enqueue_many(drafts)
    return list(Message.objects.filter(dedupe_key__startswith=f"{prefix}:").order_by("id"))


def test_enqueue_is_idempotent_by_dedupe_key(db):
    enqueue(3)
    assert message_enqueue_many([MessageDraft("spy", "t:0", "x@example.com", "s", "b")]) == 0
    assert Message.objects.count() == 3


def test_message_is_sent_with_sender_name_reply_to_and_html_alternative(general_smtp, sink):
    general_smtp.reply_to = "responda@empresa.com.br"
    general_smtp.save()
    enqueue(1)
    drain()
    received = sink.received[0]
    parsed = message_from_bytes(received.content, policy=policy.default)
    assert received.mail_from == "spy@empresa.com.br"
    assert parsed["From"] == "Spy System <spy@empresa.com.br>"
    assert parsed["Reply-To"] == "responda@empresa.com.br"
    assert parsed["Subject"] == "Assunto 0 — ação"
    assert "spy-" in parsed["Message-ID"]
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Olá</p>"
    sent = Message.objects.get()
    assert (sent.status, sent.attempts, sent.smtp_level) == ("sent", 1, "general")


@pytest.mark.django_db(transaction=True)
def test_rollback_after_enqueue_sends_nothing(general_smtp, sink):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(2)
        raise RuntimeError("the business write failed")
    drain()
    assert Message.objects.count() == 0 and sink.received == []


def test_without_any_smtp_settings_the_message_waits_visible_then_heals(db, sink):
    enqueue(1)
    drain()
    waiting = Message.objects.get()
    assert waiting.status == "pending" and waiting.attempts == 0
    assert "nenhum servidor smtp configurado" in waiting.last_error.lower()
    services.smtp_settings_save(
        level="general", host="127.0.0.1", port=sink.port, security="none", from_email="a@b.com.br"
    )
    Message.objects.update(next_attempt_at=timezone.now())
    drain()
    assert Message.objects.get().status == "sent" and len(sink.received) == 1


def test_permanent_rejection_at_rcpt_fails_only_that_message(general_smtp, sink):
    sink.handler.on_rcpt = lambda address: (
        "550 5.1.1 Usuário inexistente" if "dest1@" in address else None
    )
    enqueue(3)
    drain()
    statuses = dict(Message.objects.values_list("to_email", "status"))
    assert statuses == {
        "dest0@example.com": "sent",
        "dest1@example.com": "failed",
        "dest2@example.com": "sent",
    }
    failed = Message.objects.get(status="failed")
    assert failed.last_error.startswith("550") and failed.attempts == 1


def test_temporary_error_after_data_is_retried_later_with_backoff(general_smtp, sink):
    sink.handler.on_data = lambda message: "451 4.3.0 Tente mais tarde"
    enqueue(1)
    before = timezone.now()
    drain()
    message = Message.objects.get()
    assert message.status == "pending" and message.attempts == 1
    assert message.last_error.startswith("451")
    assert message.next_attempt_at > before
    sink.handler.on_data = None
    Message.objects.update(next_attempt_at=timezone.now())
    drain()
    assert Message.objects.get().status == "sent"


def test_attempt_budget_exhausted_marks_failed(general_smtp, sink, settings):
    settings.SPY_MAX_ATTEMPTS = 2
    sink.handler.on_data = lambda message: "421 4.7.0 Ocupado"
    enqueue(1)
    for _ in range(2):
        Message.objects.update(next_attempt_at=timezone.now())
        drain()
    message = Message.objects.get()
    assert message.status == "failed" and "tentativas esgotadas" in message.last_error


def test_expired_lease_is_taken_over_and_the_stale_worker_cannot_overwrite(general_smtp, sink):
    enqueue(1)
    assert services.messages_claim(worker_id="dead", limit=10)
    assert not services.messages_claim(worker_id="other", limit=10)  # still leased
    Message.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    assert process_one_batch(worker_id="other")
    assert not services.message_mark_sent(
        message_id=Message.objects.get().pk, worker_id="dead", level="x", reply="late"
    )
    message = Message.objects.get()
    assert message.status == "sent" and message.leased_by == "other"
    assert len(sink.received) == 1


def test_retry_and_cancel_follow_the_state_machine(db):
    (message,) = enqueue(1)
    assert services.message_cancel(message=message)
    assert Message.objects.get().status == "cancelled"
    assert services.message_retry(message=message)
    assert Message.objects.get().status == "pending"
    Message.objects.update(status="sent")
    assert not services.message_cancel(message=message)
    assert not services.message_retry(message=message)
