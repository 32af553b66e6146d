"""End to end: a change to a title becomes one e-mail per resolved recipient (real SMTP sink)."""

from datetime import date
from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spysystem.finance import services as finance
from spysystem.finance.models import Company, Ledger, Title
from spysystem.mail.models import Message
from spysystem.routines.services import email_template_save
from spysystem.watch.context import Origin
from spysystem.watch.emails import spy_change_email
from spysystem.watch.models import Change
from spysystem.watch.services import change_fan_out, process_changes, recipients_set
from tests.conftest import drain


def _parsed(received):
    return message_from_bytes(received.content, policy=policy.default)


def _text(received) -> str:
    return _parsed(received).get_body(("plain",)).get_content()


@pytest.fixture
def setup(make_company, make_user, make_title, general_smtp):
    e1, e2 = make_company("E1"), make_company("E2")
    users = {name: make_user(name) for name in ("pay_default", "pay_e1", "rec_default", "rec_e2")}
    recipients_set(
        config={
            "payable": {
                "default": [users["pay_default"].pk],
                "companies": {str(e1.pk): [users["pay_e1"].pk]},
            },
            "receivable": {
                "default": [users["rec_default"].pk],
                "companies": {str(e2.pk): [users["rec_e2"].pk]},
            },
        }
    )
    return {"e1": e1, "e2": e2, **users}


def _recipients(sink) -> list[str]:
    return sorted(address for message in sink.received for address in message.rcpt_tos)


@pytest.mark.parametrize(
    ("ledger", "company", "expected"),
    [
        (Ledger.PAYABLE, "e1", "pay_e1"),
        (Ledger.PAYABLE, "e2", "pay_default"),
        (Ledger.RECEIVABLE, "e2", "rec_e2"),
        (Ledger.RECEIVABLE, "e1", "rec_default"),
    ],
)
@pytest.mark.parametrize("event", ["amount", "due_date", "delete"])
def test_each_event_reaches_exactly_the_resolved_recipients(
    setup, make_title, sink, ledger, company, expected, event
):
    title = make_title(ledger=ledger, company=setup[company], amount=Decimal("1000.00"))
    if event == "amount":
        finance.title_update(
            title=title, user=None, origin=Origin.SCREEN, amount=Decimal("10000.00")
        )
    elif event == "due_date":
        finance.title_update(
            title=title, user=None, origin=Origin.SCREEN, due_date=date(2026, 12, 25)
        )
    else:
        finance.title_delete(title=title, user=None, origin=Origin.SCREEN)
    drain()
    assert _recipients(sink) == [f"{expected}@example.com"]
    body = _text(sink.received[0])
    if event == "amount":
        assert "R$ 1.000,00 → R$ 10.000,00" in body
        assert "(+R$ 9.000,00, +900,00%)" in body
    elif event == "due_date":
        assert "10/12/2026 → 25/12/2026" in body
        assert "adiado em 15 dias" in body
    else:
        assert "EXCLUÍDO" in body and "R$ 1.000,00" in body


def test_message_names_company_party_actor_origin_and_links_to_title(
    setup, make_title, make_user, sink
):
    title = make_title(company=setup["e1"], document="NF-77", installment=2)
    finance.title_update(
        title=title, user=make_user("maria"), origin=Origin.API, due_date=date(2026, 12, 1)
    )
    drain()
    received = _parsed(sink.received[0])
    body = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "Contas a pagar" in received["Subject"] and "NF-77/2" in received["Subject"]
    assert "E1 · Empresa" in body and "Cliente Exemplo" in body
    assert "maria" in body and "API" in body and "antecipado em 9 dias" in body
    assert f"/titulos/{title.pk}/" in body
    assert "antecipado em 9 dias" in html
    assert Message.objects.get().status == "sent"
    assert Message.objects.get().smtp_reply.startswith("250")


def test_processing_a_change_twice_sends_once(setup, make_title, sink):
    title = make_title(company=setup["e1"])
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal("2.00"))
    drain()
    change_fan_out(change=Change.objects.get())
    drain()
    assert len(sink.received) == 1
    assert Message.objects.count() == 1


def test_change_to_other_fields_sends_nothing(setup, make_title, sink):
    title = make_title(company=setup["e1"])
    finance.title_update(
        title=title, user=None, origin=Origin.SCREEN, description="x", status="paid"
    )
    drain()
    assert sink.received == []


def test_users_without_email_are_skipped_not_crashing(
    make_company, make_user, make_title, general_smtp, sink
):
    company = make_company()
    silent, loud = make_user("silent", email=""), make_user("loud")
    recipients_set(config={"payable": {"default": [silent.pk, loud.pk], "companies": {}}})
    title = make_title(company=company)
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal("3.00"))
    drain()
    assert _recipients(sink) == ["loud@example.com"]


@pytest.mark.django_db(transaction=True)
def test_raw_sql_change_from_another_program_is_e_mailed(
    setup, make_title, sink, outside_connection
):
    title = make_title(company=setup["e1"], amount=Decimal("100.00"))
    outside_connection.execute(f"UPDATE finance_title SET amount = 100000 WHERE id = {title.pk}")
    drain()
    assert _recipients(sink) == ["pay_e1@example.com"]
    assert "SQL direto" in _text(sink.received[0])


def test_queryset_update_is_e_mailed(setup, make_title, sink):
    title = make_title(company=setup["e2"], ledger=Ledger.RECEIVABLE)
    Title.objects.filter(pk=title.pk).update(amount=Decimal("5.00"))
    drain()
    assert _recipients(sink) == ["rec_e2@example.com"]


def test_smtp_down_then_back_delivers_without_loss(setup, make_title, sink, settings):
    sink.stop()
    title = make_title(company=setup["e1"])
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal("7.00"))
    drain()
    message = Message.objects.get()
    # The server was never reached: the outage does not spend the message's attempt budget.
    assert message.status == "pending" and message.attempts == 0
    assert "conexão" in message.last_error
    sink.start()
    Message.objects.update(next_attempt_at=message.created_at)  # the backoff has elapsed
    drain()
    assert _recipients(sink) == ["pay_e1@example.com"]
    assert Message.objects.get().status == "sent"


def test_company_deleted_after_its_titles_still_lets_the_deletion_be_reported(
    make_company, make_user, make_title, general_smtp, sink
):
    from spysystem.finance.models import Company

    company = make_company("FECHADA")
    recipients_set(config={"payable": {"default": [make_user("auditor").pk], "companies": {}}})
    title = make_title(company=company)
    finance.title_delete(title=title, user=None, origin=Origin.SCREEN)
    finance.company_delete(company=Company.objects.get(pk=company.pk))
    drain()
    assert _recipients(sink) == ["auditor@example.com"]
    assert Message.objects.get().company_id is None
    assert "EXCLUÍDO" in _text(sink.received[0])


def _edit_mix(setup, make_title, rounds: int) -> None:
    """``rounds`` times: an amount on a payable of E1, a due date on a receivable of E2, and a
    deletion (its party is known from the deleted row only)."""
    for _ in range(rounds):
        payable = make_title(ledger=Ledger.PAYABLE, company=setup["e1"])
        receivable = make_title(ledger=Ledger.RECEIVABLE, company=setup["e2"])
        gone = make_title(ledger=Ledger.PAYABLE, company=setup["e1"])
        finance.title_update(title=payable, user=None, origin=Origin.API, amount=Decimal("5.00"))
        finance.title_update(
            title=receivable, user=None, origin=Origin.API, due_date=date(2027, 1, 4)
        )
        finance.title_delete(title=gone, user=None, origin=Origin.API)


def test_a_backlog_is_fanned_out_with_the_queries_of_a_few_changes(setup, make_title):
    _edit_mix(setup, make_title, rounds=1)
    with CaptureQueriesContext(connection) as few:
        assert process_changes() == 3
    _edit_mix(setup, make_title, rounds=10)
    with CaptureQueriesContext(connection) as many:
        assert process_changes() == 30
    assert len(many) == len(few)
    assert Message.objects.count() == 33
    assert not Change.objects.filter(fanned_out_at__isnull=True).exists()


def test_each_e_mail_of_a_batch_is_the_one_its_change_gets_alone(setup, make_title, make_company):
    email_template_save(
        routine="spy", company=setup["e2"], subject="E2 {{ document }}", body_text="x"
    )
    _edit_mix(setup, make_title, rounds=2)
    closed = make_company("E3")  # its titles go, then the company itself
    title = make_title(ledger=Ledger.RECEIVABLE, company=closed)
    finance.title_update(title=title, user=None, origin=Origin.API, amount=Decimal("9.00"))
    finance.title_delete(title=title, user=None, origin=Origin.API)
    Company.objects.filter(pk=closed.pk).delete()
    assert process_changes() == 8
    e1, e2 = setup["e1"].pk, setup["e2"].pk
    sent = Message.objects.values_list("change__company_id", "company_id", "to_email")
    assert sorted(sent) == sorted(
        [(e1, e1, "pay_e1@example.com")] * 4
        + [(e2, e2, "rec_e2@example.com")] * 2
        + [(closed.pk, None, "rec_default@example.com")] * 2
    )
    for message in Message.objects.select_related("change"):
        change = Change.objects.get(pk=message.change_id)  # snapshot written by the fan-out
        subject, text, html = spy_change_email(change=change)
        assert (message.subject, message.body_text, message.body_html) == (subject, text, html)
    subjects = Message.objects.filter(company=setup["e2"]).values_list("subject", flat=True)
    assert len(subjects) == 2 and all(s.startswith("E2 NF") for s in subjects)
    deleted = Message.objects.filter(change__kind="delete", company=setup["e1"]).first()
    assert "Cliente Exemplo" in deleted.body_text  # the deleted title's party, by name


def test_the_oldest_changes_are_taken_up_to_the_limit(setup, make_title):
    _edit_mix(setup, make_title, rounds=2)
    oldest = list(Change.objects.order_by("id").values_list("id", flat=True))
    assert process_changes(limit=4) == 4
    done = Change.objects.filter(fanned_out_at__isnull=False).order_by("id")
    assert list(done.values_list("id", flat=True)) == oldest[:4]
    assert process_changes() == 2
    assert process_changes() == 0
