"""The outbox and throttle writes the delivery engine relies on: claiming rows in one statement,
grouped deferrals, lease extension and hand-back, and connection leases held across batches."""

from datetime import timedelta

from django.utils import timezone

from spysystem.mail import services, throttle
from spysystem.mail.models import Message, SmtpSettings, SmtpState
from tests.mail.test_delivery import enqueue
from tests.mail.test_faults import settings_for


def test_claim_rows_leases_the_due_rows_in_order_with_the_asked_fields(db):
    enqueue(5)
    Message.objects.filter(dedupe_key="t:0").update(next_attempt_at=timezone.now() + timedelta(1))
    rows = services.messages_claim_rows(worker_id="w", limit=3, fields=("to_email", "attempts"))
    assert [m.to_email for m in rows] == [f"dest{i}@example.com" for i in (1, 2, 3)]
    assert [m.pk for m in rows] == sorted(m.pk for m in rows)
    assert {"to_email", "attempts"}.isdisjoint(rows[0].get_deferred_fields())
    assert "body_html" in rows[0].get_deferred_fields()
    leased = Message.objects.filter(status="sending", leased_by="w")
    assert set(leased.values_list("pk", flat=True)) == {m.pk for m in rows}
    assert all(m.lease_until > timezone.now() for m in leased)
    assert [m.to_email for m in services.messages_claim_rows(worker_id="x", limit=9)] == [
        "dest4@example.com"
    ]


def test_claim_rows_takes_over_expired_leases_only(db):
    enqueue(2)
    services.messages_claim(worker_id="dead", limit=2)
    assert services.messages_claim_rows(worker_id="w", limit=5) == []
    Message.objects.filter(dedupe_key="t:1").update(lease_until=timezone.now() - timedelta(1))
    (taken,) = services.messages_claim_rows(worker_id="w", limit=5, fields=("status",))
    assert (taken.status, Message.objects.get(pk=taken.pk).leased_by) == ("sending", "w")


def test_defer_waits_without_spending_attempts_and_fails_what_is_too_old(db, settings):
    messages = enqueue(3)
    services.messages_claim(worker_id="w", limit=3)
    Message.objects.filter(pk=messages[0].pk).update(
        created_at=timezone.now() - timedelta(hours=settings.SPY_MAX_AGE_HOURS + 1)
    )
    rows = list(Message.objects.order_by("id"))
    later = timezone.now() + timedelta(minutes=5)
    changed = services.messages_defer(
        messages=rows, worker_id="w", level="general", error="limite", retry_at=later
    )
    assert changed == 3
    old, *waiting = Message.objects.order_by("id")
    assert old.status == "failed" and "horas" in old.last_error
    for message in waiting:
        assert (message.status, message.attempts, message.last_error) == ("pending", 0, "limite")
        assert message.next_attempt_at == later and message.lease_until is None
    assert services.messages_defer(messages=rows, worker_id="w", level="general", error="x") == 0


def test_extend_and_release_touch_only_the_workers_own_messages_in_flight(db):
    mine, other, done = enqueue(3)
    services.messages_claim(worker_id="w", limit=1)
    services.messages_claim(worker_id="x", limit=1)
    services.messages_claim(worker_id="w", limit=1)
    Message.objects.filter(pk=done.pk).update(status="sent")
    before = Message.objects.get(pk=mine.pk).lease_until
    ids = [mine.pk, other.pk, done.pk]
    assert services.messages_extend_lease(message_ids=ids, worker_id="w") == 1
    assert Message.objects.get(pk=mine.pk).lease_until > before
    assert services.messages_release(message_ids=ids, worker_id="w") == 1
    statuses = dict(Message.objects.values_list("pk", "status"))
    assert statuses == {mine.pk: "pending", other.pk: "sending", done.pk: "sent"}


def test_mark_sent_writes_each_reply_once_and_only_for_the_leaseholder(db):
    first, second = enqueue(2)
    services.messages_claim(worker_id="w", limit=2)
    replies = {first.pk: "250 queued as A", second.pk: "250 queued as 'B'; x" * 200}
    assert services.messages_mark_sent(replies=replies, worker_id="other", level="g") == 0
    assert services.messages_mark_sent(replies=replies, worker_id="w", level="g") == 2
    assert services.messages_mark_sent(replies=replies, worker_id="w", level="g") == 0
    for message in Message.objects.all():
        assert (message.status, message.attempts, message.smtp_level) == ("sent", 1, "g")
        assert message.smtp_reply == replies[message.pk][:2000]


def test_held_leases_are_renewed_and_count_as_connections(db, sink):
    settings = settings_for(sink.port, max_connections=2)
    first = throttle.reserve(settings=settings, owner="w", wanted=10)
    assert len(first.connections) == 2
    again = throttle.reserve(
        settings=settings, owner="w", wanted=10, held=first.connections, connections=0
    )
    assert again.granted == 10 and again.connections == [] and again.lost == []
    other = throttle.reserve(settings=settings, owner="x", wanted=1)
    assert other.granted == 0 and other.reason == "limite de conexões simultâneas"


def test_an_expired_held_lease_is_lost_and_its_slot_can_be_taken(db, sink):
    settings = settings_for(sink.port, max_connections=1)
    (lease,) = throttle.reserve(settings=settings, owner="w", wanted=1).connections
    state = SmtpState.objects.get()
    state.connections = {lease: (timezone.now() - timedelta(seconds=1)).isoformat()}
    state.save()
    assert throttle.renew(settings=settings, held=[lease]) == [lease]
    taken = throttle.reserve(settings=settings, owner="x", wanted=1)
    assert len(taken.connections) == 1
    lost = throttle.reserve(settings=settings, owner="w", wanted=1, held=[lease])
    assert lost.granted == 0  # no slot left for w: it must close that connection


def test_lowering_max_connections_gives_back_the_held_leases_beyond_it(db, sink):
    settings = settings_for(sink.port, max_connections=5)  # as a busy worker loaded them
    held = throttle.reserve(settings=settings, owner="w", wanted=5).connections
    assert len(held) == 5
    SmtpSettings.objects.filter(pk=settings.pk).update(max_connections=2)  # lowered on a screen
    lost = throttle.renew(settings=settings, held=held)
    assert len(lost) == 3 and set(lost) <= set(held)  # their connections close after their job
    assert set(SmtpState.objects.get().connections) == set(held) - set(lost)
    kept = [lease for lease in held if lease not in lost]
    again = throttle.reserve(settings=settings, owner="w", wanted=1, held=kept, connections=0)
    assert again.lost == [] and again.granted == 1


def test_a_busy_worker_keeps_one_lease_when_the_limit_falls_below_the_workers(db, sink):
    settings = settings_for(sink.port, max_connections=4)
    mine = throttle.reserve(settings=settings, owner="w", wanted=2).connections
    throttle.reserve(settings=settings, owner="x", wanted=2)
    SmtpSettings.objects.filter(pk=settings.pk).update(max_connections=1)
    lost = throttle.renew(settings=settings, held=mine)
    assert len(lost) == 1  # not both: its queued messages still have a connection


def test_returning_leases_without_an_outcome_leaves_the_breaker_alone(db, sink):
    settings = settings_for(sink.port, max_connections=2)
    leases = throttle.reserve(settings=settings, owner="w", wanted=2).connections
    throttle.release(settings=settings, connections=[], error="falha de conexão")
    throttle.release(settings=settings, connections=leases, error=None, record=False)
    state = SmtpState.objects.get()
    assert state.connections == {} and state.failures == 1
