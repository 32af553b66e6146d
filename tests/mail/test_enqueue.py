"""message_enqueue_many: new keys only, attachments and titles with their message, few queries."""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from spysystem.mail import services
from spysystem.mail.models import Message, MessageAttachment
from spysystem.mail.services import MessageDraft, message_enqueue_many
from tests.conftest import in_two_threads


def draft(n: int, **fields) -> MessageDraft:
    values = {"subject": "Assunto", "body_text": "Corpo", **fields}
    return MessageDraft(
        routine="spy", dedupe_key=f"k:{n}", to_email=f"pessoa{n}@example.com", **values
    )


def test_new_rows_come_with_their_attachments_and_titles(make_title):
    first, second = make_title(), make_title()
    pdf = ("boleto.pdf", "application/pdf", b"%PDF-1.4")
    drafts = [
        draft(1, attachments=(pdf,), title_ids=(first.pk,)),
        draft(2, title_ids=(first.pk, second.pk)),
        draft(3),
    ]
    assert message_enqueue_many(drafts) == 3
    one, two, three = (Message.objects.get(dedupe_key=f"k:{n}") for n in (1, 2, 3))
    attachment = MessageAttachment.objects.get()
    assert attachment.message == one and bytes(attachment.content) == b"%PDF-1.4"
    assert list(one.titles.all()) == [first]
    assert set(two.titles.all()) == {first, second}
    assert not three.titles.exists()


def test_existing_and_repeated_keys_are_skipped_the_first_draft_wins(make_title):
    title = make_title()
    assert message_enqueue_many([draft(1)]) == 1
    again = [draft(1, title_ids=(title.pk,)), draft(2), draft(2, subject="Outro")]
    assert message_enqueue_many(again) == 1
    assert Message.objects.get(dedupe_key="k:2").subject == "Assunto"
    assert not Message.objects.get(dedupe_key="k:1").titles.exists()
    assert message_enqueue_many([]) == 0


def test_the_queries_do_not_grow_with_the_drafts(make_title):
    title = make_title()
    counted = []
    for start, count in ((0, 5), (100, 40)):  # one INSERT each (SQLite: ≤ 999 parameters)
        drafts = [draft(n, title_ids=(title.pk,)) for n in range(start, start + count)]
        with CaptureQueriesContext(connection) as queries:
            assert message_enqueue_many(drafts) == count
        counted.append(len(queries))
    assert counted[0] == counted[1] <= 8


def test_a_key_another_transaction_inserted_meanwhile_is_skipped(db, monkeypatch):
    message_enqueue_many([draft(1)])
    checks = []
    real = services.existing_keys

    def blind_first(keys):  # the first check cannot see the row the other one committed
        checks.append(keys)
        return set() if len(checks) == 1 else real(keys)

    monkeypatch.setattr(services, "existing_keys", blind_first)
    with transaction.atomic():  # the caller's transaction survives the collision
        assert message_enqueue_many([draft(1), draft(2)]) == 1
    assert len(checks) == 2
    assert sorted(Message.objects.values_list("dedupe_key", flat=True)) == ["k:1", "k:2"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_transactions_racing_for_the_same_keys_insert_each_once(monkeypatch):
    barrier, seen = threading.Barrier(2, timeout=20), threading.local()
    real = services.existing_keys

    def in_step(keys):  # both check before either inserts: a real race
        found = real(keys)
        if not getattr(seen, "once", False):
            seen.once = True
            barrier.wait()
        return found

    monkeypatch.setattr(services, "existing_keys", in_step)
    counts = in_two_threads(lambda: message_enqueue_many([draft(n) for n in range(50)]))
    assert sorted(counts) == [0, 50]
    assert Message.objects.count() == 50
